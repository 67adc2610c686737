"""`fupin serve`: the HTTP app and the Telegram bot in one process (sandbox mode without a token).

A set-up that would let strangers in — production without a token, a webhook without a secret,
the sandbox on a non-loopback address or on a database that has served real Telegram — is refused
here with one clear line (Chinese and English) and a non-zero exit status, before anything listens.
"""

from __future__ import annotations

from typing import Any

import typer

from bot.commands import texts


def register(app: typer.Typer) -> None:
    """Attach `fupin serve`."""

    @app.command()
    def serve(
        host: str = typer.Option(None, help="监听地址 (默认 FUPIN_HOST 或 127.0.0.1)"),
        port: int = typer.Option(None, help="端口 (默认 FUPIN_PORT 或 8080)"),
    ) -> None:
        """启动助手：HTTP 服务与机器人（无 Telegram 令牌时为沙盒模式，只监听本机）。"""
        import asyncio
        import logging

        from pydantic import ValidationError

        from bot.commands.runner import CliError
        from bot.http.app import check_sandbox_database, create_app
        from bot.http.server import run
        from services.config import Settings
        from services.errors import FupinError
        from services.masking import install_log_masking

        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        logging.getLogger("httpx").setLevel(logging.WARNING)
        install_log_masking()
        # The sandbox bot dials the address the server listens on, so settings must carry it; they
        # are read again with it, so that the checks on the address apply to `--host` too.
        given: dict[str, Any] = {name: value for name, value in (("host", host), ("port", port)) if value is not None}
        try:
            settings = Settings(**given)
        except ValidationError as exc:
            raise CliError("\n".join(_problem(error) for error in exc.errors())) from None
        if settings.sandbox:
            try:
                asyncio.run(check_sandbox_database(settings.database_url))
            except FupinError as exc:
                raise CliError(exc.message) from None
        run(create_app(settings), host=settings.host, port=settings.port)


def _problem(error: object) -> str:
    """One line for one settings problem: our own refusals as written, others with the variable named."""
    assert isinstance(error, dict)
    cause = error.get("ctx", {}).get("error")
    if isinstance(cause, ValueError):
        return str(cause)
    variable = "FUPIN_" + "_".join(str(part) for part in error["loc"]).upper()
    return texts.SETTING_INVALID.format(variable=variable, reason=error["msg"])
