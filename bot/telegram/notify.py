"""One-off notifications to registered people: routed items, their changes of state, overdue reminders.

Every message goes through the outbox (`services.outbox`), paced with broadcasts under Telegram's
limits: a 429 is waited out, network errors are retried, and a person who blocked the bot (403)
is marked inactive, so broadcasts and routing skip them until their next /start. Queueing is a
short transaction of its own, after the caller's change has been committed.

Messages are built here from `bot.texts`; who receives what is decided by `services.items`.
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import texts
from bot.context import CustomContext
from services import items, outbox
from services.db import session_scope
from services.masking import mask_name
from services.models import Item, ItemKind, ItemState, User
from services.users import find_user

#: Callback data of the task buttons: `item:<action>:<id>`.
ITEM_PREFIX = "item:"
ACCEPT, CLOSE, RETURN = "accept", "close", "return"


def item_data(action: str, item_id: int) -> str:
    """Callback data of an item button."""
    return f"{ITEM_PREFIX}{action}:{item_id}"


def parse_item_data(data: str) -> tuple[str, int] | None:
    """(action, item id) from a button's callback data, or None if it is not an item button."""
    parts = data.split(":")
    if len(parts) != 3 or f"{parts[0]}:" != ITEM_PREFIX or not parts[2].isdigit():
        return None
    return parts[1], int(parts[2])


def item_buttons(item: Item) -> InlineKeyboardMarkup | None:
    """The actions the item's state still allows: 接收 (only when new), 办结, 退回; None once closed.

    A household change has none: it moves through 两公示一公告 in /pending, and its item follows.
    """
    if item.kind is ItemKind.HOUSEHOLD_CHANGE:
        return None
    row = []
    if item.state is ItemState.NEW:
        row.append(InlineKeyboardButton(texts.BUTTON_ACCEPT, callback_data=item_data(ACCEPT, item.id)))
    if item.state in items.OPEN_STATES:
        row.append(InlineKeyboardButton(texts.BUTTON_CLOSE, callback_data=item_data(CLOSE, item.id)))
        row.append(InlineKeyboardButton(texts.BUTTON_RETURN, callback_data=item_data(RETURN, item.id)))
    return InlineKeyboardMarkup([row]) if row else None


def item_card(item: Item) -> str:
    """The item as units see it: number, kind, title, village, reporter (masked), parties, due date, state."""
    return texts.ITEM_CARD.format(
        number=item.id,
        kind=items.KIND_LABELS[item.kind],
        title=item.title,
        village=item.village.full_name,
        reporter=mask_name(item.reporter.display_name),
        owner=item.owner_unit,
        others=texts.ITEM_OTHERS.format(names="、".join(item.participants)) if item.participants else "",
        due=item.due_date.isoformat(),
        state=items.STATE_LABELS[item.state],
    )


async def send(
    context: CustomContext, telegram_user_id: int, text: str, *, reply_markup: InlineKeyboardMarkup | None = None
) -> bool:
    """Queue one message for the outbox worker; returns True once it is queued."""
    return bool(await _queue(context, [telegram_user_id], text, reply_markup))


async def send_to(
    context: CustomContext, users: Sequence[User], text: str, *, reply_markup: InlineKeyboardMarkup | None = None
) -> int:
    """Queue the same message to each user; returns how many were queued."""
    return await _queue(context, [u.telegram_user_id for u in users], text, reply_markup)


async def _queue(
    context: CustomContext, telegram_user_ids: Sequence[int], text: str, reply_markup: InlineKeyboardMarkup | None
) -> int:
    markup = reply_markup.to_dict() if reply_markup is not None else None
    async with session_scope(context.sessionmaker) as session:
        for telegram_user_id in telegram_user_ids:
            user = await find_user(session, telegram_user_id=telegram_user_id)
            await outbox.enqueue(
                session,
                chat_id=telegram_user_id,
                user_id=user.id if user is not None else None,
                text=text,
                reply_markup=markup,
            )
    context.delivery.wake()
    return len(telegram_user_ids)


async def item_created(context: CustomContext, *, item_id: int) -> None:
    """Tell a new item's lead unit (with 接收 / 办结 / 退回) and copy the participants and township."""
    async with session_scope(context.sessionmaker) as session:
        item = await items.get_item(session, item_id=item_id)
        who = await items.recipients(session, item=item)
    card = item_card(item)
    await send_to(
        context, who.lead, texts.ITEM_NEW_LEAD.format(unit=item.owner_unit, card=card), reply_markup=item_buttons(item)
    )
    await send_to(context, who.copied, texts.ITEM_NEW_COPY.format(unit=item.owner_unit, card=card))


async def report_merged(context: CustomContext, *, item_id: int, added: str) -> None:
    """Tell the lead unit that another report joined an open item, and what it added."""
    async with session_scope(context.sessionmaker) as session:
        item = await items.get_item(session, item_id=item_id)
        lead = await items.lead_users(session, item=item)
    text = texts.ITEM_MERGED_LEAD.format(number=item.id, title=item.title, village=item.village.full_name, added=added)
    await send_to(context, lead, text, reply_markup=item_buttons(item))


async def item_changed(context: CustomContext, transition: items.Transition) -> None:
    """Tell the reporter what the unit did: "县交通局 已办结" (with the reason when returned)."""
    item = transition.item
    line = texts.ITEM_REPORTER.format(
        number=item.id, title=item.title, unit=transition.actor_unit, state=items.STATE_LABELS[transition.after]
    )
    if transition.after is ItemState.RETURNED and item.return_reason:
        line = texts.ITEM_REPORTER_REASON.format(line=line, reason=item.return_reason)
    await send(context, item.reporter.telegram_user_id, line)
