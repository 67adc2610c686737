"""Command groups of the `fupin` CLI, one module per group."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Attach every command group to the root app."""
    from bot.commands import ask, places, serve, users

    serve.register(app)
    ask.register(app)
    places.register(app)
    users.register(app)

    from bot.commands import kb

    kb.register(app)

    from bot.commands import audit, progress

    progress.register(app)
    audit.register(app)

    from bot.commands import export

    export.register(app)

    from bot.commands import households

    households.register(app)

    from bot.commands import questions, units

    questions.register(app)
    units.register(app)

    from bot.commands import db

    db.register(app)
