"""What the task loop owes people: every notice about an item or a household change, queued with its cause.

Each function here is called inside the transaction of the change it reports and queues its outbox
rows there, so a notice commits with its change or not at all (house style 13, like
`services.broadcasts`): a crash right after the commit loses nothing, since the outbox worker sends
whatever is queued whenever it runs; and a replayed update queues nothing twice, because the change
itself is idempotent (a report or household change is found by its update id, a pressed button
finds the step already taken and is refused) and so never reaches these functions a second time.

Who is told is decided here; what they read is the bot layer's (`NoticeTexts`), which alone knows
the words and the buttons. Item cards are kept current: every card row remembers its item and
which card it is (`Card`), and each change of the item redraws them all — a card not sent yet is
rewritten in place, a card already sent gets an edit (`outbox.enqueue(edit_of=…)`). Only the lead
unit's cards carry buttons.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services import audit, items, outbox
from services.households import movers_of
from services.models import HouseholdChange, Item, ItemKind, OutboxMessage, OutboxStatus, Report, User


class Card(StrEnum):
    """The cards an item is shown in, each redrawn from the item's current state."""

    #: The new item, to the lead unit's staff, with the buttons its state allows.
    LEAD = "lead"
    #: The same for information, to participating units and the township; no buttons.
    COPY = "copy"
    #: The overdue reminder, to the lead unit's staff, with buttons.
    REMIND = "remind"
    #: The overdue notice to the office; no buttons.
    ESCALATE = "escalate"


@dataclass(frozen=True)
class Notice:
    """One message as the bot layer words it: text, and Telegram `reply_markup` as JSON."""

    text: str
    reply_markup: dict[str, Any] | None = None


class NoticeTexts(Protocol):
    """The words of every task-loop notice; supplied by the bot layer (`bot.telegram.notify`)."""

    def card(self, item: Item, card: Card, notes: Sequence[str]) -> Notice:
        """An item card as it reads now; `notes` are the cadre's notes on it."""

    def merged(self, item: Item, report: Report) -> Notice:
        """To the lead unit: `report` joined the open `item`."""

    def photo(self, item: Item, report: Report) -> str:
        """The caption of the report's photo, forwarded to the lead unit."""

    def item_changed(self, transition: items.Transition) -> Notice:
        """To the reporter: what the unit did ("县交通局 已办结", with the reason when returned)."""

    def change_step(self, change: HouseholdChange) -> Notice:
        """To the cadre who filed a household change: it moved on, took effect or was rejected."""

    def change_turn(self, change: HouseholdChange) -> Notice:
        """To the people whose turn the change's stage now is: where it waits."""


# -- queueing -------------------------------------------------------------------------------------


async def _tell(
    session: AsyncSession,
    users: Iterable[User],
    notice: Notice,
    *,
    item: Item | None = None,
    card: Card | None = None,
    photo: str | None = None,
) -> int:
    count = 0
    for user in users:
        await outbox.enqueue(
            session,
            chat_id=user.telegram_user_id,
            user_id=user.id,
            text=notice.text,
            reply_markup=notice.reply_markup,
            item_id=item.id if item is not None else None,
            card=card.value if card is not None else None,
            photo=photo,
        )
        count += 1
    return count


def _others(users: Iterable[User], *excluded: User | None) -> list[User]:
    """`users` without the excluded people (whoever acted hears it in their own reply)."""
    ids = {u.id for u in excluded if u is not None}
    return [u for u in users if u.id not in ids]


async def card_notes(session: AsyncSession, *, item: Item) -> list[str]:
    """The cadres' notes on an item: each report's note, or the household change's, oldest first."""
    if item.kind is ItemKind.HOUSEHOLD_CHANGE:
        query = select(HouseholdChange.note).where(HouseholdChange.item_id == item.id)
    else:
        query = select(Report.note).where(Report.item_id == item.id).order_by(Report.id)
    return [note for note in (await session.scalars(query)).all() if note]


async def _cards(session: AsyncSession, *, item: Item, texts: NoticeTexts, card: Card, users: Sequence[User]) -> int:
    notice = texts.card(item, card, await card_notes(session, item=item))
    return await _tell(session, users, notice, item=item, card=card)


async def redraw_cards(
    session: AsyncSession, *, item: Item, texts: NoticeTexts, shown: tuple[int, int] | None = None
) -> int:
    """Make every card of `item` show its current state; returns how many edits were queued.

    Args:
        shown: (chat id, message id) of the card the change was made on, which the caller rewrites
            itself (its answer to the press); it gets no edit of its own.
    """
    rows = (
        await session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.item_id == item.id, OutboxMessage.card.is_not(None), OutboxMessage.edit_of.is_(None))
            .order_by(OutboxMessage.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).all()
    if not rows:
        return 0
    notes = await card_notes(session, item=item)
    edits = 0
    for row in rows:
        assert row.card is not None  # the query asked for cards only
        notice = texts.card(item, Card(row.card), notes)
        if (notice.text, notice.reply_markup) == (row.text, row.reply_markup):
            continue
        # The row now says what its card shows; one not sent yet goes out like that.
        row.text, row.reply_markup = notice.text, notice.reply_markup
        if row.status is OutboxStatus.PENDING or row.status is OutboxStatus.FAILED:
            continue
        if shown is not None and shown == (row.chat_id, row.telegram_message_id):
            continue
        waiting = await session.scalar(
            select(OutboxMessage)
            .where(OutboxMessage.edit_of == row.id, OutboxMessage.status == OutboxStatus.PENDING)
            .with_for_update()
        )
        if waiting is not None:  # an earlier edit not out yet: it now carries the latest state
            waiting.text, waiting.reply_markup = notice.text, notice.reply_markup
        else:
            await outbox.enqueue(
                session,
                chat_id=row.chat_id,
                user_id=row.user_id,
                text=notice.text,
                reply_markup=notice.reply_markup,
                edit_of=row.id,
            )
        edits += 1
    await session.flush()
    return edits


# -- the task loop --------------------------------------------------------------------------------


async def item_created(session: AsyncSession, *, item: Item, texts: NoticeTexts) -> int:
    """A new item: its card to the lead unit (with buttons) and a copy to participants and the township."""
    who = await items.recipients(session, item=item)
    count = await _cards(session, item=item, texts=texts, card=Card.LEAD, users=who.lead)
    return count + await _cards(session, item=item, texts=texts, card=Card.COPY, users=who.copied)


async def _forward_photo(session: AsyncSession, *, item: Item, report: Report, texts: NoticeTexts) -> int:
    """The report's photo, to the lead unit: they must see what they are asked to accept."""
    if not report.photo_file_id:
        return 0
    lead = await items.lead_users(session, item=item)
    return await _tell(session, lead, Notice(texts.photo(item, report)), photo=report.photo_file_id)


async def report_filed(session: AsyncSession, *, submitted: items.Submitted, texts: NoticeTexts) -> int:
    """A report was stored: its item's cards, or the lead unit told of the merge; the photo to the lead.

    A merged report changes the item's title (the total), so its cards are redrawn. A redelivered
    update (`created` False) queues nothing: its notices went with the first one.
    """
    report = submitted.report
    if not submitted.created or report is None:
        return 0
    item = submitted.item
    if submitted.merged:
        lead = await items.lead_users(session, item=item)
        count = await _tell(session, lead, texts.merged(item, report))
        count += await redraw_cards(session, item=item, texts=texts)
    else:
        count = await item_created(session, item=item, texts=texts)
    return count + await _forward_photo(session, item=item, report=report, texts=texts)


async def item_changed(
    session: AsyncSession, *, transition: items.Transition, texts: NoticeTexts, shown: tuple[int, int] | None = None
) -> int:
    """A unit accepted, closed or returned an item: the reporter is told and every card redrawn."""
    count = await _tell(session, [transition.item.reporter], texts.item_changed(transition))
    return count + await redraw_cards(session, item=transition.item, texts=texts, shown=shown)


async def remind_overdue(session: AsyncSession, *, today: dt.date, texts: NoticeTexts) -> int:
    """Remind each overdue item's lead unit (once a day) and tell the office (once); returns the items.

    The reminder marks and the reminders are one transaction: each reminder goes out once, or
    (the transaction failed) neither is written and the next run tries again.
    """
    overdue = await items.due_for_reminder(session, today=today)
    office = await items.office_staff(session) if overdue else []
    for item in overdue:
        lead = await items.lead_users(session, item=item)
        await _cards(session, item=item, texts=texts, card=Card.REMIND, users=lead)
        await items.mark_reminded(session, item=item, actor=audit.SYSTEM_ACTOR)
        if item.escalated_at is None:
            await _cards(session, item=item, texts=texts, card=Card.ESCALATE, users=_others(office, *lead))
            await items.mark_escalated(session, item=item, actor=audit.SYSTEM_ACTOR)
    return len(overdue)


# -- household changes ----------------------------------------------------------------------------


async def change_filed(session: AsyncSession, *, submitted: items.Submitted, texts: NoticeTexts) -> int:
    """A household change was filed: its item's cards, and whoever must act first (not the filer).

    A redelivered update (`created` False) queues nothing: its notices went with the first one.
    """
    change = submitted.change
    if not submitted.created or change is None:
        return 0
    count = await item_created(session, item=submitted.item, texts=texts)
    movers = _others(await movers_of(session, change=change), submitted.item.reporter)
    return count + await _tell(session, movers, texts.change_turn(change))


async def change_moved(session: AsyncSession, *, change: HouseholdChange, by: User, texts: NoticeTexts) -> int:
    """A household change moved on or was rejected: tell the reporter, the next stage, redraw the cards.

    The reporter is not told of a step they took themselves, nor is whoever moved it told it is
    their turn: their own reply says so.
    """
    reporter = await session.get(User, change.reporter_id)
    count = 0
    if reporter is not None and reporter.id != by.id:
        count += await _tell(session, [reporter], texts.change_step(change))
    movers = _others(await movers_of(session, change=change), by, reporter)
    count += await _tell(session, movers, texts.change_turn(change))
    item = await items.get_item(session, item_id=change.item_id)
    return count + await redraw_cards(session, item=item, texts=texts)
