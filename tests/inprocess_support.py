"""The real bot's handlers driven in-process, as python-telegram-bot's own tests drive an `Application`.

No socket, no long poll, no HTTP server: a person's message is put in the emulator's world, the
update Telegram would deliver for it is handed to `Application.process_update`, and the bot's
Bot API calls reach the emulator through an in-memory transport (`httpx.ASGITransport`), which
keeps Telegram's rules (message length, callback data, flood limits). What the person sees is read
back from the emulator's world. The socket end-to-end tests (`tests/bot_support.py`) stay for
what needs the whole server: restarts, the webhook, flood under load, the browser.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Update
from telegram.request import HTTPXRequest

from bot.app import FupinApplication, build_application
from bot.context import BotServices
from bot.metrics import Metrics
from bot.ratelimit import RateLimiter
from emulator import EmulatorState, create_emulator_app
from emulator.models import BotAccount, CallbackRecord, MessageRecord
from services.config import Settings
from tests.bot_support import ErrorsToFailures, jobs_run_by_the_test

#: Where the in-memory transport pretends the Bot API is; nothing listens there.
API_URL = "http://bot-api.invalid/bot"


@dataclass
class InProcessBot:
    """The bot's `Application`, initialised and started but not polling, and Telegram's side of it."""

    application: FupinApplication
    state: EmulatorState
    account: BotAccount

    def user(self, first_name: str) -> int:
        """A new Telegram user; returns their id (also their private chat's id)."""
        return self.state.add_user(first_name).id

    async def say(self, user_id: int, text: str) -> list[str]:
        """`user_id` writes `text`; the texts the bot sent into the chat in reply, in order."""
        return [r.message.get("text") or "" for r in await self.replies(user_id, text=text)]

    async def send_sticker(self, user_id: int, emoji: str = "😀") -> list[str]:
        """`user_id` sends a sticker; the bot's texts in reply."""
        return [r.message.get("text") or "" for r in await self.replies(user_id, sticker=emoji)]

    async def replies(self, user_id: int, **content: Any) -> list[MessageRecord]:
        """`user_id` sends `content` (`text=…` or `sticker=…`); the bot's messages in reply, new or edited."""
        mark = self._seq(user_id)
        self.state.user_send(self.account, user_id, **content)
        await self.deliver()
        return self._bot_messages(user_id, after=mark)

    async def press(self, user_id: int, message: MessageRecord, data: str) -> tuple[CallbackRecord, list[str]]:
        """`user_id` presses the button `data` under `message`; the press (with the bot's answer to
        it) and the texts the bot sent or edited in reply."""
        mark = self._seq(user_id)
        callback = self.state.user_press(self.account, user_id, message_id=message.message_id, data=data)
        await self.deliver()
        return callback, [r.message.get("text") or "" for r in self._bot_messages(user_id, after=mark)]

    async def deliver(self) -> None:
        """Hand every pending update to the bot, as a getUpdates would, until none is left (a handler
        may make more, e.g. by answering)."""
        while pending := self.state.take_updates(self.account, offset=None, limit=100):
            for payload in pending:
                self.state.confirm_update(self.account, payload["update_id"])
                update = Update.de_json(payload, self.application.bot)
                await self.application.process_update(update)

    def keyboard_labels(self, user_id: int) -> list[str]:
        """The reply keyboard's buttons the person sees now, row by row."""
        keyboard = self.state.conversation(self.account, user_id).keyboard or {"keyboard": []}
        return [b["text"] if isinstance(b, dict) else b for row in keyboard["keyboard"] for b in row]

    def _bot_messages(self, user_id: int, *, after: int) -> list[MessageRecord]:
        conversation = self.state.conversation(self.account, user_id)
        return [r for r in conversation.messages.values() if r.sender == "bot" and not r.deleted and r.seq > after]

    def _seq(self, user_id: int) -> int:
        return self.state.conversation(self.account, user_id).seq


@asynccontextmanager
async def bot_in_process(
    database_url: str, sessionmaker: async_sessionmaker[AsyncSession], **settings: Any
) -> AsyncIterator[InProcessBot]:
    """The real bot on the test database, its Bot API the emulator in memory, under Telegram's limits.

    Any ERROR the bot logs (its error handler logs every handler exception) fails the test; the
    repeating jobs run only when the test runs them, as in `running_sandbox`.
    """
    state = EmulatorState()
    state.flood.enabled = True
    account = state.add_bot()
    transport = httpx.ASGITransport(app=create_emulator_app(state))
    config = Settings(database_url=database_url, plan_reminders=False, **settings)
    services = await BotServices.load(config, sessionmaker, rate_limiter=RateLimiter(), metrics=Metrics(), warm=False)
    application = build_application(
        token=account.token,
        base_url=API_URL,
        services=services,
        request=HTTPXRequest(httpx_kwargs={"transport": transport}),
    )
    errors = ErrorsToFailures()
    logger = logging.getLogger("fupin.bot")
    logger.addHandler(errors)
    try:
        with jobs_run_by_the_test():
            await application.initialize()
            if application.post_init is not None:
                await application.post_init(application)
            await application.start()
            try:
                yield InProcessBot(application, state, account)
            finally:
                await application.stop()
                await application.shutdown()
    finally:
        logger.removeHandler(errors)
    if errors.records:
        pytest.fail("errors were logged: " + "; ".join(r.getMessage()[:300] for r in errors.records))
