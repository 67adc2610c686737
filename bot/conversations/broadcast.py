"""`/broadcast` (发布通知), office only: text → audience (→ township) → when → preview → 确认发送.

The draft lives in `user_data["broadcast"]` and the state in the conversation, both persisted,
so a restart resumes at the same step. Confirming creates the broadcast (idempotent on the
update) and hands it to the outbox; the delivery report comes back when the last message is
out. Every step offers 上一步 and 取消. The diagram is `broadcast.mmd`.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from telegram import ReplyKeyboardMarkup, Update
from telegram.ext import ConversationHandler

from bot import texts
from bot.context import CustomContext
from bot.conversations import guided
from bot.conversations.guided import reply, text_of
from bot.telegram import keyboards, roles
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


# -- shared with /deadline ----------------------------------------------------------------------


def audience_keyboard(*, back: bool = True) -> ReplyKeyboardMarkup:
    """全部 / 全部驻村干部 / 某个乡镇 / 各责任单位 / 群众."""
    return keyboards.choices(list(texts.AUDIENCE_BUTTONS.values()), per_row=2, back=back)


def read_audience(text: str) -> AudienceKind | None:
    """The audience a button label (or the same words typed) names."""
    word = text.strip()
    return next((AudienceKind(k) for k, label in texts.AUDIENCE_BUTTONS.items() if word == label), None)


async def township_keyboard(context: CustomContext) -> ReplyKeyboardMarkup:
    """One button per township of the county."""
    async with session_scope(context.sessionmaker) as session:
        names = [t.name for t in await places.list_townships(session)]
    return keyboards.choices(names, per_row=3)


def _draft(context: CustomContext) -> dict[str, Any]:
    return guided.draft_of(context, DRAFT)


# -- asking ---------------------------------------------------------------------------------------


async def _ask(update: Update, context: CustomContext, state: BroadcastState, *, prefix: str = "") -> BroadcastState:
    """Show the step's question with its buttons."""
    draft = _draft(context)
    back = bool(draft["trail"])
    if state is BroadcastState.TEXT:
        await reply(update, context, prefix + texts.BROADCAST_ASK_TEXT, keyboards.choices([], back=back))
    elif state is BroadcastState.AUDIENCE:
        await reply(update, context, prefix + texts.BROADCAST_ASK_AUDIENCE, audience_keyboard(back=back))
    elif state is BroadcastState.TOWNSHIP:
        await reply(update, context, prefix + texts.BROADCAST_ASK_TOWNSHIP, await township_keyboard(context))
    elif state is BroadcastState.WHEN:
        await reply(update, context, prefix + texts.BROADCAST_ASK_WHEN, keyboards.choices([texts.BUTTON_SEND_NOW]))
    else:
        return await _preview(update, context, prefix=prefix)
    return state


async def _advance(
    update: Update, context: CustomContext, current: BroadcastState, nxt: BroadcastState
) -> BroadcastState:
    _draft(context)["trail"].append(current.value)
    return await _ask(update, context, nxt)


async def _preview(update: Update, context: CustomContext, *, prefix: str = "") -> BroadcastState:
    """How many people the audience holds now, the time and the text, with 确认发送.

    An audience with nobody in it goes back to the audience step, saying so.
    """
    draft = _draft(context)
    audience = AudienceKind(draft["audience"])
    async with session_scope(context.sessionmaker) as session:
        count = await broadcasts.preview_count(session, audience=audience, township_id=draft.get("township_id"))
    label = draft.get("township_name") or texts.AUDIENCE_BUTTONS[audience.value]
    if count == 0:
        draft["trail"] = draft["trail"][: draft["trail"].index(BroadcastState.AUDIENCE.value)]
        nobody = texts.BROADCAST_NOBODY.format(audience=label) + "\n"
        return await _ask(update, context, BroadcastState.AUDIENCE, prefix=nobody)
    scheduled = draft.get("scheduled_at")
    when = local_text(dt.datetime.fromisoformat(scheduled)) if scheduled else texts.BROADCAST_NOW
    text = draft["text"]
    if len(text) > texts.BROADCAST_PREVIEW_SHOWN:  # the preview must fit one message with its header
        text = text[: texts.BROADCAST_PREVIEW_SHOWN] + texts.BROADCAST_PREVIEW_CUT.format(length=len(text))
    preview = texts.BROADCAST_PREVIEW.format(audience=label, count=count, when=when, text=text)
    await reply(update, context, prefix + preview, keyboards.choices([texts.BUTTON_CONFIRM_SEND]))
    return BroadcastState.CONFIRM


async def _again(update: Update, context: CustomContext, state: BroadcastState, problem: str) -> BroadcastState:
    """Say what was wrong with the answer and ask the step again."""
    return await _ask(update, context, state, prefix=problem + "\n")


# -- steps ----------------------------------------------------------------------------------------


@roles.requires(RoleKind.OFFICE, what=WHAT)
async def begin(update: Update, context: CustomContext) -> BroadcastState:
    """Start a fresh draft; asks for the notice's text."""
    if context.user_data is not None:
        context.user_data[DRAFT] = {}
    return await _ask(update, context, BroadcastState.TEXT)


async def got_text(update: Update, context: CustomContext) -> BroadcastState:
    """Stores the notice's text; asks whom it goes to."""
    try:
        text = broadcasts.check_text(text_of(update))
    except InvalidInput as error:
        return await _again(update, context, BroadcastState.TEXT, error.message)
    _draft(context)["text"] = text
    return await _advance(update, context, BroadcastState.TEXT, BroadcastState.AUDIENCE)


async def got_audience(update: Update, context: CustomContext) -> BroadcastState:
    """Stores the audience; asks which township (for 某个乡镇) or when to send."""
    audience = read_audience(text_of(update))
    if audience is None:
        return await _again(update, context, BroadcastState.AUDIENCE, texts.BROADCAST_CHOOSE)
    draft = _draft(context)
    draft.update(audience=audience.value, township_id=None, township_name=None)
    nxt = BroadcastState.TOWNSHIP if audience is AudienceKind.TOWNSHIP else BroadcastState.WHEN
    return await _advance(update, context, BroadcastState.AUDIENCE, nxt)


async def got_township(update: Update, context: CustomContext) -> BroadcastState:
    """Stores the township; asks when to send."""
    try:
        async with session_scope(context.sessionmaker) as session:
            township = await places.find_township(session, name=text_of(update))
    except InvalidInput as error:
        return await _again(update, context, BroadcastState.TOWNSHIP, error.message)
    _draft(context).update(township_id=township.id, township_name=township.name)
    return await _advance(update, context, BroadcastState.TOWNSHIP, BroadcastState.WHEN)


async def got_when(update: Update, context: CustomContext) -> BroadcastState:
    """Stores now or a date and time (Beijing); shows the preview."""
    typed = text_of(update).strip()
    draft = _draft(context)
    if typed == texts.BUTTON_SEND_NOW:
        draft["scheduled_at"] = None
    else:
        try:
            moment = parse_datetime(typed, now=utcnow())
            if moment < utcnow():
                raise InvalidInput("这个时间已经过去了，请输入将来的时间，或点“现在发送”。")
        except InvalidInput as error:
            return await _again(update, context, BroadcastState.WHEN, error.message)
        draft["scheduled_at"] = moment.isoformat()
    return await _advance(update, context, BroadcastState.WHEN, BroadcastState.CONFIRM)


async def confirm(update: Update, context: CustomContext) -> BroadcastState | int:
    """确认发送: creates the broadcast (once per update), hands it to the outbox and ends."""
    if text_of(update).strip() != texts.BUTTON_CONFIRM_SEND:
        return await _again(update, context, BroadcastState.CONFIRM, texts.BROADCAST_CONFIRM_OR_CANCEL)
    draft = _draft(context)
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
        draft["trail"] = draft["trail"][: draft["trail"].index(back_to.value)]
        return await _again(update, context, back_to, error.message)
    context.delivery.wake()
    guided.drop_draft(context, DRAFT)
    if broadcast.recipients is not None:
        done = texts.BROADCAST_QUEUED.format(count=broadcast.recipients)
    else:
        done = texts.BROADCAST_SCHEDULED.format(when=local_text(broadcast.scheduled_at))
    await reply(update, context, done, roles.menu_for(await roles.current_user(update, context)))
    return ConversationHandler.END


# -- every step -----------------------------------------------------------------------------------


back = guided.back_handler(draft=_draft, ask=_ask, first=BroadcastState.TEXT)
#: Drop the draft and end; nothing was sent.
cancel = guided.cancel_handler(DRAFT, texts.BROADCAST_CANCELLED, send=reply)
timed_out = guided.timeout_handler(DRAFT, texts.BROADCAST_TIMEOUT)
busy = guided.busy_handler(texts.BROADCAST_IN_PROGRESS, send=reply)


async def _not_text(update: Update, context: CustomContext, state: BroadcastState) -> BroadcastState:
    """A sticker or a photo: ask the step again."""
    return await _again(update, context, state, texts.BROADCAST_CHOOSE)


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
        back=back,
        cancel=cancel,
        busy=busy,
        timed_out=timed_out,
    )
