"""The outbox: every outgoing notice is a database row that workers claim, pace, send and record.

Why a table and not a loop over `send_message`: a broadcast to 3,000 people takes at least 100 s
under Telegram's limits, and the process may stop at any moment in between. Rows in
`pending` survive; a worker claims a batch (`sending`, with its name and the time), sends each
message when the `Pacer` allows, and records the outcome in its own short transaction.

Outcomes (the sender, a callable from the bot layer, maps Telegram's answers to these):
- `Sent`: `sent`, with Telegram's message id.
- `RetryLater` (429): back to `pending` after `retry_after`; not an attempt — the message was early.
- `NetworkFailure`: back to `pending` after an exponential backoff; `failed` (network) after
  `max_attempts`.
- `Blocked` (403): `failed` (blocked) and the person marked inactive, with an audit row.
- `Rejected` (400, e.g. chat not found): `failed` (rejected); retrying would not help.

The crash window, and the choice made here. Telegram offers no idempotency key and no way to ask
whether a message arrived, so between "Telegram accepted the message" and "the row says sent"
there is a window no design can close; one can only choose which way to fail and make the window
small:
- A stop (restart, deploy, SIGTERM) is clean: `OutboxWorker.stop` stops claiming, waits for the
  sends already on the wire and records them, and hands back (`release`) the claimed rows not yet
  sent, uncounted. Nothing is lost and nothing is sent twice.
- The database away while outcomes are recorded (a restart of PostgreSQL, a failover): the worker
  keeps each outcome in memory and tries again to record it until the database answers, and never
  takes back (`recover_stale`) a row it still holds itself. A message Telegram accepted is never
  handed back, so an outage sends nobody anything twice; it only delays the bookkeeping.
- A hard crash (power cut, kill -9) leaves the few rows that were on the wire in `sending`. They are
  taken back after the lease (`recover_stale`) and sent again: at-least-once. A notice seen twice
  is a nuisance; a deadline never received is a missed deadline. The window is one HTTP round
  trip per in-flight message, so at most a handful of people see a duplicate.

Besides new messages a row may carry a photo (`photo`, a Telegram file_id, with `text` as its
caption) or rewrite a message already sent (`edit_of`: the row whose message it edits, claimed only
once that row is sent; it fails with it). Item cards are kept current that way (`services.notices`).

Outbox rows are themselves the delivery log (attempts, error, sent_at); the audit log records
the broadcast-level changes and the people marked inactive, not one row per message sent.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import secrets
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import exists, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from services import audit
from services.db import session_scope
from services.models import FailureReason, OutboxMessage, OutboxStatus, User, utcnow
from services.users import mark_inactive

log = logging.getLogger(__name__)

#: Reason written to the audit log when a 403 marks someone inactive.
BLOCKED_REASON = "blocked the bot"
#: Longest error text kept on a row.
MAX_ERROR = 300
#: Chats the pacer remembers before it forgets those quiet for a minute.
MAX_TRACKED_CHATS = 10_000
#: Longest a claimed message waits for the pacer; beyond it the row goes back to the table until
#: then, so no claim is held anywhere near the lease after which another worker takes it back.
MAX_PACER_WAIT = 10.0
#: Longest pause between two tries at recording an outcome while the database is away.
MAX_RECORD_PAUSE = 5.0
#: Error kept on an edit whose message never went out.
EDIT_WITHOUT_MESSAGE = "the message to edit was never sent"


# -- what the sender returns --------------------------------------------------------------------


@dataclass(frozen=True)
class Outgoing:
    """One claimed message as the sender needs it."""

    id: int
    chat_id: int
    text: str
    reply_markup: dict[str, Any] | None = None
    #: A Telegram file_id: send this photo with `text` as its caption.
    photo: str | None = None
    #: Rewrite this message of the chat (text and buttons) instead of sending a new one.
    edit_message_id: int | None = None


@dataclass(frozen=True)
class Sent:
    """Telegram accepted the message."""

    message_id: int | None = None


@dataclass(frozen=True)
class RetryLater:
    """429 Too Many Requests: try again after `seconds` (Telegram's `retry_after`)."""

    seconds: float


@dataclass(frozen=True)
class Blocked:
    """403: the person blocked the bot (or deleted their account)."""

    description: str


@dataclass(frozen=True)
class NetworkFailure:
    """The request did not get an answer (timeout, connection reset, 5xx)."""

    description: str


@dataclass(frozen=True)
class Rejected:
    """Telegram refused this message for good (400 chat not found, bad markup…)."""

    description: str


SendResult = Sent | RetryLater | Blocked | NetworkFailure | Rejected
#: Sends one message; supplied by the bot layer, which alone knows Telegram.
Sender = Callable[[Outgoing], Awaitable[SendResult]]


@dataclass(frozen=True)
class RetryPolicy:
    """Network errors are retried `base * 2**(n-1)` seconds after the n-th (capped), up to `max_attempts`."""

    max_attempts: int = 5
    base_seconds: float = 2.0
    cap_seconds: float = 300.0

    def backoff(self, attempts: int) -> dt.timedelta:
        """Wait before the next try, after `attempts` failed ones."""
        return dt.timedelta(seconds=min(self.base_seconds * 2 ** max(attempts - 1, 0), self.cap_seconds))


# -- queueing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewMessage:
    """A message to queue (see `enqueue_many`)."""

    chat_id: int
    text: str
    user_id: int | None = None
    reply_markup: dict[str, Any] | None = None
    broadcast_id: int | None = None


async def enqueue(
    session: AsyncSession,
    *,
    chat_id: int,
    text: str,
    user_id: int | None = None,
    reply_markup: dict[str, Any] | None = None,
    broadcast_id: int | None = None,
    not_before: dt.datetime | None = None,
    item_id: int | None = None,
    card: str | None = None,
    photo: str | None = None,
    edit_of: int | None = None,
) -> OutboxMessage:
    """Queue one message in the caller's transaction: it goes out only if the caller commits.

    Args:
        item_id, card: the item whose card the message shows, and which card (redrawn on changes).
        photo: a Telegram file_id to send, `text` being its caption.
        edit_of: the row whose sent message this one rewrites, instead of sending a new message.
    """
    row = OutboxMessage(
        chat_id=chat_id,
        user_id=user_id,
        text=text,
        reply_markup=reply_markup,
        broadcast_id=broadcast_id,
        item_id=item_id,
        card=card,
        photo=photo,
        edit_of=edit_of,
        status=OutboxStatus.PENDING,
        attempts=0,
        next_attempt_at=not_before or utcnow(),
    )
    session.add(row)
    await session.flush()
    return row


async def enqueue_many(session: AsyncSession, messages: Iterable[NewMessage], *, now: dt.datetime | None = None) -> int:
    """Queue many messages with one multi-row INSERT (a broadcast's thousands); returns how many."""
    now = now or utcnow()
    rows = [
        {
            "chat_id": m.chat_id,
            "user_id": m.user_id,
            "text": m.text,
            "reply_markup": m.reply_markup,
            "broadcast_id": m.broadcast_id,
            "status": OutboxStatus.PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for m in messages
    ]
    if rows:
        await session.execute(insert(OutboxMessage), rows)
    return len(rows)


# -- claiming and recording ----------------------------------------------------------------------


async def claim(session: AsyncSession, *, worker: str, limit: int, now: dt.datetime | None = None) -> list[Outgoing]:
    """Take up to `limit` due messages for `worker`, oldest first.

    On PostgreSQL the SELECT locks its rows with `FOR UPDATE SKIP LOCKED`, so workers claiming
    at the same moment each get different rows and never wait on one another. (Two statements on
    purpose: as `UPDATE … WHERE id IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)` PostgreSQL may
    rescan the subquery, skip the rows it has just updated itself and claim more than `n`.)
    SQLite ignores the locking clause; there the `status = pending` condition of the UPDATE, run
    under the database's single write lock, keeps a row from being taken twice.
    """
    now = now or utcnow()
    target = aliased(OutboxMessage)
    # An edit waits until the message it rewrites is out (it is failed with it if that never goes).
    ready = or_(
        OutboxMessage.edit_of.is_(None),
        exists().where(
            target.id == OutboxMessage.edit_of,
            target.status == OutboxStatus.SENT,
            target.telegram_message_id.is_not(None),
        ),
    )
    due = (
        await session.scalars(
            select(OutboxMessage.id)
            .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now, ready)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    ).all()
    if not due:
        return []
    statement = (
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(due), OutboxMessage.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.SENDING, claimed_at=now, claimed_by=worker)
        .returning(
            OutboxMessage.id,
            OutboxMessage.chat_id,
            OutboxMessage.text,
            OutboxMessage.reply_markup,
            OutboxMessage.photo,
            OutboxMessage.edit_of,
        )
        .execution_options(synchronize_session=False)
    )
    rows = (await session.execute(statement)).all()
    edited = {r.edit_of for r in rows if r.edit_of is not None}
    sent_ids: dict[int, int | None] = {}
    if edited:
        found = await session.execute(
            select(OutboxMessage.id, OutboxMessage.telegram_message_id).where(OutboxMessage.id.in_(edited))
        )
        sent_ids = {r.id: r.telegram_message_id for r in found}
    claimed = (
        Outgoing(
            id=r.id,
            chat_id=r.chat_id,
            text=r.text,
            reply_markup=r.reply_markup,
            photo=r.photo,
            edit_message_id=sent_ids.get(r.edit_of) if r.edit_of is not None else None,
        )
        for r in rows
    )
    return sorted(claimed, key=lambda m: m.id)


async def release(session: AsyncSession, *, ids: Sequence[int], worker: str) -> int:
    """Hand claimed but unsent messages back (a clean stop); no attempt is counted."""
    if not ids:
        return 0
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_(ids), OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_by == worker
        )
        .values(status=OutboxStatus.PENDING, claimed_at=None, claimed_by=None)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]  # typed Result; DML returns a CursorResult


async def defer(session: AsyncSession, *, message_id: int, worker: str, seconds: float) -> None:
    """Hand a claimed message back to be sent no sooner than `seconds` from now; no attempt is counted."""
    await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.status == OutboxStatus.SENDING,
            OutboxMessage.claimed_by == worker,
        )
        .values(
            status=OutboxStatus.PENDING,
            claimed_at=None,
            claimed_by=None,
            next_attempt_at=utcnow() + dt.timedelta(seconds=seconds),
        )
    )


async def recover_stale(session: AsyncSession, *, older_than: dt.datetime, keep: str | None = None) -> int:
    """Take back messages a dead worker left in `sending` (claimed before `older_than`).

    They may have reached Telegram just before the crash: they are sent again (at-least-once;
    see the module docstring). The rows of worker `keep` (the caller itself, alive and still
    holding them, perhaps with an outcome it could not record yet) are left alone. Returns how many.
    """
    stale = [OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_at < older_than]
    if keep is not None:
        stale.append(OutboxMessage.claimed_by != keep)
    result = await session.execute(
        update(OutboxMessage).where(*stale).values(status=OutboxStatus.PENDING, claimed_at=None, claimed_by=None)
    )
    count = int(result.rowcount)  # type: ignore[attr-defined]  # typed Result; DML returns a CursorResult
    if count:
        log.warning("%d outbox messages left sending by a stopped worker are queued again", count)
    return count


async def record_result(
    session: AsyncSession,
    *,
    message_id: int,
    worker: str,
    result: SendResult,
    policy: RetryPolicy,
    now: dt.datetime | None = None,
) -> OutboxStatus | None:
    """Write what happened to one claimed message; a 403 also marks its person inactive.

    Returns:
        The message's new status, or None when `worker` no longer holds it (its claim was taken
        back after the lease ran out; the other worker's outcome stands).
    """
    now = now or utcnow()
    row = await session.get(OutboxMessage, message_id, with_for_update=True)
    if row is None or row.status != OutboxStatus.SENDING or row.claimed_by != worker:
        log.warning("outbox message %s is no longer held by %s; outcome %s dropped", message_id, worker, result)
        return None
    row.claimed_at, row.claimed_by = None, None
    match result:
        case Sent(message_id=telegram_id):
            row.status, row.sent_at, row.telegram_message_id, row.error = OutboxStatus.SENT, now, telegram_id, None
        case RetryLater(seconds=seconds):
            row.status, row.next_attempt_at = OutboxStatus.PENDING, now + dt.timedelta(seconds=seconds)
        case NetworkFailure(description=description):
            row.attempts += 1
            row.error = description[:MAX_ERROR]
            if row.attempts >= policy.max_attempts:
                row.status, row.failure = OutboxStatus.FAILED, FailureReason.NETWORK
            else:
                row.status, row.next_attempt_at = OutboxStatus.PENDING, now + policy.backoff(row.attempts)
        case Blocked(description=description):
            row.status, row.failure, row.error = OutboxStatus.FAILED, FailureReason.BLOCKED, description[:MAX_ERROR]
            if row.user_id is not None and (user := await session.get(User, row.user_id)) is not None:
                await mark_inactive(session, user=user, actor=audit.SYSTEM_ACTOR, reason=BLOCKED_REASON)
        case Rejected(description=description):
            row.status, row.failure, row.error = OutboxStatus.FAILED, FailureReason.REJECTED, description[:MAX_ERROR]
    if row.status is OutboxStatus.FAILED or (row.status is OutboxStatus.SENT and row.telegram_message_id is None):
        # Nothing to edit: the edits waiting for this message fail with it.
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.edit_of == row.id, OutboxMessage.status == OutboxStatus.PENDING)
            .values(status=OutboxStatus.FAILED, failure=FailureReason.REJECTED, error=EDIT_WITHOUT_MESSAGE)
            .execution_options(synchronize_session=False)
        )
    await session.flush()
    return row.status


# -- watching -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutboxStats:
    """The outbox as an operator watches it: how much waits, how long the longest has waited, what failed."""

    pending: int
    sending: int
    #: Seconds since the longest-waiting pending message became due; 0 when none is due.
    oldest_due_seconds: float
    #: Messages given up so far, by reason (rows are never deleted, so these only grow).
    failed: dict[FailureReason, int]


async def stats(session: AsyncSession, *, now: dt.datetime | None = None) -> OutboxStats:
    """Count the outbox by status and find its oldest due message, for the metrics.

    "Due since" is `next_attempt_at`, not `created_at`: a message scheduled for later, or waiting
    out a 429 or a backoff, is not late until its time has come.
    """
    now = now or utcnow()
    by_status = dict(
        (await session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))).all()
    )
    by_reason = dict(
        (
            await session.execute(
                select(OutboxMessage.failure, func.count())
                .where(OutboxMessage.status == OutboxStatus.FAILED)
                .group_by(OutboxMessage.failure)
            )
        ).all()
    )
    oldest = await session.scalar(
        select(func.min(OutboxMessage.next_attempt_at)).where(
            OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now
        )
    )
    return OutboxStats(
        pending=by_status.get(OutboxStatus.PENDING, 0),
        sending=by_status.get(OutboxStatus.SENDING, 0),
        oldest_due_seconds=max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0,
        failed={reason: by_reason.get(reason, 0) for reason in FailureReason},
    )


# -- pacing -------------------------------------------------------------------------------------


Clock = Callable[[], float]


@dataclass
class Pacer:
    """Telegram's limits for the whole process, checked before each send so that a 429 stays the exception.

    One pacer is Telegram's budget for everything the bot sends: handlers' replies (through the
    bot's rate limiter, `bot.telegram.sending`) and the outbox (this module's worker) take their
    slots from the same instance, so together they never exceed what Telegram allows. Replies
    come first: a reply waiting for a slot (`wait_reply`) keeps the outbox out, and the outbox may
    take at most `bulk_per_second` of the `per_second` overall, so even a broadcast running at
    full speed leaves the rest to people asking questions.

    About 30 messages a second overall, 1 a second into one private chat (after a burst of
    `chat_burst` at once, which Telegram tolerates: a reply and its follow-ups need not wait),
    20 a minute into one group (negative chat ids are groups, as in Telegram). Overall, the
    outbox's messages leave evenly spaced (1/30 s apart) rather than in bursts of 30 (replies
    alone may go together, within the sliding window, so that 20 people asking at once are
    answered at once; the outbox's next slot moves back by as many): a burst reaches Telegram
    spread out by however long it takes to pass, and its tail would then overlap the next
    second's burst. Slots lost to a stall (a busy event loop, a slow database) are made up at once
    up to `catch_up` seconds' worth, while a sliding window still never lets more than 30 leave in
    one (widened) second. Every interval is widened by `margin` (a fraction), because the pacer
    counts when a request leaves and Telegram when it arrives, and the delay between the two varies.
    """

    per_second: float = 30.0
    #: The outbox's share of `per_second`; None: all of it.
    bulk_per_second: float | None = None
    chat_interval: float = 1.0
    chat_burst: int = 10
    group_per_minute: int = 20
    margin: float = 0.02
    catch_up: float = 0.1
    clock: Clock = time.monotonic
    #: How the pacer waits for `clock` to move on; a test whose clock is its own gives a sleep that moves it.
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    #: When the next message may leave, overall, and the next bulk one.
    _next: float = 0.0
    _next_bulk: float = 0.0
    _overall: deque[float] = field(default_factory=deque)
    #: Groups' recent messages; private chats' buckets, each as the time it is empty again.
    _chats: dict[int, deque[float]] = field(default_factory=dict)
    _full_until: dict[int, float] = field(default_factory=dict)
    _held: dict[int, float] = field(default_factory=dict)
    #: Replies waiting for an overall slot, one at a time in arrival order (no thundering herd).
    _reply_turn: asyncio.Lock = field(default_factory=asyncio.Lock)
    _replies_waiting: int = 0

    @property
    def interval(self) -> float:
        """Seconds between two messages overall."""
        return (1 + self.margin) / self.per_second

    def delay(self, chat_id: int, *, bulk: bool = True) -> float:
        """Seconds until a message into `chat_id` may go; 0 means now.

        A bulk message (the outbox's) also waits for its share's spacing and for every reply
        waiting for a slot.
        """
        now = self.clock()
        waits = [self._overall_delay(now), self._chat_delay(chat_id, now)]
        if bulk and self.bulk_per_second is not None:
            waits.append(self._next_bulk - now)
        if bulk and self._replies_waiting:
            waits.append(self.interval)
        return max(0.0, *waits)

    def take(self, chat_id: int, *, bulk: bool = True) -> None:
        """Count one message leaving now (call when `delay` said 0)."""
        now = self.clock()
        # Slots lost to a stall are made up, at most `catch_up` seconds' worth.
        self._next = max(self._next, now - self.catch_up) + self.interval
        if bulk and self.bulk_per_second is not None:
            bulk_interval = (1 + self.margin) / self.bulk_per_second
            self._next_bulk = max(self._next_bulk, now - self.catch_up) + bulk_interval
        self._overall.append(now)
        if chat_id < 0:
            self._chats.setdefault(chat_id, deque()).append(now)
        else:
            self._full_until[chat_id] = max(self._full_until.get(chat_id, now), now) + self._chat_step
        if self._held.get(chat_id, now) <= now:
            self._held.pop(chat_id, None)
        if len(self._chats) + len(self._full_until) > MAX_TRACKED_CHATS:
            self._forget_quiet_chats(now)

    def hold(self, chat_id: int, seconds: float) -> None:
        """Send nothing into `chat_id` for `seconds` (Telegram said `retry_after`)."""
        self._held[chat_id] = max(self._held.get(chat_id, 0.0), self.clock() + seconds)

    async def wait(self, chat_id: int, *, longest: float) -> float:
        """For the outbox: sleep until a bulk message into `chat_id` may go and count it; returns 0.

        When that is more than `longest` seconds away (a group's minute is full, Telegram said
        to wait), returns how long instead, without waiting or counting.
        """
        while (pause := self.delay(chat_id)) > 0:
            if pause > longest:
                return pause
            await self.sleep(pause)
        self.take(chat_id)
        return 0.0

    async def wait_reply(self, chat_id: int) -> None:
        """For a reply: sleep until it may go into `chat_id`, ahead of the outbox, and count it.

        The chat's own window is waited for first, alone, so that a reply held in its chat does
        not hold up replies into other chats; then replies take overall slots in arrival order.
        """
        while True:
            if (pause := self._chat_delay(chat_id, self.clock())) > 0:
                await self.sleep(pause)
                continue
            self._replies_waiting += 1
            try:
                async with self._reply_turn:
                    while (pause := self._overall_delay(self.clock(), spaced=False)) > 0:
                        await self.sleep(pause)
                    if self._chat_delay(chat_id, self.clock()) > 0:  # the outbox took the chat meanwhile
                        continue
                    self.take(chat_id, bulk=False)
                    return
            finally:
                self._replies_waiting -= 1

    def _overall_delay(self, now: float, *, spaced: bool = True) -> float:
        """Seconds until the overall limit lets a message go: the sliding window, and unless a
        reply (`spaced=False`: people asking at once are answered at once) the even spacing."""
        per_window = max(1, round(self.per_second))
        window = self._wait(self._overall, now, per_window, per_window * self.interval)
        return max(self._next - now, window) if spaced else window

    @property
    def _chat_step(self) -> float:
        return self.chat_interval * (1 + self.margin)

    def _chat_delay(self, chat_id: int, now: float) -> float:
        if chat_id < 0:
            window = self._wait(self._chats.get(chat_id), now, self.group_per_minute, 60.0 * (1 + self.margin))
        else:  # the bucket may run `chat_burst - 1` messages ahead of one per interval
            window = self._full_until.get(chat_id, now) - now - (self.chat_burst - 1) * self._chat_step
        return max(window, self._held.get(chat_id, now) - now)

    def _forget_quiet_chats(self, now: float) -> None:
        """Drop the history of chats nothing went to for longer than their window."""
        horizon = now - 60.0 * (1 + self.margin)
        for chat_id in [c for c, sent in self._chats.items() if not sent or sent[-1] <= horizon]:
            del self._chats[chat_id]
        for chat_id in [c for c, until in self._full_until.items() if until <= now]:
            del self._full_until[chat_id]

    @staticmethod
    def _wait(sent: deque[float] | None, now: float, count: int, window: float) -> float:
        if not sent:
            return 0.0
        while sent and sent[0] <= now - window:
            sent.popleft()
        if len(sent) < count:
            return 0.0
        return sent[len(sent) - count] + window - now


# -- the worker ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkerOptions:
    """How a worker drains the outbox."""

    #: Messages claimed but not yet recorded at once; twice the rate keeps the pacer fed.
    max_in_flight: int = 60
    #: Seconds between looks at the table when it had nothing due.
    poll_interval: float = 0.5
    #: A row `sending` for longer than this belongs to a dead worker and is taken back.
    lease: dt.timedelta = dt.timedelta(minutes=2)
    policy: RetryPolicy = RetryPolicy()


class OutboxWorker:
    """Drains the outbox: claims due messages, paces them, sends them, records each outcome.

    Run several (one per process) on PostgreSQL; one on SQLite. The pacer is the process's one
    budget, shared with the bot's replies; with N processes give each `per_second = 30 / N`.
    """

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        sender: Sender,
        *,
        pacer: Pacer | None = None,
        options: WorkerOptions | None = None,
        name: str | None = None,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._sender = sender
        self.pacer = pacer or Pacer()
        self.options = options or WorkerOptions()
        #: Written on the rows it claims; unique per run, so a restarted process is a new worker.
        self.name = name or f"worker-{secrets.token_hex(4)}"
        self._wake = asyncio.Event()
        self._stopping = False
        self._waiting: dict[asyncio.Task[None], int] = {}
        self._on_wire: set[asyncio.Task[None]] = set()
        #: Per chat, the last claimed message's turn: resolved once it is sent (or put back).
        self._chat_turns: dict[int, asyncio.Future[None]] = {}
        #: Set while `run` is not looping (before it starts, after it returns).
        self._idle = asyncio.Event()
        self._idle.set()

    def wake(self) -> None:
        """Look at the table now (something was queued), not at the next poll."""
        self._wake.set()

    async def run(self) -> None:
        """Drain until `stop`, taking back now and then (at start, then every half lease) rows of dead workers."""
        self._idle.clear()
        loop = asyncio.get_running_loop()
        next_recovery = loop.time()
        try:
            while not self._stopping:
                try:
                    if loop.time() >= next_recovery:
                        async with session_scope(self._sessionmaker) as session:
                            await recover_stale(session, older_than=utcnow() - self.options.lease, keep=self.name)
                        next_recovery = loop.time() + self.options.lease.total_seconds() / 2
                    await self._step()
                except Exception:  # the database away for a moment must not end deliveries for good
                    log.exception("the outbox worker could not reach the database; trying again")
                    await asyncio.sleep(self.options.poll_interval)
        finally:
            self._idle.set()

    async def _step(self) -> None:
        """Claim what there is room for and start delivering it, or wait for room, a wake-up or the poll."""
        room = self.options.max_in_flight - len(self._waiting) - len(self._on_wire)
        claimed: list[Outgoing] = []
        if room >= max(1, self.options.max_in_flight // 2) or not (self._waiting or self._on_wire):
            async with session_scope(self._sessionmaker) as session:
                claimed = await claim(session, worker=self.name, limit=room)
        if self._stopping:  # `stop` came while claiming: these never started
            if claimed:
                async with session_scope(self._sessionmaker) as session:
                    await release(session, ids=[m.id for m in claimed], worker=self.name)
            return
        for message in claimed:
            task = asyncio.create_task(self._deliver(message), name=f"outbox-{message.id}")
            self._waiting[task] = message.id
            task.add_done_callback(self._forget)
        if not claimed:
            self._wake.clear()
            busy = set(self._waiting) | self._on_wire
            sleepers: set[asyncio.Future[Any]] = {asyncio.ensure_future(self._wake.wait())}
            try:
                await asyncio.wait(
                    busy | sleepers, timeout=self.options.poll_interval, return_when=asyncio.FIRST_COMPLETED
                )
            finally:
                for sleeper in sleepers:
                    sleeper.cancel()
        elif room < self.options.max_in_flight:
            await asyncio.sleep(0)

    async def stop(self) -> None:
        """Stop cleanly: no new claims, sends on the wire finished and recorded, the rest handed back."""
        self._stopping = True
        self._wake.set()
        await self._idle.wait()
        waiting = dict(self._waiting)
        for task in waiting:
            task.cancel()
        await asyncio.gather(*waiting, *self._on_wire, return_exceptions=True)
        unsent = [message_id for task, message_id in waiting.items() if task.cancelled()]
        if unsent:
            async with session_scope(self._sessionmaker) as session:
                await release(session, ids=unsent, worker=self.name)

    async def drain(self) -> int:
        """Send everything due now, as `run` would, and return once each outcome is recorded.

        One pass instead of a loop, for a caller that decides when delivery happens (the tests
        drive it so, rather than wait for `run`'s wake-ups and polls). A message deferred meanwhile
        (a 429, a pacer wait longer than `MAX_PACER_WAIT`) stays for a later pass.

        Returns:
            How many messages were claimed.
        """
        claimed_in_all = 0
        while True:
            async with session_scope(self._sessionmaker) as session:
                claimed = await claim(session, worker=self.name, limit=self.options.max_in_flight)
            if not claimed:
                return claimed_in_all
            claimed_in_all += len(claimed)
            tasks = []
            for message in claimed:
                task = asyncio.create_task(self._deliver(message), name=f"outbox-{message.id}")
                self._waiting[task] = message.id
                task.add_done_callback(self._forget)
                tasks.append(task)
            await asyncio.gather(*tasks)

    def _forget(self, task: asyncio.Task[None]) -> None:
        self._waiting.pop(task, None)
        self._on_wire.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("outbox delivery failed unexpectedly", exc_info=task.exception())

    async def _deliver(self, message: Outgoing) -> None:
        """Send one claimed message after the earlier ones of its chat: a card before its photo."""
        earlier = self._chat_turns.get(message.chat_id)
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._chat_turns[message.chat_id] = turn
        try:
            if earlier is not None:
                await asyncio.shield(earlier)
            await self._send_in_turn(message)
        finally:
            turn.set_result(None)
            if self._chat_turns.get(message.chat_id) is turn:
                del self._chat_turns[message.chat_id]

    async def _send_in_turn(self, message: Outgoing) -> None:
        later = await self.pacer.wait(message.chat_id, longest=MAX_PACER_WAIT)
        if later:  # not worth holding the claim (and a slot) for: back to the table until then
            await self._write(message, defer, message_id=message.id, worker=self.name, seconds=later)
            return
        # From here on the message is on the wire: `stop` waits for it instead of cancelling.
        task = asyncio.current_task()
        assert task is not None
        self._waiting.pop(task, None)
        self._on_wire.add(task)
        try:
            result = await self._sender(message)
        except Exception as exc:  # the sender maps Telegram's errors; anything else counts as network
            log.exception("the sender raised for outbox message %s", message.id)
            result = NetworkFailure(f"{type(exc).__name__}: {exc}")
        if isinstance(result, RetryLater):
            self.pacer.hold(message.chat_id, result.seconds)
        await self._write(
            message, record_result, message_id=message.id, worker=self.name, result=result, policy=self.options.policy
        )

    async def _write(self, message: Outgoing, write: Callable[..., Awaitable[object]], **arguments: Any) -> None:
        """Record what became of a claimed message, trying again until the database answers.

        Giving up would leave the row `sending` until the lease runs out and it is sent again:
        a database outage would then send everyone on the wire at that moment a second time.
        """
        pause = self.options.poll_interval
        while True:
            try:
                async with session_scope(self._sessionmaker) as session:
                    await write(session, **arguments)
                return
            except Exception:
                log.warning("could not record outbox message %s; trying again in %.1f s", message.id, pause)
                await asyncio.sleep(pause)
                pause = min(pause * 2, MAX_RECORD_PAUSE)
