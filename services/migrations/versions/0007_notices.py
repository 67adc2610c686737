"""Outbox rows know the item card they show, a photo to send, and the message an edit rewrites (issue 10).

Revision ID: 0007_notices
Revises: 0006_durable_conversations
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_notices"
down_revision: str | None = "0006_durable_conversations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("item_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("card", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("photo", sa.String(length=256), nullable=True))
        batch_op.add_column(sa.Column("edit_of", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True))
        batch_op.create_index(batch_op.f("ix_outbox_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_edit_of"), ["edit_of"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_outbox_item_id_items"), "items", ["item_id"], ["id"], ondelete="SET NULL"
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_outbox_edit_of_outbox"), "outbox", ["edit_of"], ["id"], ondelete="CASCADE"
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_outbox_edit_of_outbox"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_outbox_item_id_items"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_outbox_edit_of"))
        batch_op.drop_index(batch_op.f("ix_outbox_item_id"))
        batch_op.drop_column("edit_of")
        batch_op.drop_column("photo")
        batch_op.drop_column("card")
        batch_op.drop_column("item_id")
