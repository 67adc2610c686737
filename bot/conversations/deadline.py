"""`/deadline` (登记截止事项), office only: title → date → audience (→ township) → summary → 确认登记.

A date already past is refused at its step. Reminders go to many people, so the office reads the
summary (what, when, whom, how many people now, when they are reminded) and confirms it.

Reminders go out at the configured offsets (`FUPIN_REMINDER_OFFSETS`, 7/1/0 days) through
the outbox, like any notice. Draft and state are persisted like `/broadcast`'s; every step offers
上一步 and 取消. The diagram is `deadline.mmd`.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from telegram import Update
from telegram.ext import ConversationHandler

from bot import texts
from bot.context import CustomContext
from bot.conversations import guided
from bot.conversations.broadcast import audience_keyboard, read_audience, township_keyboard
from bot.conversations.guided import reply, text_of
from bot.telegram import keyboards, roles
from services import audit, broadcasts, deadlines, places
from services.db import session_scope
from services.errors import FupinError, InvalidInput
from services.models import AudienceKind, RoleKind
from services.when import parse_date
from services.workdays import china_today

#: Conversation name in persistence; changing it forgets every conversation in progress.
NAME = "deadline"
#: Key of the draft in user_data.
DRAFT = "deadline"


class DeadlineState(StrEnum):
    """The steps, in the order they are asked."""

    TITLE = "title"
    DATE = "date"
    AUDIENCE = "audience"
    TOWNSHIP = "township"
    CONFIRM = "confirm"


def _draft(context: CustomContext) -> dict[str, Any]:
    return guided.draft_of(context, DRAFT)


async def _ask(update: Update, context: CustomContext, state: DeadlineState, *, prefix: str = "") -> DeadlineState:
    """Show the step's question with its buttons."""
    back = bool(_draft(context)["trail"])
    if state is DeadlineState.TITLE:
        await reply(update, context, prefix + texts.DEADLINE_ASK_TITLE, keyboards.choices([], back=back))
    elif state is DeadlineState.DATE:
        await reply(update, context, prefix + texts.DEADLINE_ASK_DATE, keyboards.choices([]))
    elif state is DeadlineState.AUDIENCE:
        await reply(update, context, prefix + texts.DEADLINE_ASK_AUDIENCE, audience_keyboard())
    elif state is DeadlineState.TOWNSHIP:
        await reply(update, context, prefix + texts.BROADCAST_ASK_TOWNSHIP, await township_keyboard(context))
    else:
        return await _summary(update, context, prefix=prefix)
    return state


async def _summary(update: Update, context: CustomContext, *, prefix: str = "") -> DeadlineState:
    """What will be registered, whom it reminds (how many people now) and when, with 确认登记."""
    draft = _draft(context)
    audience = AudienceKind(draft["audience"])
    async with session_scope(context.sessionmaker) as session:
        count = await broadcasts.preview_count(session, audience=audience, township_id=draft.get("township_id"))
    settings = context.services.settings
    summary = texts.DEADLINE_SUMMARY.format(
        title=draft["title"],
        date=draft["date"],
        audience=draft["label"],
        count=count,
        offsets="、".join(str(k) for k in sorted(set(settings.reminder_offsets), reverse=True)),
        hour=settings.reminder_hour,
    )
    await reply(update, context, prefix + summary, keyboards.choices([texts.BUTTON_CONFIRM_DEADLINE], back=True))
    return DeadlineState.CONFIRM


async def _advance(update: Update, context: CustomContext, current: DeadlineState, nxt: DeadlineState) -> DeadlineState:
    _draft(context)["trail"].append(current.value)
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
    _draft(context)["title"] = title
    return await _advance(update, context, DeadlineState.TITLE, DeadlineState.DATE)


async def got_date(update: Update, context: CustomContext) -> DeadlineState:
    """Stores the due date (today or later); asks whom to remind."""
    today = china_today()
    try:
        day = parse_date(text_of(update), today=today)
        deadlines.check_due_date(day, today=today)
    except InvalidInput as error:
        return await _again(update, context, DeadlineState.DATE, error.message)
    _draft(context)["date"] = day.isoformat()
    return await _advance(update, context, DeadlineState.DATE, DeadlineState.AUDIENCE)


async def got_audience(update: Update, context: CustomContext) -> DeadlineState | int:
    """Stores the audience; asks which township (for 某个乡镇) or registers the deadline."""
    audience = read_audience(text_of(update))
    if audience is None:
        return await _again(update, context, DeadlineState.AUDIENCE, texts.BROADCAST_CHOOSE)
    draft = _draft(context)
    draft["audience"] = audience.value
    if audience is AudienceKind.TOWNSHIP:
        return await _advance(update, context, DeadlineState.AUDIENCE, DeadlineState.TOWNSHIP)
    draft["label"] = texts.AUDIENCE_BUTTONS[audience.value]
    return await _advance(update, context, DeadlineState.AUDIENCE, DeadlineState.CONFIRM)


async def got_township(update: Update, context: CustomContext) -> DeadlineState | int:
    """Stores the township and registers the deadline."""
    try:
        async with session_scope(context.sessionmaker) as session:
            township = await places.find_township(session, name=text_of(update))
    except InvalidInput as error:
        return await _again(update, context, DeadlineState.TOWNSHIP, error.message)
    draft = _draft(context)
    draft["township_id"], draft["label"] = township.id, township.name
    return await _advance(update, context, DeadlineState.TOWNSHIP, DeadlineState.CONFIRM)


async def confirm(update: Update, context: CustomContext) -> DeadlineState | int:
    """确认登记: registers the deadline (once per update) and ends, saying when the reminders go out."""
    if text_of(update).strip() != texts.BUTTON_CONFIRM_DEADLINE:
        return await _again(update, context, DeadlineState.CONFIRM, texts.DEADLINE_CONFIRM_OR_CANCEL)
    draft = _draft(context)
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
    guided.drop_draft(context, DRAFT)
    saved = texts.DEADLINE_SAVED.format(
        title=deadline.title,
        date=deadline.due_date.isoformat(),
        audience=draft["label"],
        offsets="、".join(str(k) for k in deadline.offsets),
        hour=settings.reminder_hour,
    )
    await reply(update, context, saved, roles.menu_for(await roles.current_user(update, context)))
    return ConversationHandler.END


back = guided.back_handler(draft=_draft, ask=_ask, first=DeadlineState.TITLE)
#: Drop the draft and end; nothing was registered.
cancel = guided.cancel_handler(DRAFT, texts.DEADLINE_CANCELLED, send=reply)
timed_out = guided.timeout_handler(DRAFT, texts.DEADLINE_TIMEOUT)
busy = guided.busy_handler(texts.DEADLINE_IN_PROGRESS, send=reply)


async def _not_text(update: Update, context: CustomContext, state: DeadlineState) -> DeadlineState:
    """A sticker or a photo: ask the step again."""
    return await _again(update, context, state, texts.BROADCAST_CHOOSE)


def build_deadline_conversation() -> ConversationHandler[CustomContext]:
    """The /deadline conversation, persistent, ending by itself after `guided.TIMEOUT_SECONDS`."""
    return guided.guided_conversation(
        name=NAME,
        command="deadline",
        begin=begin,
        steps={
            DeadlineState.TITLE: got_title,
            DeadlineState.DATE: got_date,
            DeadlineState.AUDIENCE: got_audience,
            DeadlineState.TOWNSHIP: got_township,
            DeadlineState.CONFIRM: confirm,
        },
        wrong=_not_text,
        back=back,
        cancel=cancel,
        busy=busy,
        timed_out=timed_out,
    )
