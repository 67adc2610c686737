"""Database engine, sessions and schema migrations (SQLAlchemy 2.x async + Alembic)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from importlib.resources.abc import Traversable

from alembic import command
from alembic.config import Config
from sqlalchemy import event, text
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

#: Seconds `/readyz` waits for the database before calling it unreachable.
READY_TIMEOUT = 3.0
#: Seconds a SQLite transaction waits for the database's one write lock before giving up. Updates
#: of different people are handled at once: hundreds may queue for the lock in a burst.
SQLITE_BUSY_TIMEOUT = 30.0


def create_engine(url: str) -> AsyncEngine:
    """An async engine; SQLite gets foreign keys switched on, as PostgreSQL always has them.

    `hide_parameters`: an error's message (and so its log line) never carries the statement's
    parameters — names, 身份证号 and phone numbers.

    SQLite has one writer at a time, and the bot handles different people's updates at once: a
    write waits its turn for up to `SQLITE_BUSY_TIMEOUT` seconds (the driver's 5 s gave "database
    is locked" to a few of 600 people pressing /start together).
    """
    sqlite = url.startswith("sqlite")
    engine = create_async_engine(
        url,
        pool_pre_ping=not sqlite,
        hide_parameters=True,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT} if sqlite else {},
    )
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

    return engine


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """One session per unit of work; objects stay readable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def session_scope(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session whose transaction commits on success and rolls back on error."""
    async with sessionmaker() as session, session.begin():
        yield session


async def database_reachable(engine: AsyncEngine, *, timeout: float = READY_TIMEOUT) -> bool:
    """Whether the database answers a trivial query within `timeout` seconds."""
    try:
        async with asyncio.timeout(timeout), engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception:  # any failure (refused, timed out, authentication…) means: not ready
        return False
    return True


def migrations_folder() -> Traversable:
    """The packaged migrations (`env.py`, `script.py.mako`, `versions/`); in a checkout, its source files."""
    return resources.files("services") / "migrations"


def alembic_config(url: str) -> Config:
    """Alembic configuration pointing at the packaged migrations and the given database.

    A new revision's file is named by its id alone (`0012_add_x.py`), as the existing ones are.
    """
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_folder()))
    cfg.set_main_option("file_template", "%%(rev)s")
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def _upgrade(url: str) -> None:
    command.upgrade(alembic_config(url), "head")


async def migrate(url: str) -> None:
    """Bring the database at `url` to the newest schema (idempotent)."""
    await asyncio.to_thread(_upgrade, url)
