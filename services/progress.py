"""Progress against every target of the plan, county-wide and per township, from cadres' reports.

A report counts unless its item was returned (退回 means the unit did not accept the figure).
Every target appears, with 0 done when nothing was reported, so the office sees the gaps too.
Reports on targets the plan in force no longer sets are shown apart (`superseded`), never lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from policy_kb.schema import KnowledgeBase
from services.models import Item, ItemState, Report, Township, Village
from services.quantities import SHOWN_DECIMALS
from services.reports import indicator_label, reportable_measures


def share(done: float, target: float) -> float:
    """`done` as a percentage of `target`, one decimal (0 for a target of 0)."""
    return round(100 * done / target, 1) if target else 0.0


def _number(value: float) -> int | float:
    """106.0 → 106 in JSON, as the plan writes it; float noise of sums rounded away."""
    value = round(float(value), SHOWN_DECIMALS)
    return int(value) if value.is_integer() else value


@dataclass(frozen=True)
class IndicatorProgress:
    """One target and how much of it the reports cover."""

    #: The measure's id, e.g. `mc0623e77` (`policy_kb.builder.structure._heading_id`).
    measure: str
    #: The indicator as the plan words it, e.g. `硬化村组道路`.
    indicator: str
    unit: str
    target: float
    done: float
    #: Done per township name, only townships with counted reports, in statistical-code order.
    by_township: dict[str, float]
    #: Reader-friendly name of the indicator (村组道路硬化) and the measure's title, for people.
    label: str = ""
    measure_title: str = ""
    #: True where the plan's target is a floor (以上).
    at_least: bool = False
    #: Share of the target done, in percent (may exceed 100).
    percent: float = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "percent", share(self.done, self.target))

    def as_json(self) -> dict[str, Any]:
        """The `fupin progress --json` shape: measure, indicator, unit, target, done, by_township."""
        return {
            "measure": self.measure,
            "indicator": self.indicator,
            "unit": self.unit,
            "target": _number(self.target),
            "done": _number(self.done),
            "by_township": {name: _number(done) for name, done in self.by_township.items()},
        }


async def _counted(session: AsyncSession, year: int) -> dict[tuple[str, str], tuple[str, dict[str, float]]]:
    """(measure id, indicator) -> the unit reported in and the counted total per township name, of
    the reports filed under the plan of `year`."""
    query = (
        select(Report.measure_id, Report.indicator, func.max(Report.unit), Township.name, func.sum(Report.quantity))
        .join(Item, Report.item_id == Item.id)
        .join(Village, Report.village_id == Village.id)
        .join(Township, Village.township_id == Township.id)
        .where(Item.state != ItemState.RETURNED, Report.plan_year == year)
        .group_by(Report.measure_id, Report.indicator, Township.code, Township.name)
        .order_by(Township.code)
    )
    counted: dict[tuple[str, str], tuple[str, dict[str, float]]] = {}
    for measure_id, indicator, unit, township, total in await session.execute(query):
        _, townships = counted.setdefault((measure_id, indicator), (unit, {}))
        townships[township] = round(float(total), SHOWN_DECIMALS)
    return counted


async def progress(session: AsyncSession, kb: KnowledgeBase) -> list[IndicatorProgress]:
    """Every target of the plan in the plan's order, with what the reports filed under it add up to
    (a plan's year starts from nothing: last year's reports count towards last year's plan)."""
    counted = await _counted(session, kb.source.year)
    rows = []
    for measure in reportable_measures(kb):
        for target in measure.targets:
            _, townships = counted.get((measure.id, target.indicator), ("", {}))
            rows.append(
                IndicatorProgress(
                    measure=measure.id,
                    indicator=target.indicator,
                    unit=target.unit,
                    target=float(target.quantity),
                    done=round(sum(townships.values()), SHOWN_DECIMALS),
                    by_township=townships,
                    label=indicator_label(target),
                    measure_title=measure.title,
                    at_least=target.at_least,
                )
            )
    return rows


async def superseded(session: AsyncSession, kb: KnowledgeBase) -> list[IndicatorProgress]:
    """Counted reports on targets the plan in force no longer sets, by measure id and indicator.

    Next year's plan may drop or rename a measure (its id follows its title) or a target: the
    reports filed against it stay in the database and are shown apart, as the previous plan's
    (上一版方案的措施), rather than vanish from the figures or be added to another target. They
    have no target in force (0); `measure_title` is the measure's title while the plan still has it.
    """
    in_force = {(m.id, t.indicator) for m in reportable_measures(kb) for t in m.targets}
    titles = {m.id: m.title for m in kb.measures}
    counted = await _counted(session, kb.source.year)
    rows = []
    for measure_id, indicator in sorted(counted.keys() - in_force):
        unit, townships = counted[(measure_id, indicator)]
        rows.append(
            IndicatorProgress(
                measure=measure_id,
                indicator=indicator,
                unit=unit,
                target=0.0,
                done=round(sum(townships.values()), SHOWN_DECIMALS),
                by_township=townships,
                label=indicator,
                measure_title=titles.get(measure_id, ""),
            )
        )
    return rows
