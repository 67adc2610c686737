"""Conversations that survive kill -9: a step and its draft are stored together, timeouts outlive a restart,
and no 身份证号 is written down in the clear.

A kill -9 is played in-process: right after a step is committed, the bot's rows (`bot_state`) are
copied as they are on disk; the bot is stopped, the copy put back — whatever the stop wrote is
undone — and a new bot starts on it, as a new process would after the crash.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot import texts
from bot.conversations.household import FIELDS, HouseholdState
from bot.persistence import CONVERSATION, EXPIRE_JOB, USER_DATA
from bot.ratelimit import RateLimiter
from emulator import EmulatorState, running_emulator
from services.db import session_scope
from services.masking import mask_id_number
from services.models import BotStateEntry, HouseholdChange, TelegramUpdate, utcnow
from tests.bot_support import run_job, running_sandbox, webhook_bot
from tests.idcard_support import fake_id_number
from tests.staff_support import add_villages, register

HOUSEHOLD = CONVERSATION + "household"
NUMBER = fake_id_number(515)
#: /household for 新识别纳入 in a one-village cadre's hands: each answer and the state it leads to.
ANSWERS: list[tuple[str, HouseholdState | None]] = [
    ("/household", HouseholdState.KIND),
    ("新识别纳入", HouseholdState.ID_NUMBER),
    (NUMBER, HouseholdState.HEAD),
    ("李四", HouseholdState.MEMBERS),
    ("2", HouseholdState.CAUSE),
    ("缺劳力", HouseholdState.NOTE),
    (texts.BUTTON_SKIP, HouseholdState.CONFIRM),
    (texts.BUTTON_CONFIRM, None),
]
#: Longer than PTB's old 5-second persistence timer: a cadre who pauses before a step.
PAUSE = 6.0


def _roomy() -> RateLimiter:
    return RateLimiter(limit=10_000, window=1.0)


async def _rows(sessionmaker: async_sessionmaker[AsyncSession]) -> list[dict[str, Any]]:
    async with session_scope(sessionmaker) as session:
        rows = (await session.scalars(select(BotStateEntry))).all()
        return [{c.key: getattr(r, c.key) for c in BotStateEntry.__table__.columns} for r in rows]


async def _restore(sessionmaker: async_sessionmaker[AsyncSession], rows: list[dict[str, Any]]) -> None:
    async with session_scope(sessionmaker) as session:
        await session.execute(delete(BotStateEntry))
        session.add_all(BotStateEntry(**row) for row in rows)


def _state(rows: list[dict[str, Any]], user_id: int) -> str | None:
    key = json.dumps([user_id, user_id])
    return next((r["data"] for r in rows if r["namespace"] == HOUSEHOLD and r["key"] == key), None)


def _draft(rows: list[dict[str, Any]], user_id: int) -> dict[str, Any]:
    data = next((r["data"] for r in rows if r["namespace"] == USER_DATA and r["key"] == str(user_id)), {})
    return dict(data.get("household", {}))


async def _until(condition: Callable[[], Awaitable[bool]], *, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not await condition():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met")
        await asyncio.sleep(0.05)


async def _committed(
    sessionmaker: async_sessionmaker[AsyncSession], user_id: int, state: HouseholdState | None
) -> list[dict[str, Any]]:
    """The bot's rows once the step leading to `state` is on disk (what a kill -9 then leaves)."""
    snapshot: list[dict[str, Any]] = []

    async def reached() -> bool:
        nonlocal snapshot
        snapshot = await _rows(sessionmaker)
        return _state(snapshot, user_id) == (state.value if state else None)

    await _until(reached)
    return snapshot


async def _say(client: Any, user: dict[str, Any], text: str) -> str:
    await client.send_text(user, text)
    return str((await client.wait_for_bot_message(user["id"]))["text"])


async def _changes(sessionmaker: async_sessionmaker[AsyncSession]) -> list[tuple[str, str, int, str | None]]:
    async with session_scope(sessionmaker) as session:
        changes = (await session.scalars(select(HouseholdChange))).all()
        return [(c.id_number, c.head_name, c.members, c.cause) for c in changes]


@pytest.mark.parametrize(
    ("answered", "pause"),
    [
        pytest.param(1, False, id="after-household"),
        pytest.param(2, False, id="after-kind"),
        pytest.param(3, True, id="after-id-number-given-after-a-pause"),
        pytest.param(4, False, id="after-head"),
        pytest.param(5, False, id="after-members"),
        pytest.param(6, False, id="after-cause"),
        pytest.param(7, False, id="after-note"),
        pytest.param(8, False, id="after-confirm"),
    ],
)
async def test_a_kill_after_any_step_resumes_at_that_step_with_its_draft(
    database_url: str,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    answered: int,
    pause: bool,
) -> None:
    await add_villages(sessionmaker)
    world = EmulatorState()  # Telegram's side outlives the crash
    async with running_sandbox(database_url, state=world, rate_limiter=_roomy()) as first:
        cadre = await register(first.client, sessionmaker, "吴书记", "cadre", villages=["西村"])
        for index, (text, _) in enumerate(ANSWERS[:answered]):
            if pause and index == answered - 1:
                await asyncio.sleep(PAUSE)
            await _say(first.client, cadre, text)
        on_disk = await _committed(sessionmaker, cadre["id"], ANSWERS[answered - 1][1])
    await _restore(sessionmaker, on_disk)

    # What was on disk is one consistent step: the draft holds every answer before the state.
    state = _state(on_disk, cadre["id"])
    if state is not None:
        draft = _draft(on_disk, cadre["id"])
        asked = [s for _, s in ANSWERS[:answered] if s is not None][:-1]
        answered_fields = [FIELDS[s] for s in asked if s in FIELDS and s is not HouseholdState.VILLAGE]
        assert [f for f in answered_fields if f not in draft] == []

    async with running_sandbox(database_url, state=world, rate_limiter=_roomy()) as second:
        client = second.client
        for text, _ in ANSWERS[answered:-1]:
            await _say(client, cadre, text)
        if answered < len(ANSWERS):
            summary_or_again = await _say(client, cadre, texts.BUTTON_CONFIRM)
            if answered > 2:  # the number was given before the crash: kept in memory only, so asked again
                assert texts.HOUSEHOLD_ID_AGAIN in summary_or_again
                summary = await _say(client, cadre, NUMBER)
                assert mask_id_number(NUMBER) in summary
                summary_or_again = await _say(client, cadre, texts.BUTTON_CONFIRM)
            assert "已报送" in summary_or_again
    assert await _changes(sessionmaker) == [(NUMBER, "李四", 2, "缺劳力")]


async def _start_a_draft(
    database_url: str, sessionmaker: async_sessionmaker[AsyncSession], world: EmulatorState
) -> dict[str, Any]:
    """A cadre who gave kind and 身份证号, then the bot stopped; returns the cadre."""
    async with running_sandbox(database_url, state=world, rate_limiter=_roomy()) as first:
        cadre = await register(first.client, sessionmaker, "吴书记", "cadre", villages=["西村"])
        for text, _ in ANSWERS[:3]:
            await _say(first.client, cadre, text)
        await _committed(sessionmaker, cadre["id"], HouseholdState.HEAD)
    return cadre


async def _deadline(sessionmaker: async_sessionmaker[AsyncSession], when: dt.datetime) -> None:
    async with session_scope(sessionmaker) as session:
        await session.execute(update(BotStateEntry).where(BotStateEntry.namespace == HOUSEHOLD).values(expires_at=when))


async def test_a_draft_past_its_deadline_at_start_up_is_wiped_and_the_cadre_told(
    database_url: str, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await add_villages(sessionmaker)
    world = EmulatorState()
    cadre = await _start_a_draft(database_url, sessionmaker, world)
    await _deadline(sessionmaker, utcnow() - dt.timedelta(minutes=1))  # the bot was down for 30 minutes
    async with running_sandbox(database_url, state=world, rate_limiter=_roomy()) as second:
        told = await second.client.wait_for(cadre["id"], lambda m: m["text"] == texts.HOUSEHOLD_TIMEOUT)
        assert told["sender"] == "bot"
        rows = await _rows(sessionmaker)
        assert _state(rows, cadre["id"]) is None
        assert _draft(rows, cadre["id"]) == {}
        # The next message is no answer to a step of the ended conversation.
        assert texts.HOUSEHOLD_MEMBERS.split("{")[0] not in await _say(second.client, cadre, "李四")


async def test_a_draft_loaded_at_start_up_still_times_out_at_its_deadline(
    database_url: str,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await add_villages(sessionmaker)
    world = EmulatorState()
    cadre = await _start_a_draft(database_url, sessionmaker, world)
    deadline = utcnow() + dt.timedelta(minutes=5)  # five of the 30 minutes left
    await _deadline(sessionmaker, deadline)
    async with running_sandbox(database_url, state=world, rate_limiter=_roomy()) as second:
        monkeypatch.setattr("bot.persistence.utcnow", lambda: deadline + dt.timedelta(seconds=1))  # time passes
        await run_job(second, EXPIRE_JOB)  # the regular sweep
        await second.client.wait_for(cadre["id"], lambda m: m["text"] == texts.HOUSEHOLD_TIMEOUT)
        rows = await _rows(sessionmaker)
        assert _state(rows, cadre["id"]) is None
        assert _draft(rows, cadre["id"]) == {}


async def test_no_raw_id_number_is_stored_in_drafts_or_updates(
    database_url: str, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """Over the webhook, so the received updates are stored too; a second number hides in the note."""
    await add_villages(sessionmaker)
    spouse = fake_id_number(516)
    async with running_emulator() as emu, emu.client() as client:
        async with webhook_bot(database_url, emu, rate_limiter=_roomy()):
            cadre = await register(client, sessionmaker, "吴书记", "cadre", villages=["西村"])
            for text, _ in ANSWERS[:6]:
                await _say(client, cadre, text)
            assert "请核对" in await _say(client, cadre, f"配偶身份证 {spouse}")
            await _committed(sessionmaker, cadre["id"], HouseholdState.CONFIRM)

            async def all_handled() -> bool:
                async with session_scope(sessionmaker) as session:
                    waiting = await session.scalars(select(TelegramUpdate).where(TelegramUpdate.handled_at.is_(None)))
                    return not waiting.all()

            await _until(all_handled)
            async with session_scope(sessionmaker) as session:
                stored = [r.data for r in (await session.scalars(select(BotStateEntry))).all()]
                received = [r.payload for r in (await session.scalars(select(TelegramUpdate))).all()]
            written = json.dumps([stored, received], ensure_ascii=False)
            assert received  # the webhook did store the updates
            assert NUMBER not in written
            assert spouse not in written
            assert mask_id_number(NUMBER) in json.dumps(stored, ensure_ascii=False)
