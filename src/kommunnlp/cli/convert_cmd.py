"""``kommunnlp convert INPUT... -o OUT.jsonl``: whole archives to JSONL, one record per line.

Two engines share :mod:`kommunnlp.archive` (walking, reading, output lines, atomic appends,
resume) and differ only in where extraction runs:

- ``local`` (default): :func:`convert_local`, batches of files streamed through
  :func:`kommunnlp.extract_many` (``nlp.pipe`` with ``as_tuples``), in this process or in
  ``--n-process`` worker processes;
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

import itertools
import multiprocessing as mp
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import nullcontext
from enum import Enum
from multiprocessing.pool import AsyncResult
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

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
from . import app

if TYPE_CHECKING:
    from spacy.language import Language

#: Files above this size are reported, not read (the pipeline's max_length is 50M characters).

Progress = Callable[[int], None]


class Engine(str, Enum):
    local = "local"
    ray = "ray"


def minibatch(items: Iterable[InputItem], size: int) -> Iterator[list[InputItem]]:
    it = iter(items)
    while batch := list(itertools.islice(it, size)):
        yield batch


# The pipeline and settings of a worker process: inherited when workers are forked, loaded by
# the initializer where they are spawned.
_WORKER: tuple[Language, str | None, int | None, int] | None = None


def _init_worker(model: str | None, max_bytes: int | None, batch_size: int) -> None:
    global _WORKER
    if _WORKER is None:
        from ..pipeline import load

        _WORKER = (load(model), model, max_bytes, batch_size)


def _convert_in_worker(items: list[InputItem]) -> list[OutputLine]:
    global _WORKER
    assert _WORKER is not None
    nlp, model, max_bytes, batch_size = _WORKER
    lines = convert_batch(nlp, items, max_bytes=max_bytes, batch_size=batch_size)
    _WORKER = (renew_pipeline(nlp, model), model, max_bytes, batch_size)
    return lines


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
) -> ConvertSummary:
    """Convert ``inputs`` into ``out`` on this machine, with ``n_process`` processes.

    Each batch of ``batch_size`` files goes through :func:`kommunnlp.archive.convert_batch`
    (``extract_many`` over files read one at a time). With ``n_process > 1`` batches run in
    worker processes that return finished lines, at most two batches per worker in flight, so
    memory stays flat however large the archive (pipelines whose vocabulary has grown past
    :data:`kommunnlp.archive.VOCAB_LIMIT` strings are loaded afresh between batches). (spaCy's own ``nlp.pipe(n_process=...)``
    ships every Doc back to the main process, whose deserialising then costs about as much as
    the whole pipeline: no gain on two cores.)
    """
    global _WORKER
    from ..pipeline import load

    items = iter_inputs(inputs, glob=glob)  # raises for a missing input before any work
    nlp = load(model)
    advance = progress or (lambda n: None)
    run = ConversionRun(Path(out), resume=resume)

    def write_all(lines: list[OutputLine], n_items: int) -> None:
        for line in lines:
            run.write(line)
        advance(n_items)

    batches = minibatch(run.pending(items), batch_size)
    try:
        if n_process == 1:
            for batch in batches:
                write_all(convert_batch(nlp, batch, max_bytes=max_bytes, batch_size=batch_size), len(batch))
                nlp = renew_pipeline(nlp, model)
        else:
            _WORKER = (nlp, model, max_bytes, batch_size)  # forked workers start with it loaded
            ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
            with ctx.Pool(n_process, initializer=_init_worker, initargs=(model, max_bytes, batch_size)) as pool:
                window: deque[tuple[AsyncResult[list[OutputLine]], int]] = deque()
                for batch in batches:
                    window.append((pool.apply_async(_convert_in_worker, (batch,)), len(batch)))
                    if len(window) >= 2 * n_process:
                        result, n_items = window.popleft()
                        write_all(result.get(), n_items)
                while window:
                    result, n_items = window.popleft()
                    write_all(result.get(), n_items)
    finally:
        _WORKER = None
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
    except ConnectionError as err:
        raise _usage_error(f"--address {address}: cannot join the Ray cluster ({err})") from err
    except OSError as err:
        # OUT became unwritable mid-run (disk full, permissions): what was written stays whole.
        typer.echo(f"kommunnlp convert: stopped: {err}; rerun with --resume", err=True)
        raise typer.Exit(1) from err
    typer.echo(f"kommunnlp convert: {summary.line()} -> {out}", err=True)
    raise typer.Exit(summary.exit_code)
