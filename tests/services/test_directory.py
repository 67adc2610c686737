"""The office's directory of units: entered through the API or the CLI, named in every answer.

The plan names the units that answer for each measure but not how to reach them; households expect
a phone number and an address.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import texts
from bot.cli import main
from bot.telegram import render
from policy_kb import load_kb
from services import directory
from services.db import session_scope
from services.entitlements import Member, Profile, SchoolStage, compute_entitlements
from services.errors import InvalidInput, NotFound
from services.models import AuditEntry
from services.questions import Answerer
from tests.bot_support import ADMIN, Sandbox

EDUCATION, PHONE, ADDRESS, HOURS = "县教育局", "024-55012345", "新宾镇永陵街1号", "周一至周五 8:30-17:00"
OFFICE_PHONE = "024-55098765"
MIDDLE_SCHOOL = "娃上初中一年补多少钱"


async def _set(session: AsyncSession, unit: str = EDUCATION, phone: str = PHONE, **more: str) -> directory.Contact:
    return await directory.set_contact(
        session=session,
        unit=unit,
        phone=phone,
        address=more.get("address", ADDRESS),
        hours=more.get("hours", HOURS),
        actor="cli",
    )


# --- the service, on both databases -----------------------------------------------------------------


async def test_a_contact_entered_is_listed_with_its_unit(session: AsyncSession) -> None:
    await _set(session)
    lines = {line.unit: line.contact for line in await directory.directory(session=session)}
    assert lines[EDUCATION] == directory.Contact(EDUCATION, PHONE, ADDRESS, HOURS)


async def test_the_directory_lists_every_unit_of_the_plan_with_the_poverty_office_first(
    session: AsyncSession, plan_units: list[str]
) -> None:
    units = [line.unit for line in await directory.directory(session=session)]
    assert units[0] == "县扶贫办"
    assert set(units) == {"县扶贫办", *plan_units}


async def test_a_full_width_phone_typed_on_a_phone_is_kept_in_plain_digits(session: AsyncSession) -> None:
    assert (await _set(session, phone="０２４－５５０１２３４５")).phone == PHONE


async def test_a_unit_the_plan_does_not_name_is_refused_in_chinese(session: AsyncSession) -> None:
    with pytest.raises(InvalidInput, match="不是现行方案中的责任单位"):
        await _set(session, unit="县教委")


async def test_a_phone_that_is_no_number_is_refused_in_chinese(session: AsyncSession) -> None:
    with pytest.raises(InvalidInput, match="格式不对"):
        await _set(session, phone="找王主任")


async def test_an_entry_with_neither_phone_nor_address_is_refused(session: AsyncSession) -> None:
    with pytest.raises(InvalidInput, match="至少填写电话或地址"):
        await _set(session, phone="", address="")


async def test_a_second_entry_replaces_the_first(session: AsyncSession) -> None:
    await _set(session)
    await _set(session, phone=OFFICE_PHONE)
    assert (await directory.contacts_by_unit(session=session))[EDUCATION].phone == OFFICE_PHONE


async def test_a_change_is_audited_with_before_and_after(session: AsyncSession) -> None:
    await _set(session)
    await _set(session, phone=OFFICE_PHONE)
    entries = list(await session.scalars(select(AuditEntry).where(AuditEntry.action == "unit.contact")))
    assert (entries[-1].before or {}).get("phone") == PHONE


async def test_a_cleared_contact_is_gone(session: AsyncSession) -> None:
    await _set(session)
    await directory.clear_contact(session=session, unit=EDUCATION, actor="cli")
    assert EDUCATION not in await directory.contacts_by_unit(session=session)


async def test_clearing_a_unit_with_no_contact_says_so(session: AsyncSession) -> None:
    with pytest.raises(NotFound, match="还没有“县教育局”的联系方式"):
        await directory.clear_contact(session=session, unit=EDUCATION, actor="cli")


async def test_the_answerer_loads_the_directory(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    async with session_scope(sessionmaker) as session:
        await _set(session)
    assert (await Answerer.load(sessionmaker)).contacts[EDUCATION].phone == PHONE


def test_the_entitlement_check_gives_the_numbers_of_the_units_it_names() -> None:
    profile = Profile(members=[Member(school_stage=SchoolStage.JUNIOR)])
    result = compute_entitlements(kb=load_kb(), profile=profile)
    contacts = {EDUCATION: directory.Contact(EDUCATION, PHONE, "", "")}
    assert f"☎️ {EDUCATION}：电话 {PHONE}" in render.entitlements_text(result, contacts)


# --- the command line ----------------------------------------------------------------------------


def test_the_office_enters_a_contact_from_the_command_line(
    cli_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["units", "set", EDUCATION, "--phone", PHONE, "--address", ADDRESS]) == 0
    capsys.readouterr()
    main(["units", "list"])
    assert f"{EDUCATION}  电话 {PHONE}  地址 {ADDRESS}" in capsys.readouterr().out


def test_a_wrong_unit_on_the_command_line_is_a_clear_error(
    cli_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["units", "set", "县教委", "--phone", PHONE]) != 0
    assert "不是现行方案中的责任单位" in capsys.readouterr().err


# --- end to end: the API, then a household's answer in the bot -------------------------------------


async def _ask(sandbox: Sandbox, user: dict[str, Any], question: str) -> str:
    await sandbox.client.send_text(user, question)
    return (await sandbox.client.wait_for_bot_message(user["id"]))["text"]  # type: ignore[no-any-return]


async def _put(http: httpx.AsyncClient, unit: str, phone: str) -> httpx.Response:
    return await http.put(f"/api/units/{unit}", headers=ADMIN, json={"phone": phone, "hours": HOURS})


async def test_an_answer_names_the_units_number_once_the_office_entered_it(
    sandbox: Sandbox, http: httpx.AsyncClient
) -> None:
    assert (await _put(http, EDUCATION, PHONE)).status_code == 200
    user = await sandbox.client.create_user("孙大嫂")
    assert f"☎️ {EDUCATION}：电话 {PHONE}；办公时间 {HOURS}" in await _ask(sandbox, user, MIDDLE_SCHOOL)


async def test_an_answer_the_plan_does_not_cover_gives_the_poverty_offices_number(
    sandbox: Sandbox, http: httpx.AsyncClient
) -> None:
    await _put(http, "县扶贫办", OFFICE_PHONE)
    user = await sandbox.client.create_user("周大爷")
    assert OFFICE_PHONE in await _ask(sandbox, user, "今天天气怎么样")


async def test_the_contacts_button_lists_the_numbers(sandbox: Sandbox, http: httpx.AsyncClient) -> None:
    await _put(http, EDUCATION, PHONE)
    user = await sandbox.client.create_user("吴大姐", role="household")
    assert PHONE in await _ask(sandbox, user, texts.BUTTON_CONTACTS)


async def test_the_api_lists_units_without_a_contact_too(http: httpx.AsyncClient) -> None:
    units = (await http.get("/api/units", headers=ADMIN)).json()
    assert {"unit": EDUCATION, "phone": "", "address": "", "hours": "", "listed": False} in units


async def test_the_api_refuses_a_malformed_phone(http: httpx.AsyncClient) -> None:
    assert (await _put(http, EDUCATION, "找王主任")).status_code == 422


async def test_the_api_says_in_chinese_why_a_phone_is_refused(http: httpx.AsyncClient) -> None:
    assert "格式不对" in (await _put(http, EDUCATION, "找王主任")).text


async def test_the_api_asks_for_the_office(http: httpx.AsyncClient) -> None:
    response = await http.put(f"/api/units/{EDUCATION}", json={"phone": PHONE})
    assert response.status_code == 401
