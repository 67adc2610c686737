"""Conversations that survive kill -9, driven in-process: a step and its draft are stored together,
and timeouts outlive a restart.

A kill -9 is played by copying the bot's rows (`bot_state`) right after a step's reply, as they
are on disk; the bot is stopped, the copy put back — whatever the stop wrote is undone — and a new
`Application` starts on it and on the same Telegram world, as a new process would after the crash
(`tests/inprocess_support.py`). The served app's own restarts, and what the webhook stores, are
socket tests (`tests/e2e/test_durable_conversations.py`).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot import texts
from bot.conversations.household import FIELDS, HouseholdState
from bot.persistence import EXPIRE_JOB, USER_DATA
from emulator import EmulatorState
from services.db import session_scope
from services.masking import mask_id_number
from services.models import BotStateEntry, HouseholdChange, utcnow
from tests.household_script import ANSWERS, HOUSEHOLD, NUMBER, bot_state_rows, roomy
from tests.inprocess_support import InProcessBot, bot_in_process
from tests.staff_support import add_villages, enrol


async def _restore(sessionmaker: async_sessionmaker[AsyncSession], rows: list[dict[str, Any]]) -> None:
    async with session_scope(sessionmaker) as session:
        await session.execute(delete(BotStateEntry))
        session.add_all(BotStateEntry(**row) for row in rows)


def _state(rows: list[dict[str, Any]], user_id: int) -> str | None:
    key = json.dumps([user_id, user_id])
    return next((r["data"] for r in rows if r["namespace"] == HOUSEHOLD and r["key"] == key), None)


def _draft(rows: list[dict[str, Any]], user_id: int) -> dict[str, Any]:
    data: dict[str, Any] = next(
        (r["data"] for r in rows if r["namespace"] == USER_DATA and r["key"] == str(user_id)), {}
    )
    return dict(data.get("household", {}))


async def _first(bot: InProcessBot, user: int, text: str) -> str:
    """`user` writes `text`; the bot's first reply."""
    return (await bot.say(user, text))[0]


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
    async with bot_in_process(database_url, sessionmaker, state=world, rate_limiter=roomy()) as first:
        cadre = await enrol(first, sessionmaker, "吴书记", "cadre", villages=["西村"])
        for index, (text, _) in enumerate(ANSWERS[:answered]):
            if pause and index == answered - 1:
                # A cadre who pauses before a step, long enough for PTB's own persistence timer to
                # flush its buffer in between (what a pause longer than its interval would do).
                await first.application.update_persistence()
            await first.say(cadre, text)
        on_disk = await bot_state_rows(sessionmaker)
    # The step is on disk as soon as its reply is out: a kill -9 then leaves it.
    expected = ANSWERS[answered - 1][1]
    assert _state(on_disk, cadre) == (expected.value if expected else None)
    await _restore(sessionmaker, on_disk)

    # What was on disk is one consistent step: the draft holds every answer before the state.
    state = _state(on_disk, cadre)
    if state is not None:
        draft = _draft(on_disk, cadre)
        asked = [s for _, s in ANSWERS[:answered] if s is not None][:-1]
        answered_fields = [FIELDS[s] for s in asked if s in FIELDS and s is not HouseholdState.VILLAGE]
        assert [f for f in answered_fields if f not in draft] == []

    async with bot_in_process(database_url, sessionmaker, state=world, rate_limiter=roomy()) as second:
        for text, _ in ANSWERS[answered:-1]:
            await second.say(cadre, text)
        if answered < len(ANSWERS):
            summary_or_again = await _first(second, cadre, texts.BUTTON_CONFIRM)
            if answered > 2:  # the number was given before the crash: kept in memory only, so asked again
                assert texts.HOUSEHOLD_ID_AGAIN in summary_or_again
                summary = await _first(second, cadre, NUMBER)
                assert mask_id_number(NUMBER) in summary
                summary_or_again = await _first(second, cadre, texts.BUTTON_CONFIRM)
            assert "已报送" in summary_or_again
    assert await _changes(sessionmaker) == [(NUMBER, "李四", 2, "缺劳力")]


async def _start_a_draft(
    database_url: str, sessionmaker: async_sessionmaker[AsyncSession], world: EmulatorState
) -> int:
    """A cadre who gave kind and 身份证号, then the bot stopped; returns the cadre."""
    async with bot_in_process(database_url, sessionmaker, state=world, rate_limiter=roomy()) as first:
        cadre = await enrol(first, sessionmaker, "吴书记", "cadre", villages=["西村"])
        for text, _ in ANSWERS[:3]:
            await first.say(cadre, text)
    assert _state(await bot_state_rows(sessionmaker), cadre) == HouseholdState.HEAD.value
    return cadre


async def _deadline(sessionmaker: async_sessionmaker[AsyncSession], when: dt.datetime) -> None:
    async with session_scope(sessionmaker) as session:
        await session.execute(update(BotStateEntry).where(BotStateEntry.namespace == HOUSEHOLD).values(expires_at=when))


@pytest.fixture
async def wiped_at_start_up(
    database_url: str, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> dict[str, Any]:
    """A draft whose deadline passed while the bot was down (for 30 minutes); the bot started again.

    What the cadre saw at the start and the rows after it, and what the bot said to the cadre's next message.
    """
    await add_villages(sessionmaker)
    world = EmulatorState()
    cadre = await _start_a_draft(database_url, sessionmaker, world)
    await _deadline(sessionmaker, utcnow() - dt.timedelta(minutes=1))
    async with bot_in_process(database_url, sessionmaker, state=world, rate_limiter=roomy()) as second:
        told = [m for m in second.state.conversation(second.account, cadre).messages.values()]
        rows = await bot_state_rows(sessionmaker)
        next_reply = await _first(second, cadre, "李四")
    return {"cadre": cadre, "told": told, "rows": rows, "next_reply": next_reply}


async def test_a_draft_past_its_deadline_at_start_up_tells_the_cadre(wiped_at_start_up: dict[str, Any]) -> None:
    [timeout] = [m for m in wiped_at_start_up["told"] if m.message.get("text") == texts.HOUSEHOLD_TIMEOUT]
    assert timeout.sender == "bot"


async def test_a_draft_past_its_deadline_at_start_up_ends_the_conversation(wiped_at_start_up: dict[str, Any]) -> None:
    assert _state(wiped_at_start_up["rows"], wiped_at_start_up["cadre"]) is None


async def test_a_draft_past_its_deadline_at_start_up_is_wiped(wiped_at_start_up: dict[str, Any]) -> None:
    assert _draft(wiped_at_start_up["rows"], wiped_at_start_up["cadre"]) == {}


async def test_after_a_draft_wiped_at_start_up_the_next_message_answers_no_step(
    wiped_at_start_up: dict[str, Any],
) -> None:
    assert texts.HOUSEHOLD_MEMBERS.split("{")[0] not in wiped_at_start_up["next_reply"]


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
    async with bot_in_process(database_url, sessionmaker, state=world, rate_limiter=roomy()) as second:
        assert texts.HOUSEHOLD_TIMEOUT not in second.texts(cadre)  # not yet: loaded with its deadline
        monkeypatch.setattr("bot.persistence.utcnow", lambda: deadline + dt.timedelta(seconds=1))  # time passes
        await second.run_job(EXPIRE_JOB)  # the regular sweep
        assert texts.HOUSEHOLD_TIMEOUT in second.texts(cadre)
        rows = await bot_state_rows(sessionmaker)
        assert _state(rows, cadre) is None
        assert _draft(rows, cadre) == {}
