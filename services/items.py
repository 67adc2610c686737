"""The task loop: items routed to units, accepted, closed or returned, reminded when overdue.

An item is created for every report and household change (see `services.routing` for who gets it).
Only the owning unit's users move it on: 待接收 → 已接收 → 已办结, or 已退回 with a reason. Every
change of state is written to the audit log in the same transaction, and the caller gets a
`Transition` to tell the reporter about ("县交通局 已办结").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services import audit
from services.config import get_settings
from services.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.masking import mask_text
from services.models import (
    HouseholdChange,
    Item,
    ItemKind,
    ItemParty,
    ItemState,
    PartyRole,
    Report,
    Role,
    RoleKind,
    User,
    Village,
    utcnow,
)
from services.routing import OFFICE_UNIT, PartySpec, lead_unit
from services.wording import has_words
from services.workdays import CHINA_TZ, add_working_days, china_today

#: Chinese name of each state, as units and reporters see it.
STATE_LABELS: dict[ItemState, str] = {
    ItemState.NEW: "待接收",
    ItemState.ACCEPTED: "已接收",
    ItemState.DONE: "已办结",
    ItemState.RETURNED: "已退回",
}

#: Chinese name of each kind of item.
KIND_LABELS: dict[ItemKind, str] = {
    ItemKind.REPORT: "进度上报",
    ItemKind.HOUSEHOLD_CHANGE: "户情变动",
}

#: States in which an item still waits for its unit.
OPEN_STATES: frozenset[ItemState] = frozenset({ItemState.NEW, ItemState.ACCEPTED})

#: Longest return reason the schema holds.
MAX_REASON = 500
#: Longest title and topic the schema holds.
MAX_TITLE = 200
MAX_TOPIC = 128


@dataclass(frozen=True)
class Transition:
    """A change of state a unit made: what to tell the reporter, e.g. "县交通局 已办结"."""

    item: Item
    before: ItemState
    after: ItemState
    #: The unit that acted (the item's owner).
    actor_unit: str


@dataclass(frozen=True)
class Recipients:
    """Who hears of an item: the owning unit's users act on it, the others are copied."""

    lead: list[User]
    copied: list[User]


@dataclass(frozen=True)
class Submitted:
    """What a cadre's submission produced; `created` is False when a redelivered update found it."""

    item: Item
    created: bool
    report: Report | None = None
    change: HouseholdChange | None = None
    #: The report joined an open item instead of opening one.
    merged: bool = False


#: Why a household change's item has no 接收/办结/退回 of its own.
HOUSEHOLD_CHANGE_BY_STAGES = "户情变动按“两公示一公告”逐级审核：请发 /pending 办理，审核到“生效”时事项自动办结。"


def item_snapshot(item: Item) -> dict[str, Any]:
    """The item as the audit log keeps it; titles and topics may carry a 身份证号, so they are masked."""
    return {
        "kind": item.kind.value,
        "measure_id": item.measure_id,
        "title": mask_text(item.title),
        "topic": mask_text(item.topic),
        "village": item.village.full_name,
        "owner_unit": item.owner_unit,
        "state": item.state.value,
        "due_date": item.due_date.isoformat(),
        "parties": [p.unit or (p.township.name if p.township else None) for p in item.parties],
    }


def _state_snapshot(item: Item) -> dict[str, Any]:
    return {
        "state": item.state.value,
        "return_reason": mask_text(item.return_reason) if item.return_reason else None,
    }


def due_days(kind: ItemKind) -> int:
    """Working days an item of this kind is given, from the settings."""
    settings = get_settings()
    return settings.due_days_report if kind == ItemKind.REPORT else settings.due_days_household_change


async def create_item(
    session: AsyncSession,
    *,
    kind: ItemKind,
    measure_id: str,
    title: str,
    topic: str,
    village: Village,
    reporter: User,
    parties: list[PartySpec],
    actor: str,
    today: dt.date | None = None,
) -> Item:
    """Open a new item owned by the parties' lead unit, due N working days from today (China's date).

    Args:
        title: what the item is about in words, masked by the caller if it names a person.
        topic: what duplicates are found by (the indicator, or `household:<id_number>`).
        parties: from `routing.parties_for` or `routing.household_change_parties`.
        today: the date the due date counts from; default China's date now.
    """
    item = Item(
        kind=kind,
        measure_id=measure_id,
        title=title[:MAX_TITLE],
        topic=topic[:MAX_TOPIC],
        village=village,
        owner_unit=lead_unit(parties),
        state=ItemState.NEW,
        reporter=reporter,
        due_date=add_working_days(today or china_today(), due_days(kind)),
        parties=[ItemParty(role=p.role, unit=p.unit, township=p.township) for p in parties],
    )
    session.add(item)
    await session.flush()
    await audit.record(session, actor=actor, action="item.create", subject=f"item:{item.id}", after=item_snapshot(item))
    return item


async def get_item(session: AsyncSession, *, item_id: int, lock: bool = False) -> Item:
    """The item with this id, freshly read (and locked for the transaction when `lock`).

    Raises:
        NotFound: no such item.
    """
    query = select(Item).where(Item.id == item_id).execution_options(populate_existing=True)
    if lock:
        query = query.with_for_update(of=Item)
    item = await session.scalar(query)
    if item is None:
        raise NotFound(f"没有找到编号为 {item_id} 的事项。")
    return item


def acts_for(user: User, unit: str) -> bool:
    """True when `user` may act for `unit`: its unit staff, or office staff for 县扶贫办."""
    if not user.active:
        return False
    role = user.role(RoleKind.UNIT)
    if role is not None and role.unit == unit:
        return True
    return unit == OFFICE_UNIT and user.role(RoleKind.OFFICE) is not None


def check_actionable(item: Item, user: User | None, *, allowed_from: frozenset[ItemState] = OPEN_STATES) -> None:
    """Refuse a button on `item` that `user` may not press now (接收/办结/退回 check this first).

    Raises:
        Forbidden: `user` is unknown or does not act for the owning unit.
        Conflict: the item is a household change (it moves through /pending), or its state is
            not in `allowed_from` (it was handled already).
    """
    if user is None or not acts_for(user, item.owner_unit):
        raise Forbidden(f"这项事项由{item.owner_unit}办理，只有{item.owner_unit}的工作人员可以处理。")
    if item.kind is ItemKind.HOUSEHOLD_CHANGE:
        # Its state follows the change through 两公示一公告 (services.households); a button here
        # would let the item and the change disagree.
        raise Conflict(HOUSEHOLD_CHANGE_BY_STAGES)
    if item.state not in allowed_from:
        raise Conflict(f"这项事项{STATE_LABELS[item.state]}，已处理过，无需重复操作。")


async def _transition(
    session: AsyncSession,
    *,
    item_id: int,
    user: User,
    actor: str,
    allowed_from: frozenset[ItemState],
    to: ItemState,
    action: str,
    reason: str | None = None,
) -> Transition:
    item = await get_item(session, item_id=item_id, lock=True)
    check_actionable(item, user, allowed_from=allowed_from)
    before_state = item.state
    await settle(session, item, to=to, reason=reason, action=action, actor=actor)
    return Transition(item=item, before=before_state, after=to, actor_unit=item.owner_unit)


async def settle(
    session: AsyncSession, item: Item, *, to: ItemState, reason: str | None, action: str, actor: str
) -> None:
    """Move `item` to `to` (keeping `reason` as its return reason when given), audited as `action`.

    The caller has checked the move is allowed and holds the item's row lock.
    """
    before = _state_snapshot(item)
    item.state = to
    if reason is not None:
        item.return_reason = reason
    await session.flush()
    await audit.record(
        session, actor=actor, action=action, subject=f"item:{item.id}", before=before, after=_state_snapshot(item)
    )


async def accept_item(session: AsyncSession, *, item_id: int, user: User, actor: str) -> Transition:
    """接收: the owning unit takes the item on (待接收 → 已接收).

    Raises:
        NotFound: no such item.
        Forbidden: `user` does not act for the owning unit.
        Conflict: the item is not 待接收 (e.g. the button was pressed twice).
    """
    return await _transition(
        session,
        item_id=item_id,
        user=user,
        actor=actor,
        allowed_from=frozenset({ItemState.NEW}),
        to=ItemState.ACCEPTED,
        action="item.accept",
    )


async def close_item(session: AsyncSession, *, item_id: int, user: User, actor: str) -> Transition:
    """办结: the owning unit has done it (待接收 or 已接收 → 已办结).

    Raises:
        NotFound, Forbidden, Conflict: as `accept_item`; Conflict when already closed or returned.
    """
    return await _transition(
        session,
        item_id=item_id,
        user=user,
        actor=actor,
        allowed_from=OPEN_STATES,
        to=ItemState.DONE,
        action="item.close",
    )


async def return_item(session: AsyncSession, *, item_id: int, user: User, reason: str, actor: str) -> Transition:
    """退回: the owning unit sends the item back to the reporter with a reason (→ 已退回).

    A returned report no longer counts towards progress.

    Raises:
        InvalidInput: the reason is empty, not in words (an emoji, punctuation) or too long.
        NotFound, Forbidden, Conflict: as `close_item`.
    """
    reason = reason.strip()
    if not reason:
        raise InvalidInput("请写明退回原因，让上报人知道要补充或改正什么。")
    if not has_words(reason):
        raise InvalidInput("退回原因要用文字写明，表情或标点看不出原因。请写明要补充或改正什么，例如“照片与现场不符”。")
    if len(reason) > MAX_REASON:
        raise InvalidInput(f"退回原因最多 {MAX_REASON} 字，现在有 {len(reason)} 字，请精简后重新输入。")
    return await _transition(
        session,
        item_id=item_id,
        user=user,
        actor=actor,
        allowed_from=OPEN_STATES,
        to=ItemState.RETURNED,
        action="item.return",
        reason=reason,
    )


def _open() -> ColumnElement[bool]:
    return Item.state.in_(list(OPEN_STATES))


async def open_items_for(session: AsyncSession, *, user: User) -> list[Item]:
    """The open items `user` should see in /tasks, soonest due first.

    A unit's staff see the items their unit owns; office staff those 县扶贫办 owns; township staff
    those their township takes part in. A user with several roles sees all of them once.
    """
    if not user.active:
        return []
    conditions: list[ColumnElement[bool]] = []
    unit_role = user.role(RoleKind.UNIT)
    if unit_role is not None and unit_role.unit:
        conditions.append(Item.owner_unit == unit_role.unit)
    if user.role(RoleKind.OFFICE) is not None:
        conditions.append(Item.owner_unit == OFFICE_UNIT)
    township_role = user.role(RoleKind.TOWNSHIP)
    if township_role is not None and township_role.township_id is not None:
        in_township = select(ItemParty.item_id).where(
            ItemParty.role == PartyRole.TOWNSHIP, ItemParty.township_id == township_role.township_id
        )
        conditions.append(Item.id.in_(in_township))
    if not conditions:
        return []
    query = select(Item).where(_open(), or_(*conditions)).order_by(Item.due_date, Item.id)
    return list((await session.scalars(query)).all())


def _members_of(units: set[str]) -> ColumnElement[bool]:
    """Roles that act for any of `units` (office staff act for 县扶贫办)."""
    condition = (Role.kind == RoleKind.UNIT) & Role.unit.in_(sorted(units))
    if OFFICE_UNIT in units:
        condition = condition | (Role.kind == RoleKind.OFFICE)
    return condition


async def _active_users(session: AsyncSession, condition: ColumnElement[bool]) -> list[User]:
    query = select(User).join(Role, Role.user_id == User.id).where(User.active.is_(True), condition)
    users = (await session.scalars(query.order_by(User.id))).all()
    return list({u.id: u for u in users}.values())


async def lead_users(session: AsyncSession, *, item: Item) -> list[User]:
    """The owning unit's active users: they act on the item (reminders and merges go to them only)."""
    return await _active_users(session, _members_of({item.owner_unit}))


async def recipients(session: AsyncSession, *, item: Item) -> Recipients:
    """Who to send an item to: the owner's active users act; participants' and the township's are copied."""
    lead = await lead_users(session, item=item)
    participants = {p.unit for p in item.parties if p.role == PartyRole.PARTICIPANT and p.unit}
    townships = {p.township_id for p in item.parties if p.role == PartyRole.TOWNSHIP and p.township_id}
    copied: list[User] = []
    if participants:
        copied += await _active_users(session, _members_of(participants))
    if townships:
        copied += await _active_users(
            session, (Role.kind == RoleKind.TOWNSHIP) & Role.township_id.in_(sorted(townships))
        )
    lead_ids = {u.id for u in lead}
    unique = {u.id: u for u in copied if u.id not in lead_ids}
    return Recipients(lead=lead, copied=sorted(unique.values(), key=lambda u: u.id))


async def office_staff(session: AsyncSession) -> list[User]:
    """Active office users: they hear of items overdue anywhere in the county."""
    return await _active_users(session, Role.kind == RoleKind.OFFICE)


async def reported_by(session: AsyncSession, *, user: User, limit: int = 10) -> list[Item]:
    """The items `user` filed (a merged report counts its item once), newest first: the cadre's 我的上报."""
    filed = select(Report.item_id).where(Report.reporter_id == user.id)
    changed = select(HouseholdChange.item_id).where(HouseholdChange.reporter_id == user.id)
    query = (
        select(Item)
        .where(or_(Item.reporter_id == user.id, Item.id.in_(filed), Item.id.in_(changed)))
        .order_by(Item.created_at.desc(), Item.id.desc())
        .limit(limit)
    )
    return list((await session.scalars(query)).all())


async def due_for_reminder(session: AsyncSession, *, today: dt.date) -> list[Item]:
    """Open items past their due date that were not reminded yet on `today` (China's date).

    The rows are locked until the caller's transaction ends, and rows another process holds are
    skipped (PostgreSQL's `SKIP LOCKED`; SQLite has one writer anyway): with several processes
    each running the overdue job, an item is reminded by one of them only.
    """
    midnight = dt.datetime.combine(today, dt.time(), tzinfo=CHINA_TZ)
    query = (
        select(Item)
        .where(_open(), Item.due_date < today, or_(Item.reminded_at.is_(None), Item.reminded_at < midnight))
        .order_by(Item.due_date, Item.id)
        .with_for_update(skip_locked=True, of=Item)
    )
    return list((await session.scalars(query)).all())


async def _stamp(
    session: AsyncSession, *, item: Item, field: str, action: str, actor: str, at: dt.datetime | None
) -> None:
    """Set one of the item's reminder timestamps and audit it."""
    before = getattr(item, field)
    setattr(item, field, at or utcnow())
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action=action,
        subject=f"item:{item.id}",
        before={field: before.isoformat() if before else None},
        after={field: getattr(item, field).isoformat()},
    )


async def mark_reminded(session: AsyncSession, *, item: Item, actor: str, at: dt.datetime | None = None) -> None:
    """Record that the owning unit was reminded of the overdue item (once a day at most)."""
    await _stamp(session, item=item, field="reminded_at", action="item.remind", actor=actor, at=at)


async def mark_escalated(session: AsyncSession, *, item: Item, actor: str, at: dt.datetime | None = None) -> None:
    """Record that the office was told the item is overdue."""
    await _stamp(session, item=item, field="escalated_at", action="item.escalate", actor=actor, at=at)


async def find_duplicate(
    session: AsyncSession,
    *,
    kind: ItemKind,
    topic: str,
    village_id: int,
    within: dt.timedelta | None = None,
    now: dt.datetime | None = None,
) -> Item | None:
    """The most recent open item on the same topic in the same village, created within `within`.

    The bot offers to merge a new submission into it rather than open a second item for one thing.
    `within` defaults to the `merge_window_hours` setting.
    """
    if within is None:
        within = dt.timedelta(hours=get_settings().merge_window_hours)
    since = (now or utcnow()) - within
    query = (
        select(Item)
        .where(
            _open(),
            Item.kind == kind,
            Item.topic == topic[:MAX_TOPIC],
            Item.village_id == village_id,
            Item.created_at >= since,
        )
        .order_by(Item.created_at.desc(), Item.id.desc())
        .limit(1)
    )
    return await session.scalar(query)
