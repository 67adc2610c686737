"""The FastAPI application: one factory whose lifespan owns the engine and the Telegram bot.

One process, one event loop: uvicorn serves this app, and the python-telegram-bot `Application`
is initialised, started and stopped in the lifespan (the pattern of PTB's customwebhookbot
example). With no token the app also mounts the Bot API emulator under `/telegram` and serves
the sandbox chat page at `/`; the bot then talks to that emulator over HTTP on this same port.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline

from bot import texts
from bot.app import build_application
from bot.context import BotServices
from bot.emulator import DEFAULT_TOKEN, EmulatorState, create_emulator_router
from bot.emulator.app import SANDBOX_PREFIX
from bot.http import api, dashboard, sandbox
from bot.http import texts as web_texts
from bot.http.admin import router as admin_router
from bot.http.errors import install_error_handlers
from bot.http.lifecycle import BotMode, BotRunner
from bot.http.webhook import create_webhook_router
from bot.ratelimit import RateLimiter
from policy_kb.results import Answer
from services.config import Settings, get_settings
from services.db import create_engine, make_sessionmaker, migrate

#: Where the emulator is mounted in sandbox mode; the bot's base URL is `<this>/bot`.
EMULATOR_PREFIX = "/telegram"
#: Webhook path when `FUPIN_WEBHOOK_URL` has none.
DEFAULT_WEBHOOK_PATH = "/telegram/webhook"
#: Asked once at start-up to load the question engine.
WARM_UP_QUESTION = "初中生一年补助多少"


def answer_question(question: str) -> Answer:
    """`policy_kb.answer`, imported on first use so that importing the HTTP app stays light."""
    from policy_kb import answer

    return answer(question)


def _loopback(host: str) -> str:
    """The address the sandbox bot dials to reach this server."""
    return "127.0.0.1" if host in {"", "0.0.0.0", "::", "localhost"} else host


def bot_mode(settings: Settings) -> BotMode:
    """Sandbox without a token; webhook when a webhook URL is set; long polling otherwise."""
    if settings.sandbox:
        return BotMode.SANDBOX
    return BotMode.WEBHOOK if settings.webhook_url else BotMode.POLLING


def create_app(
    settings: Settings | None = None,
    *,
    emulator_state: EmulatorState | None = None,
    rate_limiter: RateLimiter | None = None,
) -> FastAPI:
    """Build the HTTP app (and, when it starts, the bot).

    Args:
        settings: defaults to `get_settings()`; `host`/`port` must be where uvicorn listens,
            since the sandbox bot dials them.
        emulator_state: sandbox only; an existing emulator world (tests keep one across
            restarts), by default a new one.
        rate_limiter: the per-user flood limit; tests pass a tight one.
    """
    settings = settings or get_settings()
    mode = bot_mode(settings)
    if mode is BotMode.SANDBOX:
        emulator_state = emulator_state or EmulatorState()
        if emulator_state.bot_by_token(DEFAULT_TOKEN) is None:
            emulator_state.add_bot(DEFAULT_TOKEN, username=settings.bot_username)
        token = DEFAULT_TOKEN
        base_url = f"http://{_loopback(settings.host)}:{settings.port}{EMULATOR_PREFIX}/bot"
    else:
        assert settings.telegram_token is not None
        token = settings.telegram_token.get_secret_value()
        base_url = settings.telegram_api_url
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    webhook_path = urlsplit(settings.webhook_url or "").path or DEFAULT_WEBHOOK_PATH

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from policy_kb import load_kb

        await migrate(settings.database_url)
        engine = create_engine(settings.database_url)
        sessionmaker = make_sessionmaker(engine)
        kb = load_kb()
        # Warm the question engine (tokenizer, vocabulary) so the first household does not wait.
        await asyncio.to_thread(answer_question, WARM_UP_QUESTION)
        services = BotServices(
            kb=kb,
            answer=answer_question,
            sessionmaker=sessionmaker,
            rate_limiter=rate_limiter or RateLimiter(),
            settings=settings,
        )
        application = build_application(
            token=token,
            base_url=base_url,
            services=services,
        )
        runner = BotRunner(
            application,
            mode=mode,
            listen_host=_loopback(settings.host),
            listen_port=settings.port,
            webhook_url=settings.webhook_url,
            webhook_secret=secret,
        )
        app.state.settings = settings
        app.state.engine = engine
        app.state.sessionmaker = sessionmaker
        app.state.kb = kb
        app.state.bot_runner = runner
        try:
            await runner.start()
            yield
        finally:
            try:
                await runner.stop()
            finally:
                await engine.dispose()

    # /docs and /redoc from assets shipped in a package: FastAPI's own pages load them from a CDN,
    # and the county's machines have no internet.
    app = FastAPIOffline(title="新宾扶贫助手 fupin", lifespan=lifespan)
    install_error_handlers(app)
    app.include_router(api.router)
    # The admin API and the dashboard (office only); assets come from the package, never a CDN.
    app.include_router(admin_router)
    app.include_router(dashboard.router)
    static = resources.files("bot") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")

    if mode is BotMode.WEBHOOK:
        app.include_router(create_webhook_router(webhook_path, secret))

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "mode": mode.value}

    if mode is BotMode.SANDBOX:
        assert emulator_state is not None
        app.state.emulator = emulator_state
        # The chat page's role picker registers staff roles through real invites.
        app.include_router(sandbox.router)
        app.include_router(create_emulator_router(emulator_state), prefix=EMULATOR_PREFIX)

        @app.get("/", include_in_schema=False)
        async def chat_page() -> FileResponse:
            return FileResponse(str(static / "chat.html"), media_type="text/html")

        @app.get("/sandbox/config")
        async def sandbox_config() -> dict[str, Any]:
            return {
                "sandbox_api": EMULATOR_PREFIX + SANDBOX_PREFIX,
                "bot_username": settings.bot_username,
                "roles": texts.SANDBOX_ROLE_NAMES,
                "texts": texts.SANDBOX_PAGE,
            }
    else:

        @app.get("/", response_class=HTMLResponse)
        async def home() -> str:
            return web_texts.HOME

    return app
