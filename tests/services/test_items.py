"""The task loop as units live it: an item arrives, only its owner acts on it, each step is audited."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from policy_kb import load_kb
from services import audit
from services.config import get_settings
from services.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.items import (
    accept_item,
    close_item,
    create_item,
    due_for_reminder,
    find_duplicate,
    mark_escalated,
    mark_reminded,
    open_items_for,
    recipients,
    return_item,
)
from services.models import AuditEntry, Item, ItemKind, ItemState, RoleKind, User, Village
from services.routing import household_change_parties, parties_for
from tests.people_support import person, township, village

ACTOR = audit.SYSTEM_ACTOR
#: A Friday before the 2018 National Day week: 5 working days later is 2018-10-10.
FRIDAY = dt.date(2018, 9, 28)


@dataclass
class World:
    village: Village
    other_village: Village
    cadre: User
    transport: User
    finance: User
    education: User
    office: User
    township_officer: User
    household: User


@pytest.fixture
async def world(session: AsyncSession) -> World:
    yongling = await village(session, "永陵镇", "永陵村")
    other = await village(session, "新宾镇", "腰站村")
    w = World(
        village=yongling,
        other_village=other,
        cadre=await person(session, 1, RoleKind.CADRE, villages=[yongling]),
        transport=await person(session, 2, RoleKind.UNIT, unit="县交通局"),
        finance=await person(session, 3, RoleKind.UNIT, unit="县财政局"),
        education=await person(session, 4, RoleKind.UNIT, unit="县教育局"),
        office=await person(session, 5, RoleKind.OFFICE),
        township_officer=await person(session, 6, RoleKind.TOWNSHIP, township=await township(session, "永陵镇")),
        household=await person(session, 7, RoleKind.HOUSEHOLD),
    )
    return w


async def road_item(
    session: AsyncSession, w: World, *, village: Village | None = None, today: dt.date = FRIDAY
) -> Item:
    place = village or w.village
    return await create_item(
        session,
        kind=ItemKind.REPORT,
        measure_id="mc0623e77",
        title="硬化村组道路 3.5 公里",
        topic="硬化村组道路",
        village=place,
        reporter=w.cadre,
        parties=parties_for(load_kb(), measure_id="mc0623e77", township=place.township),
        actor=ACTOR,
        today=today,
    )


async def household_item(session: AsyncSession, w: World) -> Item:
    return await create_item(
        session,
        kind=ItemKind.HOUSEHOLD_CHANGE,
        measure_id="m7beb95b8",
        title="新识别纳入 张*明",
        topic="household:210422198001011234",
        village=w.village,
        reporter=w.cadre,
        parties=household_change_parties(w.village.township),
        actor=ACTOR,
        today=FRIDAY,
    )


async def audit_rows(session: AsyncSession, item: Item) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.subject == f"item:{item.id}").order_by(AuditEntry.id)
    return list((await session.scalars(query)).all())


async def test_a_report_item_is_owned_by_the_lead_unit_and_due_in_working_days(
    session: AsyncSession, world: World
) -> None:
    item = await road_item(session, world)
    assert item.owner_unit == "县交通局"
    assert item.state == ItemState.NEW
    assert item.due_date == dt.date(2018, 10, 10)  # National Day week skipped, make-up days counted
    assert [(p.role.value, p.unit, p.township.name if p.township else None) for p in item.parties] == [
        ("lead", "县交通局", None),
        ("participant", "县财政局", None),
        ("township", None, "永陵镇"),
    ]
    [created] = await audit_rows(session, item)
    assert created.action == "item.create"
    assert created.after is not None
    assert created.after["owner_unit"] == "县交通局"
    assert created.after["state"] == "new"


async def test_household_changes_get_their_own_due_days_and_mask_the_id_number(
    session: AsyncSession, world: World
) -> None:
    item = await household_item(session, world)
    assert item.owner_unit == "县扶贫办"
    assert item.due_date == dt.date(2018, 10, 17)  # 10 working days
    [created] = await audit_rows(session, item)
    assert created.after is not None
    assert "210422198001011234" not in str(created.after)


async def test_due_days_are_configurable(session: AsyncSession, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FUPIN_DUE_DAYS_REPORT", "1")
    get_settings.cache_clear()
    try:
        item = await road_item(session, world)
    finally:
        get_settings.cache_clear()
    assert item.due_date == dt.date(2018, 9, 29)  # the make-up Saturday


async def test_the_owner_accepts_then_closes_and_each_step_is_audited(session: AsyncSession, world: World) -> None:
    item = await road_item(session, world)
    accepted = await accept_item(session, item_id=item.id, user=world.transport, actor="telegram:2")
    assert (accepted.before, accepted.after, accepted.actor_unit) == (ItemState.NEW, ItemState.ACCEPTED, "县交通局")
    closed = await close_item(session, item_id=item.id, user=world.transport, actor="telegram:2")
    assert (closed.before, closed.after) == (ItemState.ACCEPTED, ItemState.DONE)
    assert closed.item.reporter.telegram_user_id == 1  # the cadre to tell "县交通局 已办结"
    rows = await audit_rows(session, item)
    assert [(r.action, r.actor, (r.before or {}).get("state"), (r.after or {}).get("state")) for r in rows] == [
        ("item.create", ACTOR, None, "new"),
        ("item.accept", "telegram:2", "new", "accepted"),
        ("item.close", "telegram:2", "accepted", "done"),
    ]


async def test_pressing_a_button_twice_is_a_conflict(session: AsyncSession, world: World) -> None:
    item = await road_item(session, world)
    await accept_item(session, item_id=item.id, user=world.transport, actor=ACTOR)
    with pytest.raises(Conflict, match="已接收"):
        await accept_item(session, item_id=item.id, user=world.transport, actor=ACTOR)
    await close_item(session, item_id=item.id, user=world.transport, actor=ACTOR)
    with pytest.raises(Conflict, match="已办结"):
        await close_item(session, item_id=item.id, user=world.transport, actor=ACTOR)
    with pytest.raises(Conflict):
        await return_item(session, item_id=item.id, user=world.transport, reason="数据不对", actor=ACTOR)
    assert len(await audit_rows(session, item)) == 3


async def test_a_new_item_can_be_closed_directly(session: AsyncSession, world: World) -> None:
    item = await road_item(session, world)
    closed = await close_item(session, item_id=item.id, user=world.transport, actor=ACTOR)
    assert (closed.before, closed.after) == (ItemState.NEW, ItemState.DONE)


@pytest.mark.parametrize("who", ["finance", "education", "cadre", "household", "office", "township_officer"])
async def test_only_the_owning_units_staff_may_act(session: AsyncSession, world: World, who: str) -> None:
    item = await road_item(session, world)
    user = getattr(world, who)
    with pytest.raises(Forbidden, match="县交通局"):
        await accept_item(session, item_id=item.id, user=user, actor=ACTOR)
    with pytest.raises(Forbidden):
        await return_item(session, item_id=item.id, user=user, reason="不归我们管", actor=ACTOR)
    assert item.state == ItemState.NEW
    assert len(await audit_rows(session, item)) == 1


async def test_a_deactivated_unit_user_may_not_act(session: AsyncSession, world: World) -> None:
    item = await road_item(session, world)
    world.transport.active = False
    with pytest.raises(Forbidden):
        await close_item(session, item_id=item.id, user=world.transport, actor=ACTOR)


async def test_the_offices_household_items_move_only_through_their_stages(session: AsyncSession, world: World) -> None:
    item = await household_item(session, world)
    with pytest.raises(Forbidden):
        await accept_item(session, item_id=item.id, user=world.transport, actor=ACTOR)
    with pytest.raises(Conflict, match="/pending"):
        await accept_item(session, item_id=item.id, user=world.office, actor=ACTOR)


async def test_returning_needs_a_reason_and_keeps_it(session: AsyncSession, world: World) -> None:
    item = await road_item(session, world)
    with pytest.raises(InvalidInput, match="退回原因"):
        await return_item(session, item_id=item.id, user=world.transport, reason="  ", actor=ACTOR)
    with pytest.raises(InvalidInput, match="最多 500 字"):
        await return_item(session, item_id=item.id, user=world.transport, reason="长" * 501, actor=ACTOR)
    returned = await return_item(
        session, item_id=item.id, user=world.transport, reason="请补充照片，联系人 13812345678", actor=ACTOR
    )
    assert returned.after == ItemState.RETURNED
    assert returned.item.return_reason == "请补充照片，联系人 13812345678"
    last = (await audit_rows(session, item))[-1]
    assert last.action == "item.return"
    assert last.after is not None
    assert last.after["return_reason"] == "请补充照片，联系人 138****5678"


async def test_unknown_item(session: AsyncSession, world: World) -> None:
    with pytest.raises(NotFound):
        await accept_item(session, item_id=999, user=world.transport, actor=ACTOR)


async def test_open_items_per_role(session: AsyncSession, world: World) -> None:
    road = await road_item(session, world)
    elsewhere = await road_item(session, world, village=world.other_village)
    change = await household_item(session, world)

    async def ids(user: User) -> list[int]:
        return [i.id for i in await open_items_for(session, user=user)]

    assert await ids(world.transport) == [road.id, elsewhere.id]
    assert await ids(world.office) == [change.id]
    assert await ids(world.township_officer) == [road.id, change.id]  # not the other township's
    assert await ids(world.finance) == []  # copied, not owner
    assert await ids(world.cadre) == []
    await close_item(session, item_id=road.id, user=world.transport, actor=ACTOR)
    await return_item(session, item_id=elsewhere.id, user=world.transport, reason="重复上报", actor=ACTOR)
    assert await ids(world.transport) == []


async def test_recipients_lead_and_copied(session: AsyncSession, world: World) -> None:
    second_transport = await person(session, 8, RoleKind.UNIT, unit="县交通局")
    retired = await person(session, 9, RoleKind.UNIT, unit="县财政局")
    retired.active = False
    item = await road_item(session, world)
    found = await recipients(session, item=item)
    assert [u.telegram_user_id for u in found.lead] == [2, second_transport.telegram_user_id]
    assert [u.telegram_user_id for u in found.copied] == [3, 6]  # finance, 永陵镇's officer

    change = await recipients(session, item=await household_item(session, world))
    assert [u.telegram_user_id for u in change.lead] == [5]
    assert [u.telegram_user_id for u in change.copied] == [6]


async def test_overdue_items_are_reminded_once_a_day(session: AsyncSession, world: World) -> None:
    item = await road_item(session, world)  # due 2018-10-10
    assert await due_for_reminder(session, today=dt.date(2018, 10, 10)) == []
    assert await due_for_reminder(session, today=dt.date(2018, 10, 11)) == [item]
    # Reminded at 09:00 Beijing time on the 11th (01:00 UTC).
    await mark_reminded(session, item=item, actor=ACTOR, at=dt.datetime(2018, 10, 11, 1, tzinfo=dt.UTC))
    assert await due_for_reminder(session, today=dt.date(2018, 10, 11)) == []
    assert await due_for_reminder(session, today=dt.date(2018, 10, 12)) == [item]
    await mark_escalated(session, item=item, actor=ACTOR, at=dt.datetime(2018, 10, 12, 1, tzinfo=dt.UTC))
    assert item.escalated_at == dt.datetime(2018, 10, 12, 1, tzinfo=dt.UTC)
    await close_item(session, item_id=item.id, user=world.transport, actor=ACTOR)
    assert await due_for_reminder(session, today=dt.date(2018, 10, 12)) == []
    actions = [r.action for r in await audit_rows(session, item)]
    assert actions == ["item.create", "item.remind", "item.escalate", "item.close"]


async def test_two_processes_checking_at_once_remind_an_item_once(
    database_url: str, session: AsyncSession, world: World, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("several processes share one database on PostgreSQL only (SKIP LOCKED); SQLite has one")
    item = await road_item(session, world)
    await session.commit()
    today = dt.date(2018, 10, 11)
    async with sessionmaker() as first, first.begin():
        assert [i.id for i in await due_for_reminder(first, today=today)] == [item.id]
        async with sessionmaker() as second, second.begin():
            assert await asyncio.wait_for(due_for_reminder(second, today=today), timeout=5) == []


async def test_a_reminder_late_in_the_beijing_evening_counts_for_that_day(session: AsyncSession, world: World) -> None:
    item = await road_item(session, world)
    # 23:30 Beijing time on the 11th is still the 11th, although 15:30 UTC.
    await mark_reminded(session, item=item, actor=ACTOR, at=dt.datetime(2018, 10, 11, 15, 30, tzinfo=dt.UTC))
    assert await due_for_reminder(session, today=dt.date(2018, 10, 11)) == []


async def test_duplicates_same_topic_same_village_recent_and_open(session: AsyncSession, world: World) -> None:
    item = await road_item(session, world)
    now = item.created_at

    async def duplicate(**overrides: object) -> Item | None:
        args: dict[str, object] = {
            "kind": ItemKind.REPORT,
            "topic": "硬化村组道路",
            "village_id": world.village.id,
            "now": now + dt.timedelta(hours=1),
        }
        return await find_duplicate(session, **(args | overrides))  # type: ignore[arg-type]

    assert await duplicate() is item
    assert await duplicate(topic="新建桥梁") is None
    assert await duplicate(village_id=world.other_village.id) is None
    assert await duplicate(kind=ItemKind.HOUSEHOLD_CHANGE) is None
    assert await duplicate(now=now + dt.timedelta(hours=25)) is None  # the default 24-hour window
    assert await duplicate(now=now + dt.timedelta(hours=25), within=dt.timedelta(hours=48)) is item
    await close_item(session, item_id=item.id, user=world.transport, actor=ACTOR)
    assert await duplicate() is None
