"""Durable conversations (issue 10): a conversation's deadline beside its state; no raw 身份证号 in drafts.

Conversation rows already stored get the deadline they would have had (their last write plus the
30-minute timeout). A /household draft stored before this revision kept the raw 身份证号: it is
replaced by its masked form, and the cadre is asked to type the number again at 确认.

Revision ID: 0006_durable_conversations
Revises: 0005_access
Create Date: 2026-12-02
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_durable_conversations"
down_revision: str | None = "0005_access"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The conversations' timeout when this revision was written (`bot.conversations.guided`).
TIMEOUT = dt.timedelta(minutes=30)

bot_state = sa.table(
    "bot_state",
    sa.column("namespace", sa.String()),
    sa.column("key", sa.String()),
    sa.column("data", sa.JSON()),
    sa.column("updated_at", sa.DateTime(timezone=True)),
    sa.column("expires_at", sa.DateTime(timezone=True)),
)


def _masked(number: str) -> str:
    """`services.masking.mask_id_number` as of this revision (migrations do not import the app)."""
    value = number.strip()
    return "*" * len(value) if len(value) <= 8 else value[:4] + "*" * (len(value) - 8) + value[-4:]


def upgrade() -> None:
    with op.batch_alter_table("bot_state") as batch:
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(bot_state.c.namespace, bot_state.c.key, bot_state.c.data, bot_state.c.updated_at)
    )
    for namespace, key, data, updated_at in rows.all():
        where = (bot_state.c.namespace == namespace) & (bot_state.c.key == key)
        if namespace.startswith("conversation:"):
            when = updated_at if updated_at.tzinfo else updated_at.replace(tzinfo=dt.UTC)
            connection.execute(sa.update(bot_state).where(where).values(expires_at=when + TIMEOUT))
        elif namespace == "user_data" and isinstance(data, dict) and isinstance(data.get("household"), dict):
            draft = dict(data["household"])
            number = draft.pop("id_number", None)
            if isinstance(number, str):
                draft["id_masked"] = _masked(number)
                connection.execute(sa.update(bot_state).where(where).values(data={**data, "household": draft}))


def downgrade() -> None:
    with op.batch_alter_table("bot_state") as batch:
        batch.drop_column("expires_at")
