"""The sandbox chat page in headless Chromium (Debian's package, driven by Playwright; nothing is downloaded)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import texts
from tests.bot_support import running_sandbox

#: Debian's chromium; Playwright's own browser downloads are never used.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def _require_browser() -> None:
    reason = ""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing (apt-get install chromium)"
    else:
        try:
            import playwright.async_api  # noqa: F401
        except ImportError:
            reason = "the playwright Python package is not installed"
    if reason:
        if os.environ.get("FUPIN_TEST_REQUIRE_ALL") == "1":
            pytest.fail(f"{reason} (FUPIN_TEST_REQUIRE_ALL=1 makes the browser test mandatory)", pytrace=False)
        pytest.skip(reason)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_person_asks_on_the_chat_page_and_sees_the_answer(
    database_url: str, engine: AsyncEngine, tmp_path: Path
) -> None:
    _require_browser()
    from playwright.async_api import async_playwright, expect

    async with running_sandbox(database_url) as sandbox, async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page()
            await page.goto(sandbox.base_url + "/")
            await page.get_by_role("button", name=texts.SANDBOX_ROLE_NAMES["household"]).click()
            messages = page.locator("#messages")
            await expect(messages).to_contain_text("新宾扶贫助手", timeout=5000)
            # the reply keyboard is drawn; pressing a button sends its label
            await page.locator("#keyboard").get_by_role("button", name=texts.BUTTON_CONTACTS).click()
            await expect(messages).to_contain_text("县民政局", timeout=5000)
            await page.locator("#input").fill("初中生一年补助多少")
            await page.locator("#send").click()
            await expect(messages.locator(".msg.bot").last).to_contain_text("1250", timeout=5000)
            await page.screenshot(path=str(tmp_path / "chat.png"), full_page=True)
        finally:
            await browser.close()
