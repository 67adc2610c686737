"""One-off notifications to registered people: routed items, their changes of state, overdue reminders.

Sending to someone is best effort and never breaks the handler that triggered it: a person who
blocked the bot (403) is marked inactive through `services.users.mark_inactive`, so broadcasts
and routing skip them until their next /start; a 429 is waited out once (`retry_after`, within
`MAX_RETRY_WAIT`); any other Telegram error is logged and the next person is tried.

Messages are built here from `bot.texts`; who receives what is decided by `services.items`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import Forbidden, RetryAfter, TelegramError

from bot import texts
from bot.context import CustomContext
from services import audit, items
from services.db import session_scope
from services.masking import mask_name
from services.models import Item, ItemState, User
from services.users import find_user, mark_inactive

log = logging.getLogger("fupin.bot")

#: Longest `retry_after` worth waiting inside a handler; beyond it the message is skipped (logged).
MAX_RETRY_WAIT = 30.0
#: Callback data of the task buttons: `item:<action>:<id>`.
ITEM_PREFIX = "item:"
ACCEPT, CLOSE, RETURN = "accept", "close", "return"
#: Reason recorded in the audit log when a 403 marks someone inactive.
BLOCKED_REASON = "blocked the bot"


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
    """The actions the item's state still allows: 接收 (only when new), 办结, 退回; None once closed."""
    row = []
    if item.state is ItemState.NEW:
        row.append(InlineKeyboardButton(texts.BUTTON_ACCEPT, callback_data=item_data(ACCEPT, item.id)))
    if item.state in items.OPEN_STATES:
        row.append(InlineKeyboardButton(texts.BUTTON_CLOSE, callback_data=item_data(CLOSE, item.id)))
        row.append(InlineKeyboardButton(texts.BUTTON_RETURN, callback_data=item_data(RETURN, item.id)))
    return InlineKeyboardMarkup([row]) if row else None


def item_card(item: Item) -> str:
    """The item as units see it: number, kind, title, village, reporter (masked), parties, due date, state."""
    others = [p.unit or (p.township.name if p.township else "") for p in item.parties if p.unit != item.owner_unit]
    return texts.ITEM_CARD.format(
        number=item.id,
        kind=items.KIND_LABELS[item.kind],
        title=item.title,
        village=item.village.full_name,
        reporter=mask_name(item.reporter.display_name),
        owner=item.owner_unit,
        others=texts.ITEM_OTHERS.format(names="、".join(o for o in others if o)) if others else "",
        due=item.due_date.isoformat(),
        state=items.STATE_LABELS[item.state],
    )


def _seconds(retry_after: int | float | dt.timedelta) -> float:
    return retry_after.total_seconds() if isinstance(retry_after, dt.timedelta) else float(retry_after)


async def _blocked(context: CustomContext, telegram_user_id: int) -> None:
    async with session_scope(context.sessionmaker) as session:
        user = await find_user(session, telegram_user_id=telegram_user_id)
        if user is not None:
            await mark_inactive(session, user=user, actor=audit.SYSTEM_ACTOR, reason=BLOCKED_REASON)


async def send(
    context: CustomContext, telegram_user_id: int, text: str, *, reply_markup: InlineKeyboardMarkup | None = None
) -> bool:
    """Send one message; returns whether Telegram accepted it. Never raises for Telegram's answers."""
    for attempt in range(2):
        try:
            await context.bot.send_message(telegram_user_id, text, reply_markup=reply_markup)
            return True
        except RetryAfter as error:
            wait = _seconds(error.retry_after)
            if attempt or wait > MAX_RETRY_WAIT:
                log.warning("notification to user %s skipped: flood limit, retry after %ss", telegram_user_id, wait)
                return False
            await asyncio.sleep(wait)
        except Forbidden:
            log.info("user %s blocked the bot; marked inactive", telegram_user_id)
            await _blocked(context, telegram_user_id)
            return False
        except TelegramError as error:
            log.warning("notification to user %s failed: %s", telegram_user_id, error)
            return False
    return False


async def send_to(
    context: CustomContext, users: Sequence[User], text: str, *, reply_markup: InlineKeyboardMarkup | None = None
) -> int:
    """Send the same message to each user in turn; returns how many received it."""
    delivered = 0
    for user in users:
        delivered += await send(context, user.telegram_user_id, text, reply_markup=reply_markup)
    return delivered


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


async def item_changed(context: CustomContext, transition: items.Transition) -> None:
    """Tell the reporter what the unit did: "县交通局 已办结" (with the reason when returned)."""
    item = transition.item
    line = texts.ITEM_REPORTER.format(
        number=item.id, title=item.title, unit=transition.actor_unit, state=items.STATE_LABELS[transition.after]
    )
    if transition.after is ItemState.RETURNED and item.return_reason:
        line = texts.ITEM_REPORTER_REASON.format(line=line, reason=item.return_reason)
    await send(context, item.reporter.telegram_user_id, line)
