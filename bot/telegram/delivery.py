"""Delivery: the outbox worker and the broadcast clock, started and stopped with the bot.

`services.outbox` does the queueing, pacing and bookkeeping; this module gives it Telegram — a
sender that wraps `bot.send_message` and maps PTB's errors to outcomes — and runs a clock that
once a second releases scheduled broadcasts and closes finished ones (queueing the delivery
report to their sender), and once a minute sends the deadline reminders due.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import math
from collections.abc import Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot, InlineKeyboardMarkup, ReplyKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import ExtBot

from bot import texts
from bot.metrics import Metrics
from bot.telegram.render import excerpt
from bot.telegram.sending import Lane
from policy_kb.schema import Cadence
from services import broadcasts, deadlines, outbox
from services.broadcasts import DeliveryReport
from services.db import session_scope
from services.models import utcnow
from services.workdays import CHINA_TZ

log = logging.getLogger("fupin.bot")

#: Seconds between the clock's looks at scheduled and finished broadcasts.
TICK_SECONDS = 1.0
#: Seconds between looks for deadline reminders due.
REMINDER_CHECK_SECONDS = 60.0


def _markup(data: dict[str, object] | None, bot: Bot) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | None:
    if not data:
        return None
    if "inline_keyboard" in data:
        return InlineKeyboardMarkup.de_json(data, bot)
    return ReplyKeyboardMarkup.de_json(data, bot)


#: How Telegram says an edit would leave the message as it is (the edit's purpose is met).
NOT_MODIFIED = "message is not modified"


async def _deliver(bot: ExtBot[Lane], message: outbox.Outgoing) -> int:
    """Send (or edit) one outbox message on the outbox's lane; returns the Telegram message id."""
    markup = _markup(message.reply_markup, bot)
    if message.edit_message_id is not None:
        inline = markup if isinstance(markup, InlineKeyboardMarkup) else None
        try:
            await bot.edit_message_text(
                message.text,
                chat_id=message.chat_id,
                message_id=message.edit_message_id,
                reply_markup=inline,
                rate_limit_args=Lane.OUTBOX,
            )
        except BadRequest as error:
            if NOT_MODIFIED not in error.message.lower():
                raise
        return message.edit_message_id
    if message.photo is not None:
        sent = await bot.send_photo(
            message.chat_id, message.photo, caption=message.text, reply_markup=markup, rate_limit_args=Lane.OUTBOX
        )
    else:
        sent = await bot.send_message(message.chat_id, message.text, reply_markup=markup, rate_limit_args=Lane.OUTBOX)
    return sent.message_id


async def _result(bot: ExtBot[Lane], message: outbox.Outgoing) -> outbox.SendResult:
    """Send one message; Telegram's answer as an outcome of `services.outbox`."""
    try:
        message_id = await _deliver(bot, message)
    except RetryAfter as error:
        wait = error.retry_after
        return outbox.RetryLater(wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait))
    except Forbidden as error:
        return outbox.Blocked(error.message)
    except BadRequest as error:  # a NetworkError subclass in PTB, but retrying will not help
        return outbox.Rejected(error.message)
    except NetworkError as error:  # TimedOut included
        return outbox.NetworkFailure(f"{type(error).__name__}: {error.message}")
    except TelegramError as error:  # ChatMigrated, InvalidToken…: nothing a retry would fix
        return outbox.Rejected(f"{type(error).__name__}: {error.message}")
    return outbox.Sent(message_id)


def telegram_sender(bot: ExtBot[Lane], *, metrics: Metrics | None = None) -> outbox.Sender:
    """`services.outbox.Sender` over the Bot API (`_deliver`), with Telegram's answers as outcomes.

    The worker paced the message already: the bot's limiter lets it through on the outbox's lane
    (fitted to Telegram's limits like every request), and a 429 comes back here to be recorded.
    Each outcome is counted in `metrics`.
    """

    async def send(message: outbox.Outgoing) -> outbox.SendResult:
        result = await _result(bot, message)
        if metrics is not None:
            metrics.count_send(result)
        return result

    return send


def _names(names: Sequence[str]) -> str:
    """The first names of a reason's list, and how many more the dashboard shows."""
    shown = "、".join(names[: texts.BROADCAST_REPORT_NAMES])
    if len(names) > texts.BROADCAST_REPORT_NAMES:
        shown += texts.MORE_PEOPLE.format(count=len(names) - texts.BROADCAST_REPORT_NAMES)
    return shown


def render_report(report: DeliveryReport) -> str:
    """The delivery report as the sender reads it: delivered N, failed M, the reasons with (some) masked names.

    A notice to thousands may miss a thousand people: each reason names its first few and counts
    the rest, so the report always fits one message.
    """
    reasons = "".join(
        texts.BROADCAST_REPORT_REASON.format(reason=reason, count=len(names), names=_names(names))
        for reason, names in report.failed_by_reason().items()
    )
    return texts.BROADCAST_REPORT.format(
        audience=report.audience,
        recipients=report.recipients,
        delivered=report.delivered,
        failed=len(report.failed),
        reasons=reasons,
        excerpt=excerpt(report.text, texts.BROADCAST_EXCERPT),
    )


def render_reminder(reminder: deadlines.Reminder) -> str:
    """A deadline's or a recurring duty's reminder."""
    left = texts.REMINDER_TODAY if reminder.days_left == 0 else texts.REMINDER_DAYS_LEFT.format(days=reminder.days_left)
    if reminder.sentence is not None:
        return texts.REMINDER_CADENCE.format(
            title=reminder.title, date=reminder.due_date.isoformat(), left=left, sentence=reminder.sentence
        )
    return texts.REMINDER_DEADLINE.format(title=reminder.title, date=reminder.due_date.isoformat(), left=left)


class Delivery:
    """Runs the outbox worker and the clock for as long as the bot runs.

    Its worker draws on `pacer`, the process's budget of Telegram's limits, which the bot's
    replies share (`bot.telegram.sending`); the outbox's share of it is the pacer's `bulk_per_second`.
    """

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        cadences: Callable[[], Sequence[Cadence]],
        pacer: outbox.Pacer,
        max_attempts: int,
        reminder_offsets: Sequence[int],
        reminder_hour: int,
        metrics: Metrics | None = None,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._metrics = metrics
        #: The recurring duties of the plan in force, asked each time: a plan put in force moves them.
        self._cadences = cadences
        self._pacer = pacer
        self._max_attempts = max_attempts
        self._reminder_offsets = list(reminder_offsets)
        self._reminder_hour = reminder_hour
        self.worker: outbox.OutboxWorker | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._remind_soon = False
        #: When `tick` last looked for reminders due, on the event loop's clock (never, at first).
        self._last_reminder_check = -math.inf

    def wake(self) -> None:
        """Something was queued: have the worker look now rather than at its next poll."""
        if self.worker is not None:
            self.worker.wake()

    def deadlines_changed(self) -> None:
        """A deadline was registered: look for reminders due at the next tick, not in a minute."""
        self._remind_soon = True

    def _worker(self, bot: ExtBot[Lane]) -> outbox.OutboxWorker:
        options = outbox.WorkerOptions(policy=outbox.RetryPolicy(max_attempts=self._max_attempts))
        return outbox.OutboxWorker(
            self._sessionmaker, telegram_sender(bot, metrics=self._metrics), pacer=self._pacer, options=options
        )

    async def start(self, bot: ExtBot[Lane]) -> None:
        """Start draining the outbox through `bot` (an initialised PTB bot)."""
        self.worker = self._worker(bot)
        self._last_reminder_check = -math.inf  # a (re)start looks at once
        self._tasks = [
            asyncio.create_task(self.worker.run(), name="fupin-outbox"),
            asyncio.create_task(self._clock(), name="fupin-broadcast-clock"),
        ]
        log.info("delivery started (%s)", self.worker.name)

    async def deliver_now(self, bot: ExtBot[Lane]) -> None:
        """What the clock and the worker would do next, done now and awaited: a look of the clock
        (`tick`), then everything due sent through `bot` (`OutboxWorker.drain`), again until a
        look queues nothing more (a broadcast's last message out queues its report).

        For a caller that decides when delivery happens instead of `start` (the tests that drive
        the handlers in-process); never while started, or two workers would share one pacer's turns.
        """
        worker = self._worker(bot)
        while True:
            await self.tick()
            if not await worker.drain():
                return

    async def stop(self) -> None:
        """Stop the clock, then the worker cleanly (sends on the wire recorded, the rest handed back)."""
        if self.worker is None:
            return
        clock = self._tasks[1]
        clock.cancel()
        await asyncio.gather(clock, return_exceptions=True)
        await self.worker.stop()
        await asyncio.gather(self._tasks[0], return_exceptions=True)
        self.worker, self._tasks = None, []

    async def _clock(self) -> None:
        while True:
            try:
                await self.tick()
            except Exception:  # a bad tick must not stop deliveries for good; the next one retries
                log.exception("the broadcast clock failed; retrying")
            await asyncio.sleep(TICK_SECONDS)

    async def tick(self) -> None:
        """One look of the clock: release due broadcasts, close finished ones, and send the deadline
        reminders due when it is time to look for them (every `REMINDER_CHECK_SECONDS`, or at once
        after `deadlines_changed`); wakes the worker if that queued anything.

        The clock calls it every `TICK_SECONDS`; a test calls it when it wants the look to happen.
        """
        queued = await self._settle_broadcasts()
        now = asyncio.get_running_loop().time()
        if self._remind_soon or now - self._last_reminder_check >= REMINDER_CHECK_SECONDS:
            self._last_reminder_check, self._remind_soon = now, False
            queued = await self._remind() or queued
        if queued:
            self.wake()

    async def _settle_broadcasts(self) -> bool:
        """Release due broadcasts, close finished ones; whether anything was queued."""
        async with session_scope(self._sessionmaker) as session:
            released = await broadcasts.release_due(session)
            finished = await broadcasts.finish_delivered(session, render=render_report)
        return bool(released or finished)

    async def _remind(self) -> bool:
        """Send the reminders due today, from the configured hour (Beijing time) on."""
        now = utcnow()
        local = now.astimezone(CHINA_TZ)
        if local.hour < self._reminder_hour:
            return False
        async with session_scope(self._sessionmaker) as session:
            sent = await deadlines.send_due_reminders(
                session,
                cadences=self._cadences(),
                offsets=self._reminder_offsets,
                today=local.date(),
                render=render_reminder,
                now=now,
            )
        return bool(sent)
