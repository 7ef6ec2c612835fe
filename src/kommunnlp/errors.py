"""Error and warning messages with codes, in one place (spaCy's convention)."""

from __future__ import annotations


class Errors:
    E001 = (
        "extract() takes a str, got {type}. Decode bytes first (e.g. data.decode('utf-8')) or "
        "use kommunnlp.readers for files."
    )
    E002 = "No pipeline found at {path!r}: pass a directory written by nlp.to_disk()."
    E003 = (
        "The pipeline has no kommunnlp components (looked for {names}). Build it with "
        "kommunnlp.load() or add them with nlp.add_pipe()."
    )
    E004 = "Data file {path!r} for component {component!r} is missing or unreadable: {reason}"
    E005 = "extract_many() got an item of type {type}; expected str or a (text, id) pair."


class Warnings:
    W001 = "Component {component!r} found nothing to load in {path!r}; keeping its packaged data."
