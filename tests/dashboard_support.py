"""A small county on record for the dashboard and export tests: reports, items, households, a change, a broadcast."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from policy_kb import KnowledgeBase, load_kb
from services import audit
from services.broadcasts import create_broadcast
from services.db import session_scope
from services.items import create_item
from services.models import (
    AudienceKind,
    ChangeKind,
    ChangeStage,
    Household,
    HouseholdChange,
    HouseholdStatus,
    ItemKind,
    ItemState,
    PartyRole,
    Report,
    RoleKind,
)
from services.reports import submit_report
from services.routing import PartySpec
from services.workdays import china_today
from tests.people_support import person, village

#: The road target the tests read: 硬化村组道路 106 公里 (二（二）8, first line), 53 km counted → 50 %.
ROAD_MEASURE, ROAD_INDICATOR, ROAD_TARGET = "mc0623e77", "硬化村组道路", 106
#: Reports counted per township, and one on a returned item that must not count.
ROAD_DONE = {"永陵镇": 30.0, "旺清门镇": 23.0}
ROAD_RETURNED = 10.0
#: Two households on the roster (valid 身份证号), shown masked unless the full roster is asked for.
HOUSEHOLDS = [("210422198001011236", "张三明", "永陵镇"), ("21042219900202123X", "李四", "旺清门镇")]
BROADCAST_TEXT = "请各村于月底前报送脱贫户名单。"


@dataclass(frozen=True)
class Seeded:
    """Ids the tests look for."""

    overdue_item: int
    broadcast: int


async def road_report(session: AsyncSession, *, plan: KnowledgeBase | None = None, quantity: float = 3.5) -> None:
    """Cadre 1 of 永陵镇永陵村 reports `quantity` km of hardened village roads under `plan` (the
    packaged one by default)."""
    place = await village(session, "永陵镇", "永陵村")
    cadre = await person(session, 1, RoleKind.CADRE, villages=[place])
    await submit_report(
        session,
        plan or load_kb(),
        reporter=cadre,
        measure_id=ROAD_MEASURE,
        indicator=ROAD_INDICATOR,
        village_id=place.id,
        quantity=quantity,
        actor="telegram:1",
    )


async def one_of_two_villages_reports(
    session: AsyncSession, measure_id: str, indicator: str, quantity: float
) -> tuple[int, int]:
    """Two villages on record with one cadre; the first reports `quantity`. Their ids."""
    first = await village(session, "永陵镇", "永陵村")
    second = await village(session, "新宾镇", "腰站村")
    cadre = await person(session, 1, RoleKind.CADRE, villages=[first, second])
    await submit_report(
        session,
        load_kb(),
        reporter=cadre,
        measure_id=measure_id,
        indicator=indicator,
        village_id=first.id,
        quantity=quantity,
        actor="telegram:1",
    )
    return first.id, second.id


async def seed_county(sessionmaker: async_sessionmaker[AsyncSession]) -> Seeded:
    """Record the small county (one committed transaction)."""
    async with session_scope(sessionmaker) as session:
        return await _seed(session)


async def _seed(session: AsyncSession) -> Seeded:
    villages = {
        "永陵镇": await village(session, "永陵镇", "赫图阿拉村"),
        "旺清门镇": await village(session, "旺清门镇", "孤脑村"),
    }
    cadre = await person(session, 701, RoleKind.CADRE, villages=list(villages.values()))
    await person(session, 702, RoleKind.UNIT, unit="县交通局")
    roads = [PartySpec(PartyRole.LEAD, unit="县交通局")]
    long_ago = china_today() - dt.timedelta(days=60)
    common = {"kind": ItemKind.REPORT, "reporter": cadre, "actor": audit.CLI_ACTOR, "parties": roads}
    overdue = None
    for township, km in ROAD_DONE.items():
        item = await create_item(
            session,
            measure_id=ROAD_MEASURE,
            title=f"{ROAD_INDICATOR} {km} 公里",
            topic=ROAD_INDICATOR,
            village=villages[township],
            today=long_ago,
            **common,  # type: ignore[arg-type]
        )
        overdue = overdue or item
        session.add(_report(item, villages[township], km, cadre.id))
    returned = await create_item(
        session,
        measure_id=ROAD_MEASURE,
        title=f"{ROAD_INDICATOR} {ROAD_RETURNED} 公里",
        topic=ROAD_INDICATOR,
        village=villages["永陵镇"],
        **common,  # type: ignore[arg-type]
    )
    returned.state, returned.return_reason = ItemState.RETURNED, "数量有误"
    session.add(_report(returned, villages["永陵镇"], ROAD_RETURNED, cadre.id))

    for id_number, name, township in HOUSEHOLDS:
        session.add(
            Household(
                id_number=id_number,
                head_name=name,
                village=villages[township],
                members=3,
                cause="因病",
                status=HouseholdStatus.REGISTERED,
            )
        )
    change_item = await create_item(
        session,
        kind=ItemKind.HOUSEHOLD_CHANGE,
        measure_id="m7beb95b8",
        title="新识别纳入 王*五",
        topic="household:210422197503031239",
        village=villages["永陵镇"],
        reporter=cadre,
        parties=[PartySpec(PartyRole.LEAD, unit="县扶贫办")],
        actor=audit.CLI_ACTOR,
    )
    session.add(
        HouseholdChange(
            kind=ChangeKind.INCLUDE,
            stage=ChangeStage.VILLAGE_REVIEW,
            head_name="王小五",
            id_number="210422197503031239",
            village=villages["永陵镇"],
            members=4,
            cause="因病",
            reporter_id=cadre.id,
            item_id=change_item.id,
        )
    )
    broadcast = await create_broadcast(
        session, text=BROADCAST_TEXT, audience=AudienceKind.CADRES, created_by=audit.CLI_ACTOR
    )
    await session.flush()
    assert overdue is not None
    return Seeded(overdue_item=overdue.id, broadcast=broadcast.id)


def _report(item: object, where: object, km: float, reporter_id: int) -> Report:
    return Report(
        measure_id=ROAD_MEASURE,
        indicator=ROAD_INDICATOR,
        unit="公里",
        quantity=km,
        village=where,
        reporter_id=reporter_id,
        item=item,
        plan_year=2018,
    )
