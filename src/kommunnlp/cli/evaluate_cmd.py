"""``kommunnlp evaluate GOLD.jsonl...``: precision, recall and F1 of a pipeline on gold documents."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from . import app

if TYPE_CHECKING:
    from ..evaluation import DocumentScore, Evaluation


def _key_text(key: object) -> str:
    """A matching key as a person reads it: tuples joined, strings as they are."""
    if isinstance(key, tuple):
        return " / ".join(str(k) for k in key)
    return str(key)


def _table(result: Evaluation) -> object:
    from rich.table import Table

    table = Table(
        title=f"{result.system}: {len(result.documents)} documents, {result.crashed} crashed, {result.seconds:.1f} s"
    )
    table.add_column("type")
    for name in ("P", "R", "F1", "tp", "fp", "fn"):
        table.add_column(name, justify="right")
    for t, c in result.counts.items():
        table.add_row(t, f"{c.precision:.3f}", f"{c.recall:.3f}", f"{c.f1:.3f}", str(c.tp), str(c.fp), str(c.fn))
    return table


def _print_details(console: object, docs: list[DocumentScore]) -> None:
    from rich.markup import escape

    for d in docs:
        lines = []
        if d.error:
            lines.append(f"  [red]crashed[/red]: {escape(d.error)}")
        for t, r in d.results.items():
            lines.extend(f"  {t} [yellow]missed[/yellow]: {escape(_key_text(k))}" for k in r.missed)
            lines.extend(f"  {t} [magenta]spurious[/magenta]: {escape(_key_text(k))}" for k in r.spurious)
        if lines:
            console.print(f"[bold]{escape(d.id)}[/bold]")  # type: ignore[attr-defined]
            for line in lines:
                console.print(line, highlight=False, soft_wrap=True)  # type: ignore[attr-defined]


@app.command("evaluate")
def evaluate_command(
    gold: list[Path] = typer.Argument(
        ..., exists=True, dir_okay=False, readable=True, metavar="GOLD.jsonl...", help="Gold .jsonl files."
    ),
    model: str | None = typer.Option(None, "--model", help="A pipeline directory (default: the rule pipeline)."),
    details: bool = typer.Option(False, "--details", help="List missed and spurious items per document."),
    json_out: Path | None = typer.Option(None, "--json", help="Write the figures as JSON to this file."),
) -> None:
    """Score a pipeline on gold documents (ANNOTATION_GUIDELINES.md format): P/R/F1 per type."""
    from rich.console import Console
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from ..evaluation import evaluate, read_gold
    from ..pipeline import load

    out = Console()
    # Messages name file:line; soft wrap keeps each on one line for people and for grep.
    err = Console(stderr=True, soft_wrap=True, highlight=False)
    docs, bad = read_gold(gold)
    for b in bad:
        err.print(f"[yellow]skipped[/yellow] {escape(str(b))}")
    if not docs:
        err.print("no usable gold documents: nothing to score")
        raise typer.Exit(1)
    try:
        nlp = load(model)
    except (OSError, ValueError) as exc:
        err.print(f"[red]error[/red]: {escape(str(exc))}")
        raise typer.Exit(2) from exc

    # A live bar only where a person watches (a TTY); logs and pipes get the table alone.
    with Progress(
        TextColumn("scoring"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as progress:
        task = progress.add_task("scoring", total=len(docs))
        result = evaluate(
            docs,
            lambda text: nlp(text)._.record,
            system=str(model or nlp.meta.get("name", "kommunnlp")),
            on_document=lambda _d: progress.advance(task),
        )
    result.bad_lines = bad
    for d in result.documents:
        if d.error:
            err.print(f"[red]crashed[/red] {escape(d.id)}: {escape(d.error)}")
    if details:
        _print_details(out, result.documents)
    out.print(_table(result))
    if bad:
        out.print(f"{len(bad)} gold line(s) skipped (see above)")
    if json_out is not None:
        json_out.write_text(json.dumps(result.to_dict(details=details), ensure_ascii=False, indent=1), encoding="utf-8")
