"""The dashboard's 单位通讯录 in headless Chromium at a phone's width: the office enters a unit's
number, and a household's answer gives it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.http import texts
from tests.bot_support import ADMIN_TOKEN, running_sandbox
from tests.test_chat_page import CHROMIUM, CHROMIUM_ARGS, _require_browser
from tests.test_directory import EDUCATION, MIDDLE_SCHOOL, PHONE

PHONE_WIDTH = {"width": 390, "height": 844}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_office_enters_a_number_on_the_dashboard_and_households_get_it(
    database_url: str, engine: AsyncEngine, tmp_path: Path
) -> None:
    _require_browser()
    from playwright.async_api import async_playwright, expect

    async with running_sandbox(database_url, admin_token=ADMIN_TOKEN) as sandbox, async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport=PHONE_WIDTH)
            await page.goto(f"{sandbox.base_url}/dashboard#token={ADMIN_TOKEN}")
            row = page.locator(f'#directory tr[data-unit="{EDUCATION}"]')
            await expect(row).to_contain_text(texts.DASHBOARD["directory_missing"], timeout=5000)

            await page.locator("#directory-unit").select_option(EDUCATION)
            await page.locator("#directory-phone").fill(PHONE)
            await page.get_by_role("button", name=texts.DASHBOARD["directory_save"]).click()
            await expect(row).to_contain_text(PHONE, timeout=5000)
            await page.screenshot(path=str(tmp_path / "directory-phone-width.png"), full_page=True)
        finally:
            await browser.close()

        household = await sandbox.client.create_user("郑大姐")
        await sandbox.client.send_text(household, MIDDLE_SCHOOL)
        assert PHONE in (await sandbox.client.wait_for_bot_message(household["id"]))["text"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_refused_number_is_explained_on_the_dashboard(
    database_url: str, engine: AsyncEngine, tmp_path: Path
) -> None:
    _require_browser()
    from playwright.async_api import async_playwright, expect

    async with running_sandbox(database_url, admin_token=ADMIN_TOKEN) as sandbox, async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport=PHONE_WIDTH)
            await page.goto(f"{sandbox.base_url}/dashboard#token={ADMIN_TOKEN}")
            await expect(page.locator(f'#directory tr[data-unit="{EDUCATION}"]')).to_be_visible(timeout=5000)
            await page.locator("#directory-unit").select_option(EDUCATION)
            await page.locator("#directory-phone").fill("找王主任")
            await page.get_by_role("button", name=texts.DASHBOARD["directory_save"]).click()
            await expect(page.locator("#directory-result")).to_contain_text("格式不对", timeout=5000)
        finally:
            await browser.close()
