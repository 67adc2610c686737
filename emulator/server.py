"""Run the emulator on 127.0.0.1 inside the current event loop, for tests and tools.

`uvicorn.Server.serve()` would install its own SIGINT/SIGTERM handlers, taking Ctrl-C away
from pytest; the subclass below leaves signals to the host program.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import uvicorn
from starlette.types import ASGIApp

from emulator.app import SANDBOX_PREFIX, create_emulator_app
from emulator.client import EmulatorClient
from emulator.flood import FloodControl, FloodLimits
from emulator.models import BotAccount
from emulator.state import CALLBACK_TIMEOUT, EmulatorState
from emulator.webhook import WebhookSender

#: token of the bot `running_emulator` registers unless told otherwise
DEFAULT_TOKEN = "6000000001:AAEmulatorSandboxTokenForXinbinFupin"


class _InLoopServer(uvicorn.Server):
    """A uvicorn server that runs as a task of the caller's loop and ignores signals."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@asynccontextmanager
async def serve_app(app: ASGIApp, *, host: str = "127.0.0.1") -> AsyncIterator[str]:
    """Serve an ASGI app on a free port of `host`; yields its base URL "http://host:port"."""
    config = uvicorn.Config(
        app, host=host, port=0, lifespan="on", log_config=None, log_level="warning", access_log=False,
        timeout_graceful_shutdown=2,
    )  # fmt: skip
    server = _InLoopServer(config)
    task = asyncio.create_task(server.serve(), name="emulator-uvicorn")
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError("the HTTP server stopped while starting")
        await asyncio.sleep(0.005)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        await task


@dataclass(frozen=True)
class RunningEmulator:
    """A served emulator: where it listens, its state and its default bot."""

    base_url: str
    state: EmulatorState
    bot: BotAccount

    @property
    def token(self) -> str:
        """The default bot's token."""
        return self.bot.token

    @property
    def api_url(self) -> str:
        """For `ApplicationBuilder().base_url(...)` (PTB appends the token)."""
        return f"{self.base_url}/bot"

    @property
    def file_url(self) -> str:
        """For `ApplicationBuilder().base_file_url(...)`."""
        return f"{self.base_url}/file/bot"

    @property
    def sandbox_url(self) -> str:
        """Root of the sandbox (client-side) API."""
        return f"{self.base_url}{SANDBOX_PREFIX}"

    def client(self, *, bot: str | None = None) -> EmulatorClient:
        """A new `EmulatorClient` for this emulator (close it, or use `async with`)."""
        return EmulatorClient(self.base_url, bot=bot)


@asynccontextmanager
async def running_emulator(
    state: EmulatorState | None = None,
    *,
    token: str = DEFAULT_TOKEN,
    username: str = "XinbinFupinBot",
    flood: bool = False,
    flood_limits: FloodLimits | None = None,
    clock: Callable[[], float] | None = None,
    callback_timeout: float = CALLBACK_TIMEOUT,
    round_trip: float = 0.0,
    webhook_retry_delay: float = 0.05,
) -> AsyncIterator[RunningEmulator]:
    """Serve an emulator on 127.0.0.1 for the duration of the block.

    Args:
        state: an existing world; by default a new one.
        token, username: the bot registered (unless `state` already knows `token`).
        flood, flood_limits, clock: flood control for a new state (clock: monotonic seconds,
            also the age of button presses).
        callback_timeout: seconds a new state lets a button press wait for its answer.
        round_trip: seconds each Bot API request takes there and back, for a new state.
        webhook_retry_delay: first wait before redelivering a refused webhook update; short
            by default so that tests of redelivery stay fast.
    """
    if state is None:
        clock = clock or time.monotonic
        flood_control = FloodControl(enabled=flood, limits=flood_limits or FloodLimits(), clock=clock)
        state = EmulatorState(
            flood=flood_control, clock=clock, callback_timeout=callback_timeout, round_trip=round_trip
        )
    bot = state.bot_by_token(token) or state.add_bot(token, username=username)
    app = create_emulator_app(state, webhooks=WebhookSender(state, retry_delay=webhook_retry_delay))
    async with serve_app(app) as base_url:
        try:
            yield RunningEmulator(base_url=base_url, state=state, bot=bot)
        finally:
            # Wake pending long polls now, or the server would wait for them to time out.
            state.close()
