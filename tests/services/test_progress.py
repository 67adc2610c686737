"""Progress against every target: reports add up per township; returned items do not count."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from policy_kb import KnowledgeBase, load_kb
from services.items import return_item
from services.models import RoleKind
from services.progress import IndicatorProgress, progress, superseded
from services.reports import remaining, reportable_measures, submit_report
from tests.dashboard_support import one_of_two_villages_reports, road_report
from tests.people_support import person, village

ROADS = "mc0623e77"


def row(rows: list[IndicatorProgress], indicator: str) -> IndicatorProgress:
    return next(r for r in rows if r.indicator == indicator)


async def test_every_target_is_listed_even_with_nothing_reported(session: AsyncSession) -> None:
    kb = load_kb()
    rows = await progress(session, kb)
    assert len(rows) == sum(len(m.targets) for m in reportable_measures(kb))
    roads = row(rows, "硬化村组道路")
    assert roads.as_json() == {
        "measure": ROADS,
        "indicator": "硬化村组道路",
        "unit": "公里",
        "target": 106,
        "done": 0,
        "by_township": {},
        "per_village": None,
    }
    assert all(r.done == 0 for r in rows)


async def test_reports_add_up_per_township_and_returned_ones_drop_out(session: AsyncSession) -> None:
    kb = load_kb()
    yongling = await village(session, "永陵镇", "永陵村")
    yaozhan = await village(session, "新宾镇", "腰站村")
    cadre = await person(session, 1, RoleKind.CADRE, villages=[yongling, yaozhan])
    transport = await person(session, 2, RoleKind.UNIT, unit="县交通局")

    async def report(place_id: int, quantity: float, indicator: str = "硬化村组道路") -> int:
        submitted = await submit_report(
            session,
            kb,
            reporter=cadre,
            measure_id=ROADS,
            indicator=indicator,
            village_id=place_id,
            quantity=quantity,
            note=None,
            photo_file_id=None,
            update_id=None,
            merge_into=None,
            actor="telegram:1",
        )
        return submitted.item.id

    await report(yongling.id, 3.5)
    await report(yongling.id, 0.1)
    await report(yaozhan.id, 0.2)
    wrong = await report(yaozhan.id, 50)
    await report(yaozhan.id, 2, indicator="新建桥梁")
    await return_item(session, item_id=wrong, user=transport, reason="数字有误", actor="telegram:2")

    rows = await progress(session, kb)
    roads = row(rows, "硬化村组道路")
    # Townships in statistical-code order: 新宾镇 (…100) before 永陵镇 (…102).
    assert roads.as_json() == {
        "measure": ROADS,
        "indicator": "硬化村组道路",
        "unit": "公里",
        "target": 106,
        "done": 3.8,
        "by_township": {"新宾镇": 0.2, "永陵镇": 3.6},
        "per_village": None,
    }
    assert list(roads.by_township) == ["新宾镇", "永陵镇"]
    assert roads.label == "村组道路硬化"
    assert roads.percent == pytest.approx(3.6)
    bridges = row(rows, "新建桥梁")
    assert (bridges.done, bridges.by_township) == (2, {"新宾镇": 2})
    assert row(rows, "危桥改造").done == 0


def _without_roads() -> KnowledgeBase:
    """Next year's plan as far as these tests care: the road measure is gone (dropped or renamed)."""
    plan = load_kb()
    return plan.model_copy(update={"measures": [m for m in plan.measures if m.id != ROADS]})


async def test_reports_on_a_measure_the_new_plan_dropped_are_shown_as_the_previous_plans(
    session: AsyncSession,
) -> None:
    await road_report(session)
    rows = await superseded(session, _without_roads())
    assert [(r.measure, r.indicator, r.done, r.unit, r.by_township) for r in rows] == [
        (ROADS, "硬化村组道路", 3.5, "公里", {"永陵镇": 3.5})
    ]


async def test_reports_on_a_dropped_measure_count_towards_no_target_of_the_new_plan(session: AsyncSession) -> None:
    await road_report(session)
    assert all(r.done == 0 for r in await progress(session, _without_roads()))


async def test_nothing_is_superseded_while_the_plan_sets_the_target(session: AsyncSession) -> None:
    await road_report(session)
    assert await superseded(session, load_kb()) == []


def _next_year() -> KnowledgeBase:
    """Next year's plan with the same targets: the 2018 plan re-dated 2019."""
    plan = load_kb()
    source = plan.source.model_copy(update={"title": plan.source.title.replace("2018", "2019")})
    return plan.model_copy(update={"source": source})


async def test_next_years_plan_starts_its_progress_from_nothing(session: AsyncSession) -> None:
    await road_report(session)
    assert row(await progress(session, _next_year()), "硬化村组道路").done == 0


async def test_last_years_reports_still_count_towards_last_years_plan(session: AsyncSession) -> None:
    await road_report(session)
    assert row(await progress(session, load_kb()), "硬化村组道路").done == 3.5


async def test_a_report_filed_under_next_years_plan_counts_towards_it(session: AsyncSession) -> None:
    plan = _next_year()
    await road_report(session, plan=plan, quantity=1.5)
    assert row(await progress(session, plan), "硬化村组道路").done == 1.5


# --- targets set village by village (每个贫困村…) --------------------------------------------------

HEALTH, CLINIC = "m25e43f6d", "村卫生室"
COLLECTIVE, INCOME = "mf6e59b87", "村集体经济收入"
CULTURE, CENTRE = "mc0623e77-3", "综合性文化服务中心"


async def test_a_per_village_target_counts_the_villages_that_meet_it(session: AsyncSession) -> None:
    await one_of_two_villages_reports(session, HEALTH, CLINIC, 1)
    clinic = row(await progress(session, load_kb()), CLINIC)
    assert (clinic.done, clinic.target, clinic.unit) == (1, 2, "个村")


async def test_a_per_village_target_keeps_each_villages_figure(session: AsyncSession) -> None:
    await one_of_two_villages_reports(session, HEALTH, CLINIC, 1)
    clinic = row(await progress(session, load_kb()), CLINIC)
    assert (clinic.each, clinic.each_unit) == (1, "所")


async def test_a_village_short_of_its_figure_does_not_meet_it(session: AsyncSession) -> None:
    await one_of_two_villages_reports(session, COLLECTIVE, INCOME, 20000)
    assert row(await progress(session, load_kb()), INCOME).done == 0


async def test_villages_that_meet_it_are_counted_per_township(session: AsyncSession) -> None:
    await one_of_two_villages_reports(session, COLLECTIVE, INCOME, 35000)
    assert row(await progress(session, load_kb()), INCOME).by_township == {"永陵镇": 1}


async def test_the_villages_the_plan_counts_are_the_ones_it_applies_to(session: AsyncSession) -> None:
    await one_of_two_villages_reports(session, CULTURE, CENTRE, 1)
    assert row(await progress(session, load_kb()), CENTRE).target == 10


async def test_what_remains_of_a_per_village_target_is_the_villages_own(session: AsyncSession) -> None:
    first, second = await one_of_two_villages_reports(session, HEALTH, CLINIC, 1)
    kb = load_kb()
    left = [await remaining(session, kb, measure_id=HEALTH, indicator=CLINIC, village_id=v) for v in (first, second)]
    assert left == [0, 1]


async def test_a_per_village_target_has_no_county_remainder(session: AsyncSession) -> None:
    await one_of_two_villages_reports(session, HEALTH, CLINIC, 1)
    assert await remaining(session, load_kb(), measure_id=HEALTH, indicator=CLINIC) is None


async def test_what_remains_under_next_years_plan_ignores_last_years_reports(session: AsyncSession) -> None:
    await road_report(session)
    assert await remaining(session, _next_year(), measure_id=ROADS, indicator="硬化村组道路") == 106
