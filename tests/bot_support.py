"""Helpers for end-to-end tests of the real app: the whole app served on a socket, users played over
HTTP; and its web part alone, served in memory, for the HTTP APIs."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram.ext import JobQueue

from bot.http.app import EMULATOR_PREFIX, SANDBOX_API_PREFIX, create_app
from bot.http.server import bound_socket, serving
from bot.parts import Part
from bot.ratelimit import RateLimiter
from bot.telegram.delivery import Delivery
from emulator import EmulatorClient, EmulatorState, RunningEmulator
from services.config import Settings
from services.db import session_scope
from services.models import OutboxMessage, OutboxStatus

#: Longest a test's end waits for the bot to finish the updates in hand.
SETTLE_SECONDS = 30.0
#: The office's token the shared `sandbox` fixture accepts, and the header that carries it.
ADMIN_TOKEN = "sandbox-admin-token-0123456789"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
#: The secret the webhook tests give the app; Telegram (the emulator) sends it in `WEBHOOK_HEADERS`.
WEBHOOK_SECRET = "s3cret-token"
WEBHOOK_HEADERS = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}


@dataclass
class Sandbox:
    """A running `fupin serve` in sandbox mode."""

    base_url: str
    app: Any
    client: EmulatorClient

    @property
    def state(self) -> EmulatorState:
        return self.app.state.emulator  # type: ignore[no-any-return]


@contextmanager
def jobs_run_by_the_test() -> Iterator[None]:
    """The bot's JobQueue keeps its jobs and delivery its clock, but neither fires by itself: a test
    runs a job with `run_job` and a look of the broadcast clock with `run_tick`.

    A job fired by the clock would race the test's own run of it, and a test waiting for the clock
    would wait on a timer it does not control. The outbox worker still runs where delivery is
    started: it waits for work, woken by whatever queues it.
    """

    async def start_paused(self: JobQueue[Any]) -> None:
        if not self.scheduler.running:
            self.scheduler.start(paused=True)

    async def clock_stopped(self: Delivery) -> None:
        return None

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(JobQueue, "start", start_paused)
        patch.setattr(Delivery, "_clock", clock_stopped)
        yield


async def run_job(sandbox: Sandbox, name: str) -> None:
    """Run the bot's repeating job `name` now, as its clock would (and the same way: PTB's `Job.run`)."""
    application = sandbox.app.state.bot_runner.application
    [job] = application.job_queue.get_jobs_by_name(name)
    await job.run(application)


async def run_tick(sandbox: Sandbox) -> None:
    """One look of the broadcast clock now (`Delivery.tick`): due broadcasts released, finished ones
    reported, reminders due queued; the running worker then sends what it queued."""
    await sandbox.app.state.bot_runner.application.bot_data["services"].delivery.tick()


class ErrorsToFailures(logging.Handler):
    """Collects what the bot's error handler logs, so a handler exception fails the test."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@asynccontextmanager
async def running_sandbox(
    database_url: str,
    *,
    state: EmulatorState | None = None,
    rate_limiter: RateLimiter | None = None,
    expect_errors: bool = False,
    flood: bool = True,
    **settings: Any,
) -> AsyncIterator[Sandbox]:
    """Serve the app in sandbox mode on a free port; wait until the bot polls.

    The emulator enforces Telegram's flood limits (unless `flood=False`), on `state` too: every
    end-to-end test runs under the limits the real bot meets, so a reply that is not paced or
    not retried after a 429 goes missing there as it would in Telegram.

    Any ERROR logged by the bot or the HTTP app (the error handler logs every handler
    exception) fails the test unless `expect_errors`. The bot's repeating jobs and the broadcast
    clock run only when the test runs them (`run_job`, `run_tick`).
    """
    state = state or EmulatorState()
    state.flood.enabled = flood
    sock = bound_socket()
    port = sock.getsockname()[1]
    # The plan's recurring reminders (月调度 on the first working day of the month…) depend on the
    # date the tests run; a test that wants them asks for them.
    config = Settings(database_url=database_url, host="127.0.0.1", port=port, **settings)
    app = create_app(config, emulator_state=state, rate_limiter=rate_limiter)
    errors = ErrorsToFailures()
    loggers = [logging.getLogger(n) for n in ("fupin.bot", "fupin.http", "telegram.ext")]
    for logger in loggers:
        logger.addHandler(errors)
    try:
        with jobs_run_by_the_test():
            async with serving(app, sock) as base_url:
                await app.state.bot_runner.ready.wait()
                async with EmulatorClient(base_url + EMULATOR_PREFIX, prefix=SANDBOX_API_PREFIX) as client:
                    yield Sandbox(base_url=base_url, app=app, client=client)
                await _settled(app)
    finally:
        for logger in loggers:
            logger.removeHandler(errors)
    if errors.records and not expect_errors:
        pytest.fail("errors were logged: " + "; ".join(r.getMessage()[:300] for r in errors.records))


@asynccontextmanager
async def web_part_in_memory(database_url: str, **settings: Any) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on the app's web part alone (the admin API, the dashboard's data, /metrics),
    served in memory through `httpx.ASGITransport` with its lifespan run: no socket, no bot.

    For what a web-only process (`fupin serve --only web`) answers by itself; a test that also
    needs the bot in the same process uses `running_sandbox`. Any ERROR the app logs fails the test.
    """
    app = create_app(Settings(database_url=database_url, **settings), parts=frozenset({Part.WEB}))
    errors = ErrorsToFailures()
    logger = logging.getLogger("fupin.http")
    logger.addHandler(errors)
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://fupin.test") as client,
        ):
            yield client
    finally:
        logger.removeHandler(errors)
    if errors.records:
        pytest.fail("errors were logged: " + "; ".join(r.getMessage()[:300] for r in errors.records))


async def _settled(app: Any) -> None:
    """Wait until the bot has no update in hand before the server (and its emulator) stops.

    A test's last check may be met while handlers still run — a welcome's follow-ups, a press's
    own reply — and those must not meet a stopped emulator, as they never would in Telegram.
    """
    application = app.state.bot_runner.application
    deadline = time.monotonic() + SETTLE_SECONDS
    while time.monotonic() < deadline:
        if application.update_queue.empty() and application.update_processor.current_concurrent_updates == 0:
            return
        await asyncio.sleep(0.05)


async def outbox_drained(sessionmaker: async_sessionmaker[AsyncSession], *, timeout: float = 10.0) -> None:
    """Wait until the running worker has sent (or given up on) everything in the outbox.

    A wait on the worker's own progress, which Telegram's flood limits pace; nothing else.
    """
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        async with session_scope(sessionmaker) as session:
            left = await session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING]))
            )
        if not left:
            return
        assert asyncio.get_running_loop().time() < deadline, f"{left} outbox messages still unsent"
        await asyncio.sleep(0.05)


async def bot_texts(client: EmulatorClient, chat_id: int) -> list[str]:
    """Every text the bot sent in the chat, in order."""
    return [m["text"] or "" for m in await client.messages(chat_id) if m["sender"] == "bot"]


def text_update(update_id: int, user: dict[str, Any], text: str) -> dict[str, Any]:
    """The update Telegram would post to the webhook for `user` writing `text` in the bot's chat.

    Posted by the test itself, so that it can deliver the same update twice or replay it.
    """
    return {
        "update_id": update_id,
        "message": {
            "message_id": 10_000 + update_id % 1000,
            "date": int(time.time()),
            "chat": {"id": user["id"], "type": "private", "first_name": user["first_name"]},
            "from": {"id": user["id"], "is_bot": False, "first_name": user["first_name"]},
            "text": text,
        },
    }


@asynccontextmanager
async def webhook_bot(
    database_url: str, emu: RunningEmulator, *, rate_limiter: RateLimiter | None = None
) -> AsyncIterator[tuple[Any, httpx.AsyncClient]]:
    """The app in webhook mode, Telegram played by `emu`; yields the app and an HTTP client on it.

    Served on a fresh port, so a test can start it again on the same database (a restart);
    it waits until the bot has set its webhook. Plan reminders are off and the repeating jobs and
    the broadcast clock run only when the test runs them, as in `running_sandbox`.
    """
    sock = bound_socket()
    port = sock.getsockname()[1]
    config = Settings(
        database_url=database_url,
        port=port,
        telegram_token=SecretStr(emu.token),
        telegram_api_url=emu.api_url,
        webhook_url=f"http://127.0.0.1:{port}/hook/telegram",
        webhook_secret=SecretStr(WEBHOOK_SECRET),
        plan_reminders=False,
    )
    app = create_app(config, rate_limiter=rate_limiter)
    with jobs_run_by_the_test():
        async with serving(app, sock) as base_url, httpx.AsyncClient(base_url=base_url, trust_env=False) as http:
            await asyncio.wait_for(app.state.bot_runner.ready.wait(), 30)
            yield app, http
