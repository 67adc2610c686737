"""Villages and people holding a role, recorded through the services, for service-level tests."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services import audit
from services.models import RoleKind, Township, User, Village
from services.places import VillageRow, import_villages
from services.users import get_or_create_user, grant_role


async def village(session: AsyncSession, township: str, name: str) -> Village:
    """The village `township/name`, imported if new."""
    await import_villages(session, [VillageRow(line=2, township=township, village=name)])
    found = await session.scalar(
        select(Village).join(Village.township).where(Township.name == township, Village.name == name)
    )
    assert found is not None
    return found


async def township(session: AsyncSession, name: str) -> Township:
    found = await session.scalar(select(Township).where(Township.name == name))
    assert found is not None
    return found


async def person(
    session: AsyncSession,
    telegram_user_id: int,
    kind: RoleKind,
    *,
    villages: list[Village] | None = None,
    township: Township | None = None,
    unit: str | None = None,
) -> User:
    """A user registered in one role, as an invite would leave them."""
    user = await get_or_create_user(
        session, telegram_user_id=telegram_user_id, display_name=f"用户{telegram_user_id}", actor=audit.CLI_ACTOR
    )
    await grant_role(
        session, user=user, kind=kind, villages=villages or [], township=township, unit=unit, actor=audit.CLI_ACTOR
    )
    return user
