"""Shared fixtures: every database test runs on SQLite and on PostgreSQL, each starting from empty tables.

Backends: a temporary SQLite file always; PostgreSQL when `FUPIN_TEST_DATABASE_URL` points at a
server (e.g. `postgresql+asyncpg://postgres@127.0.0.1:5432/test`). Without it the PostgreSQL run
is skipped with the reason shown; with `FUPIN_TEST_REQUIRE_ALL=1` (CI) a missing or unreachable
server fails the run instead.

Each pytest session migrates each backend once. On PostgreSQL it works in a scratch database
created next to the given one (and dropped afterwards), so that several people's test runs on one
server do not empty each other's tables. Each test then gets empty tables — rows deleted in
reverse dependency order — with the townships seeded again.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import MetaData, make_url, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from policy_kb import load_kb
from services.config import get_settings
from services.db import create_engine, make_sessionmaker, migrate, session_scope
from services.places import ensure_townships
from tests.bot_support import ADMIN_TOKEN, Sandbox, running_sandbox, web_part_in_memory
from tests.outside import unavailable

BACKENDS = ["sqlite", "postgresql"]

#: Table names per migrated database URL, children before parents (deletion order).
_DELETE_ORDER: dict[str, list[str]] = {}


def _deletion_order(connection: Connection) -> list[str]:
    # Reflected, not taken from the models, so tables added by any later migration are emptied too.
    metadata = MetaData()
    metadata.reflect(connection)
    return [t.name for t in reversed(metadata.sorted_tables) if t.name != "alembic_version"]


async def _prepare(url: str) -> None:
    await migrate(url)
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            _DELETE_ORDER[url] = await connection.run_sync(_deletion_order)
    finally:
        await engine.dispose()


async def _admin(url: str, statement: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


def _postgresql_url() -> Iterator[str]:
    base = os.environ.get("FUPIN_TEST_DATABASE_URL")
    if not base:
        unavailable("FUPIN_TEST_DATABASE_URL is not set, so the PostgreSQL run is skipped")
    try:
        asyncio.run(_admin(base, "SELECT 1"))
    except Exception as exc:  # any failure to connect means: no server to test against
        unavailable(f"PostgreSQL at FUPIN_TEST_DATABASE_URL is unreachable: {type(exc).__name__}: {exc}")
    parsed = make_url(base)
    scratch = f"{parsed.database or 'test'}_fupin_{os.getpid()}_{secrets.token_hex(3)}"
    try:
        asyncio.run(_admin(base, f'CREATE DATABASE "{scratch}"'))
    except Exception:  # no CREATEDB right: share the given database instead
        asyncio.run(_prepare(base))
        yield base
        return
    url = parsed.set(database=scratch).render_as_string(hide_password=False)
    try:
        asyncio.run(_prepare(url))
        yield url
    finally:
        asyncio.run(_admin(base, f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a migrated database, once per backend per session (test ids `[sqlite]`, `[postgresql]`)."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'fupin.db'}"
        asyncio.run(_prepare(url))
        yield url
    else:
        yield from _postgresql_url()


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on empty tables with the townships seeded; disposed after the test."""
    engine = create_engine(database_url)
    async with engine.begin() as connection:
        for table in _DELETE_ORDER[database_url]:
            await connection.execute(text(f'DELETE FROM "{table}"'))
    sessionmaker = make_sessionmaker(engine)
    async with session_scope(sessionmaker) as session:
        await ensure_townships(session)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Session factory for tests that need several units of work (e.g. to prove nothing was written)."""
    return make_sessionmaker(engine)


@pytest.fixture
async def session(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One session; call `await session.commit()` to make writes visible to other sessions."""
    async with sessionmaker() as session:
        yield session


@pytest.fixture
def cli_database(database_url: str, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Point `get_settings()` (and so the CLI) at the test database; yields its URL."""
    monkeypatch.setenv("FUPIN_DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield database_url
    get_settings.cache_clear()


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A cache folder of the test's own for built plans (`XDG_CACHE_HOME`), with `load_kb` forgotten
    before and after."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    load_kb.cache_clear()
    yield tmp_path / "cache"
    load_kb.cache_clear()


@pytest.fixture
def plan_units() -> list[str]:
    """The packaged plan's responsible units, as invites for a unit role accept them (no plan added)."""
    return load_kb().all_units()


@pytest.fixture
async def sandbox(database_url: str, engine: AsyncEngine) -> AsyncIterator[Sandbox]:
    """The app in sandbox mode under Telegram's limits, taking the office's `ADMIN_TOKEN`; a module
    that tests other limits defines its own."""
    async with running_sandbox(database_url, admin_token=ADMIN_TOKEN) as running:
        yield running


@pytest.fixture
async def http(sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on the sandbox (the admin API, the pages)."""
    async with httpx.AsyncClient(base_url=sandbox.base_url, trust_env=False, timeout=60) as client:
        yield client


@pytest.fixture
async def web(database_url: str, engine: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on the web part alone, served in memory (`web_part_in_memory`), taking the
    office's `ADMIN_TOKEN`: the admin API and the dashboard's data without a socket or a bot."""
    async with web_part_in_memory(database_url, admin_token=ADMIN_TOKEN) as client:
        yield client
