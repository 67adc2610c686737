"""Progress against every target of the plan, county-wide and per township, from cadres' reports.

A report counts unless its item was returned (退回 means the unit did not accept the figure).
Every target appears, with 0 done when nothing was reported, so the office sees the gaps too. A
target the plan sets for each village (每个贫困村…1 所) is met village by village: it counts the
villages whose reports reach it, never a county total of every village's figures.
Reports on targets the plan in force no longer sets are shown apart (`superseded`), never lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from policy_kb.schema import KnowledgeBase, Measure, Target
from services.models import Item, ItemState, Report, Township, Village
from services.quantities import SHOWN_DECIMALS
from services.reports import indicator_label, reportable_measures

#: The unit a target set village by village is counted in: villages that meet it.
VILLAGES_UNIT = "个村"


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
    #: For a target set village by village ("每个贫困村至少设有 1 所村卫生室"), each village's figure
    #: and its unit; `target` and `done` then count villages (the villages it applies to, those that
    #: meet it), `unit` is 个村 and `by_township` counts the villages that meet it.
    each: float | None = None
    each_unit: str = ""
    #: Share of the target done, in percent (may exceed 100).
    percent: float = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "percent", share(self.done, self.target))

    def as_json(self) -> dict[str, Any]:
        """The `fupin progress --json` shape: measure, indicator, unit, target, done, by_township, and
        per_village (each village's figure and unit; null for a county-wide target)."""
        return {
            "measure": self.measure,
            "indicator": self.indicator,
            "unit": self.unit,
            "target": _number(self.target),
            "done": _number(self.done),
            "by_township": {name: _number(done) for name, done in self.by_township.items()},
            "per_village": {"each": _number(self.each), "unit": self.each_unit} if self.each is not None else None,
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


async def _by_village(session: AsyncSession, year: int) -> dict[tuple[str, str], dict[int, tuple[str, float]]]:
    """(measure id, indicator) -> village id -> its township's name and its counted total, of the
    reports filed under the plan of `year`."""
    query = (
        select(Report.measure_id, Report.indicator, Village.id, Township.name, func.sum(Report.quantity))
        .join(Item, Report.item_id == Item.id)
        .join(Village, Report.village_id == Village.id)
        .join(Township, Village.township_id == Township.id)
        .where(Item.state != ItemState.RETURNED, Report.plan_year == year)
        .group_by(Report.measure_id, Report.indicator, Village.id, Township.code, Township.name)
        .order_by(Township.code)
    )
    found: dict[tuple[str, str], dict[int, tuple[str, float]]] = {}
    for measure_id, indicator, village_id, township, total in await session.execute(query):
        found.setdefault((measure_id, indicator), {})[village_id] = (township, float(total))
    return found


def _village_by_village(
    measure: Measure, target: Target, reported: dict[int, tuple[str, float]], villages_on_record: int
) -> IndicatorProgress:
    """A per-village target: the villages whose reports reach each village's figure, out of the
    villages it applies to (the plan's count, else every village on record)."""
    met: dict[str, float] = {}
    for township, total in reported.values():
        if total >= float(target.quantity) - 10**-SHOWN_DECIMALS:
            met[township] = met.get(township, 0) + 1
    return IndicatorProgress(
        measure=measure.id,
        indicator=target.indicator,
        unit=VILLAGES_UNIT,
        target=float(target.villages or villages_on_record),
        done=float(sum(met.values())),
        by_township=met,
        label=indicator_label(target),
        measure_title=measure.title,
        at_least=target.at_least,
        each=float(target.quantity),
        each_unit=target.unit,
    )


async def progress(session: AsyncSession, kb: KnowledgeBase) -> list[IndicatorProgress]:
    """Every target of the plan in the plan's order, with what the reports filed under it add up to
    (a plan's year starts from nothing: last year's reports count towards last year's plan); a
    target set village by village counts the villages that meet it."""
    counted = await _counted(session, kb.source.year)
    by_village = await _by_village(session, kb.source.year)
    villages_on_record = int(await session.scalar(select(func.count()).select_from(Village)) or 0)
    rows = []
    for measure in reportable_measures(kb):
        for target in measure.targets:
            if target.per_village:
                reported = by_village.get((measure.id, target.indicator), {})
                rows.append(_village_by_village(measure, target, reported, villages_on_record))
                continue
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
