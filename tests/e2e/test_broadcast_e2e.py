"""Broadcasts end to end: the office's /broadcast over HTTP, delivered by the running worker through
the flood-limited emulator, across restarts of the served app.

A broadcast to 300 households, 5 of whom blocked the bot, reaches everyone else exactly once and
the report names the 5; a restart in the middle of a broadcast loses and duplicates nothing. The
broadcast clock looks when the test says (`run_tick`), once the worker has sent everything: the
report then goes out at once, with no wait for the clock's next second. The conversations'
steps and refusals are driven in-process (`tests/faces/test_office_chat.py`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot import texts
from emulator import EmulatorClient, EmulatorState
from services import audit, places
from services.db import session_scope
from services.masking import mask_name
from services.models import RoleKind, User
from services.users import get_or_create_user, grant_role
from tests.bot_support import Sandbox, bot_texts, outbox_drained, run_tick, running_sandbox

NOTICE = "请各户于12月5日前到村委会核对2018年各项补贴发放信息。"
#: Minutes a whole broadcast may take before the test gives up (300 at 30/s is about 10 s).
PATIENCE = 120.0


async def _register(
    sessionmaker: async_sessionmaker[AsyncSession], people: Sequence[dict[str, Any]], kind: RoleKind
) -> None:
    """Record people as /start does (households) or as an invite does (office)."""
    async with session_scope(sessionmaker) as session:
        for person in people:
            user = await get_or_create_user(
                session, telegram_user_id=person["id"], display_name=person["first_name"], actor=audit.CLI_ACTOR
            )
            await grant_role(session, user=user, kind=kind, actor=audit.CLI_ACTOR)


async def _households(sandbox: Sandbox, count: int, *, blocked: Sequence[str] = ()) -> list[dict[str, Any]]:
    """`count` households who started the bot; the first `len(blocked)` then blocked it.

    They are added to the emulator's world directly: hundreds of sandbox API calls would only
    slow the test down.
    """
    client = sandbox.client
    names = [*blocked, *(f"村民{i:03d}号" for i in range(count - len(blocked)))]
    people = [{"id": u.id, "first_name": u.first_name} for u in map(sandbox.state.add_user, names)]
    await _register(sandbox.app.state.sessionmaker, people, RoleKind.HOUSEHOLD)
    for person in people[: len(blocked)]:
        await client.block(person)
    return people


async def _office(sandbox: Sandbox) -> dict[str, Any]:
    office = await sandbox.client.create_user("王主任")
    await _register(sandbox.app.state.sessionmaker, [office], RoleKind.OFFICE)
    return office


async def _say(client: EmulatorClient, user: dict[str, Any], text: str) -> str:
    await client.send_text(user, text)
    return (await client.wait_for_bot_message(user["id"]))["text"]  # type: ignore[no-any-return]


async def _broadcast_to_households(client: EmulatorClient, office: dict[str, Any], expected: int) -> None:
    """The office walks through /broadcast; flood limits go on just before 确认发送."""
    assert texts.BROADCAST_ASK_TEXT in await _say(client, office, "/broadcast")
    assert texts.BROADCAST_ASK_AUDIENCE in await _say(client, office, NOTICE)
    assert texts.BROADCAST_ASK_WHEN in await _say(client, office, texts.AUDIENCE_BUTTONS["households"])
    preview = await _say(client, office, texts.BUTTON_SEND_NOW)
    assert f"目前 {expected} 人" in preview
    assert NOTICE in preview
    await client.set_flood(True)
    assert texts.BROADCAST_QUEUED.format(count=expected) in await _say(client, office, texts.BUTTON_CONFIRM_SEND)


async def _report(sandbox: Sandbox, office: dict[str, Any]) -> str:
    """The delivery report, once the worker has sent everything and the clock has looked."""
    await outbox_drained(sandbox.app.state.sessionmaker, timeout=PATIENCE)
    await run_tick(sandbox)
    found = await sandbox.client.wait_for(
        office["id"], lambda m: m["sender"] == "bot" and m["text"].startswith("通知送达情况"), timeout=PATIENCE
    )
    return found["text"]  # type: ignore[no-any-return]


async def _delivered(client: EmulatorClient, people: Sequence[dict[str, Any]]) -> dict[int, int]:
    by_chat = (await client.stats())["delivered_by_chat"]
    return {p["id"]: by_chat.get(str(p["id"]), 0) for p in people}


async def test_a_broadcast_reaches_everyone_once_under_flood_limits_and_reports_who_blocked_the_bot(
    database_url: str, engine: AsyncEngine
) -> None:
    blocked_names = ["赵屏蔽", "钱屏蔽", "孙屏蔽", "李屏蔽", "周屏蔽"]
    async with running_sandbox(database_url) as sandbox:
        client = sandbox.client
        office = await _office(sandbox)
        people = await _households(sandbox, 300, blocked=blocked_names)
        await _broadcast_to_households(client, office, 300)
        report = await _report(sandbox, office)

        delivered = await _delivered(client, people)
        blocked, reached = people[:5], people[5:]
        assert all(delivered[p["id"]] == 1 for p in reached)  # everyone else exactly once
        assert all(delivered[p["id"]] == 0 for p in blocked)
        stats = await client.stats()
        assert stats["too_many_requests"] < 30  # paced, not hammering and retrying
        assert "已送达 295 人" in report
        assert "未送达 5 人" in report
        assert "已屏蔽机器人（5 人）" in report
        for name in blocked_names:
            assert mask_name(name) in report
            assert name not in report
        async with sandbox.app.state.sessionmaker() as session:
            inactive = (await session.scalars(select(User.telegram_user_id).where(User.active.is_(False)))).all()
        assert sorted(inactive) == sorted(p["id"] for p in blocked)


async def test_a_restart_in_the_middle_of_a_broadcast_loses_and_duplicates_nothing(
    database_url: str, engine: AsyncEngine
) -> None:
    world = EmulatorState()  # Telegram's side outlives the bot's restart
    async with running_sandbox(database_url, state=world) as first:
        client = first.client
        office = await _office(first)
        people = await _households(first, 120)
        await _broadcast_to_households(client, office, 120)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + PATIENCE
        while sum((await _delivered(client, people)).values()) < 20:
            assert loop.time() < deadline, "the broadcast did not start"
            await asyncio.sleep(0.05)
    # Stopped with most of the broadcast still to send; a new process on the same database.
    midway = sum((await _delivered_in(world, people)).values())
    assert midway < 120
    async with running_sandbox(database_url, state=world) as second:
        report = await _report(second, office)
        delivered = await _delivered(second.client, people)
    assert set(delivered.values()) == {1}
    assert "已送达 120 人" in report
    assert "未送达 0 人" in report


async def _delivered_in(world: EmulatorState, people: Sequence[dict[str, Any]]) -> dict[int, int]:
    return {p["id"]: world.stats.delivered.get(p["id"], 0) for p in people}


async def test_a_restart_in_the_middle_of_broadcast_resumes_at_the_same_step_and_one_township_is_reached(
    database_url: str, engine: AsyncEngine
) -> None:
    world = EmulatorState()
    async with running_sandbox(database_url, state=world) as first:
        client = first.client
        office = await _office(first)
        here = [await client.create_user(name) for name in ("永陵镇小王", "永陵镇小赵")]
        elsewhere = await client.create_user("新宾镇小孙")
        async with session_scope(first.app.state.sessionmaker) as session:
            yongling = await places.find_township(session, name="永陵镇")
            xinbin = await places.find_township(session, name="新宾镇")
            for person, township in [(here[0], yongling), (here[1], yongling), (elsewhere, xinbin)]:
                user = await get_or_create_user(
                    session, telegram_user_id=person["id"], display_name=person["first_name"], actor=audit.CLI_ACTOR
                )
                await grant_role(session, user=user, kind=RoleKind.TOWNSHIP, township=township, actor=audit.CLI_ACTOR)
        await _say(client, office, "/broadcast")
        await _say(client, office, "本周五上午召开永陵镇扶贫工作调度会。")
        assert texts.BROADCAST_ASK_TOWNSHIP in await _say(client, office, texts.AUDIENCE_BUTTONS["township"])
    async with running_sandbox(database_url, state=world) as second:
        client = second.client
        assert texts.BROADCAST_ASK_WHEN in await _say(client, office, "永陵镇")
        assert "发给：永陵镇（目前 2 人）" in await _say(client, office, texts.BUTTON_SEND_NOW)
        assert texts.BROADCAST_QUEUED.format(count=2) in await _say(client, office, texts.BUTTON_CONFIRM_SEND)
        for person in here:
            assert (await client.wait_for_bot_message(person["id"]))["text"] == "本周五上午召开永陵镇扶贫工作调度会。"
        assert "已送达 2 人" in await _report(second, office)
        assert await bot_texts(client, elsewhere["id"]) == []
