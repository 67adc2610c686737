"""The FastAPI application: one factory whose lifespan owns the engine and the Telegram bot.

One process, one event loop: uvicorn serves this app, and the python-telegram-bot `Application`
is initialised, started and stopped in the lifespan (the pattern of PTB's customwebhookbot
example). With no token the app also mounts the Bot API emulator under `/telegram` and serves
the sandbox chat page at `/`; the bot then talks to that emulator over HTTP on this same port.
The emulator (the top-level `emulator` package) is imported there only: a bot with a token never
loads it.

The app runs the parts it is given (`bot.parts`: web, bot, delivery; all by default), so that
they can run in separate processes; each serves `/healthz`, `/readyz` and `/metrics`.

The sandbox listens on loopback only (`Settings` refuses another host) and refuses a database a
real Telegram bot has served (`services.telegram_bots`). Its emulator forgets everything on a
restart, so the people the database knows are handed back to it at start: a chat page that was
open keeps its person, and a new person gets an id nobody had (never a former cadre's).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import texts
from bot.app import build_application
from bot.context import BotServices
from bot.http import api, dashboard, sandbox
from bot.http import texts as web_texts
from bot.http.admin import router as admin_router
from bot.http.errors import install_error_handlers
from bot.http.lifecycle import BotMode, BotRunner
from bot.http.metrics import create_metrics_router
from bot.http.webhook import create_webhook_router
from bot.metrics import Metrics
from bot.parts import ALL_PARTS, Part, check_parts
from bot.ratelimit import RateLimiter
from bot.telegram.questions import follow_reloads_forever
from services import telegram_bots
from services.config import SANDBOX_NOT_LOOPBACK, Settings, get_settings, is_loopback
from services.db import create_engine, database_reachable, make_sessionmaker, session_scope
from services.schema import upgrade_database
from services.users import list_users

if TYPE_CHECKING:
    from emulator import EmulatorState

#: Where the emulator is mounted in sandbox mode; the bot's base URL is `<this>/bot`.
EMULATOR_PREFIX = "/telegram"
#: Where, under `EMULATOR_PREFIX`, the emulator serves its sandbox API (the chat page's). The app
#: decides its own paths and hands this one to the emulator, so that the access-log filter
#: (`bot.http.logs`, in every mode) knows it without importing the emulator; the tests' and the
#: benchmarks' clients are told it too.
SANDBOX_API_PREFIX = "/sandbox/api"
#: Webhook path when `FUPIN_WEBHOOK_URL` has none.
DEFAULT_WEBHOOK_PATH = "/telegram/webhook"


def _loopback(host: str) -> str:
    """The address the sandbox bot dials to reach this server."""
    return "127.0.0.1" if host in {"", "0.0.0.0", "::", "localhost"} else host


async def check_sandbox_database(database_url: str) -> None:
    """Upgrade the database and refuse it when a real Telegram bot has served it (sandbox only).

    `fupin serve` calls this before the server starts, so the refusal is one clear line; the
    lifespan calls it again for any other host of the app.

    Raises:
        Conflict: the database has served real Telegram.
    """
    await upgrade_database(database_url)
    engine = create_engine(database_url)
    try:
        async with session_scope(make_sessionmaker(engine)) as session:
            await telegram_bots.refuse_sandbox(session)
    finally:
        await engine.dispose()


async def restore_sandbox_people(state: EmulatorState, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    """Give the emulator back the Telegram users the database knows, under their ids and names.

    Every person who has talked to the sandbox bot is a user row (`/start` registers everyone), so
    identities survive a restart; the emulator's next new id then comes after all of them.
    """
    async with session_scope(sessionmaker) as session:
        people = await list_users(session)
    for person in people:
        if person.telegram_user_id not in state.users:
            state.add_user(person.display_name, user_id=person.telegram_user_id)


def bot_mode(settings: Settings) -> BotMode:
    """Sandbox without a token; webhook when a webhook URL is set; long polling otherwise."""
    if settings.sandbox:
        return BotMode.SANDBOX
    return BotMode.WEBHOOK if settings.webhook_url else BotMode.POLLING


def create_app(
    settings: Settings | None = None,
    *,
    parts: frozenset[Part] = ALL_PARTS,
    emulator_state: EmulatorState | None = None,
    rate_limiter: RateLimiter | None = None,
) -> FastAPI:
    """Build the HTTP app (and, when it starts, the bot).

    Args:
        settings: defaults to `get_settings()`; `host`/`port` must be where uvicorn listens,
            since the sandbox bot dials them.
        parts: what this process runs (`bot.parts`); a combination that cannot work is refused.
        emulator_state: sandbox only; an existing emulator world (tests keep one across
            restarts), by default a new one.
        rate_limiter: the per-user flood limit; tests pass a tight one.

    Raises:
        ValueError: the sandbox on a non-loopback host, or parts that cannot work together.
    """
    settings = settings or get_settings()
    mode = bot_mode(settings)
    if mode is BotMode.SANDBOX and not is_loopback(settings.host):
        # `Settings` refuses this already; settings copied with another host must not slip past.
        raise ValueError(SANDBOX_NOT_LOOPBACK.format(host=settings.host))
    check_parts(parts, sandbox=mode is BotMode.SANDBOX)
    metrics = Metrics()
    emulator_router: APIRouter | None = None
    if mode is BotMode.SANDBOX:
        # Here only: the production path never imports the emulator.
        from emulator import DEFAULT_TOKEN, EmulatorState, create_emulator_router

        emulator_state = emulator_state or EmulatorState()
        if emulator_state.bot_by_token(DEFAULT_TOKEN) is None:
            emulator_state.add_bot(DEFAULT_TOKEN, username=settings.bot_username)
        emulator_router = create_emulator_router(emulator_state, sandbox_prefix=SANDBOX_API_PREFIX)
        token = DEFAULT_TOKEN
        base_url = f"http://{_loopback(settings.host)}:{settings.port}{EMULATOR_PREFIX}/bot"
    else:
        assert settings.telegram_token is not None
        token = settings.telegram_token.get_secret_value()
        base_url = settings.telegram_api_url
    # `Settings` refuses a webhook without a secret.
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
    webhook_path = urlsplit(settings.webhook_url or "").path or DEFAULT_WEBHOOK_PATH

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if mode is BotMode.SANDBOX:
            await check_sandbox_database(settings.database_url)
        else:
            await upgrade_database(settings.database_url)
        engine = create_engine(settings.database_url)
        sessionmaker = make_sessionmaker(engine)
        if mode is BotMode.SANDBOX:
            assert emulator_state is not None
            await restore_sandbox_people(emulator_state, sessionmaker)
        # Every part reads the plan; the bot part answers questions.
        services = await BotServices.load(
            settings,
            sessionmaker,
            rate_limiter=rate_limiter or RateLimiter(),
            metrics=metrics,
            warm=Part.BOT in parts,
        )
        # The bot and the delivery need a Telegram bot; the web part alone keeps its engine in
        # step with the office's reloads by itself.
        runner: BotRunner | None = None
        follower: asyncio.Task[None] | None = None
        if parts & {Part.BOT, Part.DELIVERY}:
            application = build_application(token=token, base_url=base_url, services=services, parts=parts)
            runner = BotRunner(
                application,
                mode=mode,
                listen_host=_loopback(settings.host),
                listen_port=settings.port,
                webhook_url=settings.webhook_url,
                webhook_secret=secret,
                receive=Part.BOT in parts,
                deliver=Part.DELIVERY in parts,
            )
        else:
            follower = asyncio.create_task(follow_reloads_forever(services), name="fupin-engine-follower")
        app.state.settings = settings
        app.state.engine = engine
        app.state.sessionmaker = sessionmaker
        app.state.kb = services.kb
        app.state.answerer = services.answerer
        app.state.bot_runner = runner
        try:
            if runner is not None:
                await runner.start()
            yield
        finally:
            try:
                if runner is not None:
                    await runner.stop()
                if follower is not None:
                    follower.cancel()
                    await asyncio.gather(follower, return_exceptions=True)
            finally:
                await engine.dispose()

    # /docs and /redoc from assets shipped in a package: FastAPI's own pages load them from a CDN,
    # and the county's machines have no internet.
    app = FastAPIOffline(title="新宾扶贫助手 fupin", lifespan=lifespan)
    install_error_handlers(app)
    static = resources.files("bot") / "static"
    if Part.WEB in parts:
        app.include_router(api.router)
        # The admin API and the dashboard (office only); assets come from the package, never a CDN.
        app.include_router(admin_router)
        app.include_router(dashboard.router)
        app.mount("/static", StaticFiles(directory=str(static)), name="static")

    if mode is BotMode.WEBHOOK and Part.BOT in parts:
        # Telegram's updates arrive here: the bot part's, wherever the web part runs.
        app.include_router(create_webhook_router(webhook_path, secret))

    app.include_router(create_metrics_router(metrics, token=settings.metrics_token))

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        """The process is up (nothing else is checked: see `/readyz`)."""
        return {"status": "ok", "mode": mode.value}

    @app.get("/readyz")
    async def readyz(request: Request) -> JSONResponse:
        """Ready to serve people: the database answers and the bot runs (if this process has one); 503 otherwise."""
        database = await database_reachable(request.app.state.engine)
        runner: BotRunner | None = request.app.state.bot_runner
        bot = runner is None or (runner.ready.is_set() and runner.application.running)
        body = {
            "status": "ok" if database and bot else "unavailable",
            "mode": mode.value,
            "parts": sorted(parts),
            "database": "ok" if database else "unreachable",
            "bot": "not in this process" if runner is None else "running" if bot else "not running",
        }
        return JSONResponse(body, status_code=200 if database and bot else 503)

    if Part.WEB not in parts:
        return app
    if mode is BotMode.SANDBOX:
        assert emulator_state is not None and emulator_router is not None
        app.state.emulator = emulator_state
        # The chat page's role picker registers staff roles through real invites.
        app.include_router(sandbox.router)
        app.include_router(emulator_router, prefix=EMULATOR_PREFIX)

        @app.get("/", include_in_schema=False)
        async def chat_page() -> FileResponse:
            return FileResponse(str(static / "chat.html"), media_type="text/html")

        @app.get("/sandbox/config")
        async def sandbox_config() -> dict[str, Any]:
            return {
                "sandbox_api": EMULATOR_PREFIX + SANDBOX_API_PREFIX,
                "bot_username": settings.bot_username,
                "roles": texts.SANDBOX_ROLE_NAMES,
                "texts": texts.SANDBOX_PAGE,
            }
    else:

        @app.get("/", response_class=HTMLResponse)
        async def home() -> str:
            return web_texts.HOME

    return app
