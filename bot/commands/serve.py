"""`fupin serve`: the HTTP app and the Telegram bot in one process (sandbox mode without a token)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Attach `fupin serve`."""

    @app.command()
    def serve(
        host: str = typer.Option(None, help="监听地址 (默认 FUPIN_HOST 或 127.0.0.1)"),
        port: int = typer.Option(None, help="端口 (默认 FUPIN_PORT 或 8080)"),
    ) -> None:
        """启动助手：HTTP 服务与机器人（无 Telegram 令牌时为沙盒模式）。"""
        import logging

        from bot.http.app import create_app
        from bot.http.server import run
        from services.config import get_settings

        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        logging.getLogger("httpx").setLevel(logging.WARNING)
        settings = get_settings()
        # The sandbox bot dials the address the server listens on, so settings must carry it.
        settings = settings.model_copy(update={"host": host or settings.host, "port": port or settings.port})
        run(create_app(settings), host=settings.host, port=settings.port)
