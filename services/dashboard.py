"""The dashboard's figures in one read: progress on every target, items per unit, changes waiting, broadcasts.

Each part comes from the service that owns it (`progress`, `office`, `households`,
`broadcasts`); this module only gathers them, so the page and the API show the same numbers
the bot and the exports do.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from policy_kb.schema import KnowledgeBase
from services.broadcasts import DeliveryReport, delivery_report
from services.households import CLOSED_STAGES, PUBLIC_PATH, STAGE_LABELS
from services.models import Broadcast, ChangeStage, HouseholdChange, utcnow
from services.office import UnitItems, items_by_unit
from services.progress import IndicatorProgress, progress, superseded

#: Stages a change can wait in, in the order of 两公示一公告 (bookkeeping kinds wait in 已提交).
WAITING_STAGES: tuple[ChangeStage, ...] = tuple(
    s for s in (*PUBLIC_PATH, ChangeStage.SUBMITTED) if s not in CLOSED_STAGES
)
#: Broadcasts the dashboard shows.
RECENT_BROADCASTS = 10


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


async def overview(session: AsyncSession, kb: KnowledgeBase, *, today: dt.date) -> Overview:
    """The dashboard's figures (read-only; one session, a handful of grouped queries)."""
    return Overview(
        generated_at=utcnow(),
        today=today,
        progress=await progress(session, kb),
        superseded=await superseded(session, kb),
        units=await items_by_unit(session, today=today),
        changes=await waiting_changes(session),
        broadcasts=await broadcast_lines(session),
    )
