"""The database layer under concurrent use."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import select

from services.db import create_engine, make_sessionmaker, session_scope
from services.models import Base, Township

#: Longer than the SQLite driver's own 5-second wait for the write lock.
HELD_SECONDS = 5.5


async def test_a_sqlite_write_waits_for_a_long_one_instead_of_failing(tmp_path: Path) -> None:
    """Hundreds of people's updates at once queue for SQLite's one write lock: none is refused."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'fupin.db'}")
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    sessionmaker = make_sessionmaker(engine)
    locked = asyncio.Event()

    async def long_writer() -> None:
        async with session_scope(sessionmaker) as session:
            session.add(Township(code="210422100", name="甲镇"))
            await session.flush()  # holds the write lock from here to the commit
            locked.set()
            await asyncio.sleep(HELD_SECONDS)

    async def next_writer() -> None:
        await locked.wait()
        async with session_scope(sessionmaker) as session:
            session.add(Township(code="210422101", name="乙镇"))

    try:
        await asyncio.gather(long_writer(), next_writer())
        async with session_scope(sessionmaker) as session:
            names = set(await session.scalars(select(Township.name)))
    finally:
        await engine.dispose()
    assert names == {"甲镇", "乙镇"}
