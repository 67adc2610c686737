"""`/api/items`: items routed to units, filtered by state, lead unit and lateness."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from bot.http.admin.schemas import ItemOut
from bot.http.deps import OfficeDep, SessionDep
from services.models import ItemState
from services.office import MAX_ITEMS_PAGE, ItemFilter, list_items
from services.workdays import china_today

router = APIRouter(prefix="/items", tags=["items"])


@router.get("", response_model=list[ItemOut])
async def items(
    session: SessionDep,
    office: OfficeDep,
    state: ItemState | None = None,
    unit: Annotated[str | None, Query(description="牵头单位，如 县交通局")] = None,
    overdue: Annotated[bool | None, Query(description="true：只看超期未办结的；false：不含超期的")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_ITEMS_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[ItemOut]:
    """Items, earliest due date first."""
    today = china_today()
    found = await list_items(
        session, wanted=ItemFilter(state=state, unit=unit, overdue=overdue), today=today, limit=limit, offset=offset
    )
    return [ItemOut.of(i, today=today) for i in found]
