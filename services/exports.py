"""What the office exports to Excel: progress, items, the household roster — as rows with Chinese headers.

This module builds the rows; `bot/spreadsheets.py` writes them as .xlsx or .csv for the CLI and
the dashboard. The roster shows 身份证号 and names masked unless the office asks for the full
roster, which is written to the audit log (who, when, how many rows) because it is the one
export that carries a household's identity.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from policy_kb.schema import KnowledgeBase
from services import audit
from services.errors import InvalidInput
from services.households import STATUS_LABELS
from services.items import KIND_LABELS, STATE_LABELS
from services.masking import mask_id_number, mask_name
from services.models import Household, Item, Township, Village
from services.office import is_overdue
from services.places import list_townships
from services.progress import progress
from services.sheets import EXPORT_TITLES, Cell, ExportKind, Sheet

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


async def progress_sheet(session: AsyncSession, kb: KnowledgeBase) -> Sheet:
    """One row per indicator with a target: target, done, % done, then done per township (a column each)."""
    townships = [t.name for t in await list_townships(session)]
    rows: list[tuple[Cell, ...]] = []
    for p in await progress(session, kb):
        rows.append(
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
        )
    return Sheet(EXPORT_TITLES[ExportKind.PROGRESS], (*PROGRESS_HEADERS, *townships), rows)


async def tasks_sheet(session: AsyncSession, *, today: dt.date) -> Sheet:
    """Every item routed to a unit, oldest first, with its state and whether it is overdue."""
    items = (await session.scalars(select(Item).order_by(Item.id))).all()
    rows: list[tuple[Cell, ...]] = []
    for item in items:
        rows.append(
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
        )
    return Sheet(EXPORT_TITLES[ExportKind.TASKS], TASK_HEADERS, rows)


async def households_sheet(session: AsyncSession, *, full: bool = False, actor: str) -> Sheet:
    """The roster by township and village; 身份证号 and names masked unless `full` (which is audited)."""
    query = (
        select(Household)
        .join(Household.village)
        .join(Village.township)
        .order_by(Township.code, Village.name, Household.id)
    )
    households = (await session.scalars(query)).all()
    rows: list[tuple[Cell, ...]] = [
        (
            h.id_number if full else mask_id_number(h.id_number),
            h.head_name if full else mask_name(h.head_name),
            h.village.township.name,
            h.village.name,
            h.members,
            h.cause,
            STATUS_LABELS[h.status],
        )
        for h in households
    ]
    if full:
        await audit.record(
            session, actor=actor, action="export.households.full", subject="households", after={"rows": len(rows)}
        )
    return Sheet(EXPORT_TITLES[ExportKind.HOUSEHOLDS], HOUSEHOLD_HEADERS, rows)


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
