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
from telegram.ext import BaseHandler, CommandHandler, ConversationHandler, MessageHandler, TypeHandler, filters

from bot import texts
from bot.context import CustomContext
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
#: Seconds of silence after which the conversation ends by itself.
TIMEOUT_SECONDS = 30 * 60
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


def draft_of(context: CustomContext, key: str) -> dict[str, Any]:
    """The conversation's draft in user_data, with its trail of steps for 上一步."""
    draft: dict[str, Any] = context.user_data.setdefault(key, {}) if context.user_data is not None else {}
    draft.setdefault("trail", [])
    return draft


def text_of(update: Update) -> str:
    """The message's text, or "" (a sticker, a photo)."""
    message = update.effective_message
    return (message.text or "") if message else ""


async def reply(update: Update, text: str, markup: ReplyKeyboardMarkup | None = None) -> None:
    """Answer in the chat the update came from."""
    if update.effective_message:
        await update.effective_message.reply_text(text, reply_markup=markup)


# -- asking ---------------------------------------------------------------------------------------


async def _ask(update: Update, context: CustomContext, state: BroadcastState, *, prefix: str = "") -> BroadcastState:
    """Show the step's question with its buttons."""
    draft = draft_of(context, DRAFT)
    back = bool(draft["trail"])
    if state is BroadcastState.TEXT:
        await reply(update, prefix + texts.BROADCAST_ASK_TEXT, keyboards.choices([], back=back))
    elif state is BroadcastState.AUDIENCE:
        await reply(update, prefix + texts.BROADCAST_ASK_AUDIENCE, audience_keyboard(back=back))
    elif state is BroadcastState.TOWNSHIP:
        await reply(update, prefix + texts.BROADCAST_ASK_TOWNSHIP, await township_keyboard(context))
    elif state is BroadcastState.WHEN:
        await reply(update, prefix + texts.BROADCAST_ASK_WHEN, keyboards.choices([texts.BUTTON_SEND_NOW]))
    else:
        return await _preview(update, context, prefix=prefix)
    return state


async def _advance(
    update: Update, context: CustomContext, current: BroadcastState, nxt: BroadcastState
) -> BroadcastState:
    draft_of(context, DRAFT)["trail"].append(current.value)
    return await _ask(update, context, nxt)


async def _preview(update: Update, context: CustomContext, *, prefix: str = "") -> BroadcastState:
    """How many people the audience holds now, the time and the text, with 确认发送.

    An audience with nobody in it goes back to the audience step, saying so.
    """
    draft = draft_of(context, DRAFT)
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
    preview = texts.BROADCAST_PREVIEW.format(audience=label, count=count, when=when, text=draft["text"])
    await reply(update, prefix + preview, keyboards.choices([texts.BUTTON_CONFIRM_SEND]))
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
    draft_of(context, DRAFT)["text"] = text
    return await _advance(update, context, BroadcastState.TEXT, BroadcastState.AUDIENCE)


async def got_audience(update: Update, context: CustomContext) -> BroadcastState:
    """Stores the audience; asks which township (for 某个乡镇) or when to send."""
    audience = read_audience(text_of(update))
    if audience is None:
        return await _again(update, context, BroadcastState.AUDIENCE, texts.BROADCAST_CHOOSE)
    draft = draft_of(context, DRAFT)
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
    draft_of(context, DRAFT).update(township_id=township.id, township_name=township.name)
    return await _advance(update, context, BroadcastState.TOWNSHIP, BroadcastState.WHEN)


async def got_when(update: Update, context: CustomContext) -> BroadcastState:
    """Stores now or a date and time (Beijing); shows the preview."""
    typed = text_of(update).strip()
    draft = draft_of(context, DRAFT)
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
    draft = draft_of(context, DRAFT)
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
    if context.user_data is not None:
        context.user_data.pop(DRAFT, None)
    if broadcast.recipients is not None:
        done = texts.BROADCAST_QUEUED.format(count=broadcast.recipients)
    else:
        done = texts.BROADCAST_SCHEDULED.format(when=local_text(broadcast.scheduled_at))
    await reply(update, done, roles.menu_for(await roles.current_user(update, context)))
    return ConversationHandler.END


# -- every step -----------------------------------------------------------------------------------


async def back(update: Update, context: CustomContext) -> BroadcastState:
    """Forget the last answer and ask its step again."""
    draft = draft_of(context, DRAFT)
    if not draft["trail"]:
        return await _ask(update, context, BroadcastState.TEXT)
    return await _ask(update, context, BroadcastState(draft["trail"].pop()))


async def cancel(update: Update, context: CustomContext) -> int:
    """Drop the draft and end; nothing was sent."""
    if context.user_data is not None:
        context.user_data.pop(DRAFT, None)
    await reply(update, texts.BROADCAST_CANCELLED, roles.menu_for(await roles.current_user(update, context)))
    return ConversationHandler.END


async def timed_out(update: Update, context: CustomContext) -> None:
    """Drop an abandoned draft and say so."""
    if context.user_data is not None:
        context.user_data.pop(DRAFT, None)
    if update.effective_chat:
        user = await roles.current_user(update, context)
        await context.bot.send_message(
            update.effective_chat.id, texts.BROADCAST_TIMEOUT, reply_markup=roles.menu_for(user)
        )


async def busy(update: Update, context: CustomContext) -> None:
    """Another command in the middle: remind of the step (the state is unchanged)."""
    await reply(update, texts.BROADCAST_IN_PROGRESS)


def _step(state: BroadcastState, callback: Any) -> list[BaseHandler[Update, CustomContext, Any]]:
    async def not_text(update: Update, context: CustomContext) -> BroadcastState:
        return await _again(update, context, state, texts.BROADCAST_CHOOSE)

    return [
        MessageHandler(filters.Text([texts.BUTTON_BACK]), back),
        MessageHandler(filters.Text([texts.BUTTON_CANCEL]), cancel),
        MessageHandler(filters.TEXT & ~filters.COMMAND, callback),
        MessageHandler(~filters.COMMAND, not_text),
    ]


def build_broadcast_conversation() -> ConversationHandler[CustomContext]:
    """The /broadcast conversation, persistent, ending by itself after `TIMEOUT_SECONDS`."""
    entry = [
        CommandHandler("broadcast", begin),
        MessageHandler(filters.Text([texts.BUTTON_BROADCAST]), begin),
    ]
    return ConversationHandler(
        entry_points=entry,  # type: ignore[arg-type]
        states={
            BroadcastState.TEXT: _step(BroadcastState.TEXT, got_text),
            BroadcastState.AUDIENCE: _step(BroadcastState.AUDIENCE, got_audience),
            BroadcastState.TOWNSHIP: _step(BroadcastState.TOWNSHIP, got_township),
            BroadcastState.WHEN: _step(BroadcastState.WHEN, got_when),
            BroadcastState.CONFIRM: _step(BroadcastState.CONFIRM, confirm),
            ConversationHandler.TIMEOUT: [TypeHandler(Update, timed_out)],
        },
        fallbacks=[
            CommandHandler("cancel", cancel),
            CommandHandler("broadcast", begin),
            MessageHandler(filters.COMMAND, busy),
        ],
        name=NAME,
        persistent=True,
        allow_reentry=True,
        conversation_timeout=TIMEOUT_SECONDS,
    )
