"""`fupin serve`: the HTTP app (and, with the bot, Telegram) in one process."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Attach `fupin serve`."""

    @app.command()
    def serve(
        host: str = typer.Option(None, help="监听地址 (默认 FUPIN_HOST 或 127.0.0.1)"),
        port: int = typer.Option(None, help="端口 (默认 FUPIN_PORT 或 8080)"),
    ) -> None:
        """启动助手：HTTP 服务（无 Telegram 令牌时为沙盒模式）。"""
        import uvicorn

        from bot.http.app import create_app
        from services.config import get_settings

        settings = get_settings()
        uvicorn.run(create_app(settings), host=host or settings.host, port=port or settings.port)
