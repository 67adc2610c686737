"""A cadre's progress report: checked, stored once per update, routed to the lead unit, merged on request."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from policy_kb import load_kb
from services import audit
from services.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.items import Submitted, close_item, return_item
from services.models import AuditEntry, Item, ItemState, Report, RoleKind, User, Village
from services.reports import remaining, reportable_measures, submit_report
from tests.people_support import person, village

ROADS = "mc0623e77"
ACTOR = "telegram:1"


@dataclass
class People:
    village: Village
    neighbour: Village
    cadre: User
    transport: User


@pytest.fixture
async def people(session: AsyncSession) -> People:
    yongling = await village(session, "永陵镇", "永陵村")
    neighbour = await village(session, "新宾镇", "腰站村")
    return People(
        village=yongling,
        neighbour=neighbour,
        cadre=await person(session, 1, RoleKind.CADRE, villages=[yongling]),
        transport=await person(session, 2, RoleKind.UNIT, unit="县交通局"),
    )


async def report(session: AsyncSession, p: People, **overrides: object) -> Submitted:
    args: dict[str, object] = {
        "reporter": p.cadre,
        "measure_id": ROADS,
        "indicator": "硬化村组道路",
        "village_id": p.village.id,
        "quantity": 3.5,
        "note": None,
        "photo_file_id": None,
        "update_id": None,
        "merge_into": None,
        "actor": ACTOR,
    }
    return await submit_report(session, load_kb(), **(args | overrides))  # type: ignore[arg-type]


async def count(session: AsyncSession, model: type) -> int:
    return await session.scalar(select(func.count()).select_from(model)) or 0


def test_reportable_measures_are_those_with_targets() -> None:
    ids = [m.id for m in reportable_measures(load_kb())]
    assert ROADS in ids
    assert "m06300403" in ids
    assert "m7beb95b8" not in ids
    assert "mf2da9ece" not in ids  # no figures to report against


async def test_a_report_becomes_an_item_for_the_lead_unit(session: AsyncSession, people: People) -> None:
    submitted = await report(session, people, note="东沟组，联系人 13812345678", photo_file_id="AgAD-photo")
    assert submitted.created is True
    stored, item = submitted.report, submitted.item
    assert stored is not None
    assert (stored.indicator, stored.unit, stored.quantity) == ("硬化村组道路", "公里", 3.5)
    assert stored.photo_file_id == "AgAD-photo"
    assert item.owner_unit == "县交通局"
    assert item.state == ItemState.NEW
    assert item.title == "村组道路硬化 3.5 公里"
    assert {p.unit or p.township.name for p in item.parties} == {"县交通局", "县财政局", "永陵镇"}
    entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "report.create"))
    assert entry is not None
    assert entry.actor == ACTOR
    assert entry.after is not None
    assert entry.after["village"] == "永陵镇/永陵村"
    assert entry.after["quantity"] == 3.5
    assert "13812345678" not in str(entry.after)


async def test_the_friendly_indicator_name_is_accepted(session: AsyncSession, people: People) -> None:
    submitted = await report(session, people, indicator="村组道路硬化")
    assert submitted.report.indicator == "硬化村组道路"


async def test_the_same_update_twice_yields_one_report(
    session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession], people: People
) -> None:
    first = await report(session, people, update_id=777)
    await session.commit()
    async with sessionmaker() as again:
        cadre = await again.get(User, people.cadre.id)
        repeat = await submit_report(
            again,
            load_kb(),
            reporter=cadre,  # type: ignore[arg-type]
            measure_id=ROADS,
            indicator="硬化村组道路",
            village_id=people.village.id,
            quantity=3.5,
            note=None,
            photo_file_id=None,
            update_id=777,
            merge_into=None,
            actor=ACTOR,
        )
        await again.commit()
        assert repeat.created is False
        assert repeat.report is not None
        assert repeat.report.id == first.report.id
        assert repeat.item.id == first.item.id
        assert await count(again, Report) == 1
        assert await count(again, Item) == 1


async def test_a_cadre_reports_only_for_their_own_villages(session: AsyncSession, people: People) -> None:
    with pytest.raises(Forbidden, match="永陵镇/永陵村"):
        await report(session, people, village_id=people.neighbour.id)
    with pytest.raises(Forbidden, match="驻村干部"):
        await report(session, people, reporter=people.transport)
    assert await count(session, Report) == 0
    assert await count(session, Item) == 0


@pytest.mark.parametrize(
    ("overrides", "error", "says"),
    [
        pytest.param({"indicator": "D级危房改造"}, InvalidInput, "可选：", id="indicator-of-another-measure"),
        pytest.param({"measure_id": "9.9"}, NotFound, "9.9", id="unknown-measure"),
        pytest.param(
            {"measure_id": "m7beb95b8", "indicator": "x"}, InvalidInput, "没有可上报", id="measure-without-targets"
        ),
        pytest.param({"quantity": 0}, InvalidInput, "要大于 0", id="zero"),
        pytest.param({"quantity": -2}, InvalidInput, "要大于 0", id="negative"),
        pytest.param({"quantity": float("nan")}, InvalidInput, "有效的数", id="not-a-number"),
        pytest.param({"quantity": 1e20}, InvalidInput, "太大了", id="absurd"),
        pytest.param({"quantity": 1061}, InvalidInput, "全县目标才 106公里", id="ten-times-the-target"),
        pytest.param({"note": "长" * 501}, InvalidInput, "备注最多 500 字", id="long-note"),
    ],
)
async def test_refused_reports_write_nothing(
    session: AsyncSession, people: People, overrides: dict[str, object], error: type[Exception], says: str
) -> None:
    with pytest.raises(error, match=says):
        await report(session, people, **overrides)
    assert await count(session, Report) == 0
    assert await count(session, Item) == 0


async def test_bridges_are_counted_whole(session: AsyncSession, people: People) -> None:
    with pytest.raises(InvalidInput, match="整数"):
        await report(session, people, indicator="新建桥梁", quantity=1.5)
    assert (await report(session, people, indicator="新建桥梁", quantity=2)).report.quantity == 2


async def test_merging_attaches_the_report_to_the_open_item(session: AsyncSession, people: People) -> None:
    first = await report(session, people)
    merged = await report(session, people, quantity=1.5, merge_into=first.item.id)
    assert merged.item.id == first.item.id
    assert await count(session, Item) == 1
    assert await count(session, Report) == 2
    assert merged.item.title == "村组道路硬化 5 公里"  # the unit's card shows the merged total
    assert await session.scalar(select(AuditEntry).where(AuditEntry.action == "report.merge")) is not None
    retitled = await session.scalar(select(AuditEntry).where(AuditEntry.action == "item.merge"))
    assert retitled is not None
    assert retitled.before == {"title": "村组道路硬化 3.5 公里"}


async def test_merging_needs_an_open_item_on_the_same_thing(session: AsyncSession, people: People) -> None:
    first = await report(session, people)
    item_id = first.item.id
    with pytest.raises(InvalidInput, match="不能合并"):
        await report(session, people, indicator="新建桥梁", quantity=1, merge_into=item_id)
    with pytest.raises(NotFound):
        await report(session, people, merge_into=9999)
    await close_item(session, item_id=item_id, user=people.transport, actor=audit.SYSTEM_ACTOR)
    with pytest.raises(Conflict, match="已办结"):
        await report(session, people, merge_into=item_id)
    assert await count(session, Report) == 1


async def test_remaining_counts_the_county_and_drops_returned_items(session: AsyncSession, people: People) -> None:
    kb = load_kb()
    assert await remaining(session, kb, measure_id=ROADS, indicator="硬化村组道路") == 106
    first = await report(session, people, quantity=3.5)
    await report(session, people, quantity=0.5)
    assert await remaining(session, kb, measure_id=ROADS, indicator="村组道路硬化") == 102
    await return_item(session, item_id=first.item.id, user=people.transport, reason="数字有误", actor=ACTOR)
    assert await remaining(session, kb, measure_id=ROADS, indicator="硬化村组道路") == 105.5  # its own item
    await report(session, people, quantity=200)
    assert await remaining(session, kb, measure_id=ROADS, indicator="硬化村组道路") == 0
    assert await remaining(session, kb, measure_id=ROADS, indicator="不存在的指标") is None
    assert await remaining(session, kb, measure_id="9.9", indicator="硬化村组道路") is None


@pytest.mark.parametrize("reason", [pytest.param("👍", id="emoji"), pytest.param("。。。？", id="punctuation")])
async def test_a_return_reason_must_be_words(session: AsyncSession, people: People, reason: str) -> None:
    filed = await report(session, people)
    with pytest.raises(InvalidInput, match="要用文字写明"):
        await return_item(session, item_id=filed.item.id, user=people.transport, reason=reason, actor=ACTOR)
    assert (await session.get(Item, filed.item.id)).state is ItemState.NEW  # type: ignore[union-attr]
