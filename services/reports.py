"""Progress reports: a cadre's confirmed figure for one of the plan's targets in one of their villages.

A report is stored once per Telegram update (a redelivered update finds the first one) and becomes
an item routed to the measure's lead unit — or joins an open item on the same indicator in the same
village when the cadre chose to merge. Returned items stop counting towards progress.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from policy_kb.schema import KnowledgeBase, Measure, Target
from services import audit
from services.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.items import OPEN_STATES, STATE_LABELS, Submitted, create_item, get_item
from services.masking import mask_text
from services.models import Item, ItemKind, ItemState, Report, RoleKind, User, Village
from services.quantities import check_quantity, format_quantity
from services.routing import parties_for, plan_measure

__all__ = [
    "Submitted",
    "filed_by_update",
    "find_target",
    "indicator_label",
    "remaining",
    "report_topic",
    "reportable_measures",
    "submit_report",
]

#: Longest note the schema holds.
MAX_NOTE = 500


def reportable_measures(kb: KnowledgeBase) -> list[Measure]:
    """The measures that set targets a cadre can report progress on, in the plan's order."""
    return [m for m in kb.measures if m.targets]


def indicator_label(target: Target) -> str:
    """The indicator's reader-friendly name (村组道路硬化) where the lexicon has one, else the plan's phrase."""
    return target.display_name or target.indicator


def report_topic(indicator: str) -> str:
    """What report items are matched by for merging: the indicator, as the plan words it."""
    return indicator


def find_target(kb: KnowledgeBase, *, measure_id: str, indicator: str) -> Target:
    """The measure's target for `indicator` (the plan's phrase or its reader-friendly name).

    Raises:
        NotFound: no such measure.
        InvalidInput: the measure sets no target for this indicator; the message lists those it sets.
    """
    measure = plan_measure(kb, measure_id)
    for target in measure.targets:
        if indicator in (target.indicator, target.display_name):
            return target
    labels = [indicator_label(t) for t in measure.targets]
    if not labels:
        raise InvalidInput(f"“{measure.title}”没有可上报的任务指标。")
    raise InvalidInput(
        f"“{measure.title}”没有“{indicator}”这项指标，可选：{'、'.join(labels)}。",
        choices=[t.indicator for t in measure.targets],
    )


async def reported_total(
    session: AsyncSession, *, measure_id: str, indicator: str, plan_year: int, village_id: int | None = None
) -> float:
    """Sum of the reports on an indicator filed under the plan of `plan_year` whose item was not
    returned: county-wide, or of one village."""
    query = (
        select(func.coalesce(func.sum(Report.quantity), 0.0))
        .join(Item, Report.item_id == Item.id)
        .where(
            Report.measure_id == measure_id,
            Report.indicator == indicator,
            Report.plan_year == plan_year,
            Item.state != ItemState.RETURNED,
        )
    )
    if village_id is not None:
        query = query.where(Report.village_id == village_id)
    return float(await session.scalar(query) or 0.0)


async def remaining(
    session: AsyncSession, kb: KnowledgeBase, *, measure_id: str, indicator: str, village_id: int | None = None
) -> float | None:
    """What is left of the target under the plan in force (never below 0): county-wide, or, for a
    target set village by village, of the village `village_id`. None when the measure sets no such
    target, or when a per-village target's village is not chosen yet.

    The bot asks the cadre to confirm a quantity above this before storing it.
    """
    try:
        target = find_target(kb, measure_id=measure_id, indicator=indicator)
    except (NotFound, InvalidInput):
        return None
    if target.per_village and village_id is None:
        return None
    done = await reported_total(
        session,
        measure_id=measure_id,
        indicator=target.indicator,
        plan_year=kb.source.year,
        village_id=village_id if target.per_village else None,
    )
    return max(0.0, round(float(target.quantity) - done, 6))


def _cadre_village(reporter: User, village_id: int) -> Village:
    role = reporter.role(RoleKind.CADRE) if reporter.active else None
    if role is None:
        raise Forbidden("只有驻村干部可以上报进度。")
    for village in role.villages:
        if village.id == village_id:
            return village
    villages = "、".join(v.full_name for v in role.villages) or "（无）"
    raise Forbidden(f"您只能为自己驻村的村上报进度：{villages}。")


def _clean_note(note: str | None) -> str | None:
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise InvalidInput(f"备注最多 {MAX_NOTE} 字，现在有 {len(note)} 字，请精简后重新输入。")
    return note or None


def report_snapshot(report: Report) -> dict[str, Any]:
    """The report as the audit log keeps it; the note is free text, so numbers in it are masked."""
    return {
        "measure_id": report.measure_id,
        "indicator": report.indicator,
        "unit": report.unit,
        "quantity": report.quantity,
        "village": report.village.full_name,
        "note": mask_text(report.note) if report.note else None,
        "photo": report.photo_file_id is not None,
        "item_id": report.item_id,
        "source_update_id": report.source_update_id,
    }


async def _merge_target(session: AsyncSession, *, item_id: int, measure_id: str, topic: str, village: Village) -> Item:
    item = await get_item(session, item_id=item_id, lock=True)
    if (item.kind, item.measure_id, item.topic, item.village_id) != (ItemKind.REPORT, measure_id, topic, village.id):
        raise InvalidInput("要合并的事项与这次上报不是同一指标、同一个村，不能合并。请作为新事项提交。")
    if item.state not in OPEN_STATES:
        raise Conflict(f"要合并的事项{STATE_LABELS[item.state]}，不能再合并。请作为新事项提交。")
    return item


async def filed_by_update(session: AsyncSession, *, update_id: int) -> Report | None:
    """The report a Telegram update confirmed, if it was handled before (a redelivery or a replay)."""
    return await session.scalar(select(Report).where(Report.source_update_id == update_id))


async def submit_report(
    session: AsyncSession,
    kb: KnowledgeBase,
    *,
    reporter: User,
    measure_id: str,
    indicator: str,
    village_id: int,
    quantity: float,
    note: str | None = None,
    photo_file_id: str | None = None,
    update_id: int | None = None,
    merge_into: int | None = None,
    actor: str,
) -> Submitted:
    """Store a confirmed report and route it, once per Telegram update.

    Args:
        indicator: the target's indicator (the plan's phrase or its reader-friendly name).
        quantity: already parsed (`services.quantities.parse_quantity`); checked again here.
        update_id: the Telegram update that confirmed it; the same id again returns the first
            report with `created=False` and writes nothing.
        merge_into: an open item on the same indicator and village (`items.find_duplicate`) to
            attach the report to instead of opening a new item.

    Raises:
        NotFound: no such measure, or no item `merge_into`.
        InvalidInput: the indicator is not one of the measure's targets, the quantity is not
            positive (or not whole for a countable unit), the note is too long, or `merge_into`
            is about something else.
        Forbidden: the reporter is not a cadre of that village.
        Conflict: the item to merge into is no longer open.
    """
    if update_id is not None and (existing := await filed_by_update(session, update_id=update_id)) is not None:
        return Submitted(item=existing.item, created=False, report=existing)
    target = find_target(kb, measure_id=measure_id, indicator=indicator)
    amount = check_quantity(quantity, unit=target.unit, target=float(target.quantity))
    village = _cadre_village(reporter, village_id)
    clean_note = _clean_note(note)
    topic = report_topic(target.indicator)
    if merge_into is not None:
        item = await _merge_target(session, item_id=merge_into, measure_id=measure_id, topic=topic, village=village)
    else:
        item = await create_item(
            session,
            kind=ItemKind.REPORT,
            measure_id=measure_id,
            title=f"{indicator_label(target)} {format_quantity(amount)} {target.unit}",
            topic=topic,
            village=village,
            reporter=reporter,
            parties=parties_for(kb, measure_id=measure_id, township=village.township),
            actor=actor,
        )
    report = Report(
        measure_id=measure_id,
        indicator=target.indicator,
        unit=target.unit,
        quantity=amount,
        village=village,
        note=clean_note,
        photo_file_id=photo_file_id or None,
        reporter_id=reporter.id,
        item=item,
        source_update_id=update_id,
        plan_year=kb.source.year,
    )
    session.add(report)
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action="report.merge" if merge_into is not None else "report.create",
        subject=f"report:{report.id}",
        after=report_snapshot(report),
    )
    if merge_into is not None:
        await _retitle(session, item=item, target=target, actor=actor)
    return Submitted(item=item, created=True, report=report, merged=merge_into is not None)


async def _retitle(session: AsyncSession, *, item: Item, target: Target, actor: str) -> None:
    """Show the merged total in the item's title, so the unit's card states the whole amount."""
    total = await session.scalar(select(func.sum(Report.quantity)).where(Report.item_id == item.id))
    title = f"{indicator_label(target)} {format_quantity(float(total or 0))} {target.unit}"
    if title == item.title:
        return
    before = {"title": item.title}
    item.title = title
    await session.flush()
    await audit.record(
        session, actor=actor, action="item.merge", subject=f"item:{item.id}", before=before, after={"title": title}
    )
