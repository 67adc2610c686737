"""The dashboard's villages gone quiet: a cadre on record and no report for a month."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from services.dashboard import QUIET_DAYS, quiet_villages
from services.models import Report, RoleKind, utcnow
from tests.dashboard_support import road_report
from tests.people_support import person, village


async def _names(session: AsyncSession) -> list[str]:
    return [f"{q.township}/{q.village}" for q in await quiet_villages(session, now=utcnow())]


async def test_a_village_whose_cadre_never_reported_is_quiet(session: AsyncSession) -> None:
    place = await village(session, "新宾镇", "腰站村")
    await person(session, 1, RoleKind.CADRE, villages=[place])
    assert await _names(session) == ["新宾镇/腰站村"]


async def test_a_village_that_reported_this_month_is_not_quiet(session: AsyncSession) -> None:
    await road_report(session)
    assert await _names(session) == []


async def test_a_village_whose_last_report_is_older_than_a_month_is_quiet(session: AsyncSession) -> None:
    await road_report(session)
    await session.execute(update(Report).values(created_at=utcnow() - dt.timedelta(days=QUIET_DAYS + 1)))
    assert await _names(session) == ["永陵镇/永陵村"]


async def test_a_quiet_village_says_when_it_last_reported(session: AsyncSession) -> None:
    await road_report(session)
    long_ago = utcnow() - dt.timedelta(days=QUIET_DAYS + 5)
    await session.execute(update(Report).values(created_at=long_ago))
    (quiet,) = await quiet_villages(session, now=utcnow())
    assert quiet.last_report is not None
    assert abs(quiet.last_report - long_ago) < dt.timedelta(seconds=1)


async def test_a_village_no_cadre_is_bound_to_is_not_listed(session: AsyncSession) -> None:
    await village(session, "新宾镇", "腰站村")
    assert await _names(session) == []


async def test_the_village_never_heard_from_comes_before_one_heard_from_long_ago(session: AsyncSession) -> None:
    await road_report(session)  # 永陵镇/永陵村, cadre 1
    await session.execute(update(Report).values(created_at=utcnow() - dt.timedelta(days=QUIET_DAYS + 1)))
    other = await village(session, "新宾镇", "腰站村")
    await person(session, 2, RoleKind.CADRE, villages=[other])
    assert await _names(session) == ["新宾镇/腰站村", "永陵镇/永陵村"]
