"""The public functions: ``extract`` for one document, ``extract_many`` for streams."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from spacy.language import Language

from .errors import Errors
from .pipeline import load
from .records import DocumentRecord

_DEFAULT_NLP: Language | None = None


def default_nlp() -> Language:
    """The default pipeline, loaded once per process and reused."""
    global _DEFAULT_NLP
    if _DEFAULT_NLP is None:
        _DEFAULT_NLP = load()
    return _DEFAULT_NLP


def extract(text: str, *, id: str | None = None, nlp: Language | None = None) -> DocumentRecord:
    """Extract the record of one document.

    Any ``str`` is accepted (empty, huge, control characters); a non-``str`` raises ``TypeError``.
    """
    if not isinstance(text, str):
        raise TypeError(Errors.E001.format(type=type(text).__name__))
    doc = (nlp or default_nlp())(text)
    record: DocumentRecord = doc._.record
    return record.model_copy(update={"id": id}) if id is not None else record


def _as_pairs(items: Iterable[Any]) -> Iterator[tuple[str, str | None]]:
    for item in items:
        if isinstance(item, str):
            yield item, None
        elif isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
            yield item[0], None if item[1] is None else str(item[1])
        else:
            raise TypeError(Errors.E005.format(type=type(item).__name__))


def extract_many(
    texts: Iterable[str] | Iterable[tuple[str, str | None]],
    *,
    n_process: int = 1,
    batch_size: int = 32,
    nlp: Language | None = None,
) -> Iterator[DocumentRecord]:
    """Stream records for many documents, in input order, built on ``nlp.pipe``.

    ``texts`` yields ``str`` or ``(text, id)`` pairs; nothing is read ahead beyond a batch.
    """
    pipeline = nlp or default_nlp()
    docs = pipeline.pipe(_as_pairs(texts), as_tuples=True, n_process=n_process, batch_size=batch_size)
    for doc, doc_id in docs:
        record: DocumentRecord = doc._.record
        yield record.model_copy(update={"id": doc_id}) if doc_id is not None else record
