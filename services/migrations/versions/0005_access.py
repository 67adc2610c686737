"""Access (issue 10): the real Telegram bots a database has served, and why an update failed.

Revision ID: 0005_access
Revises: 0004_outbox
Create Date: 2026-12-02
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_access"
down_revision: str | None = "0004_outbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The sandbox emulator hands out Telegram user ids from here on (`emulator.state`); a
#: database whose users lie outside that range has met real Telegram users.
_EMULATOR_FIRST_USER_ID = 7_000_000_001
_EMULATOR_LAST_USER_ID = 7_999_999_999


def upgrade() -> None:
    with op.batch_alter_table("telegram_updates") as batch:
        batch.add_column(sa.Column("error", sa.String(length=500), nullable=True))
    bots = op.create_table(
        "telegram_bots",
        sa.Column("bot_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("first_started_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("bot_id", name=op.f("pk_telegram_bots")),
    )
    # A database that served real Telegram before this table existed is marked as such (bot 0),
    # so that the sandbox refuses it from the start.
    users = sa.table("users", sa.column("telegram_user_id", sa.BigInteger()))
    outside = sa.select(sa.literal(1)).where(
        sa.or_(
            users.c.telegram_user_id < _EMULATOR_FIRST_USER_ID,
            users.c.telegram_user_id > _EMULATOR_LAST_USER_ID,
        )
    )
    if op.get_bind().execute(outside.limit(1)).first() is not None:
        op.bulk_insert(bots, [{"bot_id": 0, "username": "", "first_started_at": dt.datetime.now(dt.UTC)}])


def downgrade() -> None:
    op.drop_table("telegram_bots")
    with op.batch_alter_table("telegram_updates") as batch:
        batch.drop_column("error")
