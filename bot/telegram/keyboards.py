"""Reply and inline keyboards the handlers send, built from `bot.texts` labels."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyKeyboardMarkup

from bot import texts
from policy_kb.results import Alternative

#: Telegram's limit on `callback_data`, in bytes.
CALLBACK_DATA_LIMIT = 64
#: Prefix of an alternative-topic button carrying the question to ask.
ALT_QUESTION = "q:"
#: Prefix of an alternative-topic button carrying a measure id (its question was too long).
ALT_MEASURE = "m:"


def main_menu() -> ReplyKeyboardMarkup:
    """The households' menu under the input field."""
    return ReplyKeyboardMarkup(texts.MENU, resize_keyboard=True, input_field_placeholder=texts.MENU_PLACEHOLDER)


def choices(options: Sequence[str], *, per_row: int = 2, back: bool = True) -> ReplyKeyboardMarkup:
    """A step's options, then 上一步 / 取消 on their own row."""
    rows = [list(options[i : i + per_row]) for i in range(0, len(options), per_row)]
    rows.append([texts.BUTTON_BACK, texts.BUTTON_CANCEL] if back else [texts.BUTTON_CANCEL])
    return ReplyKeyboardMarkup(rows, resize_keyboard=True, one_time_keyboard=False)


def alternative_data(alternative: Alternative) -> str:
    """Callback data for a "did you mean" button: the question itself when it fits in 64 bytes."""
    data = ALT_QUESTION + alternative.question
    if len(data.encode()) <= CALLBACK_DATA_LIMIT:
        return data
    return (ALT_MEASURE + alternative.measure)[:CALLBACK_DATA_LIMIT]


def alternatives(options: Sequence[Alternative]) -> InlineKeyboardMarkup:
    """One button per likely topic, labelled with the question it asks."""
    rows = []
    for option in options:
        label = texts.ALTERNATIVE_BUTTON.format(question=option.question)
        rows.append([InlineKeyboardButton(label, callback_data=alternative_data(option))])
    return InlineKeyboardMarkup(rows)
