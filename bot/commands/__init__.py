"""Command groups of the `fupin` CLI, one module per group."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Attach every command group to the root app."""
    from bot.commands import serve

    serve.register(app)
