"""户情变动 storage: cadres file household changes, which move stage by stage to the roster.

The rules — which stage follows which, who may act at each, what each kind requires, what the
roster becomes — are `services.household_rules`; this module loads, locks and stores around them.

Every change is also an item in the task loop, owned by 县扶贫办 with the village's township
taking part, so it shows in their task lists and follows the same due dates.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services import audit
from services.errors import NotFound
from services.household_rules import (
    CAUSE_KINDS,
    CAUSES,
    CHANGE_KIND_LABELS,
    CLOSED_STAGES,
    MAX_MEMBERS,
    MAX_NOTE,
    MOVERS,
    OPEN_STAGES,
    STAGE_LABELS,
    STATUS_LABELS,
    Mover,
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
from services.idcards import normalize_id_number
from services.items import OPEN_STATES, Submitted, create_item, settle
from services.masking import mask_id_number, mask_name, mask_text
from services.models import (
    ChangeKind,
    ChangeStage,
    ChangeStep,
    Household,
    HouseholdChange,
    Item,
    ItemKind,
    ItemState,
    Role,
    RoleKind,
    User,
    Village,
    utcnow,
)
from services.routing import household_change_parties

__all__ = [
    # The faces (bot/) have always read these rules here; services and tests import them from
    # services.household_rules.
    "CAUSES",
    "CAUSE_KINDS",
    "CHANGE_KIND_LABELS",
    "MAX_MEMBERS",
    "MAX_NOTE",
    "STAGE_LABELS",
    "STATUS_LABELS",
    "check_expected",
    "may_move",
    "next_stage",
    "normalize_cause",
    "normalize_head_name",
    "parse_members",
    # Storage.
    "HOUSEHOLD_MEASURE_ID",
    "advance_change",
    "change_snapshot",
    "check_target",
    "find_household",
    "get_change",
    "household_snapshot",
    "list_households",
    "movers_of",
    "pending_changes",
    "reject_change",
    "submit_change",
]

#: The plan's measure on household management (二、（一）加强贫困户科学动态和分类管理), whose text
#: sets 两公示一公告; household-change items are filed under it. The id is its title's
#: (`policy_kb.builder.structure._heading_id`), so it holds as long as next year's plan keeps the title.
HOUSEHOLD_MEASURE_ID = "m7beb95b8"


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


async def _open_change_for(session: AsyncSession, id_number: str) -> HouseholdChange | None:
    query = select(HouseholdChange).where(
        HouseholdChange.id_number == id_number, HouseholdChange.stage.not_in(CLOSED_STAGES)
    )
    return await session.scalar(query.order_by(HouseholdChange.id).limit(1))


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
    check_roster(kind, household, village)
    open_change = await _open_change_for(session, number)
    if open_change is not None:
        raise open_change_conflict(open_change)
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
    check_reporter(reporter, village_id)
    name = normalize_head_name(head_name)
    check_members(members)
    cause = clean_cause(kind, cause)
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
        note=clean_note(note),
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
    check_mover(change, user, verb="推进")
    before = change_snapshot(change)
    change.stage = target
    if target is ChangeStage.EFFECTIVE:
        await _take_effect(session, change, actor=actor)
        await _settle_item(session, change, ItemState.DONE, reason=None, actor=actor)
    await _add_step(session, change, before=before, note=clean_note(note), actor=actor)
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
    reason_text = check_reason(reason)
    change = await _load_for_update(session, change_id)
    check_expected(change, expected)
    next_stage(change)  # a closed change cannot be rejected either
    check_mover(change, user, verb="退回")
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
    """Write the change into the roster (`apply_change`): create or update the household, audited."""
    household = await _household_numbered(session, change.id_number)
    before = None if household is None else household_snapshot(household)
    household = apply_change(change, household)
    if before is None:
        session.add(household)
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action="household.create" if before is None else "household.update",
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
    grouped: dict[ChangeStage, list[HouseholdChange]] = {}
    for stage in OPEN_STAGES:
        waiting = [c for c in changes if c.stage is stage]
        if waiting:
            grouped[stage] = waiting
    return grouped
