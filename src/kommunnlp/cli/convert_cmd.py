"""``kommunnlp convert INPUT... -o OUT.jsonl``: whole archives to JSONL, one record per line.

Two engines share :mod:`kommunnlp.archive` (walking, reading, output lines, atomic appends,
resume) and differ only in where extraction runs:

- ``local`` (default): :func:`convert_local`, files streamed through
  :func:`kommunnlp.extract_many` (``nlp.pipe`` with ``as_tuples`` and ``n_process``);
- ``ray``: ``kommunnlp.distributed.ray.convert_archive``, imported only when asked for. The
  agreed signature, the same as :func:`convert_local` with ``n_process`` replaced::

      def convert_archive(
          inputs: Sequence[Path], out: Path, *,
          glob: str | None = None, max_bytes: int | None = DEFAULT_MAX_BYTES,
          resume: bool = False, model: str | None = None, batch_size: int = 32,
          address: str | None = None, num_workers: int | None = None,
          progress: Callable[[int], None] | None = None,
      ) -> kommunnlp.archive.ConvertSummary

  It raises ``FileNotFoundError`` for a missing input and ``OSError``/``ValueError`` for a
  model that cannot be loaded (both exit 2), and calls ``progress(n)`` as n more inputs are done.

Exit codes: 0 every document converted, 1 some files failed (see ``OUT.errors.jsonl``),
2 usage errors (bad flags, missing input, unloadable model, missing extra).
"""

from __future__ import annotations

import sys
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import nullcontext
from enum import Enum
from pathlib import Path
from typing import Any

import typer

from . import app

#: Files above this size are reported, not read (the pipeline's max_length is 50M characters).
DEFAULT_MAX_BYTES = 50_000_000

Progress = Callable[[int], None]


class Engine(str, Enum):
    local = "local"
    ray = "ray"


def convert_local(
    inputs: Sequence[Path],
    out: Path,
    *,
    glob: str | None = None,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
    resume: bool = False,
    model: str | None = None,
    batch_size: int = 32,
    n_process: int = 1,
    progress: Progress | None = None,
) -> Any:
    """Convert ``inputs`` into ``out`` in this process (and ``n_process`` spaCy workers).

    Returns a :class:`kommunnlp.archive.ConvertSummary`. Files are read one at a time as the
    pipeline asks for text, so memory holds only the batches in flight.
    """
    from ..api import extract_many
    from ..archive import ConversionRun, ErrorLine, InputItem, count_words, iter_inputs, make_output_line, read_item
    from ..pipeline import load
    from ..readers import ReadDocument

    items = iter_inputs(inputs, glob=glob)  # raises for a missing input before any work
    nlp = load(model)
    advance = progress or (lambda n: None)
    run = ConversionRun(Path(out), resume=resume)
    # Documents handed to the pipeline and not yet back; extract_many keeps input order.
    in_flight: deque[tuple[InputItem, ReadDocument]] = deque()

    def texts() -> Iterator[tuple[str, str]]:
        for item in run.pending(items):
            read = read_item(item, max_bytes=max_bytes)
            if isinstance(read, ErrorLine):
                run.write_error(read)
                advance(1)
                continue
            in_flight.append((item, read))
            yield read.text, item.id

    try:
        for record in extract_many(texts(), n_process=n_process, batch_size=batch_size, nlp=nlp):
            item, read = in_flight.popleft()
            run.write_record(make_output_line(record, read, item), words=count_words(read.text))
            advance(1)
    finally:
        run.close()
    return run.summary()


def _usage_error(message: str) -> typer.Exit:
    typer.echo(f"kommunnlp convert: {message}", err=True)
    return typer.Exit(2)


def _progress_bar(inputs: Sequence[Path], glob: str | None) -> tuple[Any, Progress | None]:
    """A rich progress bar on a terminal; nothing when stderr is a pipe or a file."""
    if not sys.stderr.isatty():
        return nullcontext(), None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from ..archive import iter_inputs

    # Counting walks the names only (no file is opened); it gives the bar its end.
    total = sum(1 for _ in iter_inputs(inputs, glob=glob))
    bar = Progress(
        TextColumn("converting"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    task = bar.add_task("convert", total=total)
    return bar, lambda n: bar.advance(task, n)


@app.command("convert")
def convert_command(
    inputs: list[Path] = typer.Argument(..., metavar="INPUT...", help="Files or directories (recursive)."),
    out: Path = typer.Option(..., "-o", "--out", help="Output JSONL file; errors go to OUT.errors.jsonl."),
    n_process: int = typer.Option(1, "--n-process", min=1, help="Worker processes (local engine)."),
    batch_size: int = typer.Option(32, "--batch-size", min=1, help="Documents per batch."),
    model: str | None = typer.Option(None, "--model", help="Pipeline directory (default: the rule pipeline)."),
    resume: bool = typer.Option(False, "--resume", help="Skip ids already in OUT or its errors file."),
    glob: str | None = typer.Option(None, "--glob", help="Only files whose name or relative path matches."),
    max_bytes: int = typer.Option(DEFAULT_MAX_BYTES, "--max-bytes", min=1, help="Larger files become errors."),
    engine: Engine = typer.Option(Engine.local, "--engine", help="local (nlp.pipe) or ray."),
    address: str | None = typer.Option(None, "--address", help="Ray cluster address (ray engine)."),
    num_workers: int | None = typer.Option(None, "--num-workers", min=1, help="Ray workers (ray engine)."),
) -> None:
    """Convert files or whole archives to JSONL: one record per line, errors beside it."""
    if engine is Engine.local and (address is not None or num_workers is not None):
        raise _usage_error("--address and --num-workers need --engine ray")
    if engine is Engine.ray and n_process != 1:
        raise _usage_error("--n-process is for the local engine; use --num-workers with --engine ray")
    if out.is_dir():
        raise _usage_error(f"-o {out} is a directory; give a file name such as out.jsonl")
    if model is not None and model != "rules" and not (Path(model) / "config.cfg").is_file():
        raise _usage_error(f"--model {model}: no pipeline there (a directory written by nlp.to_disk())")
    if engine is Engine.ray:
        try:
            from ..distributed.ray import convert_archive as run_engine
        except ImportError as err:
            raise _usage_error(f"--engine ray needs the Ray extra: pip install 'kommunnlp[ray]' ({err})") from err
        options: dict[str, Any] = {"address": address, "num_workers": num_workers}
    else:
        run_engine = convert_local
        options = {"n_process": n_process}
    try:
        bar, progress = _progress_bar(inputs, glob)
        with bar:
            summary = run_engine(
                inputs,
                out,
                glob=glob,
                max_bytes=max_bytes,
                resume=resume,
                model=model,
                batch_size=batch_size,
                progress=progress,
                **options,
            )
    except FileNotFoundError as err:
        raise _usage_error(str(err)) from err  # a missing input, found before any work
    except OSError as err:
        # OUT became unwritable mid-run (disk full, permissions): what was written stays whole.
        typer.echo(f"kommunnlp convert: stopped: {err}; rerun with --resume", err=True)
        raise typer.Exit(1) from err
    typer.echo(f"kommunnlp convert: {summary.line()} -> {out}", err=True)
    raise typer.Exit(summary.exit_code)
