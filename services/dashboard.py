"""The dashboard's figures in one read: progress on every target, items per unit and the overdue ones,
villages gone quiet, changes waiting, broadcasts.

Each part comes from the service that owns it (`progress`, `office`, `households`,
`broadcasts`); this module only gathers them, so the page and the API show the same numbers
the bot and the exports do.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from policy_kb.schema import KnowledgeBase
from services.broadcasts import DeliveryReport, delivery_report
from services.household_rules import CLOSED_STAGES, PUBLIC_PATH, STAGE_LABELS
from services.models import (
    Broadcast,
    ChangeStage,
    HouseholdChange,
    Item,
    Report,
    Role,
    RoleKind,
    Township,
    Village,
    role_villages,
    utcnow,
)
from services.office import ItemFilter, UnitItems, items_by_unit, list_items
from services.progress import IndicatorProgress, progress, superseded

#: Stages a change can wait in, in the order of 两公示一公告 (bookkeeping kinds wait in 已提交).
WAITING_STAGES: tuple[ChangeStage, ...] = tuple(
    s for s in (*PUBLIC_PATH, ChangeStage.SUBMITTED) if s not in CLOSED_STAGES
)
#: Broadcasts the dashboard shows.
RECENT_BROADCASTS = 10
#: Overdue items the dashboard lists (most overdue first); the rest are counted per unit.
OVERDUE_SHOWN = 20
#: A village whose cadres filed no report for this many days has gone quiet.
QUIET_DAYS = 30


@dataclass(frozen=True)
class StageCount:
    """How many household changes wait in one stage."""

    stage: ChangeStage
    label: str
    count: int


@dataclass(frozen=True)
class BroadcastLine:
    """A recent broadcast, when it was (to be) sent, and its delivery so far."""

    report: DeliveryReport
    scheduled_at: dt.datetime
    created_by: str


@dataclass(frozen=True)
class QuietVillage:
    """A village with a cadre on record and no report in the last `QUIET_DAYS` days."""

    township: str
    village: str
    #: When its last report was filed (None: never).
    last_report: dt.datetime | None


@dataclass(frozen=True)
class Overview:
    """Everything the dashboard shows, as of `generated_at`."""

    generated_at: dt.datetime
    today: dt.date
    progress: list[IndicatorProgress]
    #: Reports on targets of an earlier plan that the plan in force no longer sets.
    superseded: list[IndicatorProgress]
    units: list[UnitItems]
    changes: list[StageCount]
    broadcasts: list[BroadcastLine]
    #: The most overdue open items, with whom they lie.
    overdue: list[Item]
    quiet: list[QuietVillage]


async def waiting_changes(session: AsyncSession) -> list[StageCount]:
    """Household changes waiting in each stage, every stage listed (0 when none); counted, not loaded."""
    counts: dict[ChangeStage, int] = dict(
        (
            await session.execute(
                select(HouseholdChange.stage, func.count())
                .where(HouseholdChange.stage.not_in(CLOSED_STAGES))
                .group_by(HouseholdChange.stage)
            )
        ).all()
    )
    return [StageCount(stage=s, label=STAGE_LABELS[s], count=counts.get(s, 0)) for s in WAITING_STAGES]


async def broadcast_line(session: AsyncSession, broadcast: Broadcast) -> BroadcastLine:
    """One broadcast with its delivery so far."""
    report = await delivery_report(session, broadcast_id=broadcast.id)
    return BroadcastLine(report=report, scheduled_at=broadcast.scheduled_at, created_by=broadcast.created_by)


async def broadcast_lines(session: AsyncSession, *, limit: int = RECENT_BROADCASTS) -> list[BroadcastLine]:
    """The latest broadcasts, newest first, with their delivery."""
    latest = await session.scalars(select(Broadcast).order_by(Broadcast.id.desc()).limit(limit))
    return [await broadcast_line(session, broadcast) for broadcast in latest.all()]


async def quiet_villages(session: AsyncSession, *, now: dt.datetime) -> list[QuietVillage]:
    """Villages a cadre is bound to whose last report is older than `QUIET_DAYS` days (or none),
    longest quiet first; a village nobody is bound to cannot report and is not listed."""
    last = select(Report.village_id, func.max(Report.created_at).label("at")).group_by(Report.village_id).subquery()
    with_cadre = (
        select(role_villages.c.village_id)
        .join(Role, Role.id == role_villages.c.role_id)
        .where(Role.kind == RoleKind.CADRE)
    )
    rows = await session.execute(
        select(Township.name, Village.name, last.c.at)
        .join(Township, Village.township_id == Township.id)
        .outerjoin(last, last.c.village_id == Village.id)
        .where(Village.id.in_(with_cadre))
        .where(or_(last.c.at.is_(None), last.c.at < now - dt.timedelta(days=QUIET_DAYS)))
        .order_by(last.c.at.is_not(None), last.c.at, Township.code, Village.name)
    )
    return [QuietVillage(township, village, at) for township, village, at in rows]


async def overview(session: AsyncSession, kb: KnowledgeBase, *, today: dt.date) -> Overview:
    """The dashboard's figures (read-only; one session, a handful of grouped queries)."""
    now = utcnow()
    overdue = await list_items(session, wanted=ItemFilter(overdue=True), today=today, limit=OVERDUE_SHOWN)
    return Overview(
        generated_at=now,
        today=today,
        progress=await progress(session, kb),
        superseded=await superseded(session, kb),
        units=await items_by_unit(session, today=today),
        changes=await waiting_changes(session),
        broadcasts=await broadcast_lines(session),
        overdue=overdue,
        quiet=await quiet_villages(session, now=now),
    )
