"""`fupin serve --only web|bot|delivery`: the parts apart, each in a process of its own, on one database.

Telegram is the emulator served on its own port, as a real Bot API would be; every part is the
real app (`create_app`) served on a socket. Two delivery processes race for the same outbox rows.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.app import build_application
from bot.cli import main
from bot.commands import texts as cli_texts
from bot.context import BotServices
from bot.http.app import create_app
from bot.http.server import bound_socket, serving
from bot.parts import ALL_PARTS, Part, parse_parts
from bot.ratelimit import RateLimiter
from emulator import RunningEmulator, running_emulator
from policy_kb import answer, load_kb
from services import outbox
from services.config import Settings
from services.db import create_engine, make_sessionmaker, session_scope
from services.models import OutboxMessage, OutboxStatus
from tests.bot_support import ADMIN, ADMIN_TOKEN, bot_texts

#: Messages the two delivery processes share out.
MESSAGES = 200
#: Seconds a test waits for what is owed; generous, since the machine may be busy.
PATIENCE = 60.0

WEB, BOT, DELIVERY = (frozenset({part}) for part in (Part.WEB, Part.BOT, Part.DELIVERY))


@asynccontextmanager
async def serving_part(
    database_url: str, emu: RunningEmulator, parts: frozenset[Part], **settings: Any
) -> AsyncIterator[tuple[Any, httpx.AsyncClient]]:
    """One `fupin serve --only …` process against `emu` (polling): the app and an HTTP client on it."""
    sock = bound_socket()
    config = Settings(
        database_url=database_url,
        port=sock.getsockname()[1],
        telegram_token=SecretStr(emu.token),
        telegram_api_url=emu.api_url,
        admin_token=SecretStr(ADMIN_TOKEN),
        plan_reminders=False,
        **settings,
    )
    app = create_app(config, parts=parts)
    async with serving(app, sock) as base_url, httpx.AsyncClient(base_url=base_url, trust_env=False) as http:
        if app.state.bot_runner is not None:
            await asyncio.wait_for(app.state.bot_runner.ready.wait(), PATIENCE)
        yield app, http


async def scraped(http: httpx.AsyncClient, name: str, labels: dict[str, str]) -> float:
    """One sample of the process's `/metrics`."""
    response = await http.get("/metrics")
    assert response.status_code == 200, response.text
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return sample.value
    raise AssertionError(f"{name}{labels} is not in /metrics")


async def drained(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    """Wait until no outbox message is pending or on the way."""
    for _ in range(int(PATIENCE / 0.05)):
        async with sessionmaker() as session:
            left = await session.scalar(
                select(func.count()).where(OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING]))
            )
        if not left:
            return
        await asyncio.sleep(0.05)
    pytest.fail("the outbox did not drain")


# -- choosing the parts ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "parts"),
    [
        pytest.param([], ALL_PARTS, id="none-means-all"),
        pytest.param(["bot,delivery"], frozenset({Part.BOT, Part.DELIVERY}), id="comma"),
        pytest.param(["bot", "delivery"], frozenset({Part.BOT, Part.DELIVERY}), id="repeated"),
        pytest.param([" Web , "], WEB, id="spaces-and-case"),
    ],
)
def test_only_takes_parts_repeated_or_separated_by_commas(given: list[str], parts: frozenset[Part]) -> None:
    assert parse_parts(given) == parts


@pytest.fixture
def sandbox_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No token (sandbox mode) and a database of the test's own, which a refusal never touches."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FUPIN_TELEGRAM_TOKEN", raising=False)
    monkeypatch.setenv("FUPIN_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'fupin.db'}")


def test_an_unknown_part_is_refused_naming_the_parts_there_are(
    sandbox_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--only", "bot,mail"]) == 2
    assert cli_texts.SERVE_UNKNOWN_PART.format(name="mail") in capsys.readouterr().err


@pytest.mark.parametrize("only", ["bot", "delivery", "web,bot", "bot,delivery"])
def test_the_sandbox_refuses_a_bot_or_delivery_apart_from_its_emulator(
    only: str, sandbox_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--only", only]) == 2
    assert "沙盒模式（未设置 FUPIN_TELEGRAM_TOKEN）不能只运行" in capsys.readouterr().err
    assert not (tmp_path / "fupin.db").exists()  # refused before anything was opened


@pytest.mark.parametrize(
    ("parts", "writes_conversations"),
    [
        pytest.param(ALL_PARTS, True, id="all"),
        pytest.param(BOT, True, id="bot"),
        pytest.param(DELIVERY, False, id="delivery"),
        pytest.param(frozenset({Part.WEB, Part.DELIVERY}), False, id="web-delivery"),
    ],
)
def test_only_the_bot_part_writes_conversation_state(
    parts: frozenset[Part], writes_conversations: bool, tmp_path: Path
) -> None:
    # Nothing is opened: building the bot touches neither the database nor Telegram.
    sessions = make_sessionmaker(create_engine(f"sqlite+aiosqlite:///{tmp_path / 'fupin.db'}"))
    services = BotServices(kb=load_kb(), answer=answer, sessionmaker=sessions, rate_limiter=RateLimiter())
    application = build_application(
        token="6100000001:test", base_url="http://127.0.0.1:9/bot", services=services, parts=parts
    )
    assert (application.persistence is not None) is writes_conversations
    assert bool(application.handlers) is writes_conversations
    assert (application.updater is not None) is writes_conversations


@pytest.mark.parametrize(
    ("parts", "status"),
    [
        pytest.param(BOT, 403, id="bot-has-it"),  # there, and refusing a caller without the secret
        pytest.param(WEB, 404, id="web-has-not"),
    ],
)
async def test_the_webhook_endpoint_belongs_to_the_bot_part(parts: frozenset[Part], status: int) -> None:
    settings = Settings(
        database_url="sqlite+aiosqlite:///:memory:",
        telegram_token=SecretStr("6100000001:test"),
        webhook_url="https://fupin.example.cn/telegram/webhook",
        webhook_secret=SecretStr("s3cret-token"),
    )
    # The route is there or not before anything starts.
    transport = httpx.ASGITransport(app=create_app(settings, parts=parts))
    async with httpx.AsyncClient(transport=transport, base_url="http://fupin") as http:
        posted = await http.post("/telegram/webhook", json={"update_id": 1})
    assert posted.status_code == status


# -- the parts apart --------------------------------------------------------------------------------


async def test_two_delivery_processes_on_one_database_send_each_message_once(
    database_url: str, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    async with running_emulator() as emu, AsyncExitStack() as processes:
        people = [emu.state.add_user(f"村民{i:03d}号") for i in range(MESSAGES)]
        # Paced below what one process could do at once, so that the two overlap for seconds.
        workers = [
            await processes.enter_async_context(
                serving_part(database_url, emu, DELIVERY, send_rate=100.0, outbox_rate=100.0)
            )
            for _ in range(2)
        ]
        async with session_scope(sessionmaker) as session:
            await outbox.enqueue_many(session, [outbox.NewMessage(chat_id=p.id, text=f"通知{p.id}") for p in people])
        await drained(sessionmaker)
        sent = [await scraped(http, "fupin_outbox_sends_total", {"outcome": "sent"}) for _, http in workers]
        async with emu.client() as client:
            received = [await bot_texts(client, p.id) for p in people]
    assert received == [[f"通知{p.id}"] for p in people]  # each person got theirs, once
    assert sum(sent) == MESSAGES  # and between the processes no message twice
    if database_url.startswith("postgresql"):
        # Both raced for the rows. (SQLite's one write lock is not fair: under load one process
        # may win every claim, which is why several delivery processes are a PostgreSQL set-up.)
        assert min(sent) > 0


async def test_web_bot_and_delivery_in_three_processes_answer_and_deliver(
    database_url: str, engine: AsyncEngine
) -> None:
    async with (
        running_emulator() as emu,
        emu.client() as client,
        serving_part(database_url, emu, WEB) as (web, web_http),
        serving_part(database_url, emu, BOT) as (_, bot_http),
        serving_part(database_url, emu, DELIVERY) as (_, delivery_http),
    ):
        household = await client.create_user("赵大娘")
        await client.send_text(household, "/start")
        await client.wait_for_bot_message(household["id"], timeout=PATIENCE)  # the bot process registered her
        posted = await web_http.post(
            "/api/broadcasts", headers=ADMIN, json={"text": "明天上午村委会发放补贴", "audience": "households"}
        )
        assert posted.status_code == 201, posted.text
        notice = await client.wait_for(
            household["id"], lambda m: m["text"] == "明天上午村委会发放补贴", timeout=PATIENCE
        )
        web_ready = await web_http.get("/readyz")
        bot_pages = await bot_http.get("/api/broadcasts", headers=ADMIN)
        delivery_ready = await delivery_http.get("/readyz")
    assert notice["sender"] == "bot"  # sent by the delivery process
    assert web.state.bot_runner is None  # the web process has no Telegram bot at all
    assert web_ready.json()["bot"] == "not in this process"
    assert bot_pages.status_code == 404  # the admin API is the web part's
    assert delivery_ready.json()["parts"] == ["delivery"]
