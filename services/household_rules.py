"""户情变动 rules: the plan's 两公示一公告, who may act at each stage, what each kind of change requires.

The plan (二、（一）) requires "严格按照‘两公示一公告’等流程…做到‘应进尽进、应退尽退’": a change
that puts a household into the poverty roster or takes it out is reviewed by the village
(村级评议), posted in the village (村公示), checked by the township (乡镇审核), announced by the
county (县公告) and only then takes effect. 返贫 puts an exited household back in, so it is an
entry like 新识别纳入 and takes the same road. The other kinds (自然减员, 迁入, 迁出, 信息变更)
are bookkeeping: 已提交 → 生效 when the township or the office confirms.

Everything here is decided from what is in hand (the change, the household, the user) and never
reads or writes the database; `services.households` loads, locks and stores around these rules.
"""

from __future__ import annotations

import unicodedata
from enum import StrEnum

from services.errors import Conflict, Forbidden, InvalidInput
from services.models import (
    ChangeKind,
    ChangeStage,
    Household,
    HouseholdChange,
    HouseholdStatus,
    RoleKind,
    User,
    Village,
)
from services.quantities import parse_quantity
from services.wording import has_words

#: What each kind of change is called in the county's paperwork; every face uses these words.
CHANGE_KIND_LABELS: dict[ChangeKind, str] = {
    ChangeKind.INCLUDE: "新识别纳入",
    ChangeKind.EXIT: "脱贫退出",
    ChangeKind.RETURN: "返贫",
    ChangeKind.DEATH: "自然减员",
    ChangeKind.MOVE_IN: "迁入",
    ChangeKind.MOVE_OUT: "迁出",
    ChangeKind.UPDATE: "信息变更",
}

#: 致贫原因 as the national 建档立卡 system lists them (主要致贫原因), in its order.
CAUSES: tuple[str, ...] = (
    "因病",
    "因残",
    "因学",
    "因灾",
    "缺土地",
    "缺水",
    "缺技术",
    "缺劳力",
    "缺资金",
    "交通条件落后",
    "自身发展动力不足",
    "其他",
)

#: Other ways rosters and people write a cause, folded onto the list above.
CAUSE_SYNONYMS: dict[str, str] = {
    "缺劳动力": "缺劳力",
    "交通落后": "交通条件落后",
    "发展动力不足": "自身发展动力不足",
    "缺乏技术": "缺技术",
    "缺乏资金": "缺资金",
    "缺乏劳力": "缺劳力",
}

#: Each stage as the office and the townships name it.
STAGE_LABELS: dict[ChangeStage, str] = {
    ChangeStage.VILLAGE_REVIEW: "村级评议",
    ChangeStage.VILLAGE_NOTICE: "村公示",
    ChangeStage.TOWNSHIP_REVIEW: "乡镇审核",
    ChangeStage.COUNTY_NOTICE: "县公告",
    ChangeStage.EFFECTIVE: "生效",
    ChangeStage.SUBMITTED: "已提交",
    ChangeStage.REJECTED: "未通过",
}

#: Kinds that move a household into or out of the roster, hence go through 两公示一公告.
PUBLICIZED_KINDS = frozenset({ChangeKind.INCLUDE, ChangeKind.EXIT, ChangeKind.RETURN})

#: Kinds that put a household on the roster, hence must name its 致贫原因 (what it is helped against).
CAUSE_KINDS = frozenset({ChangeKind.INCLUDE, ChangeKind.RETURN})

#: 两公示一公告, in order.
PUBLIC_PATH: tuple[ChangeStage, ...] = (
    ChangeStage.VILLAGE_REVIEW,
    ChangeStage.VILLAGE_NOTICE,
    ChangeStage.TOWNSHIP_REVIEW,
    ChangeStage.COUNTY_NOTICE,
    ChangeStage.EFFECTIVE,
)

#: The road of the bookkeeping kinds.
SIMPLE_PATH: tuple[ChangeStage, ...] = (ChangeStage.SUBMITTED, ChangeStage.EFFECTIVE)

#: Stages a change no longer leaves.
CLOSED_STAGES = frozenset({ChangeStage.EFFECTIVE, ChangeStage.REJECTED})

#: Stages a change waits in, in the order of the process (the order pending lists show them in).
OPEN_STAGES: tuple[ChangeStage, ...] = tuple(s for s in (*PUBLIC_PATH, *SIMPLE_PATH) if s not in CLOSED_STAGES)

#: Household size the form accepts (a 建档立卡 household larger than this is a typing slip).
MIN_MEMBERS, MAX_MEMBERS = 1, 20

#: Longest head name and note the schema holds.
MAX_NAME, MAX_NOTE = 64, 500

#: Status a household must have for a change of this kind to make sense; absent kinds need none.
REQUIRED_STATUS: dict[ChangeKind, frozenset[HouseholdStatus]] = {
    ChangeKind.EXIT: frozenset({HouseholdStatus.REGISTERED}),
    ChangeKind.RETURN: frozenset({HouseholdStatus.EXITED}),
    ChangeKind.DEATH: frozenset({HouseholdStatus.REGISTERED, HouseholdStatus.EXITED}),
    ChangeKind.MOVE_OUT: frozenset({HouseholdStatus.REGISTERED, HouseholdStatus.EXITED}),
    ChangeKind.UPDATE: frozenset({HouseholdStatus.REGISTERED, HouseholdStatus.EXITED}),
}

#: Kinds about a household already on the roster, in its own village.
ROSTER_KINDS = frozenset(REQUIRED_STATUS)

#: How each status reads in messages.
STATUS_LABELS: dict[HouseholdStatus, str] = {
    HouseholdStatus.REGISTERED: "在册贫困户",
    HouseholdStatus.EXITED: "已脱贫",
    HouseholdStatus.REMOVED: "已销户",
}

#: Status a household has once a change of this kind takes effect (None: unchanged).
STATUS_AFTER: dict[ChangeKind, HouseholdStatus | None] = {
    ChangeKind.INCLUDE: HouseholdStatus.REGISTERED,
    ChangeKind.EXIT: HouseholdStatus.EXITED,
    ChangeKind.RETURN: HouseholdStatus.REGISTERED,
    ChangeKind.DEATH: HouseholdStatus.REMOVED,
    ChangeKind.MOVE_OUT: HouseholdStatus.REMOVED,
    ChangeKind.MOVE_IN: None,
    ChangeKind.UPDATE: None,
}

#: Kinds whose filed details (head name, members, cause) replace the roster's on 生效; the others
#: only change the household's status.
DETAIL_KINDS = frozenset({ChangeKind.INCLUDE, ChangeKind.RETURN, ChangeKind.MOVE_IN, ChangeKind.UPDATE})


class Mover(StrEnum):
    """Who, besides the office, moves a change on from a stage."""

    VILLAGE_CADRE = "village_cadre"
    TOWNSHIP = "township"
    OFFICE = "office"


#: The plan's division of labour: the village reviews and posts, the township checks, the county announces.
MOVERS: dict[ChangeStage, Mover] = {
    ChangeStage.VILLAGE_REVIEW: Mover.VILLAGE_CADRE,
    ChangeStage.VILLAGE_NOTICE: Mover.VILLAGE_CADRE,
    ChangeStage.TOWNSHIP_REVIEW: Mover.TOWNSHIP,
    ChangeStage.COUNTY_NOTICE: Mover.OFFICE,
    ChangeStage.SUBMITTED: Mover.TOWNSHIP,
}

#: Who that is, in words, for refusals.
MOVER_LABELS: dict[Mover, str] = {
    Mover.VILLAGE_CADRE: "该村的驻村干部",
    Mover.TOWNSHIP: "该村所在乡镇的乡镇干部",
    Mover.OFFICE: "县扶贫办",
}


# --- The road: which stage follows which --------------------------------------------------------


def change_path(kind: ChangeKind) -> tuple[ChangeStage, ...]:
    """The stages a change of this kind goes through, first to last (未通过 can end any open one)."""
    return PUBLIC_PATH if kind in PUBLICIZED_KINDS else SIMPLE_PATH


def next_stage(change: HouseholdChange) -> ChangeStage:
    """The stage `advance_change` moves this change to.

    Raises:
        Conflict: the change is already effective or rejected.
    """
    if change.stage in CLOSED_STAGES:
        raise Conflict(f"这条户情变动已{STAGE_LABELS[change.stage]}，不能再推进。")
    path = change_path(change.kind)
    return path[path.index(change.stage) + 1]


def check_expected(change: HouseholdChange, expected: ChangeStage | None) -> None:
    """A button pressed twice, or by two people, finds the change moved on: tell them, move nothing."""
    if expected is not None and change.stage != expected:
        raise Conflict(f"这条户情变动已处理，当前阶段：{STAGE_LABELS[change.stage]}。")


# --- Who may act ------------------------------------------------------------------------------------


def _is_office(user: User) -> bool:
    return user.active and user.role(RoleKind.OFFICE) is not None


def _cadre_village_ids(user: User) -> set[int]:
    role = user.role(RoleKind.CADRE)
    return {v.id for v in role.villages} if user.active and role else set()


def _may_move(user: User, mover: Mover, village: Village) -> bool:
    if _is_office(user):
        return True
    if mover is Mover.VILLAGE_CADRE:
        return village.id in _cadre_village_ids(user)
    if mover is Mover.TOWNSHIP:
        role = user.role(RoleKind.TOWNSHIP)
        return user.active and role is not None and role.township_id == village.township_id
    return False


def check_reporter(reporter: User, village_id: int) -> None:
    """A change is filed by a cadre stationed in its village, who knows the household.

    Raises:
        Forbidden: the reporter is not an active cadre of that village.
    """
    if village_id not in _cadre_village_ids(reporter):
        raise Forbidden("只能为您驻村的村上报户情变动。")


def may_move(user: User, change: HouseholdChange) -> bool:
    """Whether `user` may advance or reject the change at its current stage (a face shows buttons by it)."""
    mover = MOVERS.get(change.stage)
    return mover is not None and _may_move(user, mover, change.village)


def check_mover(change: HouseholdChange, user: User, *, verb: str) -> None:
    """Refuse `user` moving an open change on from its current stage; `verb` is 推进 or 退回.

    Raises:
        Forbidden: it is someone else's turn; the message says whose.
    """
    mover = MOVERS[change.stage]
    if not _may_move(user, mover, change.village):
        raise Forbidden(f"“{STAGE_LABELS[change.stage]}”阶段的户情变动只能由{MOVER_LABELS[mover]}或县扶贫办{verb}。")


# --- What a change must hold ------------------------------------------------------------------------


def normalize_cause(text: str) -> str:
    """The listed 致贫原因 for what was written (因病致贫 → 因病, 缺劳动力 → 缺劳力).

    Raises:
        InvalidInput: not a listed cause; `choices` holds the list.
    """
    value = unicodedata.normalize("NFKC", text).strip()
    value = value.removesuffix("致贫") if value.removesuffix("致贫") in CAUSES else value
    value = CAUSE_SYNONYMS.get(value, value)
    if value not in CAUSES:
        raise InvalidInput(
            f"致贫原因“{value}”不在全国建档立卡的分类中，请从以下选择：{'、'.join(CAUSES)}。", choices=CAUSES
        )
    return value


def clean_cause(kind: ChangeKind, cause: str | None) -> str | None:
    """The listed 致贫原因 a change of `kind` carries; None when none was written and none is needed.

    Raises:
        InvalidInput: not a listed cause, or none for 新识别纳入 or 返贫; `choices` holds the list.
    """
    value = normalize_cause(cause) if cause is not None and cause.strip() else None
    if value is None and kind in CAUSE_KINDS:
        raise InvalidInput(
            f"“{CHANGE_KIND_LABELS[kind]}”须填写致贫原因，请从以下选择：{'、'.join(CAUSES)}。", choices=CAUSES
        )
    return value


def normalize_head_name(text: str) -> str:
    """The household head's name without blanks or full-width forms.

    Raises:
        InvalidInput: empty, longer than the schema holds, or holding digits (a number typed at the
            wrong step — often the 身份证号 — must not be filed as a name).
    """
    value = "".join(unicodedata.normalize("NFKC", text).split())
    if not value:
        raise InvalidInput("户主姓名不能为空，请输入户主姓名。")
    if any(char.isdigit() for char in value):
        raise InvalidInput("户主姓名里不能有数字，请输入户主的姓名（身份证号已在上一步填写）。")
    if len(value) > MAX_NAME:
        raise InvalidInput(f"户主姓名太长（最多 {MAX_NAME} 个字），请核对后重新输入。")
    return value


def check_members(members: int) -> int:
    """The household size, if plausible.

    Raises:
        InvalidInput: outside 1–20.
    """
    if not MIN_MEMBERS <= members <= MAX_MEMBERS:
        raise InvalidInput(f"家庭人口应为 {MIN_MEMBERS}–{MAX_MEMBERS} 人，请输入户籍上的家庭人口数。")
    return members


def parse_members(text: str) -> int:
    """The household size a cadre typed: "3", "三", "3人", "三口人", "５".

    Raises:
        InvalidInput: not a whole number of people, or outside 1–20; the message says how to write it.
    """
    value = unicodedata.normalize("NFKC", text).strip().removesuffix("人").removesuffix("口").strip()
    try:
        members = parse_quantity(value, unit="人")
    except InvalidInput:
        raise InvalidInput(
            f"家庭人口应为 {MIN_MEMBERS}–{MAX_MEMBERS} 的整数，如 3 或 三，请输入户籍上的家庭人口数。"
        ) from None
    return check_members(int(members))


def clean_note(note: str | None) -> str | None:
    """The note as it is kept: trimmed, None when blank.

    Raises:
        InvalidInput: longer than the schema holds.
    """
    value = (note or "").strip()
    if len(value) > MAX_NOTE:
        raise InvalidInput(f"备注太长（最多 {MAX_NOTE} 个字），请精简后重新输入。")
    return value or None


def check_reason(reason: str) -> str:
    """The reason a change did not pass, trimmed: those who filed it must be able to read why.

    Raises:
        InvalidInput: none given, none in words (an emoji, punctuation), or too long.
    """
    reason_text = clean_note(reason)
    if reason_text is None:
        raise InvalidInput("请写明未通过的原因，例如“村民代表评议未通过”。")
    if not has_words(reason_text):
        raise InvalidInput("未通过的原因要用文字写明，表情或标点看不出原因。请写明原因，例如“村民代表评议未通过”。")
    return reason_text


# --- What the roster allows, and what it becomes ----------------------------------------------------


def check_roster(kind: ChangeKind, household: Household | None, village: Village) -> None:
    """Refuse a change the roster contradicts; messages say what to check, never whose number it is.

    Args:
        household: the roster's household with the change's 身份证号, or None.
        village: the village the change is filed for.

    Raises:
        InvalidInput: inclusion of a household already registered; 迁入 into the village it is
            registered in; exit, 返贫, 自然减员, 迁出 or 信息变更 of one not registered, in the
            wrong status or in another village.
    """
    label = CHANGE_KIND_LABELS[kind]
    if kind is ChangeKind.INCLUDE and household is not None:
        hint = "如已脱贫后再次致贫，请报“返贫”" if household.status is HouseholdStatus.EXITED else "请核对身份证号"
        raise InvalidInput(f"该身份证号已在建档立卡名单中（{STATUS_LABELS[household.status]}），不能重复纳入；{hint}。")
    if kind is ChangeKind.MOVE_IN and household is not None and household.village_id == village.id:
        if household.status is not HouseholdStatus.REMOVED:
            raise InvalidInput(f"该户已登记在{village.full_name}，无需办理“迁入”；如信息有变，请报“信息变更”。")
    if kind not in ROSTER_KINDS:
        return
    if household is None:
        raise InvalidInput(
            f"建档立卡名单中没有这个身份证号，无法办理“{label}”。请核对身份证号；"
            "如确为在册户，请联系县扶贫办导入贫困户名单。"
        )
    if household.status not in REQUIRED_STATUS[kind]:
        raise InvalidInput(
            f"该户目前是“{STATUS_LABELS[household.status]}”，不能办理“{label}”。请核对身份证号或变动类型。"
        )
    if household.village_id != village.id:
        raise InvalidInput(
            f"该户登记在{household.village.full_name}，不在{village.full_name}。"
            "请核对身份证号，或由该户所在村的驻村干部上报（跨村迁移请报“迁入”）。"
        )


def open_change_conflict(change: HouseholdChange) -> Conflict:
    """The refusal of a second change while `change` is still under way for the same household."""
    return Conflict(
        f"该户已有一条正在办理的户情变动（#{change.id} {CHANGE_KIND_LABELS[change.kind]}，"
        f"当前：{STAGE_LABELS[change.stage]}），请等它办结或未通过后再报。"
    )


def apply_change(change: HouseholdChange, household: Household | None) -> Household:
    """What the roster holds for the change's household once the change takes effect.

    Args:
        household: the roster's household with the change's 身份证号 now, or None; it is updated
            in place.

    Returns:
        `household` updated, or a new household (not yet stored) when the roster has none with
        that number: a first inclusion, or 迁入 from outside the roster.

    Raises:
        InvalidInput: the change is about a household on the roster and it is no longer there.
    """
    if household is None and change.kind in ROSTER_KINDS:
        raise InvalidInput("建档立卡名单中已没有这个身份证号，无法生效；请联系县扶贫办核对名单。")
    status = STATUS_AFTER[change.kind]
    if household is None:
        return Household(
            id_number=change.id_number,
            head_name=change.head_name,
            village=change.village,
            members=change.members,
            cause=change.cause,
            status=status or HouseholdStatus.REGISTERED,
        )
    if change.kind in DETAIL_KINDS:
        household.head_name, household.members = change.head_name, change.members
        household.cause = change.cause or household.cause
    if change.kind is ChangeKind.MOVE_IN:
        household.village = change.village
        # A household that moved away and comes back is on the roster again; one moving between
        # villages keeps the status it has.
        status = HouseholdStatus.REGISTERED if household.status is HouseholdStatus.REMOVED else None
    if status is not None:
        household.status = status
    return household
