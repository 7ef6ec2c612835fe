"""The public functions: ``extract`` for one document, ``extract_many`` for streams."""

from __future__ import annotations

import multiprocessing as mp
import os
from collections import deque
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from pydantic import TypeAdapter
from spacy.language import Language
from spacy.util import load_model_from_config

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


def _records(pipeline: Language, pairs: list[tuple[str, str | None]], batch_size: int) -> list[DocumentRecord]:
    out = []
    for doc, doc_id in pipeline.pipe(pairs, as_tuples=True, batch_size=batch_size):
        record: DocumentRecord = doc._.record
        out.append(record.model_copy(update={"id": doc_id}) if doc_id is not None else record)
    return out


# The pipeline of a worker process: inherited when the pool forks, loaded by _init_worker when
# it spawns.
_WORKER_NLP: Language | None = None


def _init_worker(config: dict[str, Any] | None, data: bytes | None) -> None:
    global _WORKER_NLP
    if config is not None and data is not None:
        _WORKER_NLP = load_model_from_config(config, auto_fill=True).from_bytes(data)


# Records cross the process boundary as one JSON document per batch: pydantic writes and reads
# it in Rust, several times faster than pickling the models (and reading validates them again).
_RECORD_LIST = TypeAdapter(list[DocumentRecord])


def _worker_records(pairs: list[tuple[str, str | None]]) -> bytes:
    assert _WORKER_NLP is not None
    return _RECORD_LIST.dump_json(_records(_WORKER_NLP, pairs, len(pairs)))


def _extract_parallel(
    pipeline: Language, pairs: Iterator[tuple[str, str | None]], n_process: int, batch_size: int
) -> Iterator[DocumentRecord]:
    """Batches go to worker processes, which send back finished records, not Docs: spaCy's
    ``nlp.pipe(n_process=...)`` ships every Doc back (about 20x the text), which costs the main
    process more than the extraction. At most two batches per worker are in flight, so the input
    is read as it is consumed, and records come back in input order."""
    global _WORKER_NLP
    if "fork" in mp.get_all_start_methods():
        ctx, initargs = mp.get_context("fork"), (None, None)
        _WORKER_NLP = pipeline
    else:
        ctx, initargs = mp.get_context("spawn"), (pipeline.config, pipeline.to_bytes())
    with ctx.Pool(n_process, initializer=_init_worker, initargs=initargs) as pool:
        pending: deque[Any] = deque()
        while True:
            while len(pending) < 2 * n_process:
                batch = list(islice(pairs, batch_size))
                if not batch:
                    break
                pending.append(pool.apply_async(_worker_records, (batch,)))
            if not pending:
                break
            yield from _RECORD_LIST.validate_json(pending.popleft().get())


def extract_many(
    texts: Iterable[str] | Iterable[tuple[str, str | None]],
    *,
    n_process: int = 1,
    batch_size: int = 32,
    nlp: Language | None = None,
) -> Iterator[DocumentRecord]:
    """Stream records for many documents, in input order, built on ``nlp.pipe``.

    ``texts`` yields ``str`` or ``(text, id)`` pairs; nothing is read ahead beyond a few batches.
    ``n_process > 1`` (``-1``: one per CPU) runs worker processes that return finished records.
    """
    pipeline = nlp or default_nlp()
    pairs = _as_pairs(texts)
    if n_process == -1:
        n_process = os.cpu_count() or 1
    if n_process <= 1:
        for batch in iter(lambda: list(islice(pairs, batch_size)), []):
            yield from _records(pipeline, batch, batch_size)
    else:
        yield from _extract_parallel(pipeline, pairs, n_process, batch_size)
