"""Reports carry the year of the plan they were filed under (issue 12): progress per plan year.

Every report so far was filed under the packaged 2018 plan (新脱贫发〔2018〕2号), the only plan the
assistant served before plans could be added; they get its year.

Revision ID: 0011_report_plan_year
Revises: 0010_plans
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_report_plan_year"
down_revision: str | None = "0010_plans"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The year of the only plan reports were filed under before this revision.
PACKAGED_PLAN_YEAR = 2018


def upgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("plan_year", sa.Integer(), nullable=True))
    op.execute(sa.text("UPDATE reports SET plan_year = :year").bindparams(year=PACKAGED_PLAN_YEAR))
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.alter_column("plan_year", existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f("ix_reports_plan_year"), ["plan_year"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reports_plan_year"))
        batch_op.drop_column("plan_year")
