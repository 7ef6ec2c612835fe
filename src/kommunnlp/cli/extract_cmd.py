"""``kommunnlp extract FILE``: one record as indented JSON, for people."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from . import app


@app.command("extract")
def extract_command(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="A document file."),
    model: str | None = typer.Option(None, "--model", help="Pipeline directory (default: the rule pipeline)."),
) -> None:
    """Print the record of one file as indented JSON.

    The file is read as ``kommunnlp convert`` reads it (UTF-8 with or without BOM, legacy
    cp1252/latin-1 detected); a file that cannot be read exits 1 with the reason.
    """
    from ..api import extract
    from ..pipeline import load
    from ..readers import ReadError, read_document

    try:
        doc = read_document(file)
    except ReadError as err:
        typer.echo(f"kommunnlp extract: {err.path}: {err.reason}", err=True)
        raise typer.Exit(1) from err
    record = extract(doc.text, id=file.name, nlp=load(model) if model else None)
    typer.echo(json.dumps(record.model_dump(mode="json"), ensure_ascii=False, indent=2))
