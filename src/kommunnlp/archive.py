"""Converting archives of documents to JSONL: the part every engine shares.

An engine (the local one in :mod:`kommunnlp.cli.convert_cmd`, the Ray one in
``kommunnlp.distributed``) walks the inputs and writes in one process, and runs
:func:`convert_batch` wherever it likes (in-process, worker processes, cluster nodes)::

    run = ConversionRun(out, resume=resume)          # opens OUT and OUT.errors.jsonl
    for batch in minibatch(run.pending(iter_inputs(inputs, glob=glob)), batch_size):
        for line in convert_batch(nlp, batch, max_bytes=max_bytes):   # read, extract, encode
            run.write(line)                          # one os.write per complete line
    run.close()
    summary = run.summary()                          # .exit_code: 0 or 1

Workers send back finished JSON lines (bytes), not spaCy Docs: the process that writes does
next to nothing, so adding workers adds throughput.

Guarantees: every input file ends up exactly once in OUT or in the errors file; each line is
written with one ``os.write`` of its complete bytes, so a run killed at any moment leaves whole
lines only (a trailing partial line, should the OS leave one, is cut off on ``--resume``).
"""

from __future__ import annotations

import json
import os
import stat
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import TYPE_CHECKING, Any

import srsly
from pydantic import Field

from .readers import ReadDocument, ReadError, read_document
from .records import DocumentRecord, KommunModel

if TYPE_CHECKING:
    from spacy.language import Language

#: Suffix of the errors file written beside OUT (``out.jsonl`` -> ``out.errors.jsonl``).
ERRORS_SUFFIX = ".errors.jsonl"


class ConvertedRecord(DocumentRecord):
    """One line of OUT: the document's record plus where it came from."""

    id: str = Field(description="Path of the file relative to the INPUT it was found under, '/'-separated.")
    source: str = Field(description="The path of the file as it was read.")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the file's bytes.")
    chars: int = Field(ge=0, description="Length of the decoded text; offsets index this text.")
    encoding: str = Field(description="Encoding the text was decoded with, e.g. 'utf-8', 'cp1252'.")
    format: str = Field(description="Reader used: 'txt', or another format the readers support.")


class ErrorLine(KommunModel):
    """One line of ``OUT.errors.jsonl``: a file that could not be converted, and why."""

    id: str = Field(description="As in OUT: the path relative to its INPUT.")
    path: str = Field(description="The path of the file.")
    reason: str = Field(description="What went wrong, in words a person can act on.")


@dataclass(frozen=True)
class InputItem:
    """One file to convert; ``id`` is unique within its INPUT."""

    path: Path
    id: str


def errors_path(out: str | Path) -> Path:
    """Where the errors of a run writing ``out`` go."""
    out = Path(out)
    stem = out.name[: -len(".jsonl")] if out.name.endswith(".jsonl") else out.name
    return out.with_name(stem + ERRORS_SUFFIX)


def _matches(rel: str, glob: str | None) -> bool:
    # A pattern matches the file name or the whole relative path, so "*.txt" selects text files
    # at any depth and "2019/*.txt" one folder.
    return glob is None or fnmatchcase(rel.rsplit("/", 1)[-1], glob) or fnmatchcase(rel, glob)


def _walk(root: Path, prefix: str, glob: str | None) -> Iterator[InputItem]:
    # Depth-first, sorted, one directory listing in memory per level: the walk streams, and two
    # runs over the same archive visit files in the same order.
    try:
        with os.scandir(root) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError:
        # An unreadable directory cannot be listed; it becomes one error line like a file would.
        yield InputItem(path=root, id=prefix.rstrip("/") or root.name)
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue  # hidden files and folders (.DS_Store, .git) are not documents
        rel = prefix + entry.name
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(Path(entry.path), rel + "/", glob)
        elif entry.is_symlink() and entry.is_dir():
            continue  # symlinked folders are not followed (loops); they hold no file of their own
        elif _matches(rel, glob):
            yield InputItem(path=Path(entry.path), id=rel)


def iter_inputs(inputs: Iterable[str | Path], *, glob: str | None = None) -> Iterator[InputItem]:
    """The files under ``inputs`` (files or directories, recursive), lazily, in a stable order.

    A file given directly has its name as id; a file found under a directory has its path
    relative to that directory, with '/' separators. ``glob`` filters files found in
    directories (matched against the name and against the relative path); files named
    directly are always taken. Raises ``FileNotFoundError`` at once (before the first file is
    yielded) when an input does not exist.
    """
    roots = [Path(p) for p in inputs]
    missing = [str(p) for p in roots if not os.path.lexists(p)]
    if missing:
        raise FileNotFoundError(f"input not found: {', '.join(missing)}")
    return _iter_roots(roots, glob)


def _iter_roots(roots: list[Path], glob: str | None) -> Iterator[InputItem]:
    for root in roots:
        if root.is_dir():
            yield from _walk(root, "", glob)
        else:
            yield InputItem(path=root, id=root.name)


def read_item(item: InputItem, *, max_bytes: int | None = None) -> ReadDocument | ErrorLine:
    """Read one input with :func:`kommunnlp.readers.read_document`; failures become an ErrorLine."""
    try:
        # A FIFO or device would block or never end; only regular files are documents.
        mode = os.stat(item.path).st_mode
        if not stat.S_ISREG(mode):
            kind = "a directory" if stat.S_ISDIR(mode) else "not a regular file"
            return ErrorLine(id=item.id, path=str(item.path), reason=f"unreadable: {kind}")
        return read_document(item.path, max_bytes=max_bytes)
    except ReadError as err:
        return ErrorLine(id=item.id, path=str(item.path), reason=err.reason)
    except OSError as err:
        return ErrorLine(id=item.id, path=str(item.path), reason=f"unreadable: {err.strerror or err}")


def make_output_line(record: DocumentRecord, doc: ReadDocument, item: InputItem) -> ConvertedRecord:
    """The OUT line of one converted document."""
    # Passing the record's own (validated, frozen) mention objects skips re-validating them.
    fields = {name: getattr(record, name) for name in DocumentRecord.model_fields}
    fields.update(
        id=item.id,
        source=str(item.path),
        sha256=doc.sha256,
        chars=len(doc.text),
        encoding=doc.encoding,
        format=doc.format,
    )
    return ConvertedRecord(**fields)


def count_words(text: str) -> int:
    """Whitespace-separated words: the unit of the words-per-second figures."""
    return len(text.split())


def encode_line(model: KommunModel) -> bytes:
    """One complete JSONL line, newline included."""
    return (srsly.json_dumps(model.model_dump(mode="json")) + "\n").encode("utf-8")


@dataclass(frozen=True)
class OutputLine:
    """A finished line for OUT (``error=False``) or the errors file, ready to append."""

    id: str
    data: bytes
    error: bool = False
    words: int = 0


def error_output(line: ErrorLine) -> OutputLine:
    return OutputLine(id=line.id, data=encode_line(line), error=True)


#: Files larger than this are not read (``--max-bytes``); each becomes an error line.
DEFAULT_MAX_BYTES = 50_000_000

#: Strings a pipeline's vocabulary may collect before an engine loads the pipeline afresh.
#: spaCy keeps every new token string (with its lexeme, about 0.5 KB) for the life of a Vocab,
#: so a long run over varied, OCR-damaged text would grow without bound; reloading the rule
#: pipeline costs ~40 ms, so capping the growth near 12 MB is cheap.
VOCAB_LIMIT = 25_000


def renew_pipeline(nlp: Language, model: str | None) -> Language:
    """``nlp``, or the pipeline loaded afresh once its vocabulary holds over VOCAB_LIMIT strings.

    Engines call it between batches, so memory stays flat over archives of any size.
    """
    if len(nlp.vocab.strings) <= VOCAB_LIMIT:
        return nlp
    from .pipeline import load

    return load(model)


def convert_batch(
    nlp: Language,
    items: Iterable[InputItem],
    *,
    max_bytes: int | None = None,
    batch_size: int = 32,
) -> list[OutputLine]:
    """Read, extract and encode ``items``: the whole work of a worker, in any process.

    Files are read one at a time as the pipeline asks for text. A document on which the
    pipeline raises becomes an error line (its reason names the exception) and the batch goes
    on, one document at a time, from there.
    """
    from .api import extract, extract_many

    lines: list[OutputLine] = []
    unread = iter(items)
    in_flight: deque[tuple[InputItem, ReadDocument]] = deque()

    def texts() -> Iterator[tuple[str, str]]:
        for item in unread:
            read = read_item(item, max_bytes=max_bytes)
            if isinstance(read, ErrorLine):
                lines.append(error_output(read))
                continue
            in_flight.append((item, read))
            yield read.text, item.id

    def record_line(record: DocumentRecord, item: InputItem, read: ReadDocument) -> OutputLine:
        data = encode_line(make_output_line(record, read, item))
        return OutputLine(id=item.id, data=data, words=count_words(read.text))

    try:
        for record in extract_many(texts(), nlp=nlp, batch_size=batch_size):
            item, read = in_flight.popleft()
            lines.append(record_line(record, item, read))
    except Exception:
        # Isolate the failing document: redo what is left one by one.
        def rest() -> Iterator[tuple[InputItem, ReadDocument]]:
            yield from in_flight
            for item in unread:
                read = read_item(item, max_bytes=max_bytes)
                if isinstance(read, ErrorLine):
                    lines.append(error_output(read))
                else:
                    yield item, read

        for item, read in list(rest()):
            try:
                lines.append(record_line(extract(read.text, id=item.id, nlp=nlp), item, read))
            except Exception as err:
                reason = f"extraction failed: {type(err).__name__}: {err}"
                lines.append(error_output(ErrorLine(id=item.id, path=str(item.path), reason=reason)))
    return lines


class AppendWriter:
    """Appends whole lines to a file, each with a single ``os.write`` (``O_APPEND``).

    The file is opened on the first write, so a run without errors leaves no errors file.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._fd: int | None = None

    def write(self, line: bytes) -> None:
        if self._fd is None:
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        written = os.write(self._fd, line)
        if written != len(line):
            # Only a full disk or a quota does this; leave no partial line behind a valid one.
            os.ftruncate(self._fd, os.fstat(self._fd).st_size - written)
            raise OSError(f"short write to {self.path} ({written} of {len(line)} bytes)")

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> AppendWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def cut_partial_line(path: str | Path) -> int:
    """Truncate ``path`` after its last newline; returns the number of bytes cut off."""
    path = Path(path)
    if not path.exists():
        return 0
    with path.open("r+b") as fh:
        size = fh.seek(0, os.SEEK_END)
        pos = size
        chunk = 1 << 16
        while pos > 0:
            start = max(0, pos - chunk)
            fh.seek(start)
            block = fh.read(pos - start)
            nl = block.rfind(b"\n")
            if nl >= 0:
                keep = start + nl + 1
                break
            pos = start
        else:
            keep = 0
        if keep < size:
            fh.truncate(keep)
        return size - keep


def load_done_ids(path: str | Path) -> set[str]:
    """The ids of the lines in an OUT or errors file (after cutting a trailing partial line)."""
    path = Path(path)
    if not path.exists():
        return set()
    cut_partial_line(path)
    done: set[str] = set()
    with path.open("rb") as fh:
        for raw in fh:
            if not raw.strip():
                continue
            try:
                data = srsly.json_loads(raw)
            except ValueError:
                continue  # a damaged line holds no id we can trust; its document is redone
            if isinstance(data, dict) and isinstance(data.get("id"), str):
                done.add(data["id"])
    return done


@dataclass
class ConvertSummary:
    """What a run did; ``exit_code`` is 0 when every input converted, 1 when some failed."""

    documents: int = 0
    errors: int = 0
    skipped: int = 0
    words: int = 0
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        return 1 if self.errors else 0

    @property
    def words_per_second(self) -> float:
        return self.words / self.seconds if self.seconds > 0 else 0.0

    def line(self) -> str:
        """The one-line summary printed to stderr at the end of a run."""
        skipped = f", {self.skipped} skipped (already done)" if self.skipped else ""
        return (
            f"{self.documents} documents, {self.errors} errors{skipped}, "
            f"{self.words_per_second:,.0f} words/s ({self.words:,} words in {self.seconds:.1f} s)"
        )


@dataclass
class ConversionRun:
    """The bookkeeping of one run: OUT and its errors file, ids done, counts.

    Without ``resume`` both files are started afresh. With ``resume`` the ids already in OUT or
    in the errors file are skipped (a trailing partial line is cut off first); errors recorded
    by an earlier run still count in :meth:`summary`, so the exit code describes the archive.
    """

    out: Path
    resume: bool = False
    _done: set[str] = field(default_factory=set, init=False)
    _failed_before: set[str] = field(default_factory=set, init=False)
    _seen: set[str] = field(default_factory=set, init=False)
    _summary: ConvertSummary = field(default_factory=ConvertSummary, init=False)
    _started: float = field(default=0.0, init=False)

    def __post_init__(self) -> None:
        self.out = Path(self.out)
        self.errors_file = errors_path(self.out)
        if self.resume:
            self._failed_before = load_done_ids(self.errors_file)
            self._done = load_done_ids(self.out) | self._failed_before
        else:
            for path in (self.out, self.errors_file):
                if path.exists():
                    path.unlink()
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self._records = AppendWriter(self.out)
        self._errors = AppendWriter(self.errors_file)
        self._started = time.perf_counter()

    def pending(self, items: Iterable[InputItem]) -> Iterator[InputItem]:
        """The items still to convert: not done before, and not a second file with a seen id."""
        own = {self.out.name, self.errors_file.name}
        for item in items:
            if item.path.name in own and item.path.resolve() in (self.out.resolve(), self.errors_file.resolve()):
                continue  # OUT inside an INPUT folder is this run's output, not a document
            if item.id in self._done:
                self._summary.skipped += 1
                if item.id in self._failed_before:
                    self._summary.errors += 1
                continue
            if item.id in self._seen:
                # Two INPUTs holding the same relative path would make ids ambiguous.
                reason = "duplicate id: another input has a file at the same relative path"
                self.write_error(ErrorLine(id=item.id, path=str(item.path), reason=reason))
                continue
            self._seen.add(item.id)
            yield item

    def write(self, line: OutputLine) -> None:
        """Append one finished line to OUT or to the errors file."""
        if line.error:
            self._errors.write(line.data)
            self._summary.errors += 1
        else:
            self._records.write(line.data)
            self._summary.documents += 1
            self._summary.words += line.words

    def write_error(self, line: ErrorLine) -> None:
        self.write(error_output(line))

    def close(self) -> None:
        self._records.close()
        self._errors.close()
        # An empty OUT still tells the reader that the run happened and found nothing.
        self.out.touch(exist_ok=True)

    def summary(self) -> ConvertSummary:
        self._summary.seconds = time.perf_counter() - self._started
        return self._summary


#: The checked-in JSON Schema of an OUT line (rewrite: ``python -m kommunnlp.archive``).
SCHEMA_FILE = Path("schema") / "converted-record.schema.json"


def converted_record_schema() -> dict[str, Any]:
    """The JSON Schema of :class:`ConvertedRecord` as pydantic generates it."""
    return ConvertedRecord.model_json_schema()


__all__: Sequence[str] = (
    "AppendWriter",
    "ConversionRun",
    "ConvertSummary",
    "ConvertedRecord",
    "ErrorLine",
    "InputItem",
    "OutputLine",
    "convert_batch",
    "converted_record_schema",
    "count_words",
    "cut_partial_line",
    "encode_line",
    "error_output",
    "errors_path",
    "iter_inputs",
    "load_done_ids",
    "make_output_line",
    "read_item",
    "render_schema",
    "renew_pipeline",
)


def render_schema() -> str:
    """The schema as checked in: sorted keys, two-space indents (as schema/document-record)."""
    return json.dumps(converted_record_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    SCHEMA_FILE.parent.mkdir(parents=True, exist_ok=True)
    SCHEMA_FILE.write_text(render_schema(), encoding="utf-8")
    print(f"wrote {SCHEMA_FILE}")
