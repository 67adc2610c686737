"""Inline button presses: answered before any work, whatever Telegram says; what came of them told in a message.

Telegram wants `answerCallbackQuery` within seconds of a press and refuses it later ("query is
too old…", after downtime or a queue) or a second time; the network may fail too. None of that
may stop the work the press asked for — the state change, the card edit, the notices — so one
handler (`press_answered`, registered in `bot.app` right after the gate) answers every press at
once and swallows a refusal, and no other handler answers a press. Since the answer cannot
carry the outcome, handlers tell it in a message (`tell_presser`), where it also stays readable.
"""

from __future__ import annotations

import logging

from telegram import CallbackQuery, ReplyKeyboardMarkup, Update
from telegram.error import TelegramError

from bot.context import CustomContext

log = logging.getLogger("fupin.bot")


async def answer_press(query: CallbackQuery, text: str | None = None) -> None:
    """Answer a press (with a short `text` shown on top of the chat); a refused or failed answer is only logged."""
    try:
        await query.answer(text)
    except TelegramError as error:
        log.info("button press %s not answered: %s", query.id, error)


async def press_answered(update: Update, context: CustomContext) -> None:
    """Answer every button press before any handler works on it."""
    if update.callback_query is not None:
        await answer_press(update.callback_query)


async def tell_presser(
    update: Update, context: CustomContext, text: str, *, reply_markup: ReplyKeyboardMarkup | None = None
) -> None:
    """What came of a press, in the presser's own chat: a pressed card's chat is not necessarily theirs."""
    if update.effective_user is not None:
        await context.bot.send_message(update.effective_user.id, text, reply_markup=reply_markup)
