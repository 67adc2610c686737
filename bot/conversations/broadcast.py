"""`/broadcast` (发布通知), office only: text → audience (→ township) → when → preview → 确认发送.

The draft lives in `user_data["broadcast"]` and the state in the conversation, both persisted,
so a restart resumes at the same step. Confirming creates the broadcast (idempotent on the
update) and hands it to the outbox; the delivery report comes back when the last message is
out. Every step offers 上一步 and 取消. The diagram is `broadcast.mmd`.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from telegram import Update
from telegram.ext import ConversationHandler

from bot import texts
from bot.context import CustomContext
from bot.conversations import form, guided
from bot.conversations.guided import answer_of, reply, text_of
from bot.telegram import roles
from services import audit, broadcasts, places
from services.db import session_scope
from services.errors import FupinError, InvalidInput
from services.models import AudienceKind, RoleKind, utcnow
from services.when import local_text, parse_datetime

#: Conversation name in persistence; changing it forgets every conversation in progress.
NAME = "broadcast"
#: Key of the draft in user_data.
DRAFT = "broadcast"
#: What the role guard calls this feature.
WHAT = texts.BUTTON_BROADCAST


class BroadcastState(StrEnum):
    """The steps, in the order they are asked."""

    TEXT = "text"
    AUDIENCE = "audience"
    TOWNSHIP = "township"
    WHEN = "when"
    CONFIRM = "confirm"


class BroadcastDraft(form.FormDraft, total=False):
    """The answers so far, in `user_data["broadcast"]` (these keys are persisted: keep their names)."""

    text: str
    #: An `AudienceKind` value.
    audience: str
    #: The township of 某个乡镇 (None for the other audiences).
    township_id: int | None
    township_name: str | None
    #: ISO time with its offset; None: now.
    scheduled_at: str | None


# -- shared with /deadline ----------------------------------------------------------------------


def audience_question(prompt: str) -> form.Question:
    """`prompt` with 全部 / 全部驻村干部 / 某个乡镇 / 各责任单位 / 群众."""
    return form.Question(prompt, list(texts.AUDIENCE_BUTTONS.values()))


def read_audience(text: str) -> AudienceKind | None:
    """The audience a button label (or the same words typed) names."""
    word = text.strip()
    return next((AudienceKind(k) for k, label in texts.AUDIENCE_BUTTONS.items() if word == label), None)


async def township_question(context: CustomContext) -> form.Question:
    """Which township, with one button per township of the county."""
    async with session_scope(context.sessionmaker) as session:
        names = [t.name for t in await places.list_townships(session)]
    return form.Question(texts.BROADCAST_ASK_TOWNSHIP, names, per_row=3)


# -- asking ---------------------------------------------------------------------------------------


def next_step(draft: BroadcastDraft, current: BroadcastState) -> BroadcastState:
    """The step after `current`: 某个乡镇 asks which one, then when to send."""
    if current is BroadcastState.TEXT:
        return BroadcastState.AUDIENCE
    if current is BroadcastState.AUDIENCE and draft.get("audience") == AudienceKind.TOWNSHIP.value:
        return BroadcastState.TOWNSHIP
    if current in (BroadcastState.AUDIENCE, BroadcastState.TOWNSHIP):
        return BroadcastState.WHEN
    return BroadcastState.CONFIRM


async def _question(
    context: CustomContext, state: BroadcastState, draft: BroadcastDraft
) -> form.Question | form.Instead[BroadcastState]:
    """A step's question."""
    if state is BroadcastState.TEXT:
        return form.Question(texts.BROADCAST_ASK_TEXT)
    if state is BroadcastState.AUDIENCE:
        return audience_question(texts.BROADCAST_ASK_AUDIENCE)
    if state is BroadcastState.TOWNSHIP:
        return await township_question(context)
    if state is BroadcastState.WHEN:
        return form.Question(texts.BROADCAST_ASK_WHEN, [texts.BUTTON_SEND_NOW])
    return await _preview(context, draft)


async def _preview(context: CustomContext, draft: BroadcastDraft) -> form.Question | form.Instead[BroadcastState]:
    """How many people the audience holds now, the time and the text, with 确认发送.

    An audience with nobody in it goes back to the audience step, saying so.
    """
    audience = AudienceKind(draft["audience"])
    async with session_scope(context.sessionmaker) as session:
        count = await broadcasts.preview_count(session, audience=audience, township_id=draft.get("township_id"))
    label = draft.get("township_name") or texts.AUDIENCE_BUTTONS[audience.value]
    if count == 0:
        form.rewind(draft, BroadcastState.AUDIENCE)
        return form.Instead(BroadcastState.AUDIENCE, texts.BROADCAST_NOBODY.format(audience=label) + "\n")
    scheduled = draft.get("scheduled_at")
    when = local_text(dt.datetime.fromisoformat(scheduled)) if scheduled else texts.BROADCAST_NOW
    text = draft["text"]
    if len(text) > texts.BROADCAST_PREVIEW_SHOWN:  # the preview must fit one message with its header
        text = text[: texts.BROADCAST_PREVIEW_SHOWN] + texts.BROADCAST_PREVIEW_CUT.format(length=len(text))
    preview = texts.BROADCAST_PREVIEW.format(audience=label, count=count, when=when, text=text)
    return form.Question(preview, [texts.BUTTON_CONFIRM_SEND])


#: A refusal is said before the step's question, and not counted.
FORM: form.Form[BroadcastState, BroadcastDraft] = form.Form(
    DRAFT, first=BroadcastState.TEXT, send=reply, question=_question, next_step=next_step
)


# -- steps ----------------------------------------------------------------------------------------


@roles.requires(RoleKind.OFFICE, what=WHAT)
async def begin(update: Update, context: CustomContext) -> BroadcastState:
    """Start a fresh draft; asks for the notice's text."""
    FORM.start(context, {})
    return await FORM.ask(update, context, BroadcastState.TEXT)


async def got_text(update: Update, context: CustomContext) -> BroadcastState:
    """Stores the notice's text; asks whom it goes to."""
    try:
        text = broadcasts.check_text(text_of(update))
    except InvalidInput as error:
        return await FORM.wrong(update, context, BroadcastState.TEXT, error.message)
    FORM.draft(context)["text"] = text
    return await FORM.advance(update, context, BroadcastState.TEXT)


async def got_audience(update: Update, context: CustomContext) -> BroadcastState:
    """Stores the audience; asks which township (for 某个乡镇) or when to send."""
    audience = read_audience(text_of(update))
    if audience is None:
        return await FORM.wrong(update, context, BroadcastState.AUDIENCE, texts.BROADCAST_CHOOSE)
    draft = FORM.draft(context)
    draft["audience"], draft["township_id"], draft["township_name"] = audience.value, None, None
    return await FORM.advance(update, context, BroadcastState.AUDIENCE)


async def got_township(update: Update, context: CustomContext) -> BroadcastState:
    """Stores the township; asks when to send."""
    try:
        async with session_scope(context.sessionmaker) as session:
            township = await places.find_township(session, name=text_of(update))
    except InvalidInput as error:
        return await FORM.wrong(update, context, BroadcastState.TOWNSHIP, error.message)
    draft = FORM.draft(context)
    draft["township_id"], draft["township_name"] = township.id, township.name
    return await FORM.advance(update, context, BroadcastState.TOWNSHIP)


async def got_when(update: Update, context: CustomContext) -> BroadcastState:
    """Stores now or a date and time (Beijing); shows the preview."""
    typed = answer_of(update)
    draft = FORM.draft(context)
    if typed == texts.BUTTON_SEND_NOW:
        draft["scheduled_at"] = None
    else:
        try:
            moment = parse_datetime(typed, now=utcnow())
            if moment < utcnow():
                raise InvalidInput(texts.BROADCAST_TIME_PAST)
        except InvalidInput as error:
            return await FORM.wrong(update, context, BroadcastState.WHEN, error.message)
        draft["scheduled_at"] = moment.isoformat()
    return await FORM.advance(update, context, BroadcastState.WHEN)


async def confirm(update: Update, context: CustomContext) -> BroadcastState | int:
    """确认发送: creates the broadcast (once per update), hands it to the outbox and ends."""
    if answer_of(update) != texts.BUTTON_CONFIRM_SEND:
        return await FORM.wrong(update, context, BroadcastState.CONFIRM, texts.BROADCAST_CONFIRM_OR_CANCEL)
    draft = FORM.draft(context)
    tg_user, chat = update.effective_user, update.effective_chat
    assert tg_user is not None and chat is not None  # private chats only (the gate)
    scheduled = draft.get("scheduled_at")
    try:
        async with session_scope(context.sessionmaker) as session:
            broadcast = await broadcasts.create_broadcast(
                session,
                text=draft["text"],
                audience=AudienceKind(draft["audience"]),
                township_id=draft.get("township_id"),
                scheduled_at=dt.datetime.fromisoformat(scheduled) if scheduled else None,
                created_by=audit.telegram_actor(tg_user.id),
                report_chat_id=chat.id,
                update_id=update.update_id,
            )
    except FupinError as error:
        back_to = BroadcastState.WHEN if isinstance(error, InvalidInput) and scheduled else BroadcastState.AUDIENCE
        form.rewind(draft, back_to)
        return await FORM.wrong(update, context, back_to, error.message)
    context.delivery.wake()
    if broadcast.recipients is not None:
        done = texts.BROADCAST_QUEUED.format(count=broadcast.recipients)
    else:
        done = texts.BROADCAST_SCHEDULED.format(when=local_text(broadcast.scheduled_at))
    return await FORM.finish(update, context, done)


# -- every step -----------------------------------------------------------------------------------


#: Drop the draft and end; nothing was sent.
cancel = guided.cancel_handler(DRAFT, texts.BROADCAST_CANCELLED, send=reply)
timed_out = guided.timeout_handler(DRAFT, texts.BROADCAST_TIMEOUT)
busy = guided.busy_handler(texts.BROADCAST_IN_PROGRESS, send=reply)


async def _not_text(update: Update, context: CustomContext, state: BroadcastState) -> BroadcastState:
    """A sticker or a photo: ask the step again."""
    return await FORM.wrong(update, context, state, texts.BROADCAST_CHOOSE)


def build_broadcast_conversation() -> ConversationHandler[CustomContext]:
    """The /broadcast conversation, persistent, ending by itself after `guided.TIMEOUT_SECONDS`."""
    return guided.guided_conversation(
        name=NAME,
        command="broadcast",
        button=texts.BUTTON_BROADCAST,
        begin=begin,
        steps={
            BroadcastState.TEXT: got_text,
            BroadcastState.AUDIENCE: got_audience,
            BroadcastState.TOWNSHIP: got_township,
            BroadcastState.WHEN: got_when,
            BroadcastState.CONFIRM: confirm,
        },
        wrong=_not_text,
        back=FORM.back,
        cancel=cancel,
        busy=busy,
        timed_out=timed_out,
    )
