"""The scaffolding every guided conversation shares: its handler, 取消, the timeout, writing to the user.

A guided conversation asks one thing per step, keeps the answers in a draft in `user_data` and
its state in the persisted `ConversationHandler`, so a restart resumes at the same step. What is
the same in all of them lives here and in `bot.conversations.form` (the draft and its steps:
asking, 上一步, refusals); each conversation's steps, questions and rules stay in its own module,
which still reads top to bottom.

Two ways of answering are kept apart on purpose: `reply` answers the message (the step's own
message is still there), `say` writes to the chat (the message may have been deleted, as a
身份证号 is, or the update may be a button press or a timeout). A conversation keeps the one it
was written with, so what the user sees does not change.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from telegram import ReplyKeyboardMarkup, Update
from telegram.ext import BaseHandler, CommandHandler, ConversationHandler, MessageHandler, TypeHandler, filters

from bot import texts
from bot.context import CustomContext
from bot.persistence import DurableConversation
from bot.telegram import roles

#: Seconds of silence after which a conversation ends by itself.
TIMEOUT_SECONDS = 30 * 60
#: Refused answers to one step before the step explains itself and offers to stop.
MAX_WRONG = 3
#: A step's answer: typed text, not a command.
TEXT_ANSWER = filters.TEXT & ~filters.COMMAND

S = TypeVar("S", bound=StrEnum)
#: The handlers of one state.
Handlers = list[BaseHandler[Update, CustomContext, Any]]
#: A handler callback.
Callback = Callable[[Update, CustomContext], Coroutine[Any, Any, Any]]


class Send(Protocol):
    """`reply` or `say`: how a conversation writes to the user."""

    async def __call__(
        self, update: Update, context: CustomContext, text: str, markup: ReplyKeyboardMarkup | None = None
    ) -> None: ...


# -- the draft ------------------------------------------------------------------------------------


def secrets_of(context: CustomContext, key: str) -> dict[str, Any]:
    """The memory-only part of the draft `key`: what must never be written down, such as a 身份证号.

    It lives in `chat_data`, which `bot.persistence` never stores: a restart forgets it, and the
    step that needs it asks for it again.
    """
    return context.chat_data.setdefault(key, {}) if context.chat_data is not None else {}


def drop_draft(context: CustomContext, key: str) -> None:
    """Forget the draft and its memory-only part: the conversation ended, was cancelled or timed out."""
    if context.user_data is not None:
        context.user_data.pop(key, None)
    if context.chat_data is not None:
        context.chat_data.pop(key, None)


def text_of(update: Update) -> str:
    """The message's text, or "" (a sticker, a photo)."""
    message = update.effective_message
    return (message.text or "") if message else ""


def answer_of(update: Update) -> str:
    """The message's text without the blanks around it, as a step reads its answer."""
    return text_of(update).strip()


# -- writing to the user --------------------------------------------------------------------------


async def reply(update: Update, context: CustomContext, text: str, markup: ReplyKeyboardMarkup | None = None) -> None:
    """Answer the message the update carries."""
    if update.effective_message:
        await update.effective_message.reply_text(text, reply_markup=markup)


async def say(update: Update, context: CustomContext, text: str, markup: ReplyKeyboardMarkup | None = None) -> None:
    """Write to the chat the update came from (its message may be gone, or be a button's)."""
    if update.effective_chat is not None:
        await context.bot.send_message(update.effective_chat.id, text, reply_markup=markup)


async def end(update: Update, context: CustomContext, key: str, text: str, *, send: Send = say) -> int:
    """Drop the draft, `send` `text` with the user's menu, end the conversation."""
    drop_draft(context, key)
    await send(update, context, text, await roles.menu(update, context))
    return ConversationHandler.END


# -- handlers every step has ----------------------------------------------------------------------


def cancel_handler(key: str, text: str, *, send: Send) -> Callable[[Update, CustomContext], Coroutine[Any, Any, int]]:
    """取消 and /cancel: drop the draft, say `text` with the user's menu, end; nothing is filed."""

    async def cancel(update: Update, context: CustomContext) -> int:
        """Drop the draft and end."""
        return await end(update, context, key, text, send=send)

    return cancel


def timeout_handler(
    key: str, text: str, *, menu: bool = True
) -> Callable[[Update, CustomContext], Coroutine[Any, Any, None]]:
    """Drop an abandoned draft and say `text` (with the user's menu unless `menu` is False)."""

    async def timed_out(update: Update, context: CustomContext) -> None:
        """Drop an abandoned draft and say so."""
        drop_draft(context, key)
        if update.effective_chat:
            await say(update, context, text, await roles.menu(update, context) if menu else None)

    return timed_out


def busy_handler(text: str, *, send: Send) -> Callable[[Update, CustomContext], Coroutine[Any, Any, None]]:
    """Another command in the middle: remind of the conversation (the state is unchanged)."""

    async def busy(update: Update, context: CustomContext) -> None:
        """Another command in the middle: remind of the step."""
        await send(update, context, text)

    return busy


def step(
    state: S,
    callback: Callback,
    *,
    wrong: Callable[[Update, CustomContext, S], Coroutine[Any, Any, S]],
    back: Callback,
    cancel: Callback,
    answer: filters.BaseFilter = TEXT_ANSWER,
) -> Handlers:
    """One state's handlers: 上一步, 取消, the `answer` to `callback`, anything else (a sticker) to `wrong`."""

    async def not_understood(update: Update, context: CustomContext) -> S:
        return await wrong(update, context, state)

    return [
        MessageHandler(filters.Text([texts.BUTTON_BACK]), back),
        MessageHandler(filters.Text([texts.BUTTON_CANCEL]), cancel),
        MessageHandler(answer, callback),
        MessageHandler(~filters.COMMAND, not_understood),
    ]


def guided_conversation(
    *,
    name: str,
    command: str,
    begin: Callback,
    steps: Mapping[S, Callback],
    wrong: Callable[[Update, CustomContext, S], Coroutine[Any, Any, S]],
    back: Callback,
    cancel: Callback,
    busy: Callback,
    timed_out: Callback,
    button: str | None = None,
    answers: Mapping[S, filters.BaseFilter] | None = None,
    timeout: float = TIMEOUT_SECONDS,
) -> ConversationHandler[CustomContext]:
    """A persistent conversation entered by `/command` (and its menu `button`), one `step` per state.

    /cancel cancels, `/command` starts afresh, any other command is `busy`; silence for `timeout`
    seconds calls `timed_out`, across restarts too (`bot.persistence.DurableConversation`).

    Args:
        name: the name in persistence; changing it forgets every conversation in progress.
        steps: each state's callback for its answer.
        wrong: says a state's answer was not understood and asks again.
        answers: a state's answer when it is not typed text (a photo).
    """
    entry: Handlers = [CommandHandler(command, begin)]
    if button is not None:
        entry.append(MessageHandler(filters.Text([button]), begin))
    states: dict[object, Handlers] = {
        state: step(
            state,
            callback,
            wrong=wrong,
            back=back,
            cancel=cancel,
            answer=(answers or {}).get(state, TEXT_ANSWER),
        )
        for state, callback in steps.items()
    }
    states[ConversationHandler.TIMEOUT] = [TypeHandler(Update, timed_out)]
    return DurableConversation(
        entry_points=entry,
        states=states,
        fallbacks=[
            CommandHandler("cancel", cancel),
            CommandHandler(command, begin),
            MessageHandler(filters.COMMAND, busy),
        ],
        name=name,
        persistent=True,
        allow_reentry=True,
        timeout=timeout,
    )
