"""`/api/units`: the office's directory of units — how households reach each unit the plan names.

Every change is audited and reloads this process's answers at once (other bots within 30 s); a
unit the plan in force does not name, a malformed phone or an empty entry is a 422 with the
Chinese message.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from bot.http.deps import OfficeDep, SessionDep, reload_now
from services.directory import ADDRESS_MAX, HOURS_MAX, PHONE_MAX, clear_contact, directory, set_contact

router = APIRouter(tags=["units"])


class ContactIn(BaseModel):
    """A unit's way in; phone or address at least."""

    phone: str = Field(default="", max_length=PHONE_MAX)
    address: str = Field(default="", max_length=ADDRESS_MAX)
    hours: str = Field(default="", max_length=HOURS_MAX)


class UnitOut(BaseModel):
    """A unit the plan names, with its contact (empty strings where none is entered)."""

    unit: str
    phone: str
    address: str
    hours: str
    listed: bool


@router.get("/units", response_model=list[UnitOut])
async def units(session: SessionDep, office: OfficeDep) -> list[UnitOut]:
    """Every unit the plan in force names, the poverty office first; `listed` when it has a contact."""
    return [
        UnitOut(unit=line.unit, phone=c.phone, address=c.address, hours=c.hours, listed=True)
        if (c := line.contact)
        else UnitOut(unit=line.unit, phone="", address="", hours="", listed=False)
        for line in await directory(session=session)
    ]


@router.put("/units/{unit}", response_model=UnitOut)
async def put_contact(unit: str, body: ContactIn, request: Request, session: SessionDep, office: OfficeDep) -> UnitOut:
    """Enter or replace a unit's contact (audited); answers name it at once here, within 30 s elsewhere."""
    contact = await set_contact(
        session=session, unit=unit, phone=body.phone, address=body.address, hours=body.hours, actor=office.actor
    )
    await reload_now(request, session)
    return UnitOut(unit=contact.unit, phone=contact.phone, address=contact.address, hours=contact.hours, listed=True)


@router.delete("/units/{unit}", status_code=204)
async def delete_contact(unit: str, request: Request, session: SessionDep, office: OfficeDep) -> None:
    """Take a unit's contact out (audited; 404 when it has none)."""
    await clear_contact(session=session, unit=unit, actor=office.actor)
    await reload_now(request, session)
