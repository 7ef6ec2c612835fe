"""``kommunnlp extract FILE``: one record as indented JSON, for people."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from . import app


@app.command("extract")
def extract_command(file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True)) -> None:
    """Print the record of one text file as indented JSON."""
    from ..api import extract

    text = file.read_bytes().decode("utf-8-sig")
    record = extract(text, id=file.name)
    typer.echo(json.dumps(record.model_dump(mode="json"), ensure_ascii=False, indent=2))
