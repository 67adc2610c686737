"""`BotRunner`: starts and stops the bot inside the HTTP app's lifespan, in one of three modes.

- sandbox (no token): long polling against the emulator mounted in this very app. The bot
  can only reach it once uvicorn listens, which is after the lifespan's start-up, so it starts
  in a background task that waits for the port.
- polling (token, no webhook URL): long polling against `FUPIN_TELEGRAM_API_URL`.
- webhook (token and `FUPIN_WEBHOOK_URL`): Telegram posts to `bot.http.webhook`; updates that
  were stored but never handled (the process stopped in between) are handed over on start; one
  that cannot be read is recorded as handled with its error, so it never blocks a start.

With a token the bot starts in the background too, so that the HTTP server serves `/healthz` and
`/readyz` (503 until the bot runs) while an unreachable Bot API is retried with growing pauses,
each logged in one line. A token Telegram rejects stops the bot (logged once, never the token).
With a token the bot also records itself in the database (`services.telegram_bots`), so that
the sandbox never runs on it afterwards.

A process runs what its parts say (`bot.parts`): without the bot part the `Application` only
sends (no long poll, no webhook set, no conversation state written); without delivery its outbox
worker stays unstarted.
"""

from __future__ import annotations

import asyncio
import logging
from enum import StrEnum

from telegram import Update
from telegram.error import InvalidToken, NetworkError

from bot.context import FupinApplication
from bot.http.webhook import read_update
from services import telegram_bots, updates
from services.db import session_scope

log = logging.getLogger("fupin.http")

#: Seconds a `getUpdates` long poll is held by the Bot API.
POLL_TIMEOUT = 10
#: How long the sandbox bot waits for the HTTP server to listen.
LISTEN_WAIT = 30.0
#: Seconds before the first new attempt to reach an unreachable Bot API; doubled each time, up to the cap.
RETRY_FIRST = 1.0
RETRY_MAX = 60.0


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
        receive: bool = True,
        deliver: bool = True,
    ) -> None:
        self.application = application
        self.mode = mode
        #: Whether this process takes updates (the bot part) and drains the outbox (delivery).
        self.receive = receive
        self.deliver = deliver
        self._listen = (listen_host, listen_port)
        self._webhook_url = webhook_url
        self._webhook_secret = webhook_secret
        self._starting: asyncio.Task[None] | None = None
        #: Set once the bot has started receiving updates.
        self.ready = asyncio.Event()

    async def start(self) -> None:
        """Start the bot in the background: as soon as the server listens (sandbox), or at once."""
        self._starting = asyncio.create_task(self._start_in_background(), name="fupin-bot-start")

    async def _start_in_background(self) -> None:
        if self.mode is BotMode.SANDBOX and not await self._wait_listening():
            return
        try:
            await self._initialize()
            await self._start()
        except InvalidToken:
            # PTB's message repeats the token, so it is not logged.
            log.error("Telegram rejected FUPIN_TELEGRAM_TOKEN; the bot is not running (check the token)")
        except Exception:
            log.exception("the bot failed to start; it is not running")

    async def _wait_listening(self) -> bool:
        host, port = self._listen
        loop = asyncio.get_running_loop()
        deadline = loop.time() + LISTEN_WAIT
        while True:
            try:
                _, writer = await asyncio.open_connection(host, port)
            except OSError:
                if loop.time() > deadline:
                    log.error("the sandbox bot could not reach %s:%s; it is not running", host, port)
                    return False
                await asyncio.sleep(0.02)
                continue
            writer.close()
            return True

    async def _initialize(self) -> None:
        """`Application.initialize` (its `getMe` is the first call to the Bot API), retried while unreachable."""
        pause = RETRY_FIRST
        while True:
            try:
                await self.application.initialize()
                return
            except NetworkError as exc:  # TimedOut is a NetworkError too
                # The reason, never the token (were a URL ever quoted in it).
                reason = str(exc).replace(self.application.bot.token, "<token>")
                kind = type(exc).__name__
                log.warning("the Telegram Bot API is unreachable (%s: %s); retrying in %.0f s", kind, reason, pause)
            await asyncio.sleep(pause)
            pause = min(pause * 2, RETRY_MAX)

    async def _start(self) -> None:
        application = self.application
        if self.mode is not BotMode.SANDBOX:
            services = application.bot_data["services"]
            async with session_scope(services.sessionmaker) as session:
                await telegram_bots.record_bot(
                    session, bot_id=application.bot.id, username=application.bot.username or ""
                )
        # `post_init` runs only under run_polling/run_webhook; this app drives the bot by hand.
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        delivery = application.bot_data["services"].delivery
        if self.deliver and delivery is not None:
            await delivery.start(application.bot)
        if self.receive:
            await self._receive()
        self.ready.set()
        doing = [what for what, does in (("receiving updates", self.receive), ("delivering", self.deliver)) if does]
        log.info("bot started (%s): %s", self.mode, " and ".join(doing))

    async def _receive(self) -> None:
        """Set the webhook and hand over what was stored but not handled, or start the long poll."""
        application = self.application
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

    async def _replay_unhandled(self) -> None:
        services = self.application.bot_data["services"]
        async with session_scope(services.sessionmaker) as session:
            pending = await updates.unhandled_updates(session=session)
            readable = []
            for payload in pending:
                update = read_update(payload, self.application.bot)
                if isinstance(update, Update):
                    readable.append(update)
                    continue
                log.warning("stored update %s cannot be read (%s); recorded as handled", payload["update_id"], update)
                await updates.mark_handled(session=session, update_id=payload["update_id"], error=update)
        for update in readable:
            await self.application.update_queue.put(update)

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
