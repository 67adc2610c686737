"""`/api/broadcasts`: notices to audiences, and how each was delivered."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from bot.http.admin.schemas import BroadcastIn, BroadcastOut
from bot.http.deps import OfficeDep, SessionDep
from services.broadcasts import create_broadcast
from services.dashboard import broadcast_line, broadcast_lines
from services.places import find_township

router = APIRouter(prefix="/broadcasts", tags=["broadcasts"])

#: Most broadcasts one list call returns.
MAX_BROADCASTS = 100


@router.get("", response_model=list[BroadcastOut])
async def broadcasts(
    session: SessionDep, office: OfficeDep, limit: Annotated[int, Query(ge=1, le=MAX_BROADCASTS)] = 20
) -> list[BroadcastOut]:
    """The latest broadcasts, newest first, with delivered / failed (and why) / pending counts."""
    return [BroadcastOut.of(line) for line in await broadcast_lines(session, limit=limit)]


@router.post("", response_model=BroadcastOut, status_code=status.HTTP_201_CREATED)
async def create(body: BroadcastIn, session: SessionDep, office: OfficeDep) -> BroadcastOut:
    """Queue a notice to an audience, now or at `scheduled_at`; the outbox delivers it within Telegram's limits.

    When an office user sends it, the delivery report goes to their Telegram chat as well.
    """
    township = await find_township(session, name=body.township) if body.township else None
    broadcast = await create_broadcast(
        session,
        text=body.text,
        audience=body.audience,
        township_id=township.id if township else None,
        scheduled_at=body.scheduled_at,
        created_by=office.actor,
        report_chat_id=office.user.telegram_user_id if office.user else None,
    )
    return BroadcastOut.of(await broadcast_line(session, broadcast))
