"""户情变动: cadres file household changes; inclusion, exit and 返贫 go through the plan's 两公示一公告.

The plan (二、（一）) requires "严格按照‘两公示一公告’等流程…做到‘应进尽进、应退尽退’": a change
that puts a household into the poverty roster or takes it out is reviewed by the village
(村级评议), posted in the village (村公示), checked by the township (乡镇审核), announced by the
county (县公告) and only then takes effect. 返贫 puts an exited household back in, so it is an
entry like 新识别纳入 and takes the same road. The other kinds (自然减员, 迁入, 迁出, 信息变更)
are bookkeeping: 已提交 → 生效 when the township or the office confirms.

Every change is also an item in the task loop, owned by 县扶贫办 with the village's township
taking part, so it shows in their task lists and follows the same due dates.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Sequence
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services import audit
from services.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.idcards import normalize_id_number
from services.items import OPEN_STATES, Submitted, create_item, settle
from services.masking import mask_id_number, mask_name, mask_text
from services.models import (
    ChangeKind,
    ChangeStage,
    ChangeStep,
    Household,
    HouseholdChange,
    HouseholdStatus,
    Item,
    ItemKind,
    ItemState,
    Role,
    RoleKind,
    User,
    Village,
    utcnow,
)
from services.quantities import parse_quantity
from services.routing import household_change_parties
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

#: The plan's measure on household management (二、（一）加强贫困户科学动态和分类管理), whose text
#: sets 两公示一公告; household-change items are filed under it. The id is its title's
#: (`policy_kb.builder.structure._heading_id`), so it holds as long as next year's plan keeps the title.
HOUSEHOLD_MEASURE_ID = "m7beb95b8"

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


def household_snapshot(household: Household) -> dict[str, Any]:
    """A household as the audit log keeps it: name and 身份证号 masked."""
    return {
        "head_name": mask_name(household.head_name),
        "id_number": mask_id_number(household.id_number),
        "village": household.village.full_name,
        "members": household.members,
        "cause": household.cause,
        "status": household.status.value,
    }


def change_snapshot(change: HouseholdChange) -> dict[str, Any]:
    """A household change as the audit log keeps it: personal data masked."""
    return {
        "kind": change.kind.value,
        "stage": change.stage.value,
        "head_name": mask_name(change.head_name),
        "id_number": mask_id_number(change.id_number),
        "village": change.village.full_name,
        "members": change.members,
        "cause": change.cause,
        "note": mask_text(change.note) if change.note else None,
    }


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


async def list_households(session: AsyncSession, *, village_ids: Sequence[int] | None = None) -> list[Household]:
    """Households on the roster, by village then 身份证号; only those villages' when `village_ids` is given."""
    query = select(Household).order_by(Household.village_id, Household.id_number)
    if village_ids is not None:
        query = query.where(Household.village_id.in_(list(village_ids)))
    return list((await session.scalars(query)).all())


async def find_household(session: AsyncSession, *, id_number: str) -> Household | None:
    """The registered household whose head has this 身份证号 (as typed; normalized first), if any.

    Raises:
        InvalidInput: the number itself is invalid.
    """
    return await _household_numbered(session, normalize_id_number(id_number))


async def _household_numbered(session: AsyncSession, number: str) -> Household | None:
    """The registered household with this already normalized 身份证号, if any."""
    return await session.scalar(select(Household).where(Household.id_number == number))


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


def _check_roster(kind: ChangeKind, household: Household | None, village: Village) -> None:
    """Refuse a change the roster contradicts; messages say what to check, never whose number it is."""
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


async def _open_change_for(session: AsyncSession, id_number: str) -> HouseholdChange | None:
    query = select(HouseholdChange).where(
        HouseholdChange.id_number == id_number, HouseholdChange.stage.not_in(CLOSED_STAGES)
    )
    return await session.scalar(query.order_by(HouseholdChange.id).limit(1))


def _open_change_conflict(change: HouseholdChange) -> Conflict:
    return Conflict(
        f"该户已有一条正在办理的户情变动（#{change.id} {CHANGE_KIND_LABELS[change.kind]}，"
        f"当前：{STAGE_LABELS[change.stage]}），请等它办结或未通过后再报。"
    )


async def check_target(session: AsyncSession, *, kind: ChangeKind, id_number: str, village_id: int) -> Household | None:
    """The roster's household a change of `kind` in this village would be about, checked now as
    `submit_change` will check it, so a guided form refuses a wrong number at the step it is typed.

    Returns:
        The registered household with this number, or None (a new inclusion or 迁入).

    Raises:
        InvalidInput: the number is invalid, or the roster contradicts the change.
        NotFound: no such village.
        Conflict: the household already has a change under way.
    """
    number = normalize_id_number(id_number)
    village = await session.get(Village, village_id)
    if village is None:
        raise NotFound("没有这个村。")
    household = await _household_numbered(session, number)
    _check_roster(kind, household, village)
    open_change = await _open_change_for(session, number)
    if open_change is not None:
        raise _open_change_conflict(open_change)
    return household


async def _add_step(
    session: AsyncSession, change: HouseholdChange, *, before: dict[str, Any] | None, note: str | None, actor: str
) -> None:
    """Date the change's current stage, and audit the move, in the caller's transaction."""
    change.steps.append(ChangeStep(stage=change.stage, at=utcnow(), actor=actor, note=note))
    await session.flush()
    action = "household_change.submit" if before is None else f"household_change.{change.stage.value}"
    await audit.record(
        session,
        actor=actor,
        action=action,
        subject=f"household_change:{change.id}",
        before=before,
        after=change_snapshot(change),
    )


def _clean_note(note: str | None) -> str | None:
    value = (note or "").strip()
    if len(value) > MAX_NOTE:
        raise InvalidInput(f"备注太长（最多 {MAX_NOTE} 个字），请精简后重新输入。")
    return value or None


async def submit_change(
    session: AsyncSession,
    *,
    reporter: User,
    kind: ChangeKind,
    head_name: str,
    id_number: str,
    village_id: int,
    members: int,
    cause: str | None,
    note: str | None,
    update_id: int | None,
    actor: str,
) -> Submitted:
    """File a household change for one of the reporter's villages and route it as an item.

    Idempotent on `update_id`: the Telegram update that confirmed the change, delivered again,
    finds the change it created (`created=False`) instead of filing a second one.

    Args:
        cause: 致贫原因, required for 新识别纳入 and 返贫 (what the household is helped against).

    Raises:
        Forbidden: the reporter is not an active cadre of that village.
        InvalidInput: a bad field, or the roster contradicts the change (inclusion of a household
            already registered; exit, 返贫, 自然减员, 迁出 or 信息变更 of one not registered, in
            the wrong status or in another village).
        Conflict: the household already has a change under way.
    """
    if update_id is not None:
        existing = await session.scalar(select(HouseholdChange).where(HouseholdChange.source_update_id == update_id))
        if existing is not None:
            item = await session.get(Item, existing.item_id)
            assert item is not None  # item_id is a non-null foreign key
            return Submitted(change=existing, item=item, created=False)
    if village_id not in _cadre_village_ids(reporter):
        raise Forbidden("只能为您驻村的村上报户情变动。")
    name = normalize_head_name(head_name)
    check_members(members)
    if cause is not None and cause.strip():
        cause = normalize_cause(cause)
    else:
        cause = None
    if cause is None and kind in CAUSE_KINDS:
        raise InvalidInput(
            f"“{CHANGE_KIND_LABELS[kind]}”须填写致贫原因，请从以下选择：{'、'.join(CAUSES)}。", choices=CAUSES
        )
    household = await check_target(session, kind=kind, id_number=id_number, village_id=village_id)
    number = normalize_id_number(id_number)
    village = await session.get(Village, village_id)
    assert village is not None  # check_target found it

    item = await _create_item(
        session, kind=kind, name=name, number=number, village=village, reporter=reporter, actor=actor
    )
    change = HouseholdChange(
        kind=kind,
        stage=change_path(kind)[0],
        household=household,
        head_name=name,
        id_number=number,
        village=village,
        members=members,
        cause=cause,
        note=_clean_note(note),
        reporter_id=reporter.id,
        item_id=item.id,
        source_update_id=update_id,
        steps=[],
    )
    session.add(change)
    await _add_step(session, change, before=None, note=None, actor=actor)
    return Submitted(change=change, item=item, created=True)


async def _create_item(
    session: AsyncSession, *, kind: ChangeKind, name: str, number: str, village: Village, reporter: User, actor: str
) -> Item:
    """The task-loop item for a change: 县扶贫办 leads, the village's township takes part."""
    return await create_item(
        session,
        kind=ItemKind.HOUSEHOLD_CHANGE,
        measure_id=HOUSEHOLD_MEASURE_ID,
        title=f"{CHANGE_KIND_LABELS[kind]} {mask_name(name)}",
        topic=f"household:{number}",  # the item's audit snapshot masks it
        village=village,
        reporter=reporter,
        parties=household_change_parties(village.township),
        actor=actor,
    )


async def _load_for_update(session: AsyncSession, change_id: int) -> HouseholdChange:
    # Lock the change (not its village) so two people pressing at once are served one after the other.
    query = select(HouseholdChange).where(HouseholdChange.id == change_id).with_for_update(of=HouseholdChange)
    change = await session.scalar(query.execution_options(populate_existing=True))
    if change is None:
        raise NotFound(f"没有编号为 {change_id} 的户情变动。")
    return change


async def get_change(session: AsyncSession, *, change_id: int) -> HouseholdChange:
    """The change with this number.

    Raises:
        NotFound: no such change.
    """
    change = await session.get(HouseholdChange, change_id)
    if change is None:
        raise NotFound(f"没有编号为 {change_id} 的户情变动。")
    return change


def may_move(user: User, change: HouseholdChange) -> bool:
    """Whether `user` may advance or reject the change at its current stage (a face shows buttons by it)."""
    mover = MOVERS.get(change.stage)
    return mover is not None and _may_move(user, mover, change.village)


async def movers_of(session: AsyncSession, *, change: HouseholdChange) -> list[User]:
    """The active people whose turn the change's current stage is: the village's cadres, the township's
    users, or the office — not the office at the other stages, though it may act at all of them.

    Returns an empty list once the change is settled.
    """
    mover = MOVERS.get(change.stage)
    if mover is None:
        return []
    query = select(User).join(User.roles).where(User.active)
    if mover is Mover.VILLAGE_CADRE:
        query = query.join(Role.villages).where(Role.kind == RoleKind.CADRE, Village.id == change.village_id)
    elif mover is Mover.TOWNSHIP:
        query = query.where(Role.kind == RoleKind.TOWNSHIP, Role.township_id == change.village.township_id)
    else:
        query = query.where(Role.kind == RoleKind.OFFICE)
    return list((await session.scalars(query.order_by(User.id))).unique().all())


def _check_mover(change: HouseholdChange, user: User, verb: str) -> None:
    mover = MOVERS[change.stage]
    if not _may_move(user, mover, change.village):
        raise Forbidden(f"“{STAGE_LABELS[change.stage]}”阶段的户情变动只能由{MOVER_LABELS[mover]}或县扶贫办{verb}。")


def check_expected(change: HouseholdChange, expected: ChangeStage | None) -> None:
    """A button pressed twice, or by two people, finds the change moved on: tell them, move nothing."""
    if expected is not None and change.stage != expected:
        raise Conflict(f"这条户情变动已处理，当前阶段：{STAGE_LABELS[change.stage]}。")


async def advance_change(
    session: AsyncSession,
    *,
    change_id: int,
    user: User,
    note: str | None,
    actor: str,
    expected: ChangeStage | None = None,
) -> HouseholdChange:
    """Move a change to its next stage; on 生效 the household roster is updated.

    Who may: the village's cadre for 村级评议 and 村公示, a township user of the village's township
    for 乡镇审核 (and to confirm an 已提交 bookkeeping change), 县扶贫办 for 县公告 — and the office
    at every stage.

    Args:
        expected: the stage the caller saw (the button's stage); when the change has moved on
            since, nothing happens and Conflict says so, so a double press moves it once.

    Raises:
        NotFound, Forbidden, Conflict (closed, or not at `expected`), InvalidInput (note too long,
        or the roster no longer allows the change when it would take effect).
    """
    change = await _load_for_update(session, change_id)
    check_expected(change, expected)
    target = next_stage(change)
    _check_mover(change, user, "推进")
    before = change_snapshot(change)
    change.stage = target
    if target is ChangeStage.EFFECTIVE:
        await _take_effect(session, change, actor=actor)
        await _settle_item(session, change, ItemState.DONE, reason=None, actor=actor)
    await _add_step(session, change, before=before, note=_clean_note(note), actor=actor)
    return change


async def reject_change(
    session: AsyncSession,
    *,
    change_id: int,
    user: User,
    reason: str,
    actor: str,
    expected: ChangeStage | None = None,
) -> HouseholdChange:
    """End a change as 未通过 with the reason (e.g. 村民代表评议未通过); whoever may advance it may reject it.

    Raises:
        InvalidInput: no reason given, or none in words (an emoji, punctuation). NotFound,
            Forbidden, Conflict as for `advance_change`.
    """
    reason_text = _clean_note(reason)
    if reason_text is None:
        raise InvalidInput("请写明未通过的原因，例如“村民代表评议未通过”。")
    if not has_words(reason_text):
        raise InvalidInput("未通过的原因要用文字写明，表情或标点看不出原因。请写明原因，例如“村民代表评议未通过”。")
    change = await _load_for_update(session, change_id)
    check_expected(change, expected)
    next_stage(change)  # a closed change cannot be rejected either
    _check_mover(change, user, "退回")
    before = change_snapshot(change)
    change.stage = ChangeStage.REJECTED
    await _settle_item(session, change, ItemState.RETURNED, reason=reason_text, actor=actor)
    await _add_step(session, change, before=before, note=reason_text, actor=actor)
    return change


async def _settle_item(
    session: AsyncSession, change: HouseholdChange, state: ItemState, *, reason: str | None, actor: str
) -> None:
    """Close the change's item with it (生效 → 已办结, 未通过 → 已退回), so task lists hold only open work.

    The change's own stage rules already said who may do this, so the item's owner check does not
    apply; an item the office closed by hand before is left as it is.
    """
    item = await session.get(Item, change.item_id, with_for_update={"of": Item})
    if item is None or item.state not in OPEN_STATES:
        return
    action = "item.close" if state is ItemState.DONE else "item.return"
    await settle(session, item, to=state, reason=reason, action=action, actor=actor)


async def _take_effect(session: AsyncSession, change: HouseholdChange, *, actor: str) -> None:
    """Write the change into the roster: create or update the household, audited."""
    household = await _household_numbered(session, change.id_number)
    if household is None and change.kind in ROSTER_KINDS:
        raise InvalidInput("建档立卡名单中已没有这个身份证号，无法生效；请联系县扶贫办核对名单。")
    status = STATUS_AFTER[change.kind]
    if household is None:
        household = Household(
            id_number=change.id_number,
            head_name=change.head_name,
            village=change.village,
            members=change.members,
            cause=change.cause,
            status=status or HouseholdStatus.REGISTERED,
        )
        session.add(household)
        await session.flush()
        await audit.record(
            session,
            actor=actor,
            action="household.create",
            subject=f"household:{household.id}",
            after=household_snapshot(household),
        )
    else:
        before = household_snapshot(household)
        if change.kind in (ChangeKind.INCLUDE, ChangeKind.RETURN, ChangeKind.MOVE_IN, ChangeKind.UPDATE):
            household.head_name, household.members = change.head_name, change.members
            household.cause = change.cause or household.cause
        if change.kind is ChangeKind.MOVE_IN:
            household.village = change.village
            status = HouseholdStatus.REGISTERED if household.status is HouseholdStatus.REMOVED else None
        if status is not None:
            household.status = status
        await session.flush()
        await audit.record(
            session,
            actor=actor,
            action="household.update",
            subject=f"household:{household.id}",
            before=before,
            after=household_snapshot(household),
        )
    change.household = household


async def pending_changes(
    session: AsyncSession, *, township_id: int | None = None, village_ids: Collection[int] | None = None
) -> dict[ChangeStage, list[HouseholdChange]]:
    """Open changes grouped by the stage they wait in, in the order of the process, oldest first.

    Only stages with something waiting appear. `township_id` limits it to that township's villages,
    `village_ids` to those villages (a cadre's).
    """
    query = select(HouseholdChange).where(HouseholdChange.stage.not_in(CLOSED_STAGES))
    if township_id is not None:
        query = query.join(HouseholdChange.village).where(Village.township_id == township_id)
    if village_ids is not None:
        query = query.where(HouseholdChange.village_id.in_(list(village_ids)))
    changes = (await session.scalars(query.order_by(HouseholdChange.created_at, HouseholdChange.id))).all()
    order = [*PUBLIC_PATH, ChangeStage.SUBMITTED]
    grouped: dict[ChangeStage, list[HouseholdChange]] = {}
    for stage in order:
        waiting = [c for c in changes if c.stage is stage]
        if waiting:
            grouped[stage] = waiting
    return grouped
