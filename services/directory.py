"""The office's directory of units: how households reach the units the plan names.

The plan says which unit answers for a measure but not how to reach it. The office keeps each
unit's phone, address and office hours here; every answer that names a unit gives them when the
directory has them. Only units the plan in force names (and the poverty office itself) can be
entered, so a typo never becomes a unit nobody routes to. Changes are audited and make every
running bot reload (answers render from the directory it loaded).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from policy_kb.texts import OFFICE
from services import audit
from services.errors import InvalidInput, NotFound
from services.models import UnitContact, utcnow
from services.plans import kb_in_force
from services.reloads import request_reload

#: Longest phone, address and office hours kept (the columns' sizes).
PHONE_MAX, ADDRESS_MAX, HOURS_MAX = 40, 100, 60
#: A phone number as offices write them: digits with area code, dashes, spaces, an extension.
_PHONE_RE = re.compile(r"^\+?[0-9][0-9 \-()转]*$")
#: Fewest digits a reachable number has (a local number without area code has 7).
_PHONE_MIN_DIGITS = 7

UNIT_UNKNOWN = "“{unit}”不是现行方案中的责任单位，请从列表中选择（例如：{example}）。"
CONTACT_EMPTY = "请至少填写电话或地址中的一项。"
PHONE_INVALID = "电话“{phone}”格式不对：只能包含数字、空格、“-”和分机的“转”，至少 7 位数字，例如 024-55012345。"
FIELD_TOO_LONG = "{field}太长（最多 {limit} 个字），请删减后再试。"
CONTACT_MISSING = "通讯录里还没有“{unit}”的联系方式。"
FIELD_NAMES = {"phone": "电话", "address": "地址", "hours": "办公时间"}


@dataclass(frozen=True)
class Contact:
    """One unit's way in; empty strings where the office entered nothing."""

    unit: str
    phone: str
    address: str
    hours: str


@dataclass(frozen=True)
class DirectoryLine:
    """A unit the plan names, with its contact when the office entered one."""

    unit: str
    contact: Contact | None


async def directory(*, session: AsyncSession) -> list[DirectoryLine]:
    """Every unit the plan in force names (the poverty office first), with its contact."""
    contacts = await contacts_by_unit(session=session)
    return [DirectoryLine(unit, contacts.get(unit)) for unit in await _known_units(session)]


async def contacts_by_unit(*, session: AsyncSession) -> dict[str, Contact]:
    """The contacts the office entered, by unit name, as the faces render them."""
    rows = await session.scalars(select(UnitContact).order_by(UnitContact.unit))
    return {row.unit: _contact(row) for row in rows}


async def set_contact(*, session: AsyncSession, unit: str, phone: str, address: str, hours: str, actor: str) -> Contact:
    """Enter or replace a unit's phone, address and office hours; audited, and every bot reloads.

    Raises:
        InvalidInput: the unit is not one the plan in force names, nothing to reach it by was
            given, the phone is not a phone number, or a field is too long.
    """
    units = await _known_units(session)
    unit = unit.strip()
    if unit not in units:
        raise InvalidInput(UNIT_UNKNOWN.format(unit=unit, example="、".join(units[:3])), choices=units)
    fields = {"phone": _clean(phone), "address": _clean(address), "hours": _clean(hours)}
    if not fields["phone"] and not fields["address"]:
        raise InvalidInput(CONTACT_EMPTY)
    for name, limit in (("phone", PHONE_MAX), ("address", ADDRESS_MAX), ("hours", HOURS_MAX)):
        if len(fields[name]) > limit:
            raise InvalidInput(FIELD_TOO_LONG.format(field=FIELD_NAMES[name], limit=limit))
    if fields["phone"] and not _is_phone(fields["phone"]):
        raise InvalidInput(PHONE_INVALID.format(phone=fields["phone"]))
    row = await session.scalar(select(UnitContact).where(UnitContact.unit == unit))
    before = _snapshot(row) if row is not None else None
    if row is None:
        row = UnitContact(unit=unit, updated_by=actor)
        session.add(row)
    row.phone, row.address, row.hours = fields["phone"], fields["address"], fields["hours"]
    row.updated_by, row.updated_at = actor, utcnow()
    await session.flush()
    await audit.record(
        session, actor=actor, action="unit.contact", subject=f"unit:{unit}", before=before, after=_snapshot(row)
    )
    await request_reload(session=session, actor=actor)
    return _contact(row)


async def clear_contact(*, session: AsyncSession, unit: str, actor: str) -> None:
    """Take a unit's contact out of the directory; audited, and every bot reloads.

    Raises:
        NotFound: the directory has none for it.
    """
    row = await session.scalar(select(UnitContact).where(UnitContact.unit == unit.strip()))
    if row is None:
        raise NotFound(CONTACT_MISSING.format(unit=unit.strip()))
    before = _snapshot(row)
    await session.delete(row)
    await session.flush()
    await audit.record(session, actor=actor, action="unit.contact", subject=f"unit:{row.unit}", before=before)
    await request_reload(session=session, actor=actor)


async def _known_units(session: AsyncSession) -> list[str]:
    """The units an entry may be for: the poverty office, then the plan's units in order."""
    units = (await kb_in_force(session=session)).all_units()
    return [OFFICE, *(u for u in units if u != OFFICE)]


def _clean(value: str) -> str:
    """NFKC (full-width digits and dashes as typed on a phone), spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", value or "").split())


def _is_phone(phone: str) -> bool:
    return bool(_PHONE_RE.match(phone)) and sum(ch.isdigit() for ch in phone) >= _PHONE_MIN_DIGITS


def _contact(row: UnitContact) -> Contact:
    return Contact(row.unit, row.phone, row.address, row.hours)


def _snapshot(row: UnitContact) -> dict[str, str]:
    """What the audit log keeps: an office's public contact, no personal data."""
    return {"phone": row.phone, "address": row.address, "hours": row.hours}
