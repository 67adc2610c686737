"""The task loop on Telegram: 接收 / 办结 buttons, `/tasks`, the cadre's `/myreports`, overdue reminders.

Who may act is decided by `services.items` (Forbidden for another unit or a household, Conflict
for a button pressed twice); this module only maps those answers to a message (the press itself
is answered before, by `bot.telegram.presses`). 退回 needs a reason and lives in
`bot.conversations.item_return`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import InlineKeyboardMarkup, Update

from bot import texts
from bot.context import CustomContext
from bot.telegram import notify, roles
from bot.telegram.presses import tell_presser
from bot.telegram.render import capped_lines, excerpt
from bot.telegram.sending import MAX_TEXT
from services import audit, items, notices
from services.db import session_scope
from services.errors import Conflict, Forbidden, NotFound
from services.models import Item, RoleKind, User
from services.workdays import china_today

log = logging.getLogger("fupin.bot")

#: Most items `/tasks` lists, one message each; the rest are counted.
MAX_LISTED = 10
#: Roles that have a task list.
TASK_ROLES = (RoleKind.UNIT, RoleKind.TOWNSHIP, RoleKind.OFFICE)
#: Name of the repeating overdue job in PTB's JobQueue.
OVERDUE_JOB = "overdue-items"


async def button(update: Update, context: CustomContext) -> None:
    """接收 or 办结 pressed on an item card: move the item on, update the card, tell the reporter."""
    query = update.callback_query
    parsed = notify.parse_item_data(query.data or "") if query else None
    if query is None or parsed is None or update.effective_user is None:
        return
    action, item_id = parsed
    change = items.accept_item if action == notify.ACCEPT else items.close_item
    try:
        async with session_scope(context.sessionmaker) as session:
            user = await roles.acting_user(session, update)
            transition = await change(
                session, item_id=item_id, user=user, actor=audit.telegram_actor(update.effective_user.id)
            )
            await notices.item_changed(
                session, transition=transition, texts=notify.NoticeTexts(context.kb), shown=pressed_card(update)
            )
            notes = await notices.card_notes(session, item=transition.item)
    except Forbidden as error:
        await refuse(update, context, error)
        return
    except Conflict:
        await tell_presser(update, context, texts.ITEM_DONE_ALREADY.format(number=item_id))
        return
    except NotFound:
        await tell_presser(update, context, texts.ITEM_GONE)
        return
    context.delivery.wake()
    await show_acted(update, transition, who=user, notes=notes)


def pressed_card(update: Update) -> tuple[int, int] | None:
    """(chat id, message id) of the card a button was pressed on: `show_acted` rewrites it."""
    message = update.effective_message
    return (message.chat_id, message.message_id) if message is not None else None


async def refuse(update: Update, context: CustomContext, error: Forbidden) -> None:
    """A press by someone who may not act on the item: the reason, and what they may do instead."""
    user = await roles.current_user(update, context)
    text = texts.ITEM_REFUSED.format(reason=error.message, can_do=roles.can_do(user))
    await tell_presser(update, context, text, reply_markup=roles.menu_for(user))


async def show_acted(update: Update, transition: items.Transition, *, who: User, notes: Sequence[str]) -> None:
    """Rewrite the pressed card: the item as it now is, who acted, and only the buttons still allowed."""
    message = update.effective_message
    if message is None or not message.text:
        return
    acted = texts.ITEM_ACTED.format(who=who.display_name, state=items.STATE_LABELS[transition.after])
    text = notify.redrawn(message.text, transition.item, notes) + acted
    try:
        await message.edit_text(text, reply_markup=notify.item_buttons(transition.item))
    except Exception:  # the card may be too old to edit; the state change itself is done
        log.warning("could not update the card of item %s", transition.item.id, exc_info=True)


def _card_markup(user: User, item: Item) -> InlineKeyboardMarkup | None:
    return notify.item_buttons(item) if items.acts_for(user, item.owner_unit) else None


@roles.requires(*TASK_ROLES, what=texts.BUTTON_TASKS)
async def list_tasks(update: Update, context: CustomContext) -> None:
    """`/tasks` / 待办任务: the user's open items, soonest due first, each with its buttons."""
    chat = update.effective_chat
    if chat is None:
        return
    user = await roles.current_user(update, context)
    async with session_scope(context.sessionmaker) as session:
        open_items = await items.open_items_for(session, user=user) if user else []
        shown = [(item, await notices.card_notes(session, item=item)) for item in open_items[:MAX_LISTED]]
    if user is None or not open_items:
        await context.bot.send_message(chat.id, texts.TASKS_NONE, reply_markup=roles.menu_for(user))
        return
    await context.bot.send_message(chat.id, texts.TASKS_HEADER.format(count=len(open_items)))
    today = china_today()
    for item, notes in shown:
        card = notify.item_card(item, notes)
        if item.due_date < today:
            card = texts.TASKS_OVERDUE + "\n" + card
        await context.bot.send_message(chat.id, card, reply_markup=_card_markup(user, item))
    if len(open_items) > MAX_LISTED:
        await context.bot.send_message(chat.id, texts.TASKS_MORE.format(count=len(open_items) - MAX_LISTED))


@roles.requires(RoleKind.CADRE, what=texts.BUTTON_MY_REPORTS)
async def my_reports(update: Update, context: CustomContext) -> None:
    """`/myreports` / 我的上报: the cadre's latest items and where each stands."""
    chat = update.effective_chat
    if chat is None:
        return
    user = await roles.current_user(update, context)
    async with session_scope(context.sessionmaker) as session:
        filed = await items.reported_by(session, user=user) if user else []
    if not filed:
        await context.bot.send_message(chat.id, texts.MY_REPORTS_NONE, reply_markup=roles.menu_for(user))
        return
    lines = [
        texts.MY_REPORTS_LINE.format(
            number=item.id,
            title=item.title,
            village=item.village.full_name,
            unit=item.owner_unit,
            state=items.STATE_LABELS[item.state],
            reason=texts.MY_REPORTS_REASON.format(reason=excerpt(item.return_reason, texts.MY_REPORTS_REASON_SHOWN))
            if item.return_reason
            else "",
        )
        for item in filed
    ]
    room = MAX_TEXT - len(texts.MY_REPORTS_HEADER) - 1
    text = "\n".join([texts.MY_REPORTS_HEADER, *capped_lines(lines, limit=room, more=texts.MY_REPORTS_MORE)])
    await context.bot.send_message(chat.id, text, reply_markup=roles.menu_for(user))


async def remind_overdue(context: CustomContext) -> None:
    """The repeating job: remind each overdue item's unit (once a day) and tell the office (once)."""
    async with session_scope(context.sessionmaker) as session:
        reminded = await notices.remind_overdue(session, today=china_today(), texts=notify.NoticeTexts(context.kb))
    if reminded:
        context.delivery.wake()
        log.info("reminded %s overdue item(s)", reminded)
