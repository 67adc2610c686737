"""`fupin serve`'s start-up refusals (issue 10, point 6), as an operator meets them: the environment set.

The uvicorn launcher is replaced by a recorder, so a set-up that is wrongly accepted ends the test
(exit status 0, "served") instead of serving forever; nothing listens on a socket.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.cli import main
from bot.http.app import create_app
from services import telegram_bots
from services.config import Settings
from services.db import session_scope


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """What `fupin serve` would have served: the launcher records instead of listening."""
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr("bot.http.server.run", lambda app, **where: calls.append(where))
    for name in (
        "FUPIN_TELEGRAM_TOKEN",
        "FUPIN_WEBHOOK_URL",
        "FUPIN_WEBHOOK_SECRET",
        "FUPIN_HOST",
        "FUPIN_ENVIRONMENT",
    ):
        monkeypatch.delenv(name, raising=False)
    return calls


async def fupin_serve(*argv: str) -> int:
    """`fupin serve …` as a console script runs it; in a thread, because it runs its own event loop."""
    return await asyncio.to_thread(main, ["serve", *argv])


async def test_production_without_a_telegram_token_refuses_to_start(
    cli_database: str, served: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FUPIN_ENVIRONMENT", "production")
    monkeypatch.setenv("FUPIN_ADMIN_TOKEN", "a-long-admin-token")
    assert await fupin_serve() != 0
    assert served == []
    err = capsys.readouterr().err
    assert "生产环境必须设置 FUPIN_TELEGRAM_TOKEN" in err
    assert "must be set in production" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("how", ["option", "environment"])
async def test_the_sandbox_on_0_0_0_0_refuses_to_start(
    cli_database: str,
    served: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    how: str,
) -> None:
    if how == "environment":
        monkeypatch.setenv("FUPIN_HOST", "0.0.0.0")
    assert await (fupin_serve("--host", "0.0.0.0") if how == "option" else fupin_serve()) != 0
    assert served == []
    err = capsys.readouterr().err
    assert "沙盒模式" in err
    assert "0.0.0.0" in err
    assert "Traceback" not in err


async def test_the_sandbox_on_loopback_starts(cli_database: str, served: list[dict[str, Any]]) -> None:
    assert await fupin_serve("--host", "127.0.0.1", "--port", "8099") == 0
    assert served == [{"host": "127.0.0.1", "port": 8099}]


async def test_a_webhook_without_a_secret_refuses_to_start(
    cli_database: str, served: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FUPIN_TELEGRAM_TOKEN", "123:abc")
    monkeypatch.setenv("FUPIN_WEBHOOK_URL", "https://fupin.example.cn/telegram/webhook")
    assert await fupin_serve() != 0
    assert served == []
    err = capsys.readouterr().err
    assert "FUPIN_WEBHOOK_SECRET" in err
    assert "Traceback" not in err


async def test_the_sandbox_refuses_a_database_that_served_real_telegram(
    cli_database: str,
    served: list[dict[str, Any]],
    sessionmaker: async_sessionmaker[AsyncSession],
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with session_scope(sessionmaker) as session:
        await telegram_bots.record_bot(session, bot_id=6_100_000_001, username="XinbinFupinBot")
    assert await fupin_serve() != 0
    assert served == []
    err = capsys.readouterr().err
    assert "@XinbinFupinBot" in err
    assert "沙盒模式不能在上面运行" in err
    assert "Traceback" not in err


def test_the_app_refuses_a_sandbox_on_another_address_even_from_copied_settings() -> None:
    copied = Settings().model_copy(update={"host": "0.0.0.0"})  # copies skip the settings' own checks
    with pytest.raises(ValueError, match="0.0.0.0"):
        create_app(copied)
