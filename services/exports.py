"""What the office exports to Excel: progress, items, the household roster — as rows with Chinese headers.

This module builds the rows; `bot/spreadsheets.py` writes them as .xlsx or .csv for the CLI and
the dashboard. Rows are read in batches of `BATCH_ROWS` as the file is written (a county roster
can hold 100,000 households): the event loop that also serves the bot gets its turn between
batches, and memory stays flat. The roster shows 身份证号 and names masked unless the office asks
for the full roster, which is written to the audit log (who, when, how many rows) because it is
the one export that carries a household's identity.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from policy_kb.schema import KnowledgeBase
from services import audit
from services.errors import InvalidInput
from services.household_rules import STATUS_LABELS
from services.items import KIND_LABELS, STATE_LABELS
from services.masking import mask_id_number, mask_name
from services.models import Household, Item, Township, Village
from services.office import is_overdue
from services.places import list_townships
from services.progress import progress
from services.sheets import BATCH_ROWS, EXPORT_TITLES, ExportKind, Row, Sheet

PROGRESS_HEADERS = ("措施编号", "措施", "指标", "单位", "目标", "已完成", "完成率（%）")
TASK_HEADERS = (
    "编号",
    "类型",
    "措施编号",
    "事项",
    "乡镇",
    "村",
    "牵头单位",
    "参与单位",
    "状态",
    "提交时间",
    "办理期限",
    "是否超期",
    "退回原因",
)
HOUSEHOLD_HEADERS = ("身份证号", "户主姓名", "乡镇", "村", "家庭人口", "致贫原因", "状态")
#: Separator of several names in one cell.
LIST_SEPARATOR = "、"
YES, NO = "是", "否"


async def _one_batch(rows: list[Row]) -> AsyncIterator[list[Row]]:
    yield rows


async def progress_sheet(session: AsyncSession, kb: KnowledgeBase) -> Sheet:
    """One row per indicator with a target: target, done, % done, then done per township (a column each)."""
    townships = [t.name for t in await list_townships(session)]
    # One row per target of the plan: a few hundred at most, computed in one pass.
    rows: list[Row] = [
        (
            p.measure,
            p.measure_title,
            p.indicator,
            p.unit,
            p.target,
            p.done,
            p.percent,
            *(p.by_township.get(name, 0) for name in townships),
        )
        for p in await progress(session, kb)
    ]
    return Sheet(EXPORT_TITLES[ExportKind.PROGRESS], (*PROGRESS_HEADERS, *townships), _one_batch(rows))


async def _task_batches(session: AsyncSession, *, today: dt.date) -> AsyncIterator[list[Row]]:
    result = await session.stream_scalars(select(Item).order_by(Item.id).execution_options(yield_per=BATCH_ROWS))
    async for items in result.partitions():
        yield [
            (
                item.id,
                KIND_LABELS[item.kind],
                item.measure_id,
                item.title,
                item.village.township.name,
                item.village.name,
                item.owner_unit,
                LIST_SEPARATOR.join(item.participants),
                STATE_LABELS[item.state],
                item.created_at,
                item.due_date,
                YES if is_overdue(item, today=today) else NO,
                item.return_reason,
            )
            for item in items
        ]


async def tasks_sheet(session: AsyncSession, *, today: dt.date) -> Sheet:
    """Every item routed to a unit, oldest first, with its state and whether it is overdue."""
    return Sheet(EXPORT_TITLES[ExportKind.TASKS], TASK_HEADERS, _task_batches(session, today=today))


async def _household_batches(session: AsyncSession, *, full: bool, actor: str) -> AsyncIterator[list[Row]]:
    # Plain columns rather than ORM objects: a fraction of the work per row, for the largest export.
    query = (
        select(
            Household.id_number,
            Household.head_name,
            Township.name,
            Village.name,
            Household.members,
            Household.cause,
            Household.status,
        )
        .join(Household.village)
        .join(Village.township)
        .order_by(Township.code, Village.name, Household.id)
    )
    count = 0
    result = await session.stream(query.execution_options(yield_per=BATCH_ROWS))
    async for rows in result.partitions():
        count += len(rows)
        yield [
            (
                id_number if full else mask_id_number(id_number),
                name if full else mask_name(name),
                township,
                village,
                members,
                cause,
                STATUS_LABELS[status],
            )
            for id_number, name, township, village, members, cause, status in rows
        ]
    if full:
        # Once every row has been read, so that the entry says how many left the office.
        await audit.record(
            session, actor=actor, action="export.households.full", subject="households", after={"rows": count}
        )


async def households_sheet(session: AsyncSession, *, full: bool = False, actor: str) -> Sheet:
    """The roster by township and village; 身份证号 and names masked unless `full` (which is audited)."""
    return Sheet(
        EXPORT_TITLES[ExportKind.HOUSEHOLDS],
        HOUSEHOLD_HEADERS,
        _household_batches(session, full=full, actor=actor),
    )


async def build_sheet(
    session: AsyncSession,
    kb: KnowledgeBase,
    *,
    kind: ExportKind,
    today: dt.date,
    actor: str,
    full: bool = False,
) -> Sheet:
    """The sheet of one export kind.

    Raises:
        InvalidInput: `full` asked of an export other than the household roster.
    """
    if full and kind is not ExportKind.HOUSEHOLDS:
        raise InvalidInput("只有贫困户名册可以导出完整身份证号和姓名。")
    if kind is ExportKind.PROGRESS:
        return await progress_sheet(session, kb)
    if kind is ExportKind.TASKS:
        return await tasks_sheet(session, today=today)
    return await households_sheet(session, full=full, actor=actor)
