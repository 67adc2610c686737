"""What one `fupin serve` process tells Prometheus: every metric is defined here, `/metrics` exports it.

Two kinds of figures:
- the process's own events, counted where they happen in `bot/` — updates taken in, the question
  engine's answer time and outcome, Telegram's 429s, what the outbox worker's sends came to.
  Each process counts its own; Prometheus adds the processes up.
- the database's state, read at scrape time (`Metrics.read_database`, from `services`): the outbox's
  depth and its oldest due message, messages given up by reason, overdue items. These are the
  same from every process of one database; aggregate them with `max`, not `sum`.

Services stay free of Prometheus: they return numbers (`services.outbox.stats`,
`services.office.count_overdue`), and this module turns them into metrics. Each app has its
own registry (tests run several apps in one process).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from enum import StrEnum

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Update

from policy_kb.results import Answer
from services import office, outbox
from services.db import session_scope
from services.models import FailureReason, OutboxStatus
from services.questions import is_unsure
from services.workdays import china_today

log = logging.getLogger("fupin.http")

#: The content type of `Metrics.exposition`.
CONTENT_TYPE = CONTENT_TYPE_LATEST
#: Answer-time buckets (seconds): an answer takes about a millisecond, a slow one tens of them.
ANSWER_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class UpdateKind(StrEnum):
    """What an update is, as the operator counts them."""

    COMMAND = "command"
    #: A text message (a question, a conversation's answer, a menu button).
    MESSAGE = "message"
    #: A photo, sticker, voice… (a message without text).
    MEDIA = "media"
    CALLBACK = "callback"
    EDITED = "edited"
    OTHER = "other"


class AnswerOutcome(StrEnum):
    """How a question went: the unsure and unanswered ones are the office's to review."""

    ANSWERED = "answered"
    #: Covered, but with low confidence (`services.questions.is_unsure`).
    UNSURE = "unsure"
    #: The plan answers none of the message's questions.
    UNANSWERED = "unanswered"


class SendOutcome(StrEnum):
    """What one of the outbox worker's sends came to (`services.outbox.SendResult`)."""

    SENT = "sent"
    RETRY_LATER = "retry_later"
    NETWORK = "network"
    BLOCKED = "blocked"
    REJECTED = "rejected"


#: `rate_limit_args` lanes as labels: a request without one is a handler's reply.
REPLY_LANE = "reply"
OUTBOX_LANE = "outbox"


def update_kind(update: object) -> UpdateKind:
    """The kind of an update, for `fupin_updates_total`."""
    if not isinstance(update, Update):
        return UpdateKind.OTHER
    if update.callback_query is not None:
        return UpdateKind.CALLBACK
    if update.edited_message is not None or update.edited_channel_post is not None:
        return UpdateKind.EDITED
    message = update.message or update.channel_post
    if message is None:
        return UpdateKind.OTHER
    if message.text is None:
        return UpdateKind.MEDIA
    command = message.entities[0] if message.entities else None
    if command is not None and command.type == "bot_command" and command.offset == 0:
        return UpdateKind.COMMAND
    return UpdateKind.MESSAGE


def answer_outcome(answer: Answer) -> AnswerOutcome:
    """Answered, unsure or unanswered, by the rule the office's review list uses."""
    if not answer.matched:
        return AnswerOutcome.UNANSWERED
    return AnswerOutcome.UNSURE if is_unsure(answer) else AnswerOutcome.ANSWERED


def send_outcome(result: outbox.SendResult) -> SendOutcome:
    """The label of one send's result."""
    match result:
        case outbox.Sent():
            return SendOutcome.SENT
        case outbox.RetryLater():
            return SendOutcome.RETRY_LATER
        case outbox.NetworkFailure():
            return SendOutcome.NETWORK
        case outbox.Blocked():
            return SendOutcome.BLOCKED
        case outbox.Rejected():
            return SendOutcome.REJECTED


class _DatabaseFigures(Collector):
    """The figures last read from the database (`Metrics.read_database`), as metric families.

    Nothing is reported until a read succeeds, and nothing after one fails: a stale depth would
    hide a stuck outbox.
    """

    def __init__(self) -> None:
        self.outbox: outbox.OutboxStats | None = None
        self.overdue: int | None = None

    def collect(self) -> Iterable[Metric]:
        stats, overdue = self.outbox, self.overdue
        if stats is None or overdue is None:
            return
        depth = GaugeMetricFamily(
            "fupin_outbox_depth",
            "Outbox messages waiting to go out (pending) or on the way (sending).",
            labels=["status"],
        )
        depth.add_metric([OutboxStatus.PENDING.value], stats.pending)
        depth.add_metric([OutboxStatus.SENDING.value], stats.sending)
        yield depth
        yield GaugeMetricFamily(
            "fupin_outbox_oldest_due_seconds",
            "Seconds since the longest-waiting pending outbox message became due (0: none waits).",
            value=stats.oldest_due_seconds,
        )
        failed = CounterMetricFamily(
            "fupin_outbox_failed", "Outbox messages given up, by reason (from the database).", labels=["reason"]
        )
        for reason in FailureReason:
            failed.add_metric([reason.value], stats.failed.get(reason, 0))
        yield failed
        yield GaugeMetricFamily("fupin_items_overdue", "Open items past their due date, county-wide.", value=overdue)


class Metrics:
    """One process's metrics in a registry of its own, with the process's CPU, memory and GC."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        GCCollector(registry=self.registry)
        self.updates = Counter(
            "fupin_updates", "Telegram updates the bot took in, by kind.", ["kind"], registry=self.registry
        )
        self.answer_seconds = Histogram(
            "fupin_answer_seconds",
            "Seconds the question engine took to answer a household's question.",
            buckets=ANSWER_BUCKETS,
            registry=self.registry,
        )
        self.questions = Counter(
            "fupin_questions",
            "Households' questions by outcome: the share not answered is unsure + unanswered over all.",
            ["outcome"],
            registry=self.registry,
        )
        self.retry_after = Counter(
            "fupin_telegram_retry_after",
            "429 Too Many Requests answers from Telegram, by lane (a handler's reply, the outbox).",
            ["lane"],
            registry=self.registry,
        )
        self.sends = Counter(
            "fupin_outbox_sends",
            "What this process's outbox sends came to (a retried message counts once per try).",
            ["outcome"],
            registry=self.registry,
        )
        # Every label shown from the start, at 0: a rate over a series that appears late misses its first step.
        for kind in UpdateKind:
            self.updates.labels(kind.value)
        for outcome in AnswerOutcome:
            self.questions.labels(outcome.value)
        for lane in (REPLY_LANE, OUTBOX_LANE):
            self.retry_after.labels(lane)
        for sent in SendOutcome:
            self.sends.labels(sent.value)
        self._database = _DatabaseFigures()
        self.registry.register(self._database)

    def count_update(self, update: object) -> None:
        """One update taken in."""
        self.updates.labels(update_kind(update).value).inc()

    def timed(self, answer: Callable[[str], Answer]) -> Callable[[str], Answer]:
        """`answer`, its time and outcome counted: the composition root hands this to the handlers."""

        def answer_counted(question: str) -> Answer:
            started = time.perf_counter()
            result = answer(question)
            self.answer_seconds.observe(time.perf_counter() - started)
            self.questions.labels(answer_outcome(result).value).inc()
            return result

        return answer_counted

    def count_retry_after(self, lane: str) -> None:
        """Telegram answered 429 to a request of `lane` (`REPLY_LANE` or `OUTBOX_LANE`)."""
        self.retry_after.labels(lane).inc()

    def count_send(self, result: outbox.SendResult) -> None:
        """One outbox send came to `result`."""
        self.sends.labels(send_outcome(result).value).inc()

    async def read_database(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        """Read the database's figures for this scrape; on failure they are left out of it (logged)."""
        try:
            async with session_scope(sessionmaker) as session:
                stats = await outbox.stats(session)
                overdue = await office.count_overdue(session, today=china_today())
        except Exception as exc:  # the database away: the process's own figures still go out
            log.warning("metrics: the database could not be read (%s)", type(exc).__name__)
            self._database.outbox, self._database.overdue = None, None
            return
        self._database.outbox, self._database.overdue = stats, overdue

    def exposition(self) -> bytes:
        """Every metric in Prometheus's text format."""
        return generate_latest(self.registry)
