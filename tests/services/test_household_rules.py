"""户情变动 rules without a database: the road through 两公示一公告, who moves each stage, what a change must hold."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from services.errors import Conflict, Forbidden, FupinError, InvalidInput
from services.household_rules import (
    CAUSES,
    CHANGE_KIND_LABELS,
    MAX_NAME,
    MAX_NOTE,
    OPEN_STAGES,
    PUBLIC_PATH,
    SIMPLE_PATH,
    STATUS_AFTER,
    apply_change,
    change_path,
    check_expected,
    check_members,
    check_mover,
    check_reason,
    check_reporter,
    check_roster,
    clean_cause,
    clean_note,
    may_move,
    next_stage,
    normalize_cause,
    normalize_head_name,
    open_change_conflict,
    parse_members,
)
from services.models import (
    ChangeKind,
    ChangeStage,
    Household,
    HouseholdChange,
    HouseholdStatus,
    Role,
    RoleKind,
    Township,
    User,
    Village,
)
from tests.idcard_support import fake_id_number

# Objects built in memory only: these rules read what they are given and never a session.
XINBIN = Township(id=1, code="210422100", name="新宾镇")
WANGQINGMEN = Township(id=2, code="210422101", name="旺清门镇")


def yaozhan() -> Village:
    """腰站村 of 新宾镇, the village the changes below are filed for."""
    return Village(id=1, township_id=XINBIN.id, township=XINBIN, name="腰站村")


def dongcun() -> Village:
    """东村, another village of 新宾镇."""
    return Village(id=2, township_id=XINBIN.id, township=XINBIN, name="东村")


def xicun() -> Village:
    """西村 of 旺清门镇, another township."""
    return Village(id=3, township_id=WANGQINGMEN.id, township=WANGQINGMEN, name="西村")


def person(
    kind: RoleKind, *, active: bool = True, villages: list[Village] | None = None, township_id: int | None = None
) -> User:
    """Someone holding one role of `kind`, bound as given."""
    role = Role(kind=kind, villages=villages or [], township_id=township_id)
    return User(id=1, telegram_user_id=1, display_name="某人", active=active, roles=[role])


#: Who may or may not be acting, as each is bound to 腰站村 (or not).
PEOPLE: dict[str, Callable[[], User]] = {
    "cadre": lambda: person(RoleKind.CADRE, villages=[yaozhan()]),
    "inactive-cadre": lambda: person(RoleKind.CADRE, active=False, villages=[yaozhan()]),
    "other-village-cadre": lambda: person(RoleKind.CADRE, villages=[dongcun()]),
    "township": lambda: person(RoleKind.TOWNSHIP, township_id=XINBIN.id),
    "inactive-township": lambda: person(RoleKind.TOWNSHIP, active=False, township_id=XINBIN.id),
    "other-township": lambda: person(RoleKind.TOWNSHIP, township_id=WANGQINGMEN.id),
    "office": lambda: person(RoleKind.OFFICE),
    "inactive-office": lambda: person(RoleKind.OFFICE, active=False),
    "unit": lambda: person(RoleKind.UNIT),
}


def change(
    kind: ChangeKind = ChangeKind.INCLUDE,
    stage: ChangeStage = ChangeStage.VILLAGE_REVIEW,
    *,
    village: Village | None = None,
    cause: str | None = "因病",
) -> HouseholdChange:
    """Change #7, filed for 张三明 (4 people, 因病), in 腰站村 unless `village` says otherwise."""
    return HouseholdChange(
        id=7,
        kind=kind,
        stage=stage,
        head_name="张三明",
        id_number=fake_id_number(1),
        village=village or yaozhan(),
        members=4,
        cause=cause,
        note=None,
    )


def household(status: HouseholdStatus = HouseholdStatus.REGISTERED, *, village: Village | None = None) -> Household:
    """王大山's household (3 people, 缺技术) with change #7's 身份证号, on the roster in 腰站村 unless told."""
    village = village or yaozhan()
    return Household(
        id_number=fake_id_number(1),
        head_name="王大山",
        village_id=village.id,
        village=village,
        members=3,
        cause="缺技术",
        status=status,
    )


def refusal(check: Callable[[], None]) -> str | None:
    """What `check` refuses with, or None when it lets the change through."""
    try:
        check()
    except FupinError as error:
        return error.message
    return None


# --- The road ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [ChangeKind.INCLUDE, ChangeKind.EXIT, ChangeKind.RETURN], ids=str)
def test_entries_and_exits_go_through_two_notices_and_an_announcement(kind: ChangeKind) -> None:
    assert change_path(kind) == PUBLIC_PATH


@pytest.mark.parametrize(
    "kind", [ChangeKind.DEATH, ChangeKind.MOVE_IN, ChangeKind.MOVE_OUT, ChangeKind.UPDATE], ids=str
)
def test_bookkeeping_goes_from_submitted_to_effective(kind: ChangeKind) -> None:
    assert change_path(kind) == SIMPLE_PATH


def test_the_public_road_is_the_plans_order() -> None:
    assert PUBLIC_PATH == (
        ChangeStage.VILLAGE_REVIEW,
        ChangeStage.VILLAGE_NOTICE,
        ChangeStage.TOWNSHIP_REVIEW,
        ChangeStage.COUNTY_NOTICE,
        ChangeStage.EFFECTIVE,
    )


@pytest.mark.parametrize(
    ("kind", "stage", "then"),
    [
        pytest.param(ChangeKind.INCLUDE, ChangeStage.VILLAGE_REVIEW, ChangeStage.VILLAGE_NOTICE, id="评议-公示"),
        pytest.param(ChangeKind.EXIT, ChangeStage.VILLAGE_NOTICE, ChangeStage.TOWNSHIP_REVIEW, id="公示-审核"),
        pytest.param(ChangeKind.RETURN, ChangeStage.TOWNSHIP_REVIEW, ChangeStage.COUNTY_NOTICE, id="审核-公告"),
        pytest.param(ChangeKind.INCLUDE, ChangeStage.COUNTY_NOTICE, ChangeStage.EFFECTIVE, id="公告-生效"),
        pytest.param(ChangeKind.UPDATE, ChangeStage.SUBMITTED, ChangeStage.EFFECTIVE, id="已提交-生效"),
    ],
)
def test_each_stage_leads_to_the_next(kind: ChangeKind, stage: ChangeStage, then: ChangeStage) -> None:
    assert next_stage(change(kind, stage)) is then


@pytest.mark.parametrize(
    ("stage", "says"),
    [
        pytest.param(ChangeStage.EFFECTIVE, "这条户情变动已生效，不能再推进。", id="生效"),
        pytest.param(ChangeStage.REJECTED, "这条户情变动已未通过，不能再推进。", id="未通过"),
    ],
)
def test_a_closed_change_goes_nowhere(stage: ChangeStage, says: str) -> None:
    with pytest.raises(Conflict) as caught:
        next_stage(change(stage=stage))
    assert caught.value.message == says


def test_pending_lists_follow_the_process() -> None:
    assert OPEN_STAGES == (
        ChangeStage.VILLAGE_REVIEW,
        ChangeStage.VILLAGE_NOTICE,
        ChangeStage.TOWNSHIP_REVIEW,
        ChangeStage.COUNTY_NOTICE,
        ChangeStage.SUBMITTED,
    )


def test_every_kind_has_its_paperwork_name() -> None:
    assert set(CHANGE_KIND_LABELS) == set(ChangeKind)


def test_every_kind_says_what_the_status_becomes() -> None:
    assert set(STATUS_AFTER) == set(ChangeKind)


def test_the_stage_the_button_showed_passes() -> None:
    assert refusal(lambda: check_expected(change(stage=ChangeStage.VILLAGE_NOTICE), ChangeStage.VILLAGE_NOTICE)) is None


def test_no_expected_stage_passes() -> None:
    assert refusal(lambda: check_expected(change(stage=ChangeStage.VILLAGE_NOTICE), None)) is None


def test_a_second_press_is_told_where_the_change_is_now() -> None:
    with pytest.raises(Conflict) as caught:
        check_expected(change(stage=ChangeStage.VILLAGE_NOTICE), ChangeStage.VILLAGE_REVIEW)
    assert caught.value.message == "这条户情变动已处理，当前阶段：村公示。"


# --- Who may act ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "stage", "allowed"),
    [
        ("cadre", ChangeStage.VILLAGE_REVIEW, True),
        ("cadre", ChangeStage.VILLAGE_NOTICE, True),
        ("cadre", ChangeStage.TOWNSHIP_REVIEW, False),
        ("cadre", ChangeStage.COUNTY_NOTICE, False),
        ("cadre", ChangeStage.SUBMITTED, False),
        ("inactive-cadre", ChangeStage.VILLAGE_REVIEW, False),
        ("other-village-cadre", ChangeStage.VILLAGE_REVIEW, False),
        ("township", ChangeStage.VILLAGE_REVIEW, False),
        ("township", ChangeStage.TOWNSHIP_REVIEW, True),
        ("township", ChangeStage.SUBMITTED, True),
        ("township", ChangeStage.COUNTY_NOTICE, False),
        ("inactive-township", ChangeStage.TOWNSHIP_REVIEW, False),
        ("other-township", ChangeStage.TOWNSHIP_REVIEW, False),
        ("other-township", ChangeStage.SUBMITTED, False),
        ("inactive-office", ChangeStage.COUNTY_NOTICE, False),
        ("unit", ChangeStage.TOWNSHIP_REVIEW, False),
    ],
    ids=str,
)
def test_whose_turn_each_stage_is(who: str, stage: ChangeStage, allowed: bool) -> None:
    kind = ChangeKind.UPDATE if stage is ChangeStage.SUBMITTED else ChangeKind.INCLUDE
    assert may_move(PEOPLE[who](), change(kind, stage)) is allowed


@pytest.mark.parametrize("stage", OPEN_STAGES, ids=str)
def test_the_office_may_move_every_open_stage(stage: ChangeStage) -> None:
    kind = ChangeKind.UPDATE if stage is ChangeStage.SUBMITTED else ChangeKind.INCLUDE
    assert may_move(PEOPLE["office"](), change(kind, stage))


@pytest.mark.parametrize("stage", [ChangeStage.EFFECTIVE, ChangeStage.REJECTED], ids=str)
def test_nobody_moves_a_closed_change(stage: ChangeStage) -> None:
    assert not may_move(PEOPLE["office"](), change(stage=stage))


def test_a_refusal_says_whose_turn_it_is() -> None:
    with pytest.raises(Forbidden) as caught:
        check_mover(change(stage=ChangeStage.TOWNSHIP_REVIEW), PEOPLE["cadre"](), verb="退回")
    assert caught.value.message == "“乡镇审核”阶段的户情变动只能由该村所在乡镇的乡镇干部或县扶贫办退回。"


def test_the_one_whose_turn_it_is_passes() -> None:
    assert (
        refusal(lambda: check_mover(change(stage=ChangeStage.TOWNSHIP_REVIEW), PEOPLE["township"](), verb="推进"))
        is None
    )


def test_the_villages_cadre_files_for_it() -> None:
    assert refusal(lambda: check_reporter(PEOPLE["cadre"](), yaozhan().id)) is None


@pytest.mark.parametrize("who", ["other-village-cadre", "inactive-cadre", "office", "township"])
def test_only_a_cadre_of_the_village_files_for_it(who: str) -> None:
    with pytest.raises(Forbidden) as caught:
        check_reporter(PEOPLE[who](), yaozhan().id)
    assert caught.value.message == "只能为您驻村的村上报户情变动。"


# --- What a change must hold ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "cause"),
    [
        ("因病", "因病"),
        ("因病致贫", "因病"),
        ("  因残 ", "因残"),
        ("缺劳动力", "缺劳力"),
        ("缺乏资金", "缺资金"),
        ("交通落后", "交通条件落后"),
        ("其他", "其他"),
    ],
)
def test_causes_as_people_write_them(written: str, cause: str) -> None:
    assert normalize_cause(written) == cause


def test_an_unlisted_cause_is_refused_with_the_list() -> None:
    with pytest.raises(InvalidInput) as caught:
        normalize_cause("懒")
    assert caught.value.choices == CAUSES


def test_an_unlisted_cause_is_named_in_the_refusal() -> None:
    with pytest.raises(InvalidInput) as caught:
        normalize_cause("懒")
    assert caught.value.message.startswith("致贫原因“懒”不在全国建档立卡的分类中")


@pytest.mark.parametrize("written", [None, "", "  "], ids=repr)
def test_an_exit_needs_no_cause(written: str | None) -> None:
    assert clean_cause(ChangeKind.EXIT, written) is None


def test_a_cause_given_for_bookkeeping_is_kept_listed() -> None:
    assert clean_cause(ChangeKind.DEATH, "因病致贫") == "因病"


@pytest.mark.parametrize(
    ("kind", "says"),
    [
        pytest.param(ChangeKind.INCLUDE, "“新识别纳入”须填写致贫原因", id="新识别纳入"),
        pytest.param(ChangeKind.RETURN, "“返贫”须填写致贫原因", id="返贫"),
    ],
)
def test_entries_must_name_a_cause(kind: ChangeKind, says: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        clean_cause(kind, " ")
    assert caught.value.message.startswith(says)


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        pytest.param("张三明", "张三明", id="plain"),
        pytest.param(" 张 三明\u3000", "张三明", id="blanks"),
        pytest.param("ＬＩ Ｍｉｎｇ", "LIMing", id="full-width"),
        pytest.param("爱新觉罗·启", "爱新觉罗·启", id="middle-dot"),
    ],
)
def test_head_names_are_folded(typed: str, name: str) -> None:
    assert normalize_head_name(typed) == name


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        pytest.param("  ", "户主姓名不能为空", id="empty"),
        pytest.param(fake_id_number(1), "户主姓名里不能有数字", id="id-number"),
        pytest.param("张三１", "户主姓名里不能有数字", id="full-width-digit"),
        pytest.param("张" * (MAX_NAME + 1), "户主姓名太长", id="too-long"),
    ],
)
def test_bad_head_names_are_named(typed: str, says: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        normalize_head_name(typed)
    assert caught.value.message.startswith(says)


def test_the_longest_name_the_schema_holds_passes() -> None:
    assert normalize_head_name("张" * MAX_NAME) == "张" * MAX_NAME


@pytest.mark.parametrize("members", [1, 20])
def test_household_sizes_at_the_limits_pass(members: int) -> None:
    assert check_members(members) == members


@pytest.mark.parametrize("members", [0, 21])
def test_household_sizes_beyond_the_limits_are_refused(members: int) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_members(members)
    assert caught.value.message == "家庭人口应为 1–20 人，请输入户籍上的家庭人口数。"


@pytest.mark.parametrize(
    ("typed", "members"),
    [("3", 3), ("三", 3), ("3人", 3), ("三口人", 3), ("５", 5), ("两", 2)],
)
def test_members_as_cadres_type_them(typed: str, members: int) -> None:
    assert parse_members(typed) == members


@pytest.mark.parametrize("typed", ["0", "3.5", "二十一", "几个"])
def test_members_refused(typed: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_members(typed)
    assert "1–20" in caught.value.message


def test_an_unreadable_size_says_how_to_write_it() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_members("几个")
    assert caught.value.message == "家庭人口应为 1–20 的整数，如 3 或 三，请输入户籍上的家庭人口数。"


@pytest.mark.parametrize("written", [None, "", "  "], ids=repr)
def test_a_blank_note_is_no_note(written: str | None) -> None:
    assert clean_note(written) is None


def test_a_note_is_kept_trimmed() -> None:
    assert clean_note(" 户主外出务工 ") == "户主外出务工"


def test_the_longest_note_the_schema_holds_passes() -> None:
    assert clean_note("长" * MAX_NOTE) == "长" * MAX_NOTE


def test_a_longer_note_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        clean_note("长" * (MAX_NOTE + 1))
    assert caught.value.message == "备注太长（最多 500 个字），请精简后重新输入。"


def test_a_reason_is_kept_trimmed() -> None:
    assert check_reason(" 村民代表评议未通过 ") == "村民代表评议未通过"


@pytest.mark.parametrize(
    ("reason", "says"),
    [
        pytest.param("  ", "请写明未通过的原因", id="blank"),
        pytest.param("👎", "未通过的原因要用文字写明", id="emoji"),
        pytest.param("。。。", "未通过的原因要用文字写明", id="punctuation"),
        pytest.param("长" * (MAX_NOTE + 1), "备注太长", id="too-long"),
    ],
)
def test_a_reason_must_say_why(reason: str, says: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_reason(reason)
    assert caught.value.message.startswith(says)


# --- What the roster allows -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        pytest.param(ChangeKind.INCLUDE, None, id="new-inclusion"),
        pytest.param(ChangeKind.MOVE_IN, None, id="move-in-from-outside"),
        pytest.param(ChangeKind.EXIT, HouseholdStatus.REGISTERED, id="exit-of-registered"),
        pytest.param(ChangeKind.RETURN, HouseholdStatus.EXITED, id="return-of-exited"),
        pytest.param(ChangeKind.DEATH, HouseholdStatus.EXITED, id="death-of-exited"),
        pytest.param(ChangeKind.MOVE_OUT, HouseholdStatus.REGISTERED, id="move-out-of-registered"),
        pytest.param(ChangeKind.UPDATE, HouseholdStatus.EXITED, id="update-of-exited"),
        pytest.param(ChangeKind.MOVE_IN, HouseholdStatus.REMOVED, id="move-back-of-removed"),
    ],
)
def test_what_the_roster_allows(kind: ChangeKind, status: HouseholdStatus | None) -> None:
    found = None if status is None else household(status)
    assert refusal(lambda: check_roster(kind, found, yaozhan())) is None


@pytest.mark.parametrize(
    ("kind", "status", "says"),
    [
        pytest.param(
            ChangeKind.INCLUDE,
            HouseholdStatus.REGISTERED,
            "该身份证号已在建档立卡名单中（在册贫困户），不能重复纳入；请核对身份证号。",
            id="inclusion-of-registered",
        ),
        pytest.param(
            ChangeKind.INCLUDE,
            HouseholdStatus.EXITED,
            "该身份证号已在建档立卡名单中（已脱贫），不能重复纳入；如已脱贫后再次致贫，请报“返贫”。",
            id="inclusion-of-exited",
        ),
        pytest.param(
            ChangeKind.MOVE_IN,
            HouseholdStatus.REGISTERED,
            "该户已登记在新宾镇/腰站村，无需办理“迁入”；如信息有变，请报“信息变更”。",
            id="move-in-where-it-is",
        ),
        pytest.param(
            ChangeKind.EXIT,
            None,
            "建档立卡名单中没有这个身份证号，无法办理“脱贫退出”。请核对身份证号；"
            "如确为在册户，请联系县扶贫办导入贫困户名单。",
            id="exit-of-unknown",
        ),
        pytest.param(
            ChangeKind.EXIT,
            HouseholdStatus.EXITED,
            "该户目前是“已脱贫”，不能办理“脱贫退出”。请核对身份证号或变动类型。",
            id="exit-of-exited",
        ),
        pytest.param(
            ChangeKind.RETURN,
            HouseholdStatus.REGISTERED,
            "该户目前是“在册贫困户”，不能办理“返贫”。请核对身份证号或变动类型。",
            id="return-of-registered",
        ),
        pytest.param(
            ChangeKind.UPDATE,
            HouseholdStatus.REMOVED,
            "该户目前是“已销户”，不能办理“信息变更”。请核对身份证号或变动类型。",
            id="update-of-removed",
        ),
    ],
)
def test_what_the_roster_refuses(kind: ChangeKind, status: HouseholdStatus | None, says: str) -> None:
    found = None if status is None else household(status)
    with pytest.raises(InvalidInput) as caught:
        check_roster(kind, found, yaozhan())
    assert caught.value.message == says


def test_a_household_of_another_village_is_left_to_its_own_cadre() -> None:
    with pytest.raises(InvalidInput) as caught:
        check_roster(ChangeKind.EXIT, household(village=xicun()), yaozhan())
    assert caught.value.message == (
        "该户登记在旺清门镇/西村，不在新宾镇/腰站村。请核对身份证号，或由该户所在村的驻村干部上报（跨村迁移请报“迁入”）。"
    )


def test_moving_in_from_another_village_is_allowed() -> None:
    assert refusal(lambda: check_roster(ChangeKind.MOVE_IN, household(village=xicun()), yaozhan())) is None


def test_a_second_open_change_names_the_first() -> None:
    first = change(ChangeKind.EXIT, ChangeStage.VILLAGE_NOTICE)
    assert open_change_conflict(first).message == (
        "该户已有一条正在办理的户情变动（#7 脱贫退出，当前：村公示），请等它办结或未通过后再报。"
    )


def test_the_conflict_never_shows_the_household() -> None:
    first = change(ChangeKind.EXIT, ChangeStage.VILLAGE_NOTICE)
    assert fake_id_number(1) not in open_change_conflict(first).message


# --- What the roster becomes ------------------------------------------------------------------------


def test_a_new_inclusion_registers_a_new_household() -> None:
    assert apply_change(change(ChangeKind.INCLUDE, ChangeStage.EFFECTIVE), None).status is HouseholdStatus.REGISTERED


def test_a_new_household_holds_what_was_filed() -> None:
    created = apply_change(change(ChangeKind.INCLUDE, ChangeStage.EFFECTIVE), None)
    assert (created.head_name, created.id_number, created.members, created.cause) == (
        "张三明",
        fake_id_number(1),
        4,
        "因病",
    )


def test_a_move_in_from_outside_registers_a_new_household() -> None:
    assert apply_change(change(ChangeKind.MOVE_IN, ChangeStage.EFFECTIVE), None).status is HouseholdStatus.REGISTERED


@pytest.mark.parametrize(
    ("kind", "before", "after"),
    [
        pytest.param(ChangeKind.EXIT, HouseholdStatus.REGISTERED, HouseholdStatus.EXITED, id="exit"),
        pytest.param(ChangeKind.RETURN, HouseholdStatus.EXITED, HouseholdStatus.REGISTERED, id="return"),
        pytest.param(ChangeKind.DEATH, HouseholdStatus.EXITED, HouseholdStatus.REMOVED, id="death"),
        pytest.param(ChangeKind.MOVE_OUT, HouseholdStatus.REGISTERED, HouseholdStatus.REMOVED, id="move-out"),
        pytest.param(ChangeKind.UPDATE, HouseholdStatus.EXITED, HouseholdStatus.EXITED, id="update"),
        pytest.param(ChangeKind.MOVE_IN, HouseholdStatus.REMOVED, HouseholdStatus.REGISTERED, id="move-back"),
        pytest.param(ChangeKind.MOVE_IN, HouseholdStatus.EXITED, HouseholdStatus.EXITED, id="move-between-villages"),
    ],
)
def test_the_status_a_change_leaves(kind: ChangeKind, before: HouseholdStatus, after: HouseholdStatus) -> None:
    home = xicun() if kind is ChangeKind.MOVE_IN else yaozhan()
    assert apply_change(change(kind, ChangeStage.EFFECTIVE), household(before, village=home)).status is after


@pytest.mark.parametrize(
    "kind", [ChangeKind.INCLUDE, ChangeKind.RETURN, ChangeKind.MOVE_IN, ChangeKind.UPDATE], ids=str
)
def test_changes_with_details_replace_the_rosters(kind: ChangeKind) -> None:
    updated = apply_change(change(kind, ChangeStage.EFFECTIVE), household(HouseholdStatus.EXITED))
    assert (updated.head_name, updated.members, updated.cause) == ("张三明", 4, "因病")


@pytest.mark.parametrize("kind", [ChangeKind.EXIT, ChangeKind.DEATH, ChangeKind.MOVE_OUT], ids=str)
def test_changes_of_status_keep_the_rosters_details(kind: ChangeKind) -> None:
    updated = apply_change(change(kind, ChangeStage.EFFECTIVE), household(HouseholdStatus.REGISTERED))
    assert (updated.head_name, updated.members, updated.cause) == ("王大山", 3, "缺技术")


def test_an_update_without_a_cause_keeps_the_rosters() -> None:
    updated = apply_change(change(ChangeKind.UPDATE, ChangeStage.EFFECTIVE, cause=None), household())
    assert updated.cause == "缺技术"


def test_a_move_in_takes_the_household_to_the_new_village() -> None:
    west = xicun()
    updated = apply_change(change(ChangeKind.MOVE_IN, ChangeStage.EFFECTIVE, village=west), household())
    assert updated.village is west


@pytest.mark.parametrize("kind", [ChangeKind.EXIT, ChangeKind.UPDATE], ids=str)
def test_a_household_gone_from_the_roster_cannot_take_the_change(kind: ChangeKind) -> None:
    with pytest.raises(InvalidInput) as caught:
        apply_change(change(kind, ChangeStage.EFFECTIVE), None)
    assert caught.value.message == "建档立卡名单中已没有这个身份证号，无法生效；请联系县扶贫办核对名单。"
