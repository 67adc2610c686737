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

from telegram import Update
from telegram.ext import ConversationHandler

from bot import texts
from bot.context import CustomContext
from bot.conversations import form, guided
from bot.conversations.broadcast import audience_question, read_audience, township_question
from bot.conversations.guided import answer_of, reply, text_of
from bot.telegram import roles
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


class DeadlineDraft(form.FormDraft, total=False):
    """The answers so far, in `user_data["deadline"]` (these keys are persisted: keep their names)."""

    title: str
    #: The due date, ISO.
    date: str
    #: An `AudienceKind` value.
    audience: str
    township_id: int
    #: The audience in words: its button, or the township's name.
    label: str


def next_step(draft: DeadlineDraft, current: DeadlineState) -> DeadlineState:
    """The step after `current`: 某个乡镇 asks which one, then the summary."""
    if current is DeadlineState.TITLE:
        return DeadlineState.DATE
    if current is DeadlineState.DATE:
        return DeadlineState.AUDIENCE
    if current is DeadlineState.AUDIENCE and draft.get("audience") == AudienceKind.TOWNSHIP.value:
        return DeadlineState.TOWNSHIP
    return DeadlineState.CONFIRM


async def _question(context: CustomContext, state: DeadlineState, draft: DeadlineDraft) -> form.Question:
    """A step's question."""
    if state is DeadlineState.TITLE:
        return form.Question(texts.DEADLINE_ASK_TITLE)
    if state is DeadlineState.DATE:
        return form.Question(texts.DEADLINE_ASK_DATE)
    if state is DeadlineState.AUDIENCE:
        return audience_question(texts.DEADLINE_ASK_AUDIENCE)
    if state is DeadlineState.TOWNSHIP:
        return await township_question(context)
    return await _summary(context, draft)


async def _summary(context: CustomContext, draft: DeadlineDraft) -> form.Question:
    """What will be registered, whom it reminds (how many people now) and when, with 确认登记."""
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
    return form.Question(summary, [texts.BUTTON_CONFIRM_DEADLINE])


#: A refusal is said before the step's question, and not counted.
FORM: form.Form[DeadlineState, DeadlineDraft] = form.Form(
    DRAFT, first=DeadlineState.TITLE, send=reply, question=_question, next_step=next_step
)


@roles.requires(RoleKind.OFFICE, what=texts.DEADLINE_WHAT)
async def begin(update: Update, context: CustomContext) -> DeadlineState:
    """Start a fresh draft; asks for the title."""
    FORM.start(context, {})
    return await FORM.ask(update, context, DeadlineState.TITLE)


async def got_title(update: Update, context: CustomContext) -> DeadlineState:
    """Stores the title; asks for the date."""
    title = answer_of(update)
    if not title or len(title) > deadlines.MAX_TITLE:
        reason = texts.DEADLINE_BAD_TITLE.format(limit=deadlines.MAX_TITLE)
        return await FORM.wrong(update, context, DeadlineState.TITLE, reason)
    FORM.draft(context)["title"] = title
    return await FORM.advance(update, context, DeadlineState.TITLE)


async def got_date(update: Update, context: CustomContext) -> DeadlineState:
    """Stores the due date (today or later); asks whom to remind."""
    today = china_today()
    try:
        day = parse_date(text_of(update), today=today)
        deadlines.check_due_date(day, today=today)
    except InvalidInput as error:
        return await FORM.wrong(update, context, DeadlineState.DATE, error.message)
    FORM.draft(context)["date"] = day.isoformat()
    return await FORM.advance(update, context, DeadlineState.DATE)


async def got_audience(update: Update, context: CustomContext) -> DeadlineState | int:
    """Stores the audience; asks which township (for 某个乡镇) or shows the summary."""
    audience = read_audience(text_of(update))
    if audience is None:
        return await FORM.wrong(update, context, DeadlineState.AUDIENCE, texts.BROADCAST_CHOOSE)
    draft = FORM.draft(context)
    draft["audience"] = audience.value
    if audience is not AudienceKind.TOWNSHIP:
        # A township chosen before 上一步 changed the audience is not this deadline's any more.
        draft.pop("township_id", None)
        draft["label"] = texts.AUDIENCE_BUTTONS[audience.value]
    return await FORM.advance(update, context, DeadlineState.AUDIENCE)


async def got_township(update: Update, context: CustomContext) -> DeadlineState | int:
    """Stores the township; shows the summary."""
    try:
        async with session_scope(context.sessionmaker) as session:
            township = await places.find_township(session, name=text_of(update))
    except InvalidInput as error:
        return await FORM.wrong(update, context, DeadlineState.TOWNSHIP, error.message)
    draft = FORM.draft(context)
    draft["township_id"], draft["label"] = township.id, township.name
    return await FORM.advance(update, context, DeadlineState.TOWNSHIP)


async def confirm(update: Update, context: CustomContext) -> DeadlineState | int:
    """确认登记: registers the deadline (once per update) and ends, saying when the reminders go out."""
    if answer_of(update) != texts.BUTTON_CONFIRM_DEADLINE:
        return await FORM.wrong(update, context, DeadlineState.CONFIRM, texts.DEADLINE_CONFIRM_OR_CANCEL)
    draft = FORM.draft(context)
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
        form.rewind(draft, DeadlineState.DATE)
        return await FORM.wrong(update, context, DeadlineState.DATE, error.message)
    context.delivery.deadlines_changed()
    saved = texts.DEADLINE_SAVED.format(
        title=deadline.title,
        date=deadline.due_date.isoformat(),
        audience=draft["label"],
        offsets="、".join(str(k) for k in deadline.offsets),
        hour=settings.reminder_hour,
    )
    return await FORM.finish(update, context, saved)


#: Drop the draft and end; nothing was registered.
cancel = guided.cancel_handler(DRAFT, texts.DEADLINE_CANCELLED, send=reply)
timed_out = guided.timeout_handler(DRAFT, texts.DEADLINE_TIMEOUT)
busy = guided.busy_handler(texts.DEADLINE_IN_PROGRESS, send=reply)


async def _not_text(update: Update, context: CustomContext, state: DeadlineState) -> DeadlineState:
    """A sticker or a photo: ask the step again."""
    return await FORM.wrong(update, context, state, texts.BROADCAST_CHOOSE)


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
        back=FORM.back,
        cancel=cancel,
        busy=busy,
        timed_out=timed_out,
    )
