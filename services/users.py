"""People and their roles: finding users, granting a role with its binding, listing who is registered."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services import audit
from services.masking import mask_name
from services.models import Role, RoleKind, Township, User, Village

log = logging.getLogger(__name__)

#: Chinese name of each role, for messages; every face uses these words.
ROLE_LABELS: dict[RoleKind, str] = {
    RoleKind.HOUSEHOLD: "贫困户",
    RoleKind.CADRE: "驻村干部",
    RoleKind.TOWNSHIP: "乡镇干部",
    RoleKind.UNIT: "责任单位",
    RoleKind.OFFICE: "县扶贫办",
}


#: Longest display name the column holds. Telegram's first and last names may each be 64
#: characters, so a full name reaches 129 with the space between them.
MAX_DISPLAY_NAME = 128


def fit_display_name(name: str) -> str:
    """A Telegram name as stored: stripped and cut to the column (PostgreSQL refuses a longer one)."""
    return name.strip()[:MAX_DISPLAY_NAME]


def user_snapshot(user: User) -> dict[str, Any]:
    """The user's fields as the audit log keeps them — the display name masked."""
    return {
        "telegram_user_id": user.telegram_user_id,
        "display_name": mask_name(user.display_name),
        "active": user.active,
    }


def role_snapshot(role: Role) -> dict[str, Any]:
    """A role and its binding as the audit log keeps them."""
    return {
        "kind": role.kind.value,
        "villages": [v.full_name for v in role.villages],
        "township": role.township.name if role.township else None,
        "unit": role.unit,
    }


async def find_user(session: AsyncSession, *, telegram_user_id: int) -> User | None:
    """The user with this Telegram id, roles loaded, or None when they never registered."""
    return await session.scalar(select(User).where(User.telegram_user_id == telegram_user_id))


async def list_users(session: AsyncSession) -> list[User]:
    """Every user with their roles, oldest registration first."""
    return list((await session.scalars(select(User).order_by(User.id))).all())


async def get_or_create_user(session: AsyncSession, *, telegram_user_id: int, display_name: str, actor: str) -> User:
    """The user with this Telegram id, created if new; a changed display name is kept up to date.

    The name is Telegram's, of any length: it is fitted to the column here (`fit_display_name`).
    """
    display_name = fit_display_name(display_name)
    user = await find_user(session, telegram_user_id=telegram_user_id)
    if user is None:
        user = User(telegram_user_id=telegram_user_id, display_name=display_name, roles=[])
        session.add(user)
        await session.flush()
        await audit.record(
            session, actor=actor, action="user.create", subject=f"user:{user.id}", after=user_snapshot(user)
        )
        log.info("user %s created (%s)", user.id, mask_name(display_name))
    elif display_name and user.display_name != display_name:
        before = user_snapshot(user)
        user.display_name = display_name
        await audit.record(
            session,
            actor=actor,
            action="user.rename",
            subject=f"user:{user.id}",
            before=before,
            after=user_snapshot(user),
        )
    return user


async def grant_role(
    session: AsyncSession,
    *,
    user: User,
    kind: RoleKind,
    villages: Sequence[Village] = (),
    township: Township | None = None,
    unit: str | None = None,
    actor: str,
) -> Role:
    """Give `user` the role `kind` with its binding; a user holds one role per kind.

    A cadre who already has villages gains the new ones (a cadre may serve several villages and
    receive invites one at a time); a township officer or unit staff member is re-bound to the
    new township or unit. A deactivated user is reactivated: an invite is a deliberate re-admission.
    """
    role = user.role(kind)
    before = role_snapshot(role) if role else None
    if role is None:
        role = Role(kind=kind, villages=list(villages), township=township, unit=unit)
        user.roles.append(role)
    elif kind == RoleKind.CADRE:
        role.villages = role.villages + [v for v in villages if v not in role.villages]
    else:
        role.township, role.unit = township, unit
    if not user.active:
        user.active = True
        await audit.record(
            session,
            actor=actor,
            action="user.reactivate",
            subject=f"user:{user.id}",
            after=user_snapshot(user),
        )
    await session.flush()
    after = role_snapshot(role)
    if after != before:
        await audit.record(
            session,
            actor=actor,
            action="user.role.grant",
            subject=f"user:{user.id}",
            before=before,
            after=after,
        )
    return role


async def mark_inactive(session: AsyncSession, *, user: User, actor: str, reason: str) -> bool:
    """Record that messages no longer reach `user` (they blocked the bot, or deleted their account).

    The user and their roles stay: history keeps its names, and the next /start makes them
    reachable again (`mark_active`). Broadcasts skip inactive users.

    Returns:
        Whether anything changed (False when they were already inactive).
    """
    if not user.active:
        return False
    before = user_snapshot(user)
    user.active = False
    await session.flush()
    after = {**user_snapshot(user), "reason": reason}
    await audit.record(
        session, actor=actor, action="user.deactivate", subject=f"user:{user.id}", before=before, after=after
    )
    log.info("user %s marked inactive: %s", user.id, reason)
    return True


async def mark_active(session: AsyncSession, *, user: User, actor: str) -> bool:
    """Record that `user` is reachable again (they wrote to the bot after blocking it).

    Returns:
        Whether anything changed.
    """
    if user.active:
        return False
    before = user_snapshot(user)
    user.active = True
    await session.flush()
    after = user_snapshot(user)
    await audit.record(
        session, actor=actor, action="user.reactivate", subject=f"user:{user.id}", before=before, after=after
    )
    return True
