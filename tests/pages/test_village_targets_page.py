"""Targets the plan sets per village, on the dashboard in headless Chromium at a phone's width:
villages that meet it out of the villages it applies to, never a county total."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from services.db import session_scope
from tests.browser_support import DASHBOARD, page_on
from tests.dashboard_support import one_of_two_villages_reports

HEALTH, CLINIC = "m25e43f6d", "村卫生室"


async def test_a_per_village_target_shows_the_villages_that_meet_it(
    database_url: str, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    from playwright.async_api import expect

    async with session_scope(sessionmaker) as session:
        await one_of_two_villages_reports(session, HEALTH, CLINIC, 1)
    async with page_on(database_url, DASHBOARD) as (page, _):
        line = page.locator(f'.indicator[data-indicator="{CLINIC}"]')
        await expect(line).to_contain_text("1 / 2 个村达到（每村 1 所以上）", timeout=5000)
        await page.screenshot(path=str(tmp_path / "village-targets-phone.png"), full_page=True)
