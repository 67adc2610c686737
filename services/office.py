"""What the poverty office (县扶贫办) reads and does from the admin API: items across units, people.

The task loop itself (accepting, closing, reminding) is `services.items`; this module only reads
across every unit — lists filtered by state, unit and lateness, and counts per unit — and lets
the office switch a user off for good.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import and_, case, func, not_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from services import audit
from services.errors import NotFound
from services.items import OPEN_STATES
from services.models import Item, ItemState, RoleKind, User
from services.users import mark_inactive, role_snapshot

#: Reason recorded when the office (not Telegram) switches a user off.
OFFICE_DEACTIVATION = "县扶贫办停用"

#: Most items one list call returns.
MAX_ITEMS_PAGE = 1000


def is_overdue(item: Item, *, today: dt.date) -> bool:
    """Open and past its due date."""
    return item.state in OPEN_STATES and item.due_date < today


def _overdue_clause(today: dt.date) -> ColumnElement[bool]:
    return and_(Item.state.in_(OPEN_STATES), Item.due_date < today)


async def count_overdue(session: AsyncSession, *, today: dt.date) -> int:
    """How many items are open past their due date, county-wide (a figure to watch)."""
    return int(await session.scalar(select(func.count()).select_from(Item).where(_overdue_clause(today))) or 0)


@dataclass(frozen=True)
class ItemFilter:
    """Which items to list; None means "any"."""

    state: ItemState | None = None
    unit: str | None = None
    overdue: bool | None = None


def _conditions(wanted: ItemFilter, *, today: dt.date) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if wanted.state is not None:
        conditions.append(Item.state == wanted.state)
    if wanted.unit is not None:
        conditions.append(Item.owner_unit == wanted.unit)
    if wanted.overdue is True:
        conditions.append(_overdue_clause(today))
    elif wanted.overdue is False:
        conditions.append(not_(_overdue_clause(today)))
    return conditions


async def list_items(
    session: AsyncSession, *, wanted: ItemFilter, today: dt.date, limit: int = 100, offset: int = 0
) -> list[Item]:
    """Items matching `wanted`, most urgent first (earliest due date), at most `limit`."""
    query = (
        select(Item)
        .where(*_conditions(wanted, today=today))
        .order_by(Item.due_date, Item.id)
        .limit(min(limit, MAX_ITEMS_PAGE))
        .offset(offset)
    )
    return list((await session.scalars(query)).all())


@dataclass
class UnitItems:
    """How one lead unit stands: items by state, and how many open ones are late."""

    unit: str
    by_state: dict[ItemState, int] = field(default_factory=dict)
    overdue: int = 0

    @property
    def open(self) -> int:
        """Items not yet done or returned."""
        return sum(n for s, n in self.by_state.items() if s in OPEN_STATES)


async def items_by_unit(session: AsyncSession, *, today: dt.date) -> list[UnitItems]:
    """Counts per lead unit, units with the most open items first (one grouped query)."""
    late = func.sum(case((_overdue_clause(today), 1), else_=0))
    rows = await session.execute(
        select(Item.owner_unit, Item.state, func.count(), late).group_by(Item.owner_unit, Item.state)
    )
    units: dict[str, UnitItems] = {}
    for unit, state, count, overdue in rows:
        entry = units.setdefault(unit, UnitItems(unit=unit))
        entry.by_state[ItemState(state)] = int(count)
        entry.overdue += int(overdue or 0)
    return sorted(units.values(), key=lambda u: (-u.overdue, -u.open, u.unit))


async def deactivate_user(session: AsyncSession, *, user_id: int, actor: str) -> User:
    """Switch a user off at the office's request; idempotent.

    Their staff roles are revoked (each audited with what it was bound to) and they are marked
    inactive, so no broadcast reaches them and no dashboard token of theirs works. Revoking the
    roles is what makes it last: a blocked user who writes to the bot again is reactivated
    (`users.mark_active`), but only as a household; coming back as staff takes a new invite.
    History (their reports, items, audit rows) is kept.

    Raises:
        NotFound: no user has this id.
    """
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound(f"没有编号为 {user_id} 的用户。")
    for role in [r for r in user.roles if r.kind != RoleKind.HOUSEHOLD]:
        before = role_snapshot(role)
        user.roles.remove(role)
        await session.flush()
        await audit.record(session, actor=actor, action="user.role.revoke", subject=f"user:{user.id}", before=before)
    await mark_inactive(session, user=user, actor=actor, reason=OFFICE_DEACTIVATION)
    return user
