"""退回: a unit returns an item to its reporter, with a reason the reporter reads.

Pressing 退回 on an item card first checks that the person acts for the owning unit and that the
item is still open (so nobody types a reason for nothing), then asks for the reason; the item
number waits in `user_data["item_return"]` and the state in the persisted conversation, so a
restart in between still takes the reason. 取消 or /cancel leaves the item as it was. The diagram
is `item_return.mmd`.
"""

from __future__ import annotations

import warnings
from enum import StrEnum

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler, filters
from telegram.warnings import PTBUserWarning

from bot import texts
from bot.context import CustomContext
from bot.conversations import guided
from bot.conversations.guided import say
from bot.persistence import DurableConversation
from bot.telegram import keyboards, notify, roles, tasks
from bot.telegram.presses import tell_presser
from services import audit, items, notices
from services.db import session_scope
from services.errors import Conflict, Forbidden, InvalidInput, NotFound

#: Conversation name in persistence.
NAME = "item_return"
#: Key of the item being returned in user_data.
DRAFT = "item_return"


class ReturnState(StrEnum):
    """The one step: the reason."""

    REASON = "reason"


def _draft_id(context: CustomContext) -> int | None:
    value = (context.user_data or {}).get(DRAFT)
    return int(value) if isinstance(value, int) else None


async def begin(update: Update, context: CustomContext) -> ReturnState | int:
    """退回 pressed: if the user may return the item, asks for the reason."""
    query = update.callback_query
    parsed = notify.parse_item_data(query.data or "") if query else None
    if query is None or parsed is None:
        return ConversationHandler.END
    item_id = parsed[1]
    async with session_scope(context.sessionmaker) as session:
        user = await roles.user_in(session, update)
        try:
            item = await items.get_item(session, item_id=item_id)
        except NotFound:
            await tell_presser(update, context, texts.ITEM_GONE)
            return ConversationHandler.END
    try:
        items.check_actionable(item, user)
    except Forbidden as error:
        await tasks.refuse(update, context, error)
        return ConversationHandler.END
    except Conflict:
        await tell_presser(update, context, texts.ITEM_DONE_ALREADY.format(number=item_id))
        return ConversationHandler.END
    if context.user_data is not None:
        context.user_data[DRAFT] = item_id
    prompt = texts.ITEM_RETURN_REASON.format(number=item.id, title=item.title)
    await say(update, context, prompt, keyboards.choices([], back=False))
    return ReturnState.REASON


async def reason(update: Update, context: CustomContext) -> ReturnState | int:
    """Stores the reason through `services.items.return_item`; tells the reporter."""
    message, tg_user = update.effective_message, update.effective_user
    item_id = _draft_id(context)
    if message is None or tg_user is None or item_id is None:
        return ConversationHandler.END
    try:
        async with session_scope(context.sessionmaker) as session:
            user = await roles.acting_user(session, update)
            transition = await items.return_item(
                session,
                item_id=item_id,
                user=user,
                reason=message.text or "",
                actor=audit.telegram_actor(tg_user.id),
            )
            await notices.item_changed(session, transition=transition, texts=notify.NoticeTexts(context.kb))
    except InvalidInput as error:
        markup = keyboards.choices([], back=False)
        await say(update, context, texts.ITEM_RETURN_WRONG.format(reason=error.message), markup)
        return ReturnState.REASON
    except (Forbidden, Conflict, NotFound) as error:
        return await _end(update, context, error.message)
    context.delivery.wake()
    return await _end(update, context, texts.ITEM_RETURN_DONE.format(number=item_id))


async def not_text(update: Update, context: CustomContext) -> ReturnState:
    """A sticker or photo instead of the reason: ask for words."""
    await say(update, context, texts.ITEM_RETURN_NOT_TEXT, keyboards.choices([], back=False))
    return ReturnState.REASON


async def cancel(update: Update, context: CustomContext) -> int:
    """Leave the item as it was."""
    item_id = _draft_id(context)
    return await _end(update, context, texts.ITEM_RETURN_CANCELLED.format(number=item_id or ""))


async def _end(update: Update, context: CustomContext, text: str) -> int:
    return await guided.end(update, context, DRAFT, text)


def build_return_conversation() -> ConversationHandler[CustomContext]:
    """The 退回 conversation: entered from an item card's button, persistent."""
    # Per chat and user, not per message, on purpose: the reason is a text message, not a press.
    # PTB warns that callback queries are then not tracked per message; that is what we want.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)
        return _conversation()


def _conversation() -> ConversationHandler[CustomContext]:
    return DurableConversation(
        entry_points=[CallbackQueryHandler(begin, pattern=rf"^{notify.ITEM_PREFIX}{notify.RETURN}:\d+$")],
        states={
            ReturnState.REASON: [
                MessageHandler(filters.Text([texts.BUTTON_CANCEL]), cancel),
                MessageHandler(filters.TEXT & ~filters.COMMAND, reason),
                MessageHandler(~filters.COMMAND, not_text),
            ],
        },
        fallbacks=[CommandHandler("cancel", cancel)],
        name=NAME,
        persistent=True,
        allow_reentry=True,
        timeout=guided.TIMEOUT_SECONDS,
        per_message=False,
    )
