"""Shared machinery of the rule components: packaged data, serialisation, span output.

A component's patterns and word lists are JSON files in ``kommunnlp/data/<component>/``. They
are loaded when the component is built, can be replaced through ``initialize(data=...)``, and
are written by ``to_disk``/``to_bytes`` and read back by ``from_disk``/``from_bytes``, so a
saved pipeline carries its own data.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from importlib import resources
from pathlib import Path
from typing import Any

import srsly
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import ensure_path

from ..errors import Errors
from ..extensions import doc_text, install_extensions, set_mentions


def load_package_data(component: str) -> dict[str, Any]:
    """Every ``*.json`` file of ``kommunnlp/data/<component>/``, by file stem."""
    folder = resources.files("kommunnlp") / "data" / component
    data: dict[str, Any] = {}
    if not folder.is_dir():
        return data
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            try:
                data[entry.name[: -len(".json")]] = json.loads(entry.read_text(encoding="utf-8"))
            except (OSError, ValueError) as err:
                raise ValueError(Errors.E004.format(path=str(entry), component=component, reason=err)) from err
    return data


def write_data(path: str | Path, data: dict[str, Any]) -> None:
    """Write a component's data files, one ``<stem>.json`` each (the inverse of ``read_data``)."""
    path = ensure_path(path)
    path.mkdir(parents=True, exist_ok=True)
    for stem, value in data.items():
        srsly.write_json(path / f"{stem}.json", value, indent=1)


def read_data(path: str | Path) -> dict[str, Any] | None:
    """The data files ``write_data`` wrote, by stem; None where there are none."""
    path = ensure_path(path)
    files = sorted(path.glob("*.json")) if path.is_dir() else []
    return {f.stem: srsly.read_json(f) for f in files} if files else None


class RuleComponent:
    """Base of the rule components. Subclasses set ``data_dir`` and implement ``find``."""

    #: Folder under ``kommunnlp/data`` holding this component's data files.
    data_dir: str = ""
    #: Mention field used as the span label in ``doc.spans``.
    label_field: str | None = None

    def __init__(self, nlp: Language, name: str, *, spans_key: str) -> None:
        install_extensions()
        self.name = name
        self.spans_key = spans_key
        self.data: dict[str, Any] = load_package_data(self.data_dir)
        self._compile()

    # -- to be implemented -------------------------------------------------------------------
    def _compile(self) -> None:
        """Build matchers from ``self.data``; called whenever the data change."""

    def find(self, text: str) -> list[dict[str, Any]]:
        """Mentions in ``text`` as plain dicts of the record fields (start, end, text, ...)."""
        raise NotImplementedError

    # -- spaCy component protocol ------------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        set_mentions(doc, self.spans_key, self.find(doc_text(doc)), self.label_field)
        return doc

    def pipe(self, stream: Iterable[Doc], *, batch_size: int = 128) -> Iterable[Doc]:
        for doc in stream:
            yield self(doc)

    def initialize(
        self,
        get_examples: Callable[[], Iterable[Any]] | None = None,
        *,
        nlp: Language | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        """Replace (some of) the packaged data files, e.g. ``data={"series": [...]}``."""
        if data:
            self.data = {**self.data, **data}
            self._compile()

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return srsly.msgpack_dumps({"data": self.data, "spans_key": self.spans_key})

    def from_bytes(self, bytes_data: bytes, *, exclude: Iterable[str] = ()) -> RuleComponent:
        msg = srsly.msgpack_loads(bytes_data)
        self.data = msg["data"]
        self.spans_key = msg.get("spans_key", self.spans_key)
        self._compile()
        return self

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        write_data(path, self.data)

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> RuleComponent:
        data = read_data(path)
        if data is not None:
            self.data = data
            self._compile()
        return self
