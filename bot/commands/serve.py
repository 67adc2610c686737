"""`fupin serve`: the HTTP app and the Telegram bot in one process (sandbox mode without a token).

`--only web|bot|delivery` (repeated, or comma-separated) runs some parts of it (`bot.parts`), so
that the bot, the web pages and any number of delivery workers can run as separate processes.

A set-up that would let strangers in — production without a token, a webhook without a secret,
the sandbox on a non-loopback address or on a database that has served real Telegram — is refused
here with one clear line (Chinese and English) and a non-zero exit status, before anything listens;
so are parts that cannot work together (a sandbox bot without the web part that holds its emulator).
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from bot.commands import texts


def register(app: typer.Typer) -> None:
    """Attach `fupin serve`."""

    @app.command()
    def serve(
        host: str = typer.Option(None, help="监听地址 (默认 FUPIN_HOST 或 127.0.0.1)"),
        port: int = typer.Option(None, help="端口 (默认 FUPIN_PORT 或 8080)"),
        only: Annotated[list[str] | None, typer.Option("--only", help=texts.SERVE_ONLY_HELP)] = None,
    ) -> None:
        """启动助手：HTTP 服务与机器人（无 Telegram 令牌时为沙盒模式，只监听本机）。"""
        import asyncio
        import logging

        from bot.commands.runner import CliError, CliInputError
        from bot.http.app import check_sandbox_database, create_app
        from bot.http.server import run
        from bot.parts import check_parts, parse_parts
        from services.config import Settings
        from services.errors import FupinError
        from services.schema import upgrade_database

        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        logging.getLogger("httpx").setLevel(logging.WARNING)
        # Each job run is two lines (every 30 s for some jobs); a failing job is still logged.
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
        # Two lines per migration and per start; what changed is said once (`services.schema`).
        logging.getLogger("alembic").setLevel(logging.WARNING)
        # The sandbox bot dials the address the server listens on, so settings must carry it; they
        # are read again with it, so that the checks on the address apply to `--host` too.
        given: dict[str, Any] = {name: value for name, value in (("host", host), ("port", port)) if value is not None}
        settings = Settings(**given)  # a refused set-up is shown by `bot.cli.main` (settings_error)
        try:
            parts = parse_parts(only or [])
            check_parts(parts, sandbox=settings.sandbox)
        except ValueError as exc:
            raise CliInputError(str(exc)) from None
        # Serving upgrades the database (and creates a missing SQLite file), as `fupin db upgrade` does.
        check = check_sandbox_database if settings.sandbox else upgrade_database
        try:
            asyncio.run(check(settings.database_url))
        except FupinError as exc:
            raise CliError(exc.message) from None
        run(create_app(settings, parts=parts), host=settings.host, port=settings.port)
