"""Running the HTTP app under uvicorn, stopping the long polls before connections drain.

uvicorn waits for in-flight requests before it runs the lifespan's shutdown; in sandbox mode
the bot's own `getUpdates` long poll is such a request, and so is every open chat page's poll
for messages: they would hold shutdown until uvicorn gives up and cancels them (a traceback for
each tab). `FupinServer` stops the bot from receiving first, then answers the chat pages at once.
Once it listens it logs where the chat page and the dashboard are; the emulator's long polls stay
out of the access log (`bot.http.logs`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI

from bot.http import texts
from bot.http.logs import quiet_emulator_polls, startup_lines

log = logging.getLogger("fupin.http")


class FupinServer(uvicorn.Server):
    """uvicorn's server, which asks the app to stop receiving updates before shutting down."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        quiet_emulator_polls()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        state = getattr(self.config.app, "state", None)
        settings = getattr(state, "settings", None)
        if self.started and settings is not None:
            for line in startup_lines(settings, sandbox=hasattr(state, "emulator")):
                log.info(line)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        state = getattr(self.config.app, "state", None)
        runner = getattr(state, "bot_runner", None)
        if runner is not None:
            await runner.stop_receiving()
        emulator = getattr(state, "emulator", None)
        if emulator is not None:
            # Chat pages' long polls answer now; uvicorn stops accepting before they can poll again.
            emulator.close()
        await super().shutdown(sockets)
        log.info(texts.STOPPED)


class _QuietServer(FupinServer):
    """For tests: leaves signal handling to the host program (pytest)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def config(app: FastAPI, *, host: str, port: int, **kwargs: object) -> uvicorn.Config:
    """uvicorn settings shared by `fupin serve` and the tests."""
    # uvicorn types each option on its own; `kwargs` are handed to them unchecked.
    return uvicorn.Config(app, host=host, port=port, lifespan="on", timeout_graceful_shutdown=2, **kwargs)  # type: ignore[arg-type]


def run(app: FastAPI, *, host: str, port: int) -> None:
    """Serve until interrupted (`fupin serve`)."""
    asyncio.run(FupinServer(config(app, host=host, port=port)).serve())


def bound_socket(host: str = "127.0.0.1") -> socket.socket:
    """A listening-ready socket on a free port, so the app knows its port before it starts."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    return sock


@asynccontextmanager
async def serving(app: FastAPI, sock: socket.socket) -> AsyncIterator[str]:
    """Serve `app` on `sock` in the current loop (tests); yields the base URL."""
    host, port = sock.getsockname()[:2]
    server = _QuietServer(config(app, host=host, port=port, log_config=None, log_level="warning", access_log=False))
    task = asyncio.create_task(server.serve(sockets=[sock]), name="fupin-uvicorn")
    while not server.started:
        if task.done():
            try:
                task.result()
            except SystemExit as exc:  # uvicorn exits on a failed start-up; keep the host process
                raise RuntimeError("the HTTP server failed to start; see the log") from exc
            raise RuntimeError("the HTTP server stopped while starting")
        await asyncio.sleep(0.005)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        await task
