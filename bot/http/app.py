"""The FastAPI application: one factory, a lifespan that owns the engine."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from bot.http import pages
from services.config import Settings, get_settings
from services.db import create_engine, make_sessionmaker, migrate


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the HTTP app; the database is migrated and opened when the app starts."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await migrate(settings.database_url)
        engine = create_engine(settings.database_url)
        app.state.settings = settings
        app.state.engine = engine
        app.state.sessionmaker = make_sessionmaker(engine)
        try:
            yield
        finally:
            await engine.dispose()

    app = FastAPI(title="新宾扶贫助手 fupin", lifespan=lifespan)

    @app.get("/", response_class=HTMLResponse)
    async def home() -> str:
        return pages.HOME

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
