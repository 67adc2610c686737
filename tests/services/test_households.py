"""户情变动: filing, 两公示一公告 stage by stage with who may move each, the roster updated on 生效."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services import audit
from services.audit import list_audit
from services.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.household_rules import may_move
from services.households import (
    HOUSEHOLD_MEASURE_ID,
    advance_change,
    check_target,
    find_household,
    get_change,
    pending_changes,
    reject_change,
    submit_change,
)
from services.items import accept_item, close_item, get_item, open_items_for, return_item
from services.models import (
    ChangeKind,
    ChangeStage,
    Household,
    HouseholdChange,
    HouseholdStatus,
    ItemKind,
    ItemState,
    PartyRole,
    RoleKind,
    User,
    Village,
)
from services.places import find_township, import_villages, read_villages_csv, resolve_villages
from services.users import get_or_create_user, grant_role
from tests.idcard_support import fake_id_number

VILLAGES = "township,village\n新宾镇,腰站村\n新宾镇,东村\n永陵镇,西村\n"

#: fake_id_number(1) with another last character.
WRONG_CHECK_CHAR = fake_id_number(1)[:-1] + ("1" if fake_id_number(1)[-1] != "1" else "2")

PUBLIC_ROAD = [
    ChangeStage.VILLAGE_REVIEW,
    ChangeStage.VILLAGE_NOTICE,
    ChangeStage.TOWNSHIP_REVIEW,
    ChangeStage.COUNTY_NOTICE,
    ChangeStage.EFFECTIVE,
]


@dataclass
class People:
    """Who acts in these tests: 腰站村's cadre, 东村's, a 新宾镇 and a 永陵镇 officer, the office, a unit."""

    cadre: User
    other_cadre: User
    township: User
    other_township: User
    office: User
    unit: User
    village: Village
    other_village: Village


async def _user(session: AsyncSession, tg_id: int, name: str, kind: RoleKind, **binding: object) -> User:
    user = await get_or_create_user(session, telegram_user_id=tg_id, display_name=name, actor=audit.SYSTEM_ACTOR)
    await grant_role(session, user=user, kind=kind, actor=audit.SYSTEM_ACTOR, **binding)  # type: ignore[arg-type]
    return user


@pytest.fixture
async def people(session: AsyncSession) -> People:
    await import_villages(session, read_villages_csv(VILLAGES))
    yaozhan, dongcun = await resolve_villages(session, names=["腰站村", "东村"])
    xinbin, yongling = await find_township(session, name="新宾镇"), await find_township(session, name="永陵镇")
    people = People(
        cadre=await _user(session, 1, "驻村甲", RoleKind.CADRE, villages=[yaozhan]),
        other_cadre=await _user(session, 2, "驻村乙", RoleKind.CADRE, villages=[dongcun]),
        township=await _user(session, 3, "乡镇甲", RoleKind.TOWNSHIP, township=xinbin),
        other_township=await _user(session, 4, "乡镇乙", RoleKind.TOWNSHIP, township=yongling),
        office=await _user(session, 5, "扶贫办", RoleKind.OFFICE),
        unit=await _user(session, 6, "交通局", RoleKind.UNIT, unit="县交通局"),
        village=yaozhan,
        other_village=dongcun,
    )
    await session.commit()
    return people


async def register(session: AsyncSession, village: Village, serial: int, status: HouseholdStatus) -> Household:
    household = Household(
        id_number=fake_id_number(serial), head_name="王大山", village=village, members=3, cause="因病", status=status
    )
    session.add(household)
    await session.flush()
    return household


async def file(
    session: AsyncSession,
    people: People,
    kind: ChangeKind = ChangeKind.INCLUDE,
    *,
    serial: int = 1,
    update_id: int | None = None,
    **fields: object,
) -> HouseholdChange:
    values: dict[str, object] = {
        "head_name": "张三明",
        "id_number": fake_id_number(serial),
        "village_id": people.village.id,
        "members": 4,
        "cause": "因病",
        "note": None,
    }
    values.update(fields)
    submitted = await submit_change(
        session,
        reporter=people.cadre,
        kind=kind,
        update_id=update_id,
        actor=audit.telegram_actor(people.cadre.telegram_user_id),
        **values,  # type: ignore[arg-type]
    )
    assert submitted.change is not None
    return submitted.change


async def move(session: AsyncSession, change: HouseholdChange, user: User, note: str | None = None) -> ChangeStage:
    moved = await advance_change(
        session, change_id=change.id, user=user, note=note, actor=audit.telegram_actor(user.telegram_user_id)
    )
    return moved.stage


async def test_inclusion_goes_through_two_notices_and_one_announcement(session: AsyncSession, people: People) -> None:
    change = await file(session, people, id_number=" " + fake_id_number(1).lower() + " ", head_name=" 张三明 ")
    assert change.stage is ChangeStage.VILLAGE_REVIEW
    assert change.id_number == fake_id_number(1)
    assert change.head_name == "张三明"
    assert await move(session, change, people.cadre, "村民代表大会评议通过") is ChangeStage.VILLAGE_NOTICE
    assert await move(session, change, people.cadre) is ChangeStage.TOWNSHIP_REVIEW
    assert await move(session, change, people.township) is ChangeStage.COUNTY_NOTICE
    assert await find_household(session, id_number=fake_id_number(1)) is None  # not before 生效
    assert await move(session, change, people.office) is ChangeStage.EFFECTIVE

    assert [step.stage for step in change.steps] == PUBLIC_ROAD
    assert [step.actor for step in change.steps] == [
        "telegram:1",
        "telegram:1",
        "telegram:1",
        "telegram:3",
        "telegram:5",
    ]
    assert change.steps[1].note == "村民代表大会评议通过"
    assert all(step.at is not None for step in change.steps)
    household = await find_household(session, id_number=fake_id_number(1))
    assert household is not None
    assert change.household_id == household.id
    assert (household.status, household.members, household.cause, household.village_id) == (
        HouseholdStatus.REGISTERED,
        4,
        "因病",
        people.village.id,
    )


async def test_the_change_is_an_item_for_the_office_and_the_township(session: AsyncSession, people: People) -> None:
    submitted = await submit_change(
        session,
        reporter=people.cadre,
        kind=ChangeKind.INCLUDE,
        head_name="张三明",
        id_number=fake_id_number(1),
        village_id=people.village.id,
        members=4,
        cause="因病致贫",
        note=None,
        update_id=None,
        actor="telegram:1",
    )
    item = submitted.item
    assert submitted.created
    assert submitted.change is not None
    assert submitted.change.cause == "因病"
    assert (item.kind, item.owner_unit, item.measure_id, item.state) == (
        ItemKind.HOUSEHOLD_CHANGE,
        "县扶贫办",
        HOUSEHOLD_MEASURE_ID,
        ItemState.NEW,
    )
    assert item.title == "新识别纳入 张*明"
    assert [(p.role, p.township.name if p.township else p.unit) for p in item.parties] == [
        (PartyRole.LEAD, "县扶贫办"),
        (PartyRole.TOWNSHIP, "新宾镇"),
    ]
    assert [i.id for i in await open_items_for(session, user=people.office)] == [item.id]
    assert [i.id for i in await open_items_for(session, user=people.township)] == [item.id]
    assert await open_items_for(session, user=people.other_township) == []


async def test_its_item_moves_only_with_the_change(session: AsyncSession, people: People) -> None:
    """办结 on the item would let it disagree with the change's stage: the stages decide."""
    change = await file(session, people)
    actor = audit.telegram_actor(people.office.telegram_user_id)
    for act in (accept_item, close_item):
        with pytest.raises(Conflict, match="/pending"):
            await act(session, item_id=change.item_id, user=people.office, actor=actor)
    with pytest.raises(Conflict, match="/pending"):
        await return_item(session, item_id=change.item_id, user=people.office, reason="不符合", actor=actor)
    assert (await get_item(session, item_id=change.item_id)).state is ItemState.NEW


async def test_the_plan_measure_it_is_filed_under_sets_the_procedure() -> None:
    from policy_kb import load_kb

    measure = load_kb().measure(HOUSEHOLD_MEASURE_ID)
    assert "两公示一公告" in measure.text
    assert measure.units[0] == "县扶贫办"


@pytest.mark.parametrize(
    ("stage_moves", "refused", "who"),
    [
        pytest.param(0, ["other_cadre", "township", "unit"], "该村的驻村干部", id="village-review"),
        pytest.param(1, ["other_cadre", "township"], "该村的驻村干部", id="village-notice"),
        pytest.param(2, ["cadre", "other_township", "unit"], "乡镇干部", id="township-review"),
        pytest.param(3, ["cadre", "township"], "县扶贫办", id="county-notice"),
    ],
)
async def test_who_may_not_move_each_stage(
    session: AsyncSession, people: People, stage_moves: int, refused: list[str], who: str
) -> None:
    change = await file(session, people)
    movers = [people.cadre, people.cadre, people.township, people.office]
    for mover in movers[:stage_moves]:
        await move(session, change, mover)
    stage = change.stage
    for name in refused:
        with pytest.raises(Forbidden) as caught:
            await move(session, change, getattr(people, name))
        assert who in caught.value.message
        with pytest.raises(Forbidden):
            await reject_change(session, change_id=change.id, user=getattr(people, name), reason="不符合", actor="x")
    assert change.stage is stage


async def test_the_office_may_move_every_stage(session: AsyncSession, people: People) -> None:
    change = await file(session, people)
    for expected in PUBLIC_ROAD[1:]:
        assert await move(session, change, people.office) is expected


async def test_a_deactivated_cadre_is_refused(session: AsyncSession, people: People) -> None:
    change = await file(session, people)
    people.cadre.active = False
    with pytest.raises(Forbidden):
        await move(session, change, people.cadre)
    with pytest.raises(Forbidden):
        await file(session, people, serial=2)


async def test_a_double_press_moves_once(session: AsyncSession, people: People) -> None:
    change = await file(session, people)
    seen = change.stage
    await advance_change(session, change_id=change.id, user=people.cadre, note=None, actor="a", expected=seen)
    with pytest.raises(Conflict) as caught:
        await advance_change(session, change_id=change.id, user=people.cadre, note=None, actor="a", expected=seen)
    assert "已处理" in caught.value.message
    assert "村公示" in caught.value.message
    assert change.stage is ChangeStage.VILLAGE_NOTICE


async def test_rejection_needs_a_reason_ends_the_change_and_returns_the_item(
    session: AsyncSession, people: People
) -> None:
    submitted_change = await file(session, people)
    await move(session, submitted_change, people.cadre)
    with pytest.raises(InvalidInput):
        await reject_change(session, change_id=submitted_change.id, user=people.cadre, reason="  ", actor="a")
    with pytest.raises(InvalidInput, match="要用文字写明"):
        await reject_change(session, change_id=submitted_change.id, user=people.cadre, reason="👍。", actor="a")
    change = await reject_change(
        session, change_id=submitted_change.id, user=people.cadre, reason="公示期间有异议，核实不符", actor="a"
    )
    assert change.stage is ChangeStage.REJECTED
    assert change.steps[-1].note == "公示期间有异议，核实不符"
    assert await open_items_for(session, user=people.office) == []
    with pytest.raises(Conflict):
        await move(session, change, people.office)
    with pytest.raises(Conflict):
        await reject_change(session, change_id=change.id, user=people.office, reason="再退", actor="a")
    assert await find_household(session, id_number=fake_id_number(1)) is None
    # A rejected change no longer blocks a new one for the same household.
    assert (await file(session, people)).stage is ChangeStage.VILLAGE_REVIEW


async def test_exit_takes_effect_after_the_announcement(session: AsyncSession, people: People) -> None:
    household = await register(session, people.village, 7, HouseholdStatus.REGISTERED)
    change = await file(session, people, ChangeKind.EXIT, serial=7, cause=None)
    assert change.household_id == household.id
    assert change.stage is ChangeStage.VILLAGE_REVIEW
    for mover in (people.cadre, people.cadre, people.township, people.office):
        await move(session, change, mover)
    assert household.status is HouseholdStatus.EXITED
    assert household.members == 3 and household.head_name == "王大山"  # an exit changes nothing else
    assert await open_items_for(session, user=people.office) == []  # the item closed with it


async def test_return_to_poverty_takes_the_same_road(session: AsyncSession, people: People) -> None:
    household = await register(session, people.village, 8, HouseholdStatus.EXITED)
    change = await file(session, people, ChangeKind.RETURN, serial=8, cause="因灾", members=5)
    assert change.stage is ChangeStage.VILLAGE_REVIEW
    for mover in (people.cadre, people.cadre, people.township, people.office):
        await move(session, change, mover)
    assert (household.status, household.cause, household.members) == (HouseholdStatus.REGISTERED, "因灾", 5)


@pytest.mark.parametrize(
    ("kind", "status_after"),
    [
        pytest.param(ChangeKind.DEATH, HouseholdStatus.REMOVED, id="death"),
        pytest.param(ChangeKind.MOVE_OUT, HouseholdStatus.REMOVED, id="move-out"),
        pytest.param(ChangeKind.UPDATE, HouseholdStatus.REGISTERED, id="update"),
    ],
)
async def test_bookkeeping_changes_are_confirmed_by_the_township(
    session: AsyncSession, people: People, kind: ChangeKind, status_after: HouseholdStatus
) -> None:
    household = await register(session, people.village, 9, HouseholdStatus.REGISTERED)
    change = await file(session, people, kind, serial=9, members=2, cause="因残", head_name="王小山")
    assert change.stage is ChangeStage.SUBMITTED
    for refused in (people.cadre, people.other_township):
        with pytest.raises(Forbidden):
            await move(session, change, refused)
    assert await move(session, change, people.township) is ChangeStage.EFFECTIVE
    assert [s.stage for s in change.steps] == [ChangeStage.SUBMITTED, ChangeStage.EFFECTIVE]
    assert household.status is status_after
    if kind is ChangeKind.UPDATE:
        assert (household.head_name, household.members, household.cause) == ("王小山", 2, "因残")
    else:
        assert (household.head_name, household.members) == ("王大山", 3)


async def test_moving_in_from_another_village_or_county(session: AsyncSession, people: People) -> None:
    elsewhere = await register(session, people.other_village, 10, HouseholdStatus.EXITED)
    moved = await file(session, people, ChangeKind.MOVE_IN, serial=10, members=3)
    new = await file(session, people, ChangeKind.MOVE_IN, serial=11, members=2, cause=None)
    assert await move(session, moved, people.office) is ChangeStage.EFFECTIVE
    assert await move(session, new, people.township) is ChangeStage.EFFECTIVE
    assert (elsewhere.village_id, elsewhere.status, elsewhere.head_name) == (
        people.village.id,
        HouseholdStatus.EXITED,
        "张三明",
    )
    arrived = await find_household(session, id_number=fake_id_number(11))
    assert arrived is not None
    assert (arrived.status, arrived.village_id) == (
        HouseholdStatus.REGISTERED,
        people.village.id,
    )


@pytest.mark.parametrize(
    ("kind", "status", "says"),
    [
        pytest.param(ChangeKind.INCLUDE, HouseholdStatus.REGISTERED, "不能重复纳入", id="include-registered"),
        pytest.param(ChangeKind.INCLUDE, HouseholdStatus.EXITED, "返贫", id="include-exited"),
        pytest.param(ChangeKind.EXIT, HouseholdStatus.EXITED, "不能办理“脱贫退出”", id="exit-exited"),
        pytest.param(ChangeKind.RETURN, HouseholdStatus.REGISTERED, "不能办理“返贫”", id="return-registered"),
        pytest.param(ChangeKind.UPDATE, HouseholdStatus.REMOVED, "已销户", id="update-removed"),
        pytest.param(ChangeKind.MOVE_IN, HouseholdStatus.REGISTERED, "无需办理“迁入”", id="move-in-same-village"),
    ],
)
async def test_the_roster_refuses_what_contradicts_it(
    session: AsyncSession, people: People, kind: ChangeKind, status: HouseholdStatus, says: str
) -> None:
    await register(session, people.village, 12, status)
    with pytest.raises(InvalidInput) as caught:
        await file(session, people, kind, serial=12)
    assert says in caught.value.message
    assert fake_id_number(12) not in caught.value.message


@pytest.mark.parametrize(
    "kind", [ChangeKind.EXIT, ChangeKind.RETURN, ChangeKind.DEATH, ChangeKind.MOVE_OUT, ChangeKind.UPDATE]
)
async def test_a_number_not_on_the_roster_is_refused_with_what_to_do(
    session: AsyncSession, people: People, kind: ChangeKind
) -> None:
    with pytest.raises(InvalidInput) as caught:
        await file(session, people, kind, serial=13)
    assert "请核对身份证号" in caught.value.message
    assert "县扶贫办导入贫困户名单" in caught.value.message


async def test_a_household_of_another_village_is_refused(session: AsyncSession, people: People) -> None:
    await register(session, people.other_village, 14, HouseholdStatus.REGISTERED)
    with pytest.raises(InvalidInput) as caught:
        await file(session, people, ChangeKind.EXIT, serial=14)
    assert "新宾镇/东村" in caught.value.message


async def test_only_the_cadres_own_villages(session: AsyncSession, people: People) -> None:
    with pytest.raises(Forbidden):
        await file(session, people, village_id=people.other_village.id)
    with pytest.raises(Forbidden):
        await submit_change(
            session,
            reporter=people.township,
            kind=ChangeKind.INCLUDE,
            head_name="张三明",
            id_number=fake_id_number(1),
            village_id=people.village.id,
            members=4,
            cause="因病",
            note=None,
            update_id=None,
            actor="a",
        )


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        pytest.param({"members": 0}, "1–20", id="no-members"),
        pytest.param({"members": 21}, "1–20", id="too-many-members"),
        pytest.param({"head_name": "  "}, "户主姓名不能为空", id="no-name"),
        pytest.param({"id_number": WRONG_CHECK_CHAR}, "校验码不对", id="bad-checksum"),
        pytest.param({"cause": "懒"}, "致贫原因", id="unknown-cause"),
        pytest.param({"cause": None}, "须填写致贫原因", id="inclusion-without-cause"),
        pytest.param({"note": "长" * 501}, "备注太长", id="long-note"),
    ],
)
async def test_bad_fields_are_named(
    session: AsyncSession, people: People, fields: dict[str, object], says: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        await file(session, people, **fields)
    assert says in caught.value.message


async def test_one_open_change_per_household(session: AsyncSession, people: People) -> None:
    first = await file(session, people)
    with pytest.raises(Conflict) as caught:
        await file(session, people, head_name="张三")
    assert f"#{first.id}" in caught.value.message
    assert "村级评议" in caught.value.message


async def test_a_number_typed_in_other_digits_is_the_same_household(session: AsyncSession, people: People) -> None:
    """Arabic-Indic digits are folded: the same person's second 纳入 is refused, not filed twice."""
    await file(session, people)
    typed = fake_id_number(1).translate({ord(c): 0x0660 + int(c) for c in "0123456789"})
    with pytest.raises(Conflict):
        await file(session, people, id_number=typed)


async def test_the_same_update_twice_files_one_change(session: AsyncSession, people: People) -> None:
    first = await file(session, people, update_id=4242)
    await session.commit()
    again = await submit_change(
        session,
        reporter=people.cadre,
        kind=ChangeKind.INCLUDE,
        head_name="张三明",
        id_number=fake_id_number(1),
        village_id=people.village.id,
        members=4,
        cause="因病",
        note=None,
        update_id=4242,
        actor="telegram:1",
    )
    assert not again.created
    assert again.change is not None
    assert again.change.id == first.id
    assert again.item.id == first.item_id
    assert await session.scalar(select(func.count()).select_from(HouseholdChange)) == 1


async def test_pending_changes_by_stage_and_township(session: AsyncSession, people: People) -> None:
    waiting_review = await file(session, people, serial=1)
    posted = await file(session, people, serial=2)
    await move(session, posted, people.cadre)
    await register(session, people.village, 3, HouseholdStatus.REGISTERED)
    bookkeeping = await file(session, people, ChangeKind.UPDATE, serial=3)
    done = await file(session, people, ChangeKind.MOVE_IN, serial=4)
    await move(session, done, people.office)

    pending = await pending_changes(session)
    assert list(pending) == [ChangeStage.VILLAGE_REVIEW, ChangeStage.VILLAGE_NOTICE, ChangeStage.SUBMITTED]
    assert [c.id for c in pending[ChangeStage.VILLAGE_REVIEW]] == [waiting_review.id]
    assert [c.id for c in pending[ChangeStage.VILLAGE_NOTICE]] == [posted.id]
    assert [c.id for c in pending[ChangeStage.SUBMITTED]] == [bookkeeping.id]
    xinbin, yongling = await find_township(session, name="新宾镇"), await find_township(session, name="永陵镇")
    assert await pending_changes(session, township_id=xinbin.id) == pending
    assert await pending_changes(session, township_id=yongling.id) == {}


async def test_audit_rows_hold_masked_personal_data_only(session: AsyncSession, people: People) -> None:
    change = await file(session, people, note="联系电话 13812345678")
    for mover in (people.cadre, people.cadre, people.township, people.office):
        await move(session, change, mover)
    rows = [row for row in await list_audit(session) if row.action.startswith(("household", "item"))]
    actions = [row.action for row in rows]
    assert "household_change.submit" in actions
    assert "household_change.effective" in actions
    assert "household.create" in actions
    assert "item.close" in actions
    dumped = repr([(row.before, row.after) for row in rows])
    assert fake_id_number(1) not in dumped
    assert "张三明" not in dumped
    assert "13812345678" not in dumped
    assert "张*明" in dumped
    assert fake_id_number(1)[:4] in dumped


async def test_check_target_refuses_at_the_step_the_number_is_typed(session: AsyncSession, people: People) -> None:
    household = await register(session, people.village, 15, HouseholdStatus.REGISTERED)
    found = await check_target(
        session, kind=ChangeKind.EXIT, id_number=fake_id_number(15), village_id=people.village.id
    )
    assert found is not None
    assert found.id == household.id
    assert (
        await check_target(session, kind=ChangeKind.INCLUDE, id_number=fake_id_number(16), village_id=people.village.id)
        is None
    )
    with pytest.raises(InvalidInput):
        await check_target(session, kind=ChangeKind.INCLUDE, id_number=fake_id_number(15), village_id=people.village.id)
    await file(session, people, ChangeKind.EXIT, serial=15)
    with pytest.raises(Conflict):
        await check_target(session, kind=ChangeKind.UPDATE, id_number=fake_id_number(15), village_id=people.village.id)


async def test_may_move_matches_what_advance_allows(session: AsyncSession, people: People) -> None:
    change = await get_change(session, change_id=(await file(session, people)).id)
    assert may_move(people.cadre, change)
    assert may_move(people.office, change)
    assert not may_move(people.township, change)
    assert not may_move(people.other_cadre, change)
    for mover in (people.cadre, people.cadre, people.township, people.office):
        await move(session, change, mover)
    assert not may_move(people.office, change)  # 生效: nobody moves it any more
    with pytest.raises(NotFound):
        await get_change(session, change_id=change.id + 1000)


async def test_pending_changes_of_a_cadres_villages(session: AsyncSession, people: People) -> None:
    mine = await file(session, people, serial=17)
    assert [c.id for c in (await pending_changes(session, village_ids=[people.village.id]))[mine.stage]] == [mine.id]
    assert await pending_changes(session, village_ids=[people.other_village.id]) == {}
