"""Task-loop notices on a real database: queued in the change's transaction, every card kept current, and a
database outage while the outbox records its sends sends nobody anything twice."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services import audit, items, notices, outbox
from services.db import session_scope
from services.models import (
    HouseholdChange,
    Item,
    ItemKind,
    OutboxMessage,
    OutboxStatus,
    PartyRole,
    Report,
    RoleKind,
    User,
)
from services.notices import Card, Notice
from services.routing import PartySpec
from services.workdays import china_today
from tests.people_support import person, village

ACTOR = audit.SYSTEM_ACTOR


class Words:
    """`NoticeTexts` in plain words that show what was drawn: the card, the item's state and the buttons."""

    def card(self, item: Item, card: Card, notes: Sequence[str]) -> Notice:
        buttons = card in (Card.LEAD, Card.REMIND) and item.state in items.OPEN_STATES
        markup = {"inline_keyboard": [[{"text": "办结", "callback_data": f"item:close:{item.id}"}]]}
        text = f"{card.value} #{item.id} {items.STATE_LABELS[item.state]} {' '.join(notes)}".strip()
        return Notice(text, markup if buttons else None)

    def merged(self, item: Item, report: Report) -> Notice:
        return Notice(f"merged into #{item.id}")

    def photo(self, item: Item, report: Report) -> str:
        return f"photo of #{item.id}"

    def item_changed(self, transition: items.Transition) -> Notice:
        return Notice(f"#{transition.item.id} {items.STATE_LABELS[transition.after]}")

    def change_step(self, change: HouseholdChange) -> Notice:
        return Notice(f"step {change.stage.value}")

    def change_turn(self, change: HouseholdChange) -> Notice:
        return Notice(f"turn {change.stage.value}")


WORDS = Words()


@dataclass
class Units:
    cadre: User
    transport: User
    colleague: User
    finance: User


@pytest.fixture
async def units(sessionmaker: async_sessionmaker[AsyncSession]) -> Units:
    async with session_scope(sessionmaker) as session:
        here = await village(session, "新宾镇", "腰站村")
        return Units(
            cadre=await person(session, 1, RoleKind.CADRE, villages=[here]),
            transport=await person(session, 2, RoleKind.UNIT, unit="县交通局"),
            colleague=await person(session, 3, RoleKind.UNIT, unit="县交通局"),
            finance=await person(session, 4, RoleKind.UNIT, unit="县财政局"),
        )


async def new_item(session: AsyncSession, units: Units) -> Item:
    """A road item led by 县交通局 with 县财政局 taking part, its cards queued with it."""
    here = await village(session, "新宾镇", "腰站村")
    reporter = await session.get(User, units.cadre.id)
    assert reporter is not None
    item = await items.create_item(
        session,
        kind=ItemKind.REPORT,
        measure_id="mc0623e77",
        title="村组道路硬化 3.5 公里",
        topic="硬化村组道路",
        village=here,
        reporter=reporter,
        parties=[PartySpec(PartyRole.LEAD, unit="县交通局"), PartySpec(PartyRole.PARTICIPANT, unit="县财政局")],
        actor=ACTOR,
    )
    await notices.item_created(session, item=item, texts=WORDS)
    return item


async def rows(sessionmaker: async_sessionmaker[AsyncSession]) -> list[OutboxMessage]:
    async with session_scope(sessionmaker) as session:
        return list((await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all())


async def send(sessionmaker: async_sessionmaker[AsyncSession], chat_id: int, result: outbox.SendResult) -> None:
    """Claim what is due and record `result` for the message into `chat_id` (the others go back)."""
    async with session_scope(sessionmaker) as session:
        claimed = await outbox.claim(session, worker="w", limit=100)
        for message in claimed:
            if message.chat_id == chat_id:
                await outbox.record_result(
                    session, message_id=message.id, worker="w", result=result, policy=outbox.RetryPolicy()
                )
        await outbox.release(session, ids=[m.id for m in claimed if m.chat_id != chat_id], worker="w")


async def item_with_a_sent_lead_card(sessionmaker: async_sessionmaker[AsyncSession], units: Units) -> Item:
    """A new item whose lead card to 小王 (chat 2) went out as message 77; the other cards still wait."""
    async with session_scope(sessionmaker) as session:
        item = await new_item(session, units)
    await send(sessionmaker, 2, outbox.Sent(message_id=77))
    return item


async def transport_changes(
    sessionmaker: async_sessionmaker[AsyncSession],
    units: Units,
    item: Item,
    change: Callable[..., Awaitable[items.Transition]] = items.accept_item,
    *,
    shown: tuple[int, int] | None = None,
) -> None:
    """小王 of 县交通局 changes the item (接收 unless told otherwise) and its notices are queued with it."""
    async with session_scope(sessionmaker) as session:
        user = await session.get(User, units.transport.id)
        assert user is not None
        transition = await change(session, item_id=item.id, user=user, actor=ACTOR)
        await notices.item_changed(session, transition=transition, texts=WORDS, shown=shown)


async def test_notices_are_queued_in_the_changes_transaction_and_rolled_back_with_it(
    sessionmaker: async_sessionmaker[AsyncSession], units: Units
) -> None:
    with pytest.raises(RuntimeError):
        async with session_scope(sessionmaker) as session:
            await new_item(session, units)
            raise RuntimeError("the change fails after its notices were queued")
    assert await rows(sessionmaker) == []
    async with session_scope(sessionmaker) as session:
        await new_item(session, units)
    queued = await rows(sessionmaker)
    assert sorted((r.chat_id, r.card) for r in queued) == [(2, "lead"), (3, "lead"), (4, "copy")]


async def test_a_change_redraws_every_card_sent_cards_by_an_edit_unsent_ones_in_place(
    sessionmaker: async_sessionmaker[AsyncSession], units: Units
) -> None:
    item = await item_with_a_sent_lead_card(sessionmaker, units)
    await transport_changes(sessionmaker, units, item)
    after = await rows(sessionmaker)
    [edit] = [r for r in after if r.edit_of is not None]
    assert (edit.chat_id, edit.text) == (2, f"lead #{item.id} 已接收")
    # 小张's and 财政局's cards had not gone out yet: they go out as the item now is, with no edit.
    assert {r.chat_id: r.text for r in after if r.card and r.status is OutboxStatus.PENDING} == {
        3: f"lead #{item.id} 已接收",
        4: f"copy #{item.id} 已接收",
    }
    assert [r.text for r in after if r.chat_id == 1] == [f"#{item.id} 已接收"]


async def test_a_second_change_before_the_edit_went_out_rewrites_that_edit(
    sessionmaker: async_sessionmaker[AsyncSession], units: Units
) -> None:
    item = await item_with_a_sent_lead_card(sessionmaker, units)
    for change in (items.accept_item, items.close_item):
        await transport_changes(sessionmaker, units, item, change)
    [edit] = [r for r in await rows(sessionmaker) if r.edit_of is not None]
    assert (edit.text, edit.reply_markup) == (f"lead #{item.id} 已办结", None)


async def test_the_card_pressed_is_left_to_the_handler(
    sessionmaker: async_sessionmaker[AsyncSession], units: Units
) -> None:
    item = await item_with_a_sent_lead_card(sessionmaker, units)
    await transport_changes(sessionmaker, units, item, shown=(2, 77))
    assert [r for r in await rows(sessionmaker) if r.edit_of is not None] == []


async def test_an_edit_waits_for_its_message_and_fails_with_it(
    sessionmaker: async_sessionmaker[AsyncSession], units: Units
) -> None:
    async with session_scope(sessionmaker) as session:
        first = await outbox.enqueue(session, chat_id=2, text="卡片")
        await outbox.enqueue(session, chat_id=2, text="卡片（已接收）", edit_of=first.id)
        second = await outbox.enqueue(session, chat_id=3, text="卡片")
        await outbox.enqueue(session, chat_id=3, text="卡片（已接收）", edit_of=second.id)
    async with session_scope(sessionmaker) as session:
        claimed = await outbox.claim(session, worker="w", limit=100)
        assert [m.id for m in claimed] == [first.id, second.id]
        results = [outbox.Sent(message_id=41), outbox.Rejected("chat not found")]
        for message, result in zip(claimed, results, strict=True):
            await outbox.record_result(
                session, message_id=message.id, worker="w", result=result, policy=outbox.RetryPolicy()
            )
    async with session_scope(sessionmaker) as session:
        [edit] = await outbox.claim(session, worker="w", limit=100)
    assert (edit.chat_id, edit.edit_message_id, edit.text) == (2, 41, "卡片（已接收）")
    statuses = {r.chat_id: r.status for r in await rows(sessionmaker) if r.edit_of is not None}
    assert statuses[3] is OutboxStatus.FAILED


async def test_overdue_reminders_are_queued_once_with_their_marks(
    sessionmaker: async_sessionmaker[AsyncSession], units: Units
) -> None:
    async with session_scope(sessionmaker) as session:
        item = await new_item(session, units)
        item.due_date = china_today() - dt.timedelta(days=7)
        await person(session, 5, RoleKind.OFFICE)
    for _ in range(2):  # the job runs again the same day
        async with session_scope(sessionmaker) as session:
            await notices.remind_overdue(session, today=china_today(), texts=WORDS)
    reminders = Counter((r.chat_id, r.card) for r in await rows(sessionmaker) if r.card in ("remind", "escalate"))
    assert reminders == Counter({(2, "remind"): 1, (3, "remind"): 1, (5, "escalate"): 1})


# -- a database outage mid-delivery --------------------------------------------------------------


class Outage:
    """A session factory that fails while the database is "down"."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker
        self.down = False

    def __call__(self, **kw: Any) -> AsyncSession:
        if self.down:
            raise ConnectionRefusedError("the database is away")
        return self._sessionmaker(**kw)


async def test_a_database_outage_while_sends_are_recorded_sends_nobody_twice(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with session_scope(sessionmaker) as session:
        await outbox.enqueue_many(session, [outbox.NewMessage(chat_id=c, text="通知") for c in range(1, 41)])
    database = Outage(sessionmaker)
    loop = asyncio.get_running_loop()
    calls: Counter[int] = Counter()

    async def telegram(message: outbox.Outgoing) -> outbox.SendResult:
        calls[message.chat_id] += 1
        if calls.total() == 5:  # the database goes away for a second while messages are on the wire
            database.down = True
            loop.call_later(1.0, setattr, database, "down", False)
        await asyncio.sleep(0.01)
        return outbox.Sent(message_id=calls.total())

    # A short lease: on the old worker, rows whose outcome was lost were taken back and sent again.
    options = outbox.WorkerOptions(poll_interval=0.01, lease=dt.timedelta(milliseconds=200))
    worker = outbox.OutboxWorker(
        database,  # type: ignore[arg-type]
        telegram,
        pacer=outbox.Pacer(per_second=100, chat_interval=0.0),
        options=options,
    )
    task = asyncio.create_task(worker.run())
    try:
        deadline = loop.time() + 30
        while True:
            async with session_scope(sessionmaker) as session:
                sent = await session.scalar(
                    select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == OutboxStatus.SENT)
                )
            if sent == 40:
                break
            assert loop.time() < deadline, f"only {sent} of 40 recorded sent"
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)  # time for a wrongly recovered row to go out again
    finally:
        await worker.stop()
        await task
    assert calls == Counter({c: 1 for c in range(1, 41)})
