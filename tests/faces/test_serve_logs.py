"""What `fupin serve` prints: where to point the browser, no line per emulator long poll, a quiet Ctrl-C."""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.http.logs import QuietEmulatorPolls, startup_lines
from bot.http.server import FupinServer
from services.config import Settings
from tests.bot_support import running_sandbox

TOKEN = "6000000001:AAEmulatorSandboxTokenForXinbinFupin"


def access_record(method: str, target: str, status: int = 200) -> logging.LogRecord:
    """The record uvicorn's access log makes of one request."""
    return logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        0,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:50000", method, target, "1.1", status),
        None,
    )


@pytest.mark.parametrize(
    ("method", "target"),
    [
        pytest.param("POST", f"/telegram/bot{TOKEN}/getUpdates", id="bot-poll"),
        pytest.param("POST", f"/telegram/bot{TOKEN}/sendMessage", id="bot-sends"),
        pytest.param("GET", "/telegram/sandbox/api/messages?chat_id=7000000001&after=3&wait=25", id="chat-poll"),
    ],
)
def test_the_sandboxs_own_chatter_is_not_logged(method: str, target: str) -> None:
    assert QuietEmulatorPolls().filter(access_record(method, target)) is False


@pytest.mark.parametrize(
    ("method", "target", "status"),
    [
        pytest.param("POST", f"/telegram/bot{TOKEN}/getUpdates", 409, id="bot-poll-refused"),
        pytest.param("POST", "/telegram/sandbox/api/send", 200, id="person-sends"),
        pytest.param("GET", "/dashboard", 200, id="dashboard"),
        pytest.param("POST", "/telegram/webhook", 200, id="webhook"),
    ],
)
def test_other_requests_are_logged(method: str, target: str, status: int) -> None:
    assert QuietEmulatorPolls().filter(access_record(method, target, status)) is True


def test_the_server_quiets_the_access_log() -> None:
    FupinServer(uvicorn.Config(FastAPI(), log_config=None))
    assert (
        logging.getLogger("uvicorn.access").filter(access_record("POST", f"/telegram/bot{TOKEN}/getUpdates")) is False
    )


def test_the_start_up_says_where_the_chat_page_is() -> None:
    lines = startup_lines(Settings(_env_file=None, port=8080), sandbox=True)  # type: ignore[call-arg]
    assert "沙盒聊天页面：http://127.0.0.1:8080/" in lines


def test_the_start_up_says_where_the_dashboard_is() -> None:
    lines = startup_lines(Settings(_env_file=None, port=8080), sandbox=True)  # type: ignore[call-arg]
    assert "工作看板（县扶贫办）：http://127.0.0.1:8080/dashboard" in lines


def test_with_telegram_the_start_up_names_no_chat_page() -> None:
    settings = Settings(_env_file=None, telegram_token=SecretStr("1:a"))  # type: ignore[call-arg]
    assert not any(line.startswith("沙盒聊天页面") for line in startup_lines(settings, sandbox=False))


async def test_a_running_sandbox_logs_its_chat_page(
    database_url: str, engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="fupin.http")
    async with running_sandbox(database_url) as sandbox:
        pass
    assert f"沙盒聊天页面：{sandbox.base_url}/" in [record.getMessage() for record in caplog.records]


async def test_stopping_the_server_answers_an_open_chat_page_at_once(database_url: str, engine: AsyncEngine) -> None:
    """Ctrl-C with a chat tab open: its long poll is answered, not cancelled with a traceback (a 500)."""
    async with httpx.AsyncClient(trust_env=False, timeout=60) as browser, running_sandbox(database_url) as sandbox:
        person = await sandbox.client.create_user("王大爷")
        url = f"{sandbox.base_url}/telegram/sandbox/api/messages"
        poll = asyncio.create_task(browser.get(url, params={"chat_id": person["id"], "after": 0, "wait": 25}))
        while not sandbox.state.changed._waiters:  # the poll is held by the emulator
            await asyncio.sleep(0.01)
    assert (await poll).status_code == 200
