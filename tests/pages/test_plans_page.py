"""The dashboard's 实施方案 section in headless Chromium: next year's plan uploaded, previewed, put in force."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.http import texts
from tests.bot_support import running_sandbox
from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, require_browser
from tests.services.test_plans import HOUSING, PLAN_2019

ADMIN_TOKEN = "plans-page-token-0123456789"


async def test_the_office_uploads_previews_and_activates_next_years_plan(
    database_url: str, engine: AsyncEngine, tmp_path: Path
) -> None:
    require_browser()
    from playwright.async_api import async_playwright, expect

    plan_file = tmp_path / "新宾县2019年脱贫攻坚实施方案.txt"
    plan_file.write_text(PLAN_2019, "utf-8")
    async with running_sandbox(database_url, admin_token=ADMIN_TOKEN) as sandbox, async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page()
            await page.goto(f"{sandbox.base_url}/dashboard#token={ADMIN_TOKEN}")
            await expect(page.locator("#plans")).to_have_text(texts.DASHBOARD["no_plans"], timeout=5000)

            await page.locator("#plan-file").set_input_files(str(plan_file))
            await page.get_by_role("button", name=texts.DASHBOARD["plan_preview"]).click()
            changes = page.locator("#plan-preview .plan-changes li")
            await expect(changes).to_have_text(
                [
                    "变化（安居扶贫巩固提升工程）：D级危房改造补助：每户 40000 元（4万元），"
                    "一次性补助 → D级危房改造补助：每户 50000 元（5万元），一次性补助"
                ],
                timeout=5000,
            )
            await page.screenshot(path=str(tmp_path / "plans-preview.png"), full_page=True)

            await (
                page.locator("#plans tr[data-plan]")
                .get_by_role("button", name=texts.DASHBOARD["plan_activate"])
                .click()
            )
            await expect(page.locator("#plans tr[data-plan] strong")).to_have_text(
                texts.DASHBOARD["plan_in_force"], timeout=5000
            )
        finally:
            await browser.close()

        household = await sandbox.client.create_user("王大爷")
        await sandbox.client.send_text(household, HOUSING)
        assert "50000 元" in (await sandbox.client.wait_for_bot_message(household["id"]))["text"]
