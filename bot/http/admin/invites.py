"""`/api/invites`: issue invite links and see which were used."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, status

from bot.http.admin.schemas import InviteIn, InviteOut
from bot.http.deps import OfficeDep, SessionDep, SettingsDep
from services.invites import create_invite, list_invites
from services.models import utcnow

router = APIRouter(prefix="/invites", tags=["invites"])


@router.post("", response_model=InviteOut, status_code=status.HTTP_201_CREATED)
async def issue(body: InviteIn, session: SessionDep, settings: SettingsDep, office: OfficeDep) -> InviteOut:
    """A single-use invite link for a role; a wrong village, township or unit gets 422 naming the choices.

    With an office user's token the invite expires no later than the token, and an office invite is 403.
    """
    invite = await create_invite(
        session=session,
        role=body.role,
        villages=body.villages,
        township=body.township,
        unit=body.unit,
        ttl=dt.timedelta(days=body.ttl_days) if body.ttl_days else None,
        actor=office.actor,
        issuer=office,
    )
    return InviteOut.of(invite, bot_username=settings.bot_username, now=utcnow())


@router.get("", response_model=list[InviteOut])
async def invites(session: SessionDep, settings: SettingsDep, office: OfficeDep) -> list[InviteOut]:
    """The latest invites, newest first, each open, used or expired."""
    now = utcnow()
    return [InviteOut.of(i, bot_username=settings.bot_username, now=now) for i in await list_invites(session)]
