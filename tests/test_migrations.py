"""The migrations build exactly the schema the models describe, on every backend."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from services.db import migrate
from services.models import Base


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def test_migrated_schema_matches_the_models(engine: AsyncEngine) -> None:
    """Fails when a model changes without a migration (run `alembic revision --autogenerate`)."""
    async with engine.connect() as connection:
        assert await connection.run_sync(_differences) == []


async def test_migrate_again_is_a_no_op(database_url: str, engine: AsyncEngine) -> None:
    await migrate(database_url)
