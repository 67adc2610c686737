"""Every Bot API request passes here: fitted to Telegram's limits, paced under the shared budget, retried after 429.

`SendingLimiter` is PTB's extension point for this (`ApplicationBuilder().rate_limiter(...)`):
the bot's `ExtBot` hands it every request but `getUpdates`, so handlers keep calling
`reply_text`, `send_message`, `answer`… and none of them can forget a limit.

- Size (`fit_request`, the one guard): a message text is cut to 4,096 characters, a caption to
  1,024 and a callback answer to 200, with a marker saying the rest was left out (`texts.TRUNCATED`),
  because a reply cut short tells the person something and a refused one tells them nothing. A
  list that can grow should still cap itself and point to the dashboard (`bot.telegram.render.capped_lines`);
  this is the safety net. Callback data over 64 bytes cannot be cut without changing what the button
  means: that is a programming error and raises before anything is sent.
- Pace: a message a handler sends (a reply) waits for its slot in the process's one `Pacer`, the
  budget the outbox worker draws on too, ahead of the outbox (`Pacer.wait_reply`). The outbox's own
  sends say so (`Lane.OUTBOX` as `rate_limit_args`): the worker paced them already and records a
  429 itself, so they pass straight through.
- Retry: a reply Telegram answers 429 holds its chat for `retry_after` and goes again, up to
  `max_retries` times; other methods (edits, callback answers) are retried the same way. Every
  429, the outbox's too, is counted by lane (`bot.metrics`).
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import InlineKeyboardMarkup
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot import texts
from bot.metrics import OUTBOX_LANE, REPLY_LANE, Metrics
from services.outbox import Pacer

log = logging.getLogger("fupin.bot")

#: Telegram's limits on what a request may carry (characters; bytes for callback data).
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_ANSWER = 200
MAX_CALLBACK_DATA_BYTES = 64
#: Methods whose `text` is a message text; `answerCallbackQuery`'s is the short notice instead.
_MESSAGE_TEXT_METHODS = frozenset({"sendmessage", "editmessagetext"})
#: Methods that put a new message into a chat, counted against Telegram's messages per second.
_NEW_MESSAGE_PREFIXES = ("send", "copymessage", "forwardmessage")
_NOT_COUNTED = frozenset({"sendchataction"})


class Lane(enum.Enum):
    """Who sends, given as `rate_limit_args`; a request without it is a reply."""

    #: The outbox worker: paced by `Pacer.wait` already, its 429s recorded on the row.
    OUTBOX = "outbox"


def _utf16_length(text: str) -> int:
    # Telegram counts text in UTF-16 code units (an emoji beyond the BMP is two).
    return len(text.encode("utf-16-le")) // 2


def fit_text(text: str, limit: int) -> str:
    """`text` if it fits in `limit`, else its start and `texts.TRUNCATED`, `limit` in all."""
    if _utf16_length(text) <= limit:
        return text
    marker = texts.TRUNCATED
    room = limit - _utf16_length(marker)
    # Cut in UTF-16 and drop a surrogate half left at the cut.
    head = text.encode("utf-16-le")[: 2 * room].decode("utf-16-le", errors="ignore")
    return head.rstrip() + marker


def fit_request(endpoint: str, data: dict[str, Any]) -> None:
    """Make the request's texts fit the Bot API, in place (the one guard every request passes).

    Raises:
        ValueError: a button's callback data is over 64 bytes (cutting it would change the button).
    """
    method = endpoint.lower()
    text = data.get("text")
    if isinstance(text, str):
        if method in _MESSAGE_TEXT_METHODS:
            data["text"] = fit_text(text, MAX_TEXT)
        elif method == "answercallbackquery":
            data["text"] = fit_text(text, MAX_CALLBACK_ANSWER)
    caption = data.get("caption")
    if isinstance(caption, str):
        data["caption"] = fit_text(caption, MAX_CAPTION)
    markup = data.get("reply_markup")
    if isinstance(markup, InlineKeyboardMarkup):
        for row in markup.inline_keyboard:
            for button in row:
                if (
                    button.callback_data is not None
                    and len(str(button.callback_data).encode()) > MAX_CALLBACK_DATA_BYTES
                ):
                    raise ValueError(f"callback_data of button {button.text!r} is over {MAX_CALLBACK_DATA_BYTES} bytes")


def _chat_of(endpoint: str, data: dict[str, Any]) -> int | None:
    """The chat a new message goes to, when the request sends one (else None: not paced)."""
    method = endpoint.lower()
    if not method.startswith(_NEW_MESSAGE_PREFIXES) or method in _NOT_COUNTED:
        return None
    try:
        return int(data["chat_id"])
    except (KeyError, TypeError, ValueError):  # a @channel username: not this bot's traffic
        return None


def _seconds(error: RetryAfter) -> float:
    wait = error.retry_after
    return wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait)


Request = Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]]


class SendingLimiter(BaseRateLimiter[Lane]):
    """The bot's rate limiter: the size guard, replies paced ahead of the outbox, 429s retried.

    Args:
        pacer: the process's one budget, shared with the outbox worker.
        max_retries: 429s a request waits out before the error reaches its handler.
        metrics: where every 429 is counted, by lane.
    """

    def __init__(self, pacer: Pacer, *, max_retries: int = 5, metrics: Metrics | None = None) -> None:
        self.pacer = pacer
        self.max_retries = max_retries
        self.metrics = metrics

    async def initialize(self) -> None:
        """Nothing to set up: the pacer lives as long as the process."""

    async def shutdown(self) -> None:
        """Nothing to free."""

    async def process_request(
        self,
        callback: Request,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: Lane | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Fit, pace (replies), send, and wait out 429s (replies and other methods)."""
        fit_request(endpoint, data)
        if rate_limit_args is Lane.OUTBOX:
            try:
                return await callback(*args, **kwargs)
            except RetryAfter:
                self._count_retry_after(OUTBOX_LANE)
                raise
        chat_id = _chat_of(endpoint, data)
        retries = 0
        while True:
            if chat_id is not None:
                await self.pacer.wait_reply(chat_id)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                self._count_retry_after(REPLY_LANE)
                retries += 1
                if retries > self.max_retries:
                    raise
                seconds = _seconds(error)
                log.info("%s got 429; again in %.1f s (retry %d)", endpoint, seconds, retries)
                if chat_id is not None:
                    self.pacer.hold(chat_id, seconds)
                else:
                    await self.pacer.sleep(seconds)

    def _count_retry_after(self, lane: str) -> None:
        if self.metrics is not None:
            self.metrics.count_retry_after(lane)
