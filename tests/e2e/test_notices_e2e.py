"""Notices about items end to end: they commit with their cause, across a crash and a restart of the served app.

A crash is played by stopping the process right after the transaction that files a report
commits (an `after_commit` hook on the database session raises), with the outbox worker not
running; the next start must deliver the lead unit's card exactly once, and a replay of the same
update must add none.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from bot import texts
from bot.ratelimit import RateLimiter
from emulator import EmulatorClient, EmulatorState, running_emulator
from services.db import session_scope
from services.models import Item, Report, TelegramUpdate
from tests.bot_support import WEBHOOK_HEADERS, Sandbox, outbox_drained, running_sandbox, text_update, webhook_bot
from tests.staff_support import (
    add_villages,
    invite_code,
    register,
    reply,
    say,
    start_road_report,
)

#: A cadre answers many steps in a minute; the households' flood limit is not what is tested here.
ROOMY = {"limit": 1000, "window": 60}
#: How the lead unit's card opens.
LEAD_CARD = "有新的事项分派给县交通局"


class ProcessStopped(RuntimeError):
    """Stands for the process dying: raised right after the transaction filing a report commits."""


@contextmanager
def stop_after_filing_commits() -> Iterator[None]:
    """While active, the first commit of a transaction that stored a report raises `ProcessStopped`."""
    fired: list[bool] = []

    def note_report(session: Session, flush_context: object, instances: object) -> None:
        if not fired and any(isinstance(o, Report) for o in session.new):
            session.info["files_report"] = True

    def stop(session: Session) -> None:
        if session.info.pop("files_report", False):
            fired.append(True)
            raise ProcessStopped("the process stops right after the report was committed")

    event.listen(Session, "before_flush", note_report)
    event.listen(Session, "after_commit", stop)
    try:
        yield
    finally:
        event.remove(Session, "after_commit", stop)
        event.remove(Session, "before_flush", note_report)
    assert fired, "the report was never committed"


async def cards(client: EmulatorClient, chat_id: int) -> list[dict[str, Any]]:
    """The lead unit's cards in a chat."""
    return [m for m in await client.messages(chat_id) if LEAD_CARD in (m["text"] or "")]


async def stop_delivery(sandbox: Sandbox) -> None:
    """The outbox worker stops (as if the process had died before it sent anything)."""
    await sandbox.app.state.bot_runner.application.bot_data["services"].delivery.stop()


async def test_a_crash_right_after_the_report_commits_still_delivers_the_card_once_after_restart(
    database_url: str, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await add_villages(sessionmaker)
    world = EmulatorState()  # Telegram's side outlives the bot
    async with running_sandbox(
        database_url, state=world, rate_limiter=RateLimiter(**ROOMY), expect_errors=True
    ) as first:
        client = first.client
        cadre = await register(client, sessionmaker, "刘书记", "cadre", villages=["腰站村"])
        transport = await register(client, sessionmaker, "交通局小王", "unit", unit="县交通局")
        await stop_delivery(first)
        await start_road_report(client, cadre)
        assert await say(client, cadre, "2") == texts.REPORT_PHOTO
        assert await say(client, cadre, texts.BUTTON_SKIP) == texts.REPORT_NOTE
        assert "请核对上报内容" in await say(client, cadre, texts.BUTTON_SKIP)
        with stop_after_filing_commits():
            await client.send_text(cadre, texts.BUTTON_CONFIRM)
            await reply(client, cadre)  # whatever the dying handler managed to say
        assert await cards(client, transport["id"]) == []
    async with running_sandbox(database_url, state=world, rate_limiter=RateLimiter(**ROOMY)) as second:
        await second.client.wait_for(transport["id"], lambda m: LEAD_CARD in (m["text"] or ""))
        await outbox_drained(sessionmaker)
        assert len(await cards(second.client, transport["id"])) == 1


async def test_an_update_replayed_after_the_crash_adds_no_second_notice(
    database_url: str, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await add_villages(sessionmaker)
    confirm: dict[str, Any] = {}
    async with running_emulator() as emu, emu.client() as client:
        async with webhook_bot(database_url, emu, rate_limiter=RateLimiter(**ROOMY)) as (_, http):
            cadre = await client.create_user("刘书记")
            await client.send_text(cadre, f"/start {await invite_code(sessionmaker, 'cadre', villages=['腰站村'])}")
            await reply(client, cadre)
            transport = await client.create_user("交通局小王")
            await client.send_text(transport, f"/start {await invite_code(sessionmaker, 'unit', unit='县交通局')}")
            await reply(client, transport)
            await start_road_report(client, cadre)
            assert await say(client, cadre, "2") == texts.REPORT_PHOTO
            assert await say(client, cadre, texts.BUTTON_SKIP) == texts.REPORT_NOTE
            assert "请核对上报内容" in await say(client, cadre, texts.BUTTON_SKIP)
            confirm = text_update(990_001, cadre, texts.BUTTON_CONFIRM)
            with stop_after_filing_commits():
                assert (await http.post("/hook/telegram", json=confirm, headers=WEBHOOK_HEADERS)).status_code == 200
                last = await reply(client, cadre)
            await outbox_drained(sessionmaker)
        async with session_scope(sessionmaker) as session:
            item_id = await session.scalar(select(Item.id))
        # The process died before it noted the update handled: the next start replays it.
        async with session_scope(sessionmaker) as session:
            await session.execute(
                update(TelegramUpdate)
                .where(TelegramUpdate.update_id == confirm["update_id"])
                .values(handled_at=None, payload=confirm)
            )
        async with webhook_bot(database_url, emu, rate_limiter=RateLimiter(**ROOMY)):
            # The replayed 确认 finds its report filed (no offer to merge it into itself).
            answer = await client.wait_for(cadre["id"], lambda m: m["message_id"] > last["message_id"])
            assert answer["text"] == texts.REPORT_ALREADY.format(number=item_id)
            await outbox_drained(sessionmaker)
            assert len(await cards(client, transport["id"])) == 1
    async with session_scope(sessionmaker) as session:
        assert await session.scalar(select(func.count()).select_from(Item)) == 1
