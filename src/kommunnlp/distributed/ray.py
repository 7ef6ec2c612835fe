"""kommunnlp on Ray Data: the pipeline loaded once per actor, documents streamed through it.

Two entry points:

- :func:`extract_dataset` turns any ``ray.data.Dataset`` with a text column (``str``, or
  ``bytes`` as ``ray.data.read_binary_files`` gives them) into one row per document: the
  record's fields as typed Arrow columns, ``chars``, and ``error`` (null unless that document
  failed, so nothing is dropped silently).
- :func:`convert_archive` is ``kommunnlp convert --engine ray``: the walking, reading, output
  lines, errors file, resume and exit codes of :mod:`kommunnlp.archive`, with extraction on a
  Ray actor pool and OUT written by the driver in input order.

Fault tolerance is Ray's: a worker process that dies is restarted (``max_restarts``) and the
batch it was working on is resubmitted (``max_task_retries``). A batch's rows reach the driver
only once the batch completed, so every document is written exactly once.

On a real cluster every node needs kommunnlp installed (the same version as the driver) and, for
``convert_archive``, the input paths visible under the same names (a shared file system).
"""

from __future__ import annotations

import enum
import math
import os
import shutil
import tempfile
import types
import typing
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa
import ray
import ray.data
from pydantic import BaseModel

from ..api import extract
from ..archive import (
    DEFAULT_MAX_BYTES,
    ConversionRun,
    ConvertSummary,
    InputItem,
    OutputLine,
    convert_batch,
    iter_inputs,
    renew_pipeline,
)
from ..pipeline import load
from ..readers import ReadError, decode_text
from ..records import DocumentRecord

#: Restarts of a dead worker, and resubmissions of the batch it held, before the run fails.
#: Bounded, unlike Ray Data's default (-1, forever), so a document that kills every worker
#: that touches it (e.g. out of memory) stops the run instead of looping.
MAX_RESTARTS = 4
MAX_TASK_RETRIES = 4

#: Input blocks of ``convert_archive``: about one per batch, so work spreads over the pool and
#: a retried batch is small, but capped so that the block metadata of a huge archive stays small.
MAX_BLOCKS = 10_000

Progress = Callable[[int], None]

# -- Arrow schema of the record ----------------------------------------------------------------


def _arrow_type(annotation: Any) -> pa.DataType:
    """The Arrow type of a record field's annotation (str enums are strings)."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) != 1:
            raise TypeError(f"no Arrow type for {annotation!r}")
        return _arrow_type(args[0])
    if origin is list:
        return pa.list_(_arrow_type(typing.get_args(annotation)[0]))
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            return pa.struct([(name, _arrow_type(f.annotation)) for name, f in annotation.model_fields.items()])
        if issubclass(annotation, enum.Enum) or issubclass(annotation, str):
            return pa.string()
        if issubclass(annotation, bool):
            return pa.bool_()
        if issubclass(annotation, int):
            return pa.int64()
    raise TypeError(f"no Arrow type for {annotation!r}")


def record_schema() -> pa.Schema:
    """The columns :func:`extract_dataset` returns: the record's fields, ``chars``, ``error``.

    Derived from :class:`~kommunnlp.records.DocumentRecord`, so it follows the record; every
    batch carries the same schema, so blocks concatenate and write to Parquet without surprises.
    """
    fields = [(name, _arrow_type(f.annotation)) for name, f in DocumentRecord.model_fields.items()]
    return pa.schema([*fields, ("chars", pa.int64()), ("error", pa.string())])


# -- the actors ----------------------------------------------------------------------------------


def _extract_or_error(nlp: Any, text: str, doc_id: str | None) -> tuple[DocumentRecord | None, str | None]:
    # One broken document must not abort a cluster-wide job: its exception becomes its error.
    try:
        return extract(text, id=doc_id, nlp=nlp), None
    except Exception as err:
        return None, f"extraction failed: {type(err).__name__}: {err}"


class _RecordExtractor:
    """``map_batches`` callable of :func:`extract_dataset`: one pipeline per actor."""

    def __init__(self, model: str | None, text_column: str, id_column: str | None) -> None:
        self.nlp = load(model)
        self.text_column = text_column
        self.id_column = id_column
        self.schema = record_schema()

    def __call__(self, batch: pa.Table) -> pa.Table:
        texts = batch.column(self.text_column).to_pylist()
        has_ids = self.id_column is not None and self.id_column in batch.column_names
        ids = batch.column(self.id_column).to_pylist() if has_ids else [None] * len(texts)
        rows = []
        for value, raw_id in zip(texts, ids, strict=True):
            doc_id = None if raw_id is None else str(raw_id)
            text, error = self._text(value)
            record = None
            if text is not None:
                record, error = _extract_or_error(self.nlp, text, doc_id)
            # A failed document keeps its row: empty record lists, and the reason in `error`.
            row = (record or DocumentRecord(id=doc_id)).model_dump(mode="json")
            row.update(chars=None if text is None else len(text), error=error)
            rows.append(row)
        table = pa.Table.from_pylist(rows, schema=self.schema)
        # Other input columns (a path, a municipality, ...) travel along; the text does not.
        for name in batch.column_names:
            if name not in (self.text_column, self.id_column) and name not in self.schema.names:
                table = table.append_column(batch.schema.field(name), batch.column(name))
        return table

    @staticmethod
    def _text(value: Any) -> tuple[str | None, str | None]:
        if isinstance(value, str):
            return value, None
        if isinstance(value, bytes):
            try:
                return decode_text(value)[0], None
            except ReadError as err:
                return None, err.reason
        return None, f"no text: expected str or bytes, got {type(value).__name__}"


class _ArchiveConverter:
    """``map_batches`` callable of :func:`convert_archive`: one pipeline per actor.

    Each batch of paths goes through :func:`kommunnlp.archive.convert_batch`, the local
    engine's own read-extract-encode step, so both engines write the same bytes.
    """

    def __init__(self, model: str | None, max_bytes: int | None, batch_size: int) -> None:
        self.model = model
        self.nlp = load(model)
        self.max_bytes = max_bytes
        self.batch_size = batch_size

    def __call__(self, batch: pa.Table) -> pa.Table:
        paths, ids = batch.column("path").to_pylist(), batch.column("id").to_pylist()
        items = [InputItem(path=Path(path), id=doc_id) for path, doc_id in zip(paths, ids, strict=True)]
        self.nlp = renew_pipeline(self.nlp, self.model)  # memory stays flat over long runs
        lines = convert_batch(self.nlp, items, max_bytes=self.max_bytes, batch_size=self.batch_size)
        return pa.table(
            {
                "id": [line.id for line in lines],
                "data": pa.array([line.data for line in lines], pa.binary()),
                "error": [line.error for line in lines],
                "words": [line.words for line in lines],
            }
        )


# -- datasets and clusters -----------------------------------------------------------------------


def _cluster_cpus() -> int:
    if ray.is_initialized():
        return max(1, int(ray.cluster_resources().get("CPU", 1)))
    return os.cpu_count() or 1


def _pool(concurrency: int | tuple[int, int] | None) -> ray.data.ActorPoolStrategy:
    # By default the pool grows from one actor to one per CPU: a fixed pool holding every CPU
    # would leave none to the read tasks that feed it (read_binary_files, read_parquet, ...), and
    # the run would wait forever.
    if concurrency is None:
        concurrency = (1, _cluster_cpus())
    if isinstance(concurrency, tuple):
        return ray.data.ActorPoolStrategy(min_size=concurrency[0], max_size=concurrency[1])
    return ray.data.ActorPoolStrategy(size=concurrency)


def _map_with_retries(ds: ray.data.Dataset, fn: type, **kwargs: Any) -> ray.data.Dataset:
    # Ray 2.60 takes max_restarts/max_task_retries only through its (deprecated) **ray_remote_args;
    # there is no named parameter for them yet.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*ray_remote_args.*deprecated", category=DeprecationWarning)
        return ds.map_batches(
            fn,
            batch_format="pyarrow",
            num_cpus=1,
            max_restarts=MAX_RESTARTS,
            max_task_retries=MAX_TASK_RETRIES,
            **kwargs,
        )


def extract_dataset(
    ds: ray.data.Dataset,
    *,
    text_column: str = "text",
    id_column: str | None = "id",
    model: str | None = None,
    batch_size: int = 32,
    concurrency: int | tuple[int, int] | None = None,
) -> ray.data.Dataset:
    """One row per document of ``ds``: the record's fields, ``chars`` and ``error``.

    ``text_column`` holds ``str`` (or ``bytes``, decoded like ``.txt`` files: UTF-8, BOM,
    cp1252, latin-1); ``id_column`` (optional) becomes the record's ``id``. Other columns are
    passed through. A document that cannot be decoded or extracted keeps its row, with empty
    record lists and the reason in ``error``. ``model`` is a pipeline directory (default: the
    rule pipeline), loaded once per actor; ``concurrency`` is the actor pool's size, or a
    ``(min, max)`` range to autoscale (default: 1 to the cluster's CPUs). A fixed pool as large
    as the cluster leaves no CPU to the tasks that read ``ds``: keep one free. Lazy, like any
    Dataset.
    """
    return _map_with_retries(
        ds,
        _RecordExtractor,
        fn_constructor_kwargs={"model": model, "text_column": text_column, "id_column": id_column},
        batch_size=batch_size,
        compute=_pool(concurrency),
    )


@contextmanager
def cluster(address: str | None = None, *, num_cpus: int | None = None) -> Iterator[None]:
    """Connect this process to Ray for the duration of the block.

    Already connected: nothing changes. ``address`` (``"auto"``, ``"host:6379"``,
    ``"ray://host:10001"``): join that cluster, and disconnect afterwards. No address: start a
    local cluster of ``num_cpus`` CPUs, without dashboard, with its sockets and logs in a fresh
    temporary directory, and stop it (and remove the directory) afterwards.
    """
    if ray.is_initialized():
        yield
        return
    # Ray would otherwise try to report usage statistics over the network.
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    options: dict[str, Any] = {"logging_level": "warning", "configure_logging": True}
    if address:
        ray.init(address=address, **options)
        try:
            yield
        finally:
            ray.shutdown()
        return
    # A short path: Ray's Unix sockets live under it and must stay under 108 bytes.
    temp_dir = tempfile.mkdtemp(prefix="kommunnlp-ray-")
    try:
        ray.init(num_cpus=num_cpus, include_dashboard=False, _temp_dir=temp_dir, **options)
        try:
            yield
        finally:
            ray.shutdown()
    finally:
        shutil.rmtree(temp_dir, ignore_errors=True)


@contextmanager
def _ordered_quiet_execution() -> Iterator[None]:
    # Input order makes OUT equal the local engine's; the CLI draws its own progress bar. The
    # DataContext is per process, so the caller's settings are put back afterwards.
    ctx = ray.data.DataContext.get_current()
    saved = (ctx.execution_options.preserve_order, ctx.enable_progress_bars)
    ctx.execution_options.preserve_order, ctx.enable_progress_bars = True, False
    try:
        yield
    finally:
        ctx.execution_options.preserve_order, ctx.enable_progress_bars = saved


def convert_archive(
    inputs: Sequence[Path],
    out: Path,
    *,
    glob: str | None = None,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
    resume: bool = False,
    model: str | None = None,
    batch_size: int = 32,
    address: str | None = None,
    num_workers: int | None = None,
    progress: Progress | None = None,
) -> ConvertSummary:
    """``kommunnlp convert --engine ray``: the local engine's inputs, outputs and exit codes.

    The driver walks ``inputs`` and skips ids already done (``resume``); the paths become a
    ``ray.data.from_items`` dataset; a pool of ``num_workers`` actors (default: the cluster's
    CPUs, or this machine's for a local cluster) reads each file, extracts and encodes its
    line; the driver appends the lines to OUT and ``OUT.errors.jsonl`` in input order, so the
    output equals the local engine's. Raises ``FileNotFoundError`` for a missing input and
    ``OSError``/``ValueError`` for a model that cannot be loaded (checked here, before any
    cluster starts).
    """
    items = iter_inputs(inputs, glob=glob)  # raises for a missing input before any work
    if model is not None:
        load(model)  # an unloadable model fails here, before a cluster starts, not in every actor
    advance = progress or (lambda n: None)
    # Connected first: a cluster that cannot be reached leaves OUT as it was.
    with cluster(address, num_cpus=num_workers), _ordered_quiet_execution():
        run = ConversionRun(Path(out), resume=resume)
        try:
            pending = [{"path": str(item.path), "id": item.id} for item in run.pending(items)]
            if pending:
                blocks = min(MAX_BLOCKS, math.ceil(len(pending) / batch_size))
                lines = _map_with_retries(
                    ray.data.from_items(pending, override_num_blocks=blocks),
                    _ArchiveConverter,
                    fn_constructor_kwargs={"model": model, "max_bytes": max_bytes, "batch_size": batch_size},
                    batch_size=batch_size,
                    # A fixed pool may take every CPU: from_items needs no read tasks.
                    compute=ray.data.ActorPoolStrategy(size=num_workers or _cluster_cpus()),
                )
                for batch in lines.iter_batches(batch_size=None, batch_format="pyarrow"):
                    _write_batch(run, batch)
                    advance(batch.num_rows)
        finally:
            run.close()
    return run.summary()


def _write_batch(run: ConversionRun, batch: pa.Table) -> None:
    columns = [batch.column(name).to_pylist() for name in ("id", "data", "error", "words")]
    for doc_id, data, error, words in zip(*columns, strict=True):
        run.write(OutputLine(id=doc_id, data=data, error=error, words=words))


__all__ = ["cluster", "convert_archive", "extract_dataset", "record_schema"]
