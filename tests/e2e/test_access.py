"""Access and operations over HTTP (issue 10, points 6, 11, 12): what the webhook takes and keeps,
readiness, an unreachable Bot API, the sandbox's people across restarts.

`fupin serve`'s start-up refusals, which serve nothing, are face tests (`tests/faces/test_cli_serve.py`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot import texts
from bot.http.app import EMULATOR_PREFIX, SANDBOX_API_PREFIX, create_app
from bot.http.server import bound_socket, serving
from bot.ratelimit import RateLimiter
from emulator import EmulatorState, create_emulator_app, running_emulator
from services.config import Settings
from services.db import create_engine, session_scope
from services.models import TelegramBot, TelegramUpdate
from tests.bot_support import WEBHOOK_HEADERS, Sandbox, running_sandbox, webhook_bot
from tests.staff_support import add_villages, register

ID_NUMBER = "210422197001014011"


# --- webhook mode against the emulator as Telegram ------------------------------------------------


async def eventually(check: Callable[[], Awaitable[bool]], *, timeout: float = 20.0) -> None:
    """Wait until `check()` holds (generous timeout: the machine may be loaded)."""
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.05)


async def stored_updates(sessionmaker: async_sessionmaker[AsyncSession]) -> list[TelegramUpdate]:
    async with sessionmaker() as session:
        return list(await session.scalars(select(TelegramUpdate).order_by(TelegramUpdate.update_id)))


async def all_handled(sessionmaker: async_sessionmaker[AsyncSession], count: int) -> bool:
    rows = await stored_updates(sessionmaker)
    return len(rows) >= count and all(r.handled_at is not None for r in rows)


def malformed_update(update_id: int) -> dict[str, Any]:
    """Passes the secret check and has an id, but python-telegram-bot cannot read it (no chat, no date)."""
    return {"update_id": update_id, "message": {"message_id": 1, "text": f"身份证 {ID_NUMBER}"}}


async def test_a_malformed_update_is_answered_200_and_recorded_as_handled_with_its_error(
    database_url: str, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    async with running_emulator() as emu, webhook_bot(database_url, emu) as (_, http):
        response = await http.post("/hook/telegram", json=malformed_update(910_001), headers=WEBHOOK_HEADERS)
        assert response.status_code == 200
    [row] = await stored_updates(sessionmaker)
    assert row.handled_at is not None
    assert row.error
    assert ID_NUMBER not in str(row.payload)


async def test_a_stored_malformed_update_does_not_block_the_next_start(
    database_url: str, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    # What an earlier version left behind: the malformed update stored, never handled.
    async with session_scope(sessionmaker) as session:
        session.add(TelegramUpdate(update_id=910_002, payload=malformed_update(910_002)))
    async with running_emulator() as emu, emu.client() as client, webhook_bot(database_url, emu) as (app, _):
        assert app.state.bot_runner.ready.is_set()
        user = await client.create_user("吴大哥")
        await client.send_text(user, "/help")
        assert (await client.wait_for_bot_message(user["id"], timeout=20))["text"] == texts.HELP
    row = next(r for r in await stored_updates(sessionmaker) if r.update_id == 910_002)
    assert row.handled_at is not None
    assert row.error
    assert ID_NUMBER not in str(row.payload)


async def test_updates_stopped_in_the_gate_are_marked_handled_and_keep_no_payload(
    database_url: str, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    limiter = RateLimiter(limit=3, window=600)
    async with (
        running_emulator() as emu,
        emu.client() as client,
        webhook_bot(database_url, emu, rate_limiter=limiter),
    ):
        editor = await client.create_user("郑大姐")
        sent = await client.send_text(editor, f"我的身份证 {ID_NUMBER}")
        await client.wait_for_bot_message(editor["id"], timeout=20)
        await client.edit_text(editor, sent, f"电话 13812345678 身份证 {ID_NUMBER}")
        assert (await client.wait_for_bot_message(editor["id"], timeout=20))["text"] == texts.EDITED

        a, b = await client.create_user("甲"), await client.create_user("乙")
        group = await client.create_group("靠山村群", [a, b])
        await client.send_text(a, f"/start {ID_NUMBER}", chat_id=group["id"])
        assert (await client.wait_for_bot_message(group["id"], timeout=20))["text"] == texts.GROUP_ONLY_PRIVATE

        flooder = await client.create_user("刷屏的人")
        for _ in range(5):  # three answered, one warned, one dropped in silence
            await client.send_text(flooder, f"身份证 {ID_NUMBER}")
        sent_count = 1 + 1 + 1 + 5
        await eventually(lambda: all_handled(sessionmaker, sent_count))
    rows = await stored_updates(sessionmaker)
    assert len(rows) == sent_count
    assert [r.payload for r in rows if ID_NUMBER in str(r.payload) or "13812345678" in str(r.payload)] == []


async def test_a_bot_started_with_a_token_marks_its_database_as_real_telegram(
    database_url: str, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    async with running_emulator() as emu, webhook_bot(database_url, emu):
        pass
    async with sessionmaker() as session:
        assert [b.username for b in await session.scalars(select(TelegramBot))] == [emu.bot.username]


# --- operations ---------------------------------------------------------------------------------


async def test_readyz_is_503_when_the_database_is_unreachable(database_url: str, engine: AsyncEngine) -> None:
    async with running_sandbox(database_url) as sandbox, httpx.AsyncClient(base_url=sandbox.base_url) as http:
        ready = await http.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["database"] == "ok"
        # The database goes away under the running server (nothing listens on port 1).
        working, sandbox.app.state.engine = (
            sandbox.app.state.engine,
            create_engine("postgresql+asyncpg://fupin@127.0.0.1:1/gone"),
        )
        try:
            down = await http.get("/readyz")
            health = await http.get("/healthz")
        finally:
            await sandbox.app.state.engine.dispose()
            sandbox.app.state.engine = working
    assert down.status_code == 503
    assert down.json()["database"] == "unreachable"
    assert health.status_code == 200


async def test_an_unreachable_bot_api_is_retried_until_it_answers(
    database_url: str, engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    telegram = EmulatorState()
    token = "6100000002:test-token"
    telegram.add_bot(token, username="XinbinFupinBot")
    telegram_sock = bound_socket()  # bound, not yet listening: connections are refused
    sock = bound_socket()
    settings = Settings(
        database_url=database_url,
        port=sock.getsockname()[1],
        telegram_token=token,
        telegram_api_url=f"http://127.0.0.1:{telegram_sock.getsockname()[1]}/bot",
        plan_reminders=False,
    )
    app = create_app(settings)
    with caplog.at_level(logging.WARNING, logger="fupin.http"):
        async with serving(app, sock) as base_url, httpx.AsyncClient(base_url=base_url, trust_env=False) as http:
            assert (await http.get("/healthz")).status_code == 200
            not_yet = await http.get("/readyz")
            assert not_yet.status_code == 503
            assert not_yet.json()["bot"] == "not running"

            async def retried() -> bool:
                return any("unreachable" in r.getMessage() for r in caplog.records)

            await eventually(retried)
            async with serving(create_emulator_app(telegram), telegram_sock):
                await asyncio.wait_for(app.state.bot_runner.ready.wait(), 30)
                assert (await http.get("/readyz")).status_code == 200
    http_records = [r for r in caplog.records if r.name == "fupin.http"]
    assert [r for r in http_records if r.exc_info] == []
    assert [r for r in http_records if r.levelno >= logging.ERROR] == []


# --- the sandbox's people -------------------------------------------------------------------------


async def test_a_sandbox_restart_keeps_everyones_identity(
    database_url: str, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await add_villages(sessionmaker)
    # Each `make run` starts a new emulator: nothing of the first one's memory is kept.
    async with running_sandbox(database_url, state=EmulatorState()) as first:
        cadre = await register(first.client, sessionmaker, "刘书记", "cadre", villages=["腰站村"])
    async with (
        running_sandbox(database_url, state=EmulatorState()) as second,
        httpx.AsyncClient(base_url=second.base_url + EMULATOR_PREFIX + SANDBOX_API_PREFIX, trust_env=False) as page,
    ):
        client = second.client
        # The chat page still open on the cadre finds the same person again (it asks as below).
        known = await page.get(f"/users/{cadre['id']}")
        assert known.status_code == 200
        assert known.json()["first_name"] == "刘书记"
        newcomer = await client.create_user("张大姐")
        await client.send_text(newcomer, "/start")
        greeting = (await client.wait_for_bot_message(newcomer["id"], timeout=20))["text"]
    assert newcomer["id"] != cadre["id"]
    assert greeting == texts.WELCOME.format(name="张大姐")


async def test_the_sandbox_page_registers_a_picked_staff_role_through_a_real_invite(sandbox: Sandbox) -> None:
    client = sandbox.client
    people = {}
    async with httpx.AsyncClient(base_url=sandbox.base_url, trust_env=False) as http:
        household = await http.post("/sandbox/invite", json={"role": "household"})
        assert household.status_code == 422
        assert "/start" in household.json()["detail"]
        for role, greeting in (("cadre", "驻村干部（新宾镇/示范村）"), ("unit", "县交通局"), ("office", "县扶贫办")):
            response = await http.post("/sandbox/invite", json={"role": role})
            assert response.status_code == 200
            people[role] = await client.create_user(f"沙盒{role}", role=role)
            await client.send_text(people[role], f"/start {response.json()['code']}")
            assert greeting in (await client.wait_for_bot_message(people[role]["id"]))["text"]
    # The sandbox cadre can report on the demo village straight away.
    await client.send_text(people["cadre"], texts.BUTTON_REPORT)
    assert (await client.wait_for_bot_message(people["cadre"]["id"]))["text"] == texts.REPORT_INTRO
