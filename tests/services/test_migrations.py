"""The migrations build exactly the schema the models describe, on every backend."""

from __future__ import annotations

import asyncio
import datetime as dt

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from services.db import alembic_config, migrate
from services.models import Base, Village
from services.schema import SchemaState, schema_status
from tests.people_support import village


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def test_migrated_schema_matches_the_models(engine: AsyncEngine) -> None:
    """Fails when a model changes without a migration (write one: `fupin db revision -m … --autogenerate`)."""
    async with engine.connect() as connection:
        assert await connection.run_sync(_differences) == []


async def test_migrating_again_keeps_what_is_stored(database_url: str, session: AsyncSession) -> None:
    await village(session, "永陵镇", "永陵村")
    await session.commit()
    await migrate(database_url)
    assert await session.scalar(select(func.count()).select_from(Village)) == 1


async def test_migrating_again_leaves_the_database_current(database_url: str, engine: AsyncEngine) -> None:
    await migrate(database_url)
    assert (await schema_status(database_url)).state is SchemaState.CURRENT


async def _upgrade_to_0005_with_a_user(database_url: str, engine: AsyncEngine, telegram_user_id: int) -> list[int]:
    """Go back to just before 0005_access, register one user, migrate again.

    Returns the bots 0005 records as having served the database.
    """
    await asyncio.to_thread(command.downgrade, alembic_config(database_url), "0005_access-1")
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text("INSERT INTO users (telegram_user_id, display_name, created_at, active) VALUES (:t, 'x', :c, :a)"),
                {"t": telegram_user_id, "c": dt.datetime.now(dt.UTC), "a": True},
            )
    finally:
        await migrate(database_url)
    async with engine.connect() as connection:
        return list((await connection.scalars(text("SELECT bot_id FROM telegram_bots"))).all())


async def test_0005_marks_a_database_with_real_telegram_users(database_url: str, engine: AsyncEngine) -> None:
    assert await _upgrade_to_0005_with_a_user(database_url, engine, 123456789) == [0]


async def test_0005_leaves_a_sandbox_database_unmarked(database_url: str, engine: AsyncEngine) -> None:
    assert await _upgrade_to_0005_with_a_user(database_url, engine, 7_000_000_001) == []
