"""Households, progress reports, household changes and the items routed to units (issue 5).

Revision ID: 0003_reports_tasks
Revises: 0002_bot_state
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_reports_tasks"
down_revision: str | None = "0002_bot_state"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "households",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("head_name", sa.String(length=64), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("cause", sa.String(length=32), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "registered",
                "exited",
                "removed",
                name="household_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["village_id"], ["villages.id"], name=op.f("fk_households_village_id_villages"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_households")),
        sa.UniqueConstraint("id_number", name=op.f("uq_households_id_number")),
    )
    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_households_village_id"), ["village_id"], unique=False)

    op.create_table(
        "items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "report", "household_change", name="item_kind", native_enum=False, create_constraint=True, length=24
            ),
            nullable=False,
        ),
        sa.Column("measure_id", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("topic", sa.String(length=128), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("owner_unit", sa.String(length=64), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "new",
                "accepted",
                "done",
                "returned",
                name="item_state",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("reporter_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("return_reason", sa.String(length=500), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["reporter_id"], ["users.id"], name=op.f("fk_items_reporter_id_users"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["village_id"], ["villages.id"], name=op.f("fk_items_village_id_villages"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_items")),
    )
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_items_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_items_due_date"), ["due_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_items_measure_id"), ["measure_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_items_owner_unit"), ["owner_unit"], unique=False)
        batch_op.create_index(batch_op.f("ix_items_reporter_id"), ["reporter_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_items_state"), ["state"], unique=False)
        batch_op.create_index(batch_op.f("ix_items_topic"), ["topic"], unique=False)
        batch_op.create_index(batch_op.f("ix_items_village_id"), ["village_id"], unique=False)

    op.create_table(
        "household_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "include",
                "exit",
                "return",
                "death",
                "move_in",
                "move_out",
                "update",
                name="change_kind",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column(
            "stage",
            sa.Enum(
                "submitted",
                "village_review",
                "village_notice",
                "township_review",
                "county_notice",
                "effective",
                "rejected",
                name="change_stage",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("household_id", sa.Integer(), nullable=True),
        sa.Column("head_name", sa.String(length=64), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("cause", sa.String(length=32), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("reporter_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source_update_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_household_changes_household_id_households"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name=op.f("fk_household_changes_item_id_items"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"], ["users.id"], name=op.f("fk_household_changes_reporter_id_users"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["village_id"], ["villages.id"], name=op.f("fk_household_changes_village_id_villages"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household_changes")),
        sa.UniqueConstraint("source_update_id", name=op.f("uq_household_changes_source_update_id")),
    )
    with op.batch_alter_table("household_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_household_changes_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_household_changes_household_id"), ["household_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_household_changes_id_number"), ["id_number"], unique=False)
        batch_op.create_index(batch_op.f("ix_household_changes_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_household_changes_reporter_id"), ["reporter_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_household_changes_stage"), ["stage"], unique=False)
        batch_op.create_index(batch_op.f("ix_household_changes_village_id"), ["village_id"], unique=False)

    op.create_table(
        "item_parties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "lead",
                "participant",
                "township",
                name="party_role",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("unit", sa.String(length=64), nullable=True),
        sa.Column("township_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name=op.f("fk_item_parties_item_id_items"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["township_id"], ["townships.id"], name=op.f("fk_item_parties_township_id_townships"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_parties")),
        sa.UniqueConstraint("item_id", "unit", "township_id", name=op.f("uq_item_parties_item_id_unit_township_id")),
    )
    with op.batch_alter_table("item_parties", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_item_parties_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_item_parties_township_id"), ["township_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_item_parties_unit"), ["unit"], unique=False)

    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.String(length=16), nullable=False),
        sa.Column("indicator", sa.String(length=64), nullable=False),
        sa.Column("unit", sa.String(length=8), nullable=False),
        sa.Column("quantity", sa.Double(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("photo_file_id", sa.String(length=256), nullable=True),
        sa.Column("reporter_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source_update_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_reports_item_id_items"), ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(
            ["reporter_id"], ["users.id"], name=op.f("fk_reports_reporter_id_users"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["village_id"], ["villages.id"], name=op.f("fk_reports_village_id_villages"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sa.UniqueConstraint("source_update_id", name=op.f("uq_reports_source_update_id")),
    )
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reports_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_reports_indicator"), ["indicator"], unique=False)
        batch_op.create_index(batch_op.f("ix_reports_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reports_measure_id"), ["measure_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reports_reporter_id"), ["reporter_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reports_village_id"), ["village_id"], unique=False)

    op.create_table(
        "household_change_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("change_id", sa.Integer(), nullable=False),
        sa.Column(
            "stage",
            sa.Enum(
                "submitted",
                "village_review",
                "village_notice",
                "township_review",
                "county_notice",
                "effective",
                "rejected",
                name="change_step_stage",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["change_id"],
            ["household_changes.id"],
            name=op.f("fk_household_change_steps_change_id_household_changes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household_change_steps")),
    )
    with op.batch_alter_table("household_change_steps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_household_change_steps_change_id"), ["change_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("household_change_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_household_change_steps_change_id"))

    op.drop_table("household_change_steps")
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reports_village_id"))
        batch_op.drop_index(batch_op.f("ix_reports_reporter_id"))
        batch_op.drop_index(batch_op.f("ix_reports_measure_id"))
        batch_op.drop_index(batch_op.f("ix_reports_item_id"))
        batch_op.drop_index(batch_op.f("ix_reports_indicator"))
        batch_op.drop_index(batch_op.f("ix_reports_created_at"))

    op.drop_table("reports")
    with op.batch_alter_table("item_parties", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_item_parties_unit"))
        batch_op.drop_index(batch_op.f("ix_item_parties_township_id"))
        batch_op.drop_index(batch_op.f("ix_item_parties_item_id"))

    op.drop_table("item_parties")
    with op.batch_alter_table("household_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_household_changes_village_id"))
        batch_op.drop_index(batch_op.f("ix_household_changes_stage"))
        batch_op.drop_index(batch_op.f("ix_household_changes_reporter_id"))
        batch_op.drop_index(batch_op.f("ix_household_changes_item_id"))
        batch_op.drop_index(batch_op.f("ix_household_changes_id_number"))
        batch_op.drop_index(batch_op.f("ix_household_changes_household_id"))
        batch_op.drop_index(batch_op.f("ix_household_changes_created_at"))

    op.drop_table("household_changes")
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_items_village_id"))
        batch_op.drop_index(batch_op.f("ix_items_topic"))
        batch_op.drop_index(batch_op.f("ix_items_state"))
        batch_op.drop_index(batch_op.f("ix_items_reporter_id"))
        batch_op.drop_index(batch_op.f("ix_items_owner_unit"))
        batch_op.drop_index(batch_op.f("ix_items_measure_id"))
        batch_op.drop_index(batch_op.f("ix_items_due_date"))
        batch_op.drop_index(batch_op.f("ix_items_created_at"))

    op.drop_table("items")
    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_households_village_id"))

    op.drop_table("households")
