"""The office's directory of units (issue 14): phone, address and office hours per unit.

Revision ID: 0012_unit_contacts
Revises: 0011_report_plan_year
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_unit_contacts"
down_revision: str | None = "0011_report_plan_year"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "unit_contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=64), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("address", sa.String(length=100), nullable=False),
        sa.Column("hours", sa.String(length=60), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_contacts")),
        sa.UniqueConstraint("unit", name=op.f("uq_unit_contacts_unit")),
    )


def downgrade() -> None:
    op.drop_table("unit_contacts")
