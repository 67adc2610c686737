"""Questions the plan did not answer well, and the office's reviewed phrases (issue 11).

Revision ID: 0008_questions
Revises: 0007_notices
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_questions"
down_revision: str | None = "0007_notices"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "asked_questions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sa.String(length=600), nullable=False),
        sa.Column("matched", sa.Boolean(), nullable=False),
        sa.Column("measure", sa.String(length=32), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asked_questions")),
    )
    with op.batch_alter_table("asked_questions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_asked_questions_asked_at"), ["asked_at"], unique=False)
    op.create_table(
        "reviewed_phrases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phrase", sa.String(length=40), nullable=False),
        sa.Column("entry_key", sa.String(length=300), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviewed_phrases")),
        sa.UniqueConstraint("phrase", name=op.f("uq_reviewed_phrases_phrase")),
    )


def downgrade() -> None:
    op.drop_table("reviewed_phrases")
    with op.batch_alter_table("asked_questions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_asked_questions_asked_at"))
    op.drop_table("asked_questions")
