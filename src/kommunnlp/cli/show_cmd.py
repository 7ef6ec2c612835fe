"""``kommunnlp show FILE``: one self-contained HTML page marking what was found (displaCy)."""

from __future__ import annotations

from pathlib import Path

import typer

from . import app


@app.command("show")
def show_command(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="A .txt, .pdf or .docx document."),
    out: Path | None = typer.Option(None, "-o", "--out", help="The HTML file to write (default: ./FILE.html)."),
    model: str | None = typer.Option(None, "--model", help="Pipeline directory (default: the rule pipeline)."),
) -> None:
    """Write an HTML page with every mention marked in the text, its values, and the record."""
    from ..display import render_page
    from ..pipeline import load
    from ..readers import ReadError, read_document

    try:
        read = read_document(file)
    except ReadError as err:
        typer.echo(f"kommunnlp show: {err.path}: {err.reason}", err=True)
        raise typer.Exit(1) from err
    try:
        nlp = load(model)
    except (OSError, ValueError) as err:
        typer.echo(f"kommunnlp show: {err}", err=True)
        raise typer.Exit(2) from err
    doc = nlp(read.text)
    record = doc._.record.model_copy(update={"id": file.name})
    meta = f"{read.format}, {read.encoding}, {len(read.text)} characters; pipeline {model or nlp.meta.get('name', '')}"
    page = render_page(doc, record, title=file.name, meta=meta)
    target = out if out is not None else Path.cwd() / f"{file.name}.html"
    target.write_text(page, encoding="utf-8")
    found = sum(len(getattr(record, t)) for t in ("dnr", "beslutssatser", "parties", "dates", "programmes"))
    typer.echo(f"{target}: {found} mentions marked")
