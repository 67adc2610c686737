"""The real bot's handlers driven in-process, as python-telegram-bot's own tests drive an `Application`.

No socket, no long poll, no HTTP server, no timer: a person's message is put in the emulator's
world, the update Telegram would deliver for it is handed to `Application.process_update`, and the
bot's Bot API calls reach the emulator through an in-memory transport (`httpx.ASGITransport`),
which keeps Telegram's rules (message length, callback data, flood limits). What the person sees
is read back from the emulator's world.

Nothing waits in real time. The flood limits and the bot's pacing share a `VirtualClock` that
moves only when the pacer waits, so a conversation of forty replies in one chat is paced as
Telegram demands (one a second after a burst) and still takes milliseconds. The outbox is sent
by one delivery pass after the updates in hand (`InProcessBot.send_outbox`, the clock's look and
the worker's sends, awaited), and the repeating jobs run when a test runs them (`run_job`).

A restart is a second `bot_in_process` on the same database and the same `EmulatorState`: a new
`Application` that loads what the first one stored, as a new process would. The socket end-to-end
tests (`tests/bot_support.py`) stay for what needs the whole server: the server's own start and
stop, the webhook, flood under load with the real worker and clock, the browser.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Update
from telegram.request import HTTPXRequest

from bot.app import build_application
from bot.context import BotServices, FupinApplication
from bot.metrics import Metrics
from bot.ratelimit import RateLimiter
from emulator import EmulatorState, create_emulator_app
from emulator.models import BotAccount, CallbackRecord, MessageRecord
from services.config import Settings
from services.outbox import Pacer
from tests.bot_support import ErrorsToFailures, jobs_run_by_the_test

#: Where the in-memory transport pretends the Bot API is; nothing listens there.
API_URL = "http://bot-api.invalid/bot"
#: Loggers whose ERROR fails the test: the bot's error handler, PTB's own, the outbox worker.
WATCHED_LOGGERS = ("fupin.bot", "telegram.ext", "services.outbox")


class VirtualClock:
    """Monotonic seconds that pass only when something waits on them: Telegram's and the pacer's clock.

    `sleep(seconds)` moves the clock on by `seconds` and returns at once (after letting the other
    tasks run), so whoever waited sees at least that much time gone, as with real time. Several
    waiting at once move it further than real time would: limits then err on the side of time
    having passed, never of a message leaving early, since the emulator's flood control reads the
    same clock as the bot's pacer.
    """

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        """Let `seconds` pass (at least the next representable instant, so a wait always ends)."""
        if seconds > 0:
            self.now = max(self.now + seconds, math.nextafter(self.now, math.inf))
        await asyncio.sleep(0)


@dataclass
class InProcessBot:
    """The bot's `Application`, initialised and started but not polling, and Telegram's side of it."""

    application: FupinApplication
    state: EmulatorState
    account: BotAccount
    clock: VirtualClock
    #: Whether `deliver` ends with a delivery pass; a test playing a process that died before its
    #: outbox went out sets it to False.
    sends_outbox: bool = True

    @property
    def services(self) -> BotServices:
        """The services the bot's handlers use (`context.services`)."""
        services: BotServices = self.application.bot_data["services"]
        return services

    def user(self, first_name: str) -> int:
        """A new Telegram user; returns their id (also their private chat's id)."""
        return self.state.add_user(first_name).id

    def group(self, title: str, member_ids: list[int]) -> int:
        """A new group chat of these users; returns its id."""
        return self.state.add_group(title, member_ids).id

    def block(self, user_id: int) -> None:
        """`user_id` blocks the bot: sends to them are refused with 403 until they write again."""
        self.state.set_blocked(self.account, user_id, True)

    async def say(self, user_id: int, text: str) -> list[str]:
        """`user_id` writes `text`; the texts the bot sent into the chat in reply, in order."""
        return [r.message.get("text") or "" for r in await self.replies(user_id, text=text)]

    async def send_sticker(self, user_id: int, emoji: str = "😀") -> list[str]:
        """`user_id` sends a sticker; the bot's texts in reply."""
        return [r.message.get("text") or "" for r in await self.replies(user_id, sticker=emoji)]

    async def send_photo(self, user_id: int) -> list[str]:
        """`user_id` sends a photo; the bot's texts in reply."""
        return [r.message.get("text") or "" for r in await self.replies(user_id, photo=True)]

    async def replies(self, user_id: int, *, chat_id: int | None = None, **content: Any) -> list[MessageRecord]:
        """`user_id` sends `content` (`text=…`, `sticker=…` or `photo=True`) into their private chat,
        or the group `chat_id`; the bot's messages there in reply, new or edited."""
        chat = user_id if chat_id is None else chat_id
        mark = self.mark(chat)
        self.state.user_send(self.account, user_id, chat_id=chat_id, **content)
        await self.deliver()
        return self.messages(chat, after=mark)

    async def edit(self, user_id: int, message: MessageRecord, text: str) -> list[str]:
        """`user_id` edits their `message` to read `text`; the bot's texts in reply."""
        mark = self.mark(user_id)
        self.state.user_edit(self.account, user_id, message_id=message.message_id, text=text)
        await self.deliver()
        return [r.message.get("text") or "" for r in self.messages(user_id, after=mark)]

    async def press(self, user_id: int, message: MessageRecord, data: str) -> tuple[CallbackRecord, list[str]]:
        """`user_id` presses the button `data` under `message` (in their chat or, as the emulator
        allows, in another's); the press (with the bot's answer to it) and the texts the bot sent
        or edited in the presser's chat in reply."""
        mark = self.mark(user_id)
        chat_id = message.message["chat"]["id"]
        callback = self.state.user_press(
            self.account, user_id, message_id=message.message_id, data=data, chat_id=chat_id
        )
        await self.deliver()
        return callback, [r.message.get("text") or "" for r in self.messages(user_id, after=mark)]

    async def deliver(self) -> None:
        """Hand every pending update to the bot, as a getUpdates would, until none is left (a handler
        may make more, e.g. by answering); then, if `sends_outbox`, one delivery pass (`send_outbox`)."""
        while pending := self.state.take_updates(self.account, offset=None, limit=100):
            for payload in pending:
                self.state.confirm_update(self.account, payload["update_id"])
                update = Update.de_json(payload, self.application.bot)
                await self.application.process_update(update)
        if self.sends_outbox:
            await self.send_outbox()

    async def send_outbox(self) -> None:
        """What delivery would do next, awaited: a look of the broadcast clock, then every message
        due sent under the pacer and recorded (`bot.telegram.delivery.Delivery.deliver_now`)."""
        delivery = self.services.delivery
        assert delivery is not None  # `build_application` installs it
        await delivery.deliver_now(self.application.bot)

    async def run_job(self, name: str) -> None:
        """Run the bot's repeating job `name` now, as its clock would (PTB's `Job.run`), then send what
        it queued."""
        assert self.application.job_queue is not None
        [job] = self.application.job_queue.get_jobs_by_name(name)
        await job.run(self.application)
        await self.deliver()

    def mark(self, chat_id: int) -> int:
        """Where the chat is now: `messages(chat_id, after=mark)` is what changed since."""
        return self.state.conversation(self.account, chat_id).seq

    def messages(self, chat_id: int, *, after: int = 0) -> list[MessageRecord]:
        """The bot's messages in the chat, not deleted, new or edited since `after`, in order."""
        conversation = self.state.conversation(self.account, chat_id)
        return sorted(
            (r for r in conversation.messages.values() if r.sender == "bot" and not r.deleted and r.seq > after),
            key=lambda r: r.seq,
        )

    def texts(self, chat_id: int) -> list[str]:
        """Every text (or caption) the bot has in the chat now, in the order sent."""
        conversation = self.state.conversation(self.account, chat_id)
        return [
            r.message.get("text") or r.message.get("caption") or ""
            for r in conversation.messages.values()
            if r.sender == "bot"
        ]

    def keyboard_labels(self, user_id: int) -> list[str]:
        """The reply keyboard's buttons the person sees now, row by row."""
        keyboard = self.state.conversation(self.account, user_id).keyboard or {"keyboard": []}
        return [b["text"] if isinstance(b, dict) else b for row in keyboard["keyboard"] for b in row]


@asynccontextmanager
async def bot_in_process(
    database_url: str,
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    state: EmulatorState | None = None,
    rate_limiter: RateLimiter | None = None,
    expect_errors: bool = False,
    **settings: Any,
) -> AsyncIterator[InProcessBot]:
    """The real bot on the test database, its Bot API the emulator in memory, under Telegram's limits.

    Args:
        state: Telegram's side; give the `state` of an earlier bot to start the bot again on the
            same world (a restart: its bot account, people, chats and flood clock are kept).
        rate_limiter: the gate's per-user limit (`bot.ratelimit`); by default the production one.
            A test that has one person answer many steps gives a roomier one.
        expect_errors: a test that makes a handler fail on purpose; otherwise any ERROR logged
            (the bot's error handler logs every handler exception) fails the test.
        settings: `Settings` fields; plan reminders are off unless asked for.

    The repeating jobs run only when the test runs them (`InProcessBot.run_job`), as in `running_sandbox`.
    """
    state = state or EmulatorState()
    clock = state.flood.clock if isinstance(state.flood.clock, VirtualClock) else VirtualClock()
    state.flood.enabled = True
    state.flood.clock = clock
    account = state.resolve_bot() if state.bots else state.add_bot()
    transport = httpx.ASGITransport(app=create_emulator_app(state))
    config = Settings(database_url=database_url, **{"plan_reminders": False, **settings})
    services = await BotServices.load(
        config, sessionmaker, rate_limiter=rate_limiter or RateLimiter(), metrics=Metrics(), warm=False
    )
    pacer = Pacer(per_second=config.send_rate, bulk_per_second=config.outbox_rate, clock=clock, sleep=clock.sleep)
    application = build_application(
        token=account.token,
        base_url=API_URL,
        services=services,
        request=HTTPXRequest(httpx_kwargs={"transport": transport}),
        pacer=pacer,
    )
    errors = ErrorsToFailures()
    loggers = [logging.getLogger(name) for name in WATCHED_LOGGERS]
    for logger in loggers:
        logger.addHandler(errors)
    try:
        with jobs_run_by_the_test():
            await application.initialize()
            if application.post_init is not None:
                await application.post_init(application)
            await application.start()
            running = InProcessBot(application, state, account, clock)
            try:
                # What `post_init` queued (conversations that timed out while the bot was down).
                await running.send_outbox()
                yield running
            finally:
                await application.stop()
                await application.shutdown()
    finally:
        for logger in loggers:
            logger.removeHandler(errors)
    if errors.records and not expect_errors:
        pytest.fail("errors were logged: " + "; ".join(r.getMessage()[:300] for r in errors.records))
