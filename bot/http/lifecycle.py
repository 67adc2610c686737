"""`BotRunner`: starts and stops the bot inside the HTTP app's lifespan, in one of three modes.

- sandbox (no token): long polling against the emulator mounted in this very app. The bot
  can only reach it once uvicorn listens, which is after the lifespan's start-up, so it starts
  in a background task that waits for the port.
- polling (token, no webhook URL): long polling against `FUPIN_TELEGRAM_API_URL`.
- webhook (token and `FUPIN_WEBHOOK_URL`): Telegram posts to `bot.http.webhook`; updates that
  were stored but never handled (the process stopped in between) are handed over on start.
"""

from __future__ import annotations

import asyncio
import logging
from enum import StrEnum

from telegram import Update

from bot.context import FupinApplication
from services import updates
from services.db import session_scope

log = logging.getLogger("fupin.http")

#: Seconds a `getUpdates` long poll is held by the Bot API.
POLL_TIMEOUT = 10
#: How long the sandbox bot waits for the HTTP server to listen.
LISTEN_WAIT = 30.0


class BotMode(StrEnum):
    """How updates reach the bot."""

    SANDBOX = "sandbox"
    POLLING = "polling"
    WEBHOOK = "webhook"


class BotRunner:
    """Owns the PTB `Application`'s lifecycle."""

    def __init__(
        self,
        application: FupinApplication,
        *,
        mode: BotMode,
        listen_host: str | None = None,
        listen_port: int | None = None,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
    ) -> None:
        self.application = application
        self.mode = mode
        self._listen = (listen_host, listen_port)
        self._webhook_url = webhook_url
        self._webhook_secret = webhook_secret
        self._starting: asyncio.Task[None] | None = None
        #: Set once the bot has started receiving updates.
        self.ready = asyncio.Event()

    async def start(self) -> None:
        """Start the bot now, or (sandbox) as soon as the server listens."""
        if self.mode is BotMode.SANDBOX:
            self._starting = asyncio.create_task(self._start_when_listening(), name="fupin-bot-start")
            return
        await self._start()

    async def _start_when_listening(self) -> None:
        host, port = self._listen
        loop = asyncio.get_running_loop()
        deadline = loop.time() + LISTEN_WAIT
        while True:
            try:
                _, writer = await asyncio.open_connection(host, port)
            except OSError:
                if loop.time() > deadline:
                    log.error("the sandbox bot could not reach %s:%s; it is not running", host, port)
                    return
                await asyncio.sleep(0.02)
                continue
            writer.close()
            break
        try:
            await self._start()
        except Exception:
            log.exception("the sandbox bot failed to start")

    async def _start(self) -> None:
        application = self.application
        await application.initialize()
        # `post_init` runs only under run_polling/run_webhook; this app drives the bot by hand.
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        delivery = application.bot_data["services"].delivery
        if delivery is not None:
            await delivery.start(application.bot)
        if self.mode is BotMode.WEBHOOK:
            assert self._webhook_url is not None
            await application.bot.set_webhook(
                self._webhook_url, secret_token=self._webhook_secret, allowed_updates=Update.ALL_TYPES
            )
            await self._replay_unhandled()
        else:
            assert application.updater is not None
            await application.updater.start_polling(
                poll_interval=0, timeout=POLL_TIMEOUT, allowed_updates=Update.ALL_TYPES
            )
        self.ready.set()
        log.info("bot started (%s)", self.mode)

    async def _replay_unhandled(self) -> None:
        services = self.application.bot_data["services"]
        async with session_scope(services.sessionmaker) as session:
            pending = await updates.unhandled_updates(session=session)
        for payload in pending:
            await self.application.update_queue.put(Update.de_json(payload, self.application.bot))

    async def stop_receiving(self) -> None:
        """Stop the long poll, then the outbox worker (before uvicorn waits for open requests to finish).

        The worker stops cleanly while the server still serves: the sends on the wire finish and
        are recorded (in sandbox mode they are requests to this very server), the rest go back to
        the outbox.
        """
        if self._starting is not None and not self._starting.done():
            self._starting.cancel()
        updater = self.application.updater
        if updater is not None and updater.running:
            await updater.stop()
        delivery = self.application.bot_data["services"].delivery
        if delivery is not None:
            await delivery.stop()

    async def stop(self) -> None:
        """Stop receiving, finish the updates in hand, persist, shut down."""
        await self.stop_receiving()
        if self._starting is not None:
            try:
                await self._starting
            except asyncio.CancelledError:
                pass
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()
