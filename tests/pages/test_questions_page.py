"""The dashboard's "群众问了什么" section in headless Chromium: a household's question, fixed from the page."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.http import texts
from policy_kb import load_kb
from policy_kb import texts as kb_texts
from tests.bot_support import running_sandbox
from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, require_browser
from tests.e2e.test_questions_e2e import HOUSING_FIGURE, HOUSING_GRANT, HUT, HUT_PHRASE, kept_groups

ADMIN_TOKEN = "questions-page-token-0123456789"


async def test_the_office_attaches_a_phrase_from_the_dashboard_and_the_bot_answers(
    database_url: str, engine: AsyncEngine
) -> None:
    require_browser()
    from playwright.async_api import async_playwright, expect

    async with running_sandbox(database_url, admin_token=ADMIN_TOKEN) as sandbox, async_playwright() as pw:
        household = await sandbox.client.create_user("赵大娘")
        await sandbox.client.send_text(household, HUT)
        reply = await sandbox.client.wait_for_bot_message(household["id"])
        assert kb_texts.not_covered(load_kb().source) in reply["text"]
        async with httpx.AsyncClient(base_url=sandbox.base_url, trust_env=False) as http:
            await kept_groups(http, {"Authorization": f"Bearer {ADMIN_TOKEN}"}, at_least=1)

        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page()
            await page.goto(f"{sandbox.base_url}/dashboard#token={ADMIN_TOKEN}")
            group = page.locator('#questions tr[data-group="0"]')
            await expect(group.locator("td").first).to_have_text(HUT, timeout=5000)

            # A figure is refused in the page's words, and nothing is attached.
            await group.locator("input.phrase").fill("马架子给四万")
            await group.locator("select.entry").select_option(HOUSING_GRANT)
            await group.get_by_role("button", name=texts.DASHBOARD["attach"]).click()
            await expect(group.locator(".result")).to_contain_text("短语不能包含数字或金额", timeout=5000)

            await group.locator("input.phrase").fill(HUT_PHRASE)
            await group.get_by_role("button", name=texts.DASHBOARD["attach"]).click()
            await expect(group.locator(".result")).to_contain_text(f"已添加“{HUT_PHRASE}”", timeout=5000)
        finally:
            await browser.close()

        await sandbox.client.send_text(household, HUT)
        assert HOUSING_FIGURE in (await sandbox.client.wait_for_bot_message(household["id"]))["text"]
