"""The error handler: log every unhandled exception with the update (personal data masked)."""

from __future__ import annotations

import json
import logging
from typing import Any

from telegram import Update

from bot import texts
from bot.context import CustomContext
from services.masking import mask_name, mask_text

log = logging.getLogger("fupin.bot")

#: Keys whose values are names or handles: masked as names.
_NAME_KEYS = {"first_name", "last_name", "username", "title"}
#: Keys whose values are free text a person wrote: ID and phone numbers masked, length capped.
_TEXT_KEYS = {"text", "caption", "data", "query"}
#: Longest free text kept in a log line.
_TEXT_LIMIT = 80


def masked(value: Any, key: str = "") -> Any:
    """A copy of an update's JSON with names and free text masked."""
    if isinstance(value, dict):
        return {k: masked(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [masked(v, key) for v in value]
    if isinstance(value, str):
        if key in _NAME_KEYS:
            return mask_name(value)
        if key in _TEXT_KEYS:
            return mask_text(value[:_TEXT_LIMIT]) + ("…" if len(value) > _TEXT_LIMIT else "")
    return value


async def error_handler(update: object, context: CustomContext) -> None:
    """Log the exception with the masked update, and tell the user something went wrong."""
    payload = masked(update.to_dict()) if isinstance(update, Update) else repr(update)
    log.error("handler failed on update %s", json.dumps(payload, ensure_ascii=False), exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await context.bot.send_message(update.effective_chat.id, texts.ERROR)
        except Exception:  # the failure may be Telegram itself; the log line above is what matters
            log.warning("could not tell chat about the error", exc_info=True)
