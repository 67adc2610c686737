"""`/api/users`: who is registered, in which roles; switching a user off."""

from __future__ import annotations

from fastapi import APIRouter

from bot.http.admin.schemas import UserOut
from bot.http.deps import OfficeDep, SessionDep
from services.office import deactivate_user
from services.users import list_users

router = APIRouter(prefix="/users", tags=["users"])


@router.get("", response_model=list[UserOut])
async def users(session: SessionDep, office: OfficeDep) -> list[UserOut]:
    """Every registered user with their roles, oldest first."""
    return [UserOut.of(u) for u in await list_users(session)]


@router.post("/{user_id}/deactivate", response_model=UserOut)
async def deactivate(user_id: int, session: SessionDep, office: OfficeDep) -> UserOut:
    """Switch a user off: no more access or deliveries; history is kept. Repeating it changes nothing."""
    return UserOut.of(await deactivate_user(session, user_id=user_id, actor=office.actor))
