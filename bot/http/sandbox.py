"""Sandbox only: the chat page's role picker registers the person through a real invite.

Picking 驻村干部 or 责任单位 on the page should show what that role sees, so the page asks for an
invite here and opens it with `/start <code>`, exactly as a deep link would: the bot's own
registration path runs, nothing is faked. Bindings are fixed demo ones: cadres serve one demo
village (recorded on first use), units are the road measure's lead unit.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel

from services.db import session_scope
from services.errors import InvalidInput
from services.invites import create_invite, parse_role
from services.models import RoleKind
from services.places import VillageRow, ensure_townships, import_villages

#: Audit actor of sandbox invites.
SANDBOX_ACTOR = "sandbox"
#: The demo village sandbox cadres serve, as (township, village).
DEMO_VILLAGE = ("新宾镇", "示范村")
#: What a sandbox invite binds each staff role to.
BINDINGS: dict[RoleKind, dict[str, Any]] = {
    RoleKind.CADRE: {"villages": [f"{DEMO_VILLAGE[0]}/{DEMO_VILLAGE[1]}"]},
    RoleKind.TOWNSHIP: {"township": DEMO_VILLAGE[0]},
    RoleKind.UNIT: {"unit": "县交通局"},
    RoleKind.OFFICE: {},
}

router = APIRouter(prefix="/sandbox", include_in_schema=False)


class InviteRequest(BaseModel):
    """The role picked on the page (`cadre`, `unit`, …)."""

    role: str


@router.post("/invite")
async def sandbox_invite(body: InviteRequest, request: Request) -> dict[str, str]:
    """A fresh invite code for a staff role, bound to the demo village or unit."""
    kind = parse_role(body.role)
    if kind not in BINDINGS:
        raise InvalidInput("群众不需要邀请码，直接发 /start 即可。")
    async with session_scope(request.app.state.sessionmaker) as session:
        await ensure_townships(session)
        if kind is RoleKind.CADRE:
            row = VillageRow(line=2, township=DEMO_VILLAGE[0], village=DEMO_VILLAGE[1])
            await import_villages(session, [row], actor=SANDBOX_ACTOR)
        invite = await create_invite(session=session, role=kind, actor=SANDBOX_ACTOR, **BINDINGS[kind])
        return {"code": invite.code}
