"""The office's dashboard in headless Chromium (Debian's package, driven by Playwright; nothing is downloaded)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.http import texts
from tests.bot_support import running_sandbox
from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, DASHBOARD, PHONE, page_on, require_browser
from tests.dashboard_support import ROAD_INDICATOR, seed_county

ADMIN_TOKEN = "page-admin-token-0123456789"


async def test_the_office_signs_in_and_sees_every_target_with_nothing_fetched_from_outside(
    database_url: str, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    require_browser()
    from playwright.async_api import async_playwright, expect

    await seed_county(sessionmaker)
    requested: list[str] = []
    async with running_sandbox(database_url, admin_token=ADMIN_TOKEN) as sandbox, async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(accept_downloads=True)
            page.on("request", lambda request: requested.append(request.url))
            await page.goto(sandbox.base_url + "/dashboard")

            # A wrong token is refused with the page's own words, and the form stays.
            await page.locator("#token").fill("not-the-token")
            await page.locator("#sign-in-button").click()
            await expect(page.locator("#sign-in-error")).to_have_text(texts.DASHBOARD["bad_token"], timeout=5000)

            await page.locator("#token").fill(ADMIN_TOKEN)
            await page.locator("#sign-in-button").click()
            road = page.get_by_role("progressbar", name=ROAD_INDICATOR, exact=True)
            await expect(road).to_have_attribute("aria-valuenow", "50", timeout=5000)
            await expect(road).to_contain_text("50%")
            line = page.locator(f'.indicator[data-indicator="{ROAD_INDICATOR}"]')
            await expect(line).to_contain_text("53 / 106 公里")
            await line.locator("summary").click()
            await expect(page.get_by_role("progressbar", name=f"{ROAD_INDICATOR} 永陵镇")).to_be_visible()

            transport = page.locator('#units tr[data-unit="县交通局"] td')
            await expect(transport.nth(3)).to_have_text("2")  # 已超期
            await expect(page.locator('#changes tr[data-stage="village_review"] td').nth(1)).to_have_text("1")
            await expect(page.locator("#broadcasts")).to_contain_text("全部驻村干部")

            async with page.expect_download() as info:
                await page.locator('[data-export="progress.xlsx"]').click()
            download = await info.value
            assert download.suggested_filename.startswith("目标进度-")
            saved = tmp_path / "progress.xlsx"
            await download.save_as(saved)
            sheet = load_workbook(saved).active
            assert sheet is not None
            assert sheet["C1"].value == "指标"

            # Signed in for the tab: a reload shows the board again without asking.
            await page.reload()
            await expect(road).to_have_attribute("aria-valuenow", "50", timeout=5000)
            await expect(page.locator("#sign-in")).to_be_hidden()
            await page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
            await page.locator("#sign-out").click()
            await expect(page.locator("#sign-in")).to_be_visible()
            await expect(page.locator("#board")).to_be_hidden()

            # The bot's link signs in by itself, and the token leaves the address bar.
            fresh = await browser.new_page()
            fresh.on("request", lambda request: requested.append(request.url))
            await fresh.goto(f"{sandbox.base_url}/dashboard#token={ADMIN_TOKEN}")
            await expect(fresh.get_by_role("progressbar", name=ROAD_INDICATOR, exact=True)).to_be_visible(timeout=5000)
            assert "#token" not in fresh.url
        finally:
            await browser.close()

    outside = {
        url for url in requested if urlsplit(url).hostname != "127.0.0.1" and not url.startswith(("blob:", "data:"))
    }
    assert not outside, f"requests left 127.0.0.1: {sorted(outside)}"
    assert any(url.endswith("/api/dashboard") for url in requested)


async def test_the_dashboard_fits_a_phones_width(
    database_url: str, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    """At 390 px nothing is cut off: the page is no wider than the screen (tables scroll inside
    their section), and a target's figures stay on screen."""
    from playwright.async_api import expect

    await seed_county(sessionmaker)
    async with page_on(database_url, DASHBOARD) as (page, _):
        figures = page.locator(f'.indicator[data-indicator="{ROAD_INDICATOR}"] .figures')
        await expect(figures).to_contain_text("53 / 106 公里", timeout=5000)
        await page.screenshot(path=str(tmp_path / "dashboard-390.png"), full_page=True)
        assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        box = await figures.bounding_box()
        assert box is not None
        assert box["x"] + box["width"] <= PHONE["width"]


async def test_the_office_sees_at_a_glance_what_is_overdue_and_with_whom(
    database_url: str, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    from playwright.async_api import expect

    seeded = await seed_county(sessionmaker)
    async with page_on(database_url, DASHBOARD) as (page, _):
        row = page.locator(f'#overdue tr[data-item="{seeded.overdue_item}"]')
        await expect(row).to_contain_text("县交通局", timeout=5000)


async def test_the_api_docs_render_offline(database_url: str, engine: AsyncEngine) -> None:
    require_browser()
    from playwright.async_api import async_playwright, expect

    requested: list[str] = []
    async with running_sandbox(database_url, admin_token=ADMIN_TOKEN) as sandbox, async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page()
            page.on("request", lambda request: requested.append(request.url))
            await page.goto(sandbox.base_url + "/docs")
            await expect(page.locator("#operations-users-users_api_users_get")).to_be_visible(timeout=10000)
            await expect(page.locator(".btn.authorize")).to_be_visible()
        finally:
            await browser.close()
    outside = {url for url in requested if urlsplit(url).hostname != "127.0.0.1" and not url.startswith("data:")}
    assert not outside, f"requests left 127.0.0.1: {sorted(outside)}"
