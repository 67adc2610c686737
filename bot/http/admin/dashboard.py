"""`/api/dashboard`: the figures the dashboard page draws, in one request."""

from __future__ import annotations

from fastapi import APIRouter

from bot.http.admin.schemas import DashboardOut
from bot.http.deps import KbDep, OfficeDep, SessionDep
from services.dashboard import overview
from services.workdays import china_today

router = APIRouter(prefix="/dashboard", tags=["dashboard"])


@router.get("", response_model=DashboardOut)
async def dashboard(session: SessionDep, kb: KbDep, office: OfficeDep) -> DashboardOut:
    """Progress on every target (county and per township), items per unit, changes waiting, recent broadcasts."""
    return DashboardOut.of(await overview(session, kb, today=china_today()))
