"""The sandbox chat page in headless Chromium (Debian's package, driven by Playwright; nothing is downloaded)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import texts
from bot.http.app import EMULATOR_PREFIX
from tests.bot_support import Sandbox, running_sandbox
from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, page_on, require_browser


async def test_a_person_asks_on_the_chat_page_and_sees_the_answer(
    database_url: str, engine: AsyncEngine, tmp_path: Path
) -> None:
    require_browser()
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


async def _page_test(database_url: str, steps: Callable[[Any, Sandbox], Awaitable[None]]) -> None:
    """Open the chat page in headless Chromium at a phone's width and run `steps` on it."""
    async with page_on(database_url, "/") as (page, sandbox):
        await steps(page, sandbox)


async def _as_household(page: Any) -> Any:
    from playwright.async_api import expect

    await page.get_by_role("button", name=texts.SANDBOX_ROLE_NAMES["household"]).click()
    messages = page.locator("#messages")
    await expect(messages).to_contain_text("新宾扶贫助手", timeout=5000)
    return messages


async def test_before_a_role_is_picked_there_is_nothing_to_type_into(database_url: str, engine: AsyncEngine) -> None:
    async def steps(page: Any, sandbox: Sandbox) -> None:
        from playwright.async_api import expect

        await expect(page.get_by_role("button", name=texts.SANDBOX_ROLE_NAMES["household"])).to_be_visible()
        await expect(page.locator("#input")).to_be_hidden()

    await _page_test(database_url, steps)


async def test_the_slash_button_lists_the_bots_commands_and_sends_one(database_url: str, engine: AsyncEngine) -> None:
    async def steps(page: Any, sandbox: Sandbox) -> None:
        from playwright.async_api import expect

        messages = await _as_household(page)
        await page.locator("#menu-button").click()
        await expect(page.locator("#commands")).to_contain_text("/help")
        await page.locator("#commands").get_by_role("button", name="/help").click()
        await expect(messages.locator(".msg.user").last).to_have_text("/help", timeout=5000)

    await _page_test(database_url, steps)


async def test_a_deep_link_start_shows_as_start_without_the_invite_code(database_url: str, engine: AsyncEngine) -> None:
    async def steps(page: Any, sandbox: Sandbox) -> None:
        from playwright.async_api import expect

        await page.get_by_role("button", name=texts.SANDBOX_ROLE_NAMES["cadre"]).click()
        first = page.locator("#messages .msg.user").first
        await expect(first).to_have_text("/start", timeout=5000)

    await _page_test(database_url, steps)


async def test_a_link_the_bot_sends_can_be_clicked(database_url: str, engine: AsyncEngine) -> None:
    async def steps(page: Any, sandbox: Sandbox) -> None:
        from playwright.async_api import expect

        await page.get_by_role("button", name=texts.SANDBOX_ROLE_NAMES["office"]).click()
        await expect(page.locator("#messages .msg.bot").first).to_be_visible(timeout=5000)
        await page.locator("#input").fill("/dashboard")
        await page.locator("#send").click()
        await expect(page.locator('#messages a[href*="/dashboard"]')).to_be_visible(timeout=5000)

    await _page_test(database_url, steps)


async def test_a_message_the_bot_deletes_disappears(database_url: str, engine: AsyncEngine) -> None:
    async def steps(page: Any, sandbox: Sandbox) -> None:
        from playwright.async_api import expect

        messages = await _as_household(page)
        await page.locator("#input").fill("210422198001011236")
        await page.locator("#send").click()
        mine = messages.locator(".msg.user").last
        await expect(mine).to_have_text("210422198001011236", timeout=5000)
        message_id = await mine.get_attribute("data-message-id")
        bot = sandbox.state.resolve_bot(None)
        user = next(iter(sandbox.state.users.values()))
        async with httpx.AsyncClient(base_url=sandbox.base_url, trust_env=False) as http:
            url = f"{EMULATOR_PREFIX}/bot{bot.token}/deleteMessage"
            deleted = await http.post(url, json={"chat_id": user.id, "message_id": int(message_id or 0)})
        assert deleted.json()["ok"] is True
        await expect(messages).not_to_contain_text("210422198001011236", timeout=5000)

    await _page_test(database_url, steps)


async def test_after_a_restart_the_page_asks_for_a_role_again_in_chinese(
    database_url: str, engine: AsyncEngine
) -> None:
    async def steps(page: Any, sandbox: Sandbox) -> None:
        from playwright.async_api import expect

        await _as_household(page)
        sandbox.state.users.clear()  # what a restart of `make run` leaves: nobody it knew
        await page.locator("#input").fill("初中生一年补助多少")
        await page.locator("#send").click()
        await expect(page.locator("#toast")).to_have_text(texts.SANDBOX_PAGE["restarted"], timeout=5000)
        await expect(page.get_by_role("button", name=texts.SANDBOX_ROLE_NAMES["household"])).to_be_visible()

    await _page_test(database_url, steps)


async def test_the_inputs_hint_follows_the_keyboard_shown_now(database_url: str, engine: AsyncEngine) -> None:
    """The menu's hint ("请点下面的菜单按钮") goes once a step's keyboard, which has none, replaces it."""

    async def steps(page: Any, sandbox: Sandbox) -> None:
        from playwright.async_api import expect

        await page.get_by_role("button", name=texts.SANDBOX_ROLE_NAMES["cadre"]).click()
        await expect(page.locator("#input")).to_have_attribute("placeholder", texts.ROLE_MENU_PLACEHOLDER, timeout=5000)
        await page.locator("#keyboard").get_by_role("button", name=texts.BUTTON_REPORT).click()
        await expect(page.locator("#input")).to_have_attribute(
            "placeholder", texts.SANDBOX_PAGE["placeholder"], timeout=5000
        )

    await _page_test(database_url, steps)
