"""Stable measure ids (issue 12): stored rows move from the heading numbers to the title-derived ids.

Until now a measure's id was its position in the plan ("2.2.8-1"), so next year's plan, with one
measure more, would have pointed every stored report and task at another measure. The builder now
derives the id from the measure's title (`policy_kb.builder.structure._heading_id`); this migration re-points
the rows written under the old ids of the only plan the assistant has served, the packaged
Xinbin 2018 plan (新脱贫发〔2018〕2号). The mapping is written out rather than computed, so that
the migration means the same whatever the builder becomes; `tests/services/test_migrations_measure_ids.py`
checks it against the builder. An empty database has nothing to move.

Rows carrying an id: `items.measure_id`, `reports.measure_id`, `asked_questions.measure`, the
measure part of `reviewed_phrases.entry_key` ("2.2.3/benefit/…"), and a cadre's report draft left
half-way in `bot_state` (`user_data` → `report` → `measure_id`). The audit log keeps the ids as
they were when written: it records the past.

Revision ID: 0009_stable_measure_ids
Revises: 0008_questions
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0009_stable_measure_ids"
down_revision: str | None = "0008_questions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Old positional id -> stable id, for every measure of the packaged 2018 plan.
POSITIONAL_TO_STABLE: dict[str, str] = {
    "2.1": "m7beb95b8",  # 加强贫困户科学动态和分类管理
    "2.2.1": "maaaae157",  # 产业扶贫巩固提升工程
    "2.2.2": "mea3b9e1b",  # 就业扶贫巩固提升工程
    "2.2.3": "m06300403",  # 安居扶贫巩固提升工程
    "2.2.4": "mf2da9ece",  # 教育扶贫巩固提升工程
    "2.2.5": "m25e43f6d",  # 健康扶贫巩固提升工程
    "2.2.6-1": "md85888ae",  # 社会保障扶贫巩固提升工程
    "2.2.6-2": "md85888ae-2",  # 社会保障扶贫巩固提升工程（百企帮百村）
    "2.2.7": "md2f1c516",  # 志智双扶巩固提升工程
    "2.2.8-1": "mc0623e77",  # 农村基础设施巩固提升工程（道路桥梁）
    "2.2.8-2": "mc0623e77-2",  # 农村基础设施巩固提升工程（供水水利）
    "2.2.8-3": "mc0623e77-3",  # 农村基础设施巩固提升工程（文化设施）
    "2.2.9": "m7525fc62",  # 生态文明建设扶贫巩固提升工程
    "2.2.10": "mf6e59b87",  # 强基固本扶贫巩固提升工程
    "3.1": "m46c3b71a",  # 进一步完善组织领导制度
    "3.2": "mc485a9a9",  # 坚持工作队驻村帮扶制度
    "3.3": "m28acdde2",  # 建立健全资金保障和容错纠错制度
    "3.4": "m33aa1d0c",  # 建立健全奖罚分明的激励制度
    "3.5": "m1f7a14df",  # 严格落实问责制度
}
#: Where the report conversation keeps its draft (`bot.persistence.USER_DATA`, `bot.conversations.report.DRAFT`).
_USER_DATA, _REPORT_DRAFT = "user_data", "report"
#: Separator between the measure and the rest of a reviewed phrase's entry key (`policy_kb.index`).
_KEY_SEPARATOR = "/"


def upgrade() -> None:
    _repoint(POSITIONAL_TO_STABLE)


def downgrade() -> None:
    _repoint({new: old for old, new in POSITIONAL_TO_STABLE.items()})


def _repoint(mapping: dict[str, str]) -> None:
    """Every stored id found in `mapping` replaced by its image; ids not in it stay as they are.

    Old and new ids never coincide (new ones start with "m"), so one pass cannot move a row twice.
    """
    bind = op.get_bind()
    for table, column in (("items", "measure_id"), ("reports", "measure_id"), ("asked_questions", "measure")):
        rows = sa.table(table, sa.column(column, sa.String()))
        for old, new in mapping.items():
            bind.execute(rows.update().where(rows.c[column] == old).values({column: new}))
    _repoint_phrases(bind, mapping)
    _repoint_drafts(bind, mapping)


def _repoint_phrases(bind: sa.Connection, mapping: dict[str, str]) -> None:
    phrases = sa.table("reviewed_phrases", sa.column("id", sa.Integer()), sa.column("entry_key", sa.String()))
    for row_id, key in bind.execute(sa.select(phrases.c.id, phrases.c.entry_key)).all():
        measure, sep, rest = key.partition(_KEY_SEPARATOR)
        if sep and measure in mapping:
            new_key = mapping[measure] + sep + rest
            bind.execute(phrases.update().where(phrases.c.id == row_id).values(entry_key=new_key))


def _repoint_drafts(bind: sa.Connection, mapping: dict[str, str]) -> None:
    state = sa.table(
        "bot_state", sa.column("namespace", sa.String()), sa.column("key", sa.String()), sa.column("data", sa.JSON())
    )
    stored = bind.execute(sa.select(state.c.key, state.c.data).where(state.c.namespace == _USER_DATA)).all()
    for key, data in stored:
        draft: Any = data.get(_REPORT_DRAFT) if isinstance(data, dict) else None
        if not isinstance(draft, dict) or draft.get("measure_id") not in mapping:
            continue
        changed = {**data, _REPORT_DRAFT: {**draft, "measure_id": mapping[draft["measure_id"]]}}
        bind.execute(state.update().where(state.c.namespace == _USER_DATA, state.c.key == key).values(data=changed))
