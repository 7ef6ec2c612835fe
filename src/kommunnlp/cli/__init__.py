"""The ``kommunnlp`` command. Each sub-command lives in its own module of this package."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="kommunnlp",
    help="Typed records from Swedish municipal documents.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def _root() -> None:
    """Typed records from Swedish municipal documents."""


def _register() -> None:
    from . import (
        convert_cmd,  # noqa: F401  (registers its command on app)
        evaluate_cmd,  # noqa: F401
        extract_cmd,  # noqa: F401  (registers its command on app)
        show_cmd,  # noqa: F401
    )


def main() -> None:
    """Console-script entry point."""
    _register()
    app()
