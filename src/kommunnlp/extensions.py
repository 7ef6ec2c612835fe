"""What kommunnlp leaves on a ``Doc``: plain data only, so pickling, ``DocBin`` and
``nlp.pipe(n_process=...)`` carry it.

- ``doc.spans[<type>]``: token-aligned spans per record type (for displaCy and spaCy tooling);
- ``doc._.kommunnlp``: ``{type: [mention dict, ...]}`` with exact character offsets;
- ``doc._.record``: the :class:`~kommunnlp.records.DocumentRecord` built from it (a getter).
"""

from __future__ import annotations

import weakref
from typing import Any

from spacy.tokens import Doc

from .records import RECORD_TYPES, DocumentRecord

STORE = "kommunnlp"


def install_extensions() -> None:
    """Install the Doc extensions; idempotent, because worker processes run it again."""
    if not Doc.has_extension(STORE):
        Doc.set_extension(STORE, default=None)
    if not Doc.has_extension("record"):
        Doc.set_extension("record", getter=record_from_doc)


# ``Doc.text`` rebuilds the string from the tokens on every access (slower than tokenising);
# the components share one copy per live Doc instead, recorded by kommunnlp's tokenizer or built
# once here. Weakly held: nothing outlives the Doc or travels with it.
_TEXTS: weakref.WeakKeyDictionary[Doc, str] = weakref.WeakKeyDictionary()


def remember_text(doc: Doc, text: str) -> None:
    """Record the text ``doc`` was made from (called by the tokenizer)."""
    _TEXTS[doc] = text


def doc_text(doc: Doc) -> str:
    """``doc.text``, built at most once per Doc and shared by the components."""
    text = _TEXTS.get(doc)
    if text is None:
        text = doc.text
        _TEXTS[doc] = text
    return text


def set_mentions(doc: Doc, key: str, mentions: list[dict[str, Any]], label_field: str | None) -> None:
    """Store ``mentions`` (plain dicts with start/end/text) under ``key`` on ``doc``."""
    install_extensions()
    store = dict(doc._.get(STORE) or {})
    store[key] = mentions
    doc._.set(STORE, store)
    spans = []
    for m in mentions:
        label = str(m.get(label_field) or key) if label_field else key
        span = doc.char_span(m["start"], m["end"], label=label, alignment_mode="expand")
        if span is not None:
            spans.append(span)
    doc.spans[key] = spans


def get_mentions(doc: Doc, key: str) -> list[dict[str, Any]]:
    """The mention dicts a component stored under ``key`` (empty if none ran)."""
    install_extensions()
    store = doc._.get(STORE) or {}
    return list(store.get(key, []))


def record_from_doc(doc: Doc) -> DocumentRecord:
    """Build the typed record from what the components stored on ``doc``."""
    store = doc._.get(STORE) or {}
    return DocumentRecord.model_validate({key: store.get(key, []) for key in RECORD_TYPES})
