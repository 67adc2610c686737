"""`/deadline` (登记截止事项), office only: title → date → audience (→ township) → registered.

Reminders then go out at the configured offsets (`FUPIN_REMINDER_OFFSETS`, 7/1/0 days) through
the outbox, like any notice. Draft and state are persisted like `/broadcast`'s; every step offers
上一步 and 取消. The diagram is `deadline.mmd`.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, ConversationHandler, MessageHandler, TypeHandler, filters

from bot import texts
from bot.context import CustomContext
from bot.conversations.broadcast import audience_keyboard, draft_of, read_audience, reply, text_of, township_keyboard
from bot.telegram import keyboards, roles
from services import audit, deadlines, places
from services.db import session_scope
from services.errors import FupinError, InvalidInput
from services.models import AudienceKind, RoleKind
from services.when import parse_date
from services.workdays import china_today

#: Conversation name in persistence; changing it forgets every conversation in progress.
NAME = "deadline"
#: Key of the draft in user_data.
DRAFT = "deadline"
#: Seconds of silence after which the conversation ends by itself.
TIMEOUT_SECONDS = 30 * 60


class DeadlineState(StrEnum):
    """The steps, in the order they are asked."""

    TITLE = "title"
    DATE = "date"
    AUDIENCE = "audience"
    TOWNSHIP = "township"


async def _ask(update: Update, context: CustomContext, state: DeadlineState, *, prefix: str = "") -> DeadlineState:
    """Show the step's question with its buttons."""
    back = bool(draft_of(context, DRAFT)["trail"])
    if state is DeadlineState.TITLE:
        await reply(update, prefix + texts.DEADLINE_ASK_TITLE, keyboards.choices([], back=back))
    elif state is DeadlineState.DATE:
        await reply(update, prefix + texts.DEADLINE_ASK_DATE, keyboards.choices([]))
    elif state is DeadlineState.AUDIENCE:
        await reply(update, prefix + texts.DEADLINE_ASK_AUDIENCE, audience_keyboard())
    else:
        await reply(update, prefix + texts.BROADCAST_ASK_TOWNSHIP, await township_keyboard(context))
    return state


async def _advance(update: Update, context: CustomContext, current: DeadlineState, nxt: DeadlineState) -> DeadlineState:
    draft_of(context, DRAFT)["trail"].append(current.value)
    return await _ask(update, context, nxt)


async def _again(update: Update, context: CustomContext, state: DeadlineState, problem: str) -> DeadlineState:
    return await _ask(update, context, state, prefix=problem + "\n")


@roles.requires(RoleKind.OFFICE, what=texts.DEADLINE_WHAT)
async def begin(update: Update, context: CustomContext) -> DeadlineState:
    """Start a fresh draft; asks for the title."""
    if context.user_data is not None:
        context.user_data[DRAFT] = {}
    return await _ask(update, context, DeadlineState.TITLE)


async def got_title(update: Update, context: CustomContext) -> DeadlineState:
    """Stores the title; asks for the date."""
    title = text_of(update).strip()
    if not title or len(title) > deadlines.MAX_TITLE:
        return await _again(
            update, context, DeadlineState.TITLE, texts.DEADLINE_BAD_TITLE.format(limit=deadlines.MAX_TITLE)
        )
    draft_of(context, DRAFT)["title"] = title
    return await _advance(update, context, DeadlineState.TITLE, DeadlineState.DATE)


async def got_date(update: Update, context: CustomContext) -> DeadlineState:
    """Stores the due date (today or later); asks whom to remind."""
    today = china_today()
    try:
        day = parse_date(text_of(update), today=today)
    except InvalidInput as error:
        return await _again(update, context, DeadlineState.DATE, error.message)
    draft_of(context, DRAFT)["date"] = day.isoformat()
    return await _advance(update, context, DeadlineState.DATE, DeadlineState.AUDIENCE)


async def got_audience(update: Update, context: CustomContext) -> DeadlineState | int:
    """Stores the audience; asks which township (for 某个乡镇) or registers the deadline."""
    audience = read_audience(text_of(update))
    if audience is None:
        return await _again(update, context, DeadlineState.AUDIENCE, texts.BROADCAST_CHOOSE)
    draft = draft_of(context, DRAFT)
    draft["audience"] = audience.value
    if audience is AudienceKind.TOWNSHIP:
        return await _advance(update, context, DeadlineState.AUDIENCE, DeadlineState.TOWNSHIP)
    return await _register(update, context, label=texts.AUDIENCE_BUTTONS[audience.value])


async def got_township(update: Update, context: CustomContext) -> DeadlineState | int:
    """Stores the township and registers the deadline."""
    try:
        async with session_scope(context.sessionmaker) as session:
            township = await places.find_township(session, name=text_of(update))
    except InvalidInput as error:
        return await _again(update, context, DeadlineState.TOWNSHIP, error.message)
    draft_of(context, DRAFT)["township_id"] = township.id
    return await _register(update, context, label=township.name)


async def _register(update: Update, context: CustomContext, *, label: str) -> DeadlineState | int:
    """Register the deadline (once per update) and end, saying when the reminders go out."""
    draft = draft_of(context, DRAFT)
    tg_user = update.effective_user
    assert tg_user is not None
    settings = context.services.settings
    try:
        async with session_scope(context.sessionmaker) as session:
            deadline = await deadlines.register_deadline(
                session,
                title=draft["title"],
                due_date=dt.date.fromisoformat(draft["date"]),
                audience=AudienceKind(draft["audience"]),
                township_id=draft.get("township_id"),
                offsets=settings.reminder_offsets,
                created_by=audit.telegram_actor(tg_user.id),
                today=china_today(),
                update_id=update.update_id,
            )
    except FupinError as error:  # the date passed while the office was choosing (after midnight)
        draft["trail"] = draft["trail"][: draft["trail"].index(DeadlineState.DATE.value)]
        return await _again(update, context, DeadlineState.DATE, error.message)
    context.delivery.deadlines_changed()
    if context.user_data is not None:
        context.user_data.pop(DRAFT, None)
    saved = texts.DEADLINE_SAVED.format(
        title=deadline.title,
        date=deadline.due_date.isoformat(),
        audience=label,
        offsets="、".join(str(k) for k in deadline.offsets),
        hour=settings.reminder_hour,
    )
    await reply(update, saved, roles.menu_for(await roles.current_user(update, context)))
    return ConversationHandler.END


async def back(update: Update, context: CustomContext) -> DeadlineState:
    """Forget the last answer and ask its step again."""
    draft = draft_of(context, DRAFT)
    if not draft["trail"]:
        return await _ask(update, context, DeadlineState.TITLE)
    return await _ask(update, context, DeadlineState(draft["trail"].pop()))


async def cancel(update: Update, context: CustomContext) -> int:
    """Drop the draft and end; nothing was registered."""
    if context.user_data is not None:
        context.user_data.pop(DRAFT, None)
    await reply(update, texts.DEADLINE_CANCELLED, roles.menu_for(await roles.current_user(update, context)))
    return ConversationHandler.END


async def timed_out(update: Update, context: CustomContext) -> None:
    """Drop an abandoned draft and say so."""
    if context.user_data is not None:
        context.user_data.pop(DRAFT, None)
    if update.effective_chat:
        user = await roles.current_user(update, context)
        await context.bot.send_message(
            update.effective_chat.id, texts.DEADLINE_TIMEOUT, reply_markup=roles.menu_for(user)
        )


async def busy(update: Update, context: CustomContext) -> None:
    """Another command in the middle: remind of the step."""
    await reply(update, texts.DEADLINE_IN_PROGRESS)


def _step(state: DeadlineState, callback: Any) -> list[BaseHandler[Update, CustomContext, Any]]:
    async def not_text(update: Update, context: CustomContext) -> DeadlineState:
        return await _again(update, context, state, texts.BROADCAST_CHOOSE)

    return [
        MessageHandler(filters.Text([texts.BUTTON_BACK]), back),
        MessageHandler(filters.Text([texts.BUTTON_CANCEL]), cancel),
        MessageHandler(filters.TEXT & ~filters.COMMAND, callback),
        MessageHandler(~filters.COMMAND, not_text),
    ]


def build_deadline_conversation() -> ConversationHandler[CustomContext]:
    """The /deadline conversation, persistent, ending by itself after `TIMEOUT_SECONDS`."""
    return ConversationHandler(
        entry_points=[CommandHandler("deadline", begin)],
        states={
            DeadlineState.TITLE: _step(DeadlineState.TITLE, got_title),
            DeadlineState.DATE: _step(DeadlineState.DATE, got_date),
            DeadlineState.AUDIENCE: _step(DeadlineState.AUDIENCE, got_audience),
            DeadlineState.TOWNSHIP: _step(DeadlineState.TOWNSHIP, got_township),
            ConversationHandler.TIMEOUT: [TypeHandler(Update, timed_out)],
        },
        fallbacks=[
            CommandHandler("cancel", cancel),
            CommandHandler("deadline", begin),
            MessageHandler(filters.COMMAND, busy),
        ],
        name=NAME,
        persistent=True,
        allow_reentry=True,
        conversation_timeout=TIMEOUT_SECONDS,
    )
