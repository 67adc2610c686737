"""The dashboard's 单位通讯录 in headless Chromium at a phone's width: the office enters a unit's
number, and a household's answer gives it."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.http import texts
from tests.browser_support import DASHBOARD, page_on
from tests.services.test_directory import EDUCATION, MIDDLE_SCHOOL, PHONE

SAVE = texts.DASHBOARD["directory_save"]


async def test_the_office_enters_a_number_on_the_dashboard_and_households_get_it(
    database_url: str, engine: AsyncEngine, tmp_path: Path
) -> None:
    from playwright.async_api import expect

    async with page_on(database_url, DASHBOARD) as (page, sandbox):
        row = page.locator(f'#directory tr[data-unit="{EDUCATION}"]')
        await expect(row).to_contain_text(texts.DASHBOARD["directory_missing"], timeout=5000)
        await page.locator("#directory-unit").select_option(EDUCATION)
        await page.locator("#directory-phone").fill(PHONE)
        await page.get_by_role("button", name=SAVE).click()
        await expect(row).to_contain_text(PHONE, timeout=5000)
        await page.screenshot(path=str(tmp_path / "directory-phone-width.png"), full_page=True)

        household = await sandbox.client.create_user("郑大姐")
        await sandbox.client.send_text(household, MIDDLE_SCHOOL)
        assert PHONE in (await sandbox.client.wait_for_bot_message(household["id"]))["text"]


async def test_a_refused_number_is_explained_on_the_dashboard(database_url: str, engine: AsyncEngine) -> None:
    from playwright.async_api import expect

    async with page_on(database_url, DASHBOARD) as (page, _):
        await expect(page.locator(f'#directory tr[data-unit="{EDUCATION}"]')).to_be_visible(timeout=5000)
        await page.locator("#directory-unit").select_option(EDUCATION)
        await page.locator("#directory-phone").fill("找王主任")
        await page.get_by_role("button", name=SAVE).click()
        await expect(page.locator("#directory-result")).to_contain_text("格式不对", timeout=5000)
