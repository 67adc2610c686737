"""Targets the plan sets per village, on the dashboard in headless Chromium at a phone's width:
villages that meet it out of the villages it applies to, never a county total."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from policy_kb import load_kb
from services.db import session_scope
from services.models import RoleKind
from services.reports import submit_report
from tests.bot_support import ADMIN_TOKEN, running_sandbox
from tests.people_support import person, village
from tests.test_chat_page import CHROMIUM, CHROMIUM_ARGS, _require_browser

PHONE_WIDTH = {"width": 390, "height": 844}
HEALTH, CLINIC = "m25e43f6d", "村卫生室"


async def _one_of_two_villages_has_a_clinic(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    async with session_scope(sessionmaker) as session:
        first = await village(session, "永陵镇", "永陵村")
        second = await village(session, "新宾镇", "腰站村")
        cadre = await person(session, 1, RoleKind.CADRE, villages=[first, second])
        await submit_report(
            session,
            load_kb(),
            reporter=cadre,
            measure_id=HEALTH,
            indicator=CLINIC,
            village_id=first.id,
            quantity=1,
            actor="telegram:1",
        )


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_per_village_target_shows_the_villages_that_meet_it(
    database_url: str, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    _require_browser()
    from playwright.async_api import async_playwright, expect

    await _one_of_two_villages_has_a_clinic(sessionmaker)
    async with running_sandbox(database_url, admin_token=ADMIN_TOKEN) as sandbox, async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport=PHONE_WIDTH)
            await page.goto(f"{sandbox.base_url}/dashboard#token={ADMIN_TOKEN}")
            line = page.locator(f'.indicator[data-indicator="{CLINIC}"]')
            await expect(line).to_contain_text("1 / 2 个村达到（每村 1 所以上）", timeout=5000)
            await page.screenshot(path=str(tmp_path / "village-targets-phone.png"), full_page=True)
        finally:
            await browser.close()
