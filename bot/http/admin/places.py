"""`/api/places`: the county's townships and villages, and importing a village list."""

from __future__ import annotations

from fastapi import APIRouter

from bot.http.admin.schemas import ImportOut, TownshipOut, VillageOut, VillagesIn
from bot.http.deps import OfficeDep, SessionDep
from services.places import VillageRow, import_villages, list_townships, list_villages, village_counts

router = APIRouter(prefix="/places", tags=["places"])


@router.get("/townships", response_model=list[TownshipOut])
async def townships(session: SessionDep, office: OfficeDep) -> list[TownshipOut]:
    """The 15 townships, with how many villages each has on record."""
    counts = await village_counts(session)
    return [TownshipOut.of(t, villages=counts.get(t.id, 0)) for t in await list_townships(session)]


@router.get("/villages", response_model=list[VillageOut])
async def villages(session: SessionDep, office: OfficeDep, township: str | None = None) -> list[VillageOut]:
    """The villages on record, optionally of one township (an unknown township gets 422 with the choices)."""
    return [VillageOut.of(v) for v in await list_villages(session, township=township)]


@router.post("/villages", response_model=ImportOut)
async def import_(body: VillagesIn, session: SessionDep, office: OfficeDep) -> ImportOut:
    """Add villages, all or nothing; those already recorded are counted, not duplicated.

    A bad line gets 422 whose `problems` name each line (numbered from 1).
    """
    rows = [VillageRow(line=n, township=v.township, village=v.village) for n, v in enumerate(body.villages, 1)]
    result = await import_villages(session, rows, actor=office.actor)
    return ImportOut(created=result.created, existing=result.existing)
