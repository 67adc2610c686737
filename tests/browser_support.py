"""Pages in headless Chromium: Debian's package, driven by Playwright (nothing downloads a browser).

A machine without Chromium or Playwright skips the page tests with the reason; with
`FUPIN_TEST_REQUIRE_ALL=1` (CI) it fails them instead.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from tests.bot_support import ADMIN_TOKEN, Sandbox, running_sandbox
from tests.outside import unavailable

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page

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
#: A phone's screen, as the issue tries the pages at.
PHONE = {"width": 390, "height": 844}


def require_browser() -> None:
    """Skip (or, in CI, fail) when Chromium or Playwright is missing."""
    reason = ""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing (apt-get install chromium)"
    else:
        try:
            import playwright.async_api  # noqa: F401
        except ImportError:
            reason = "the playwright Python package is not installed"
    if reason:
        unavailable(reason)


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    """A headless Chromium, closed afterwards."""
    require_browser()
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


@asynccontextmanager
async def page_on(
    database_url: str, path: str, *, viewport: dict[str, int] | None = None
) -> AsyncIterator[tuple[Page, Sandbox]]:
    """A sandbox taking the office's token, and a page opened at `path` on it (at a phone's width
    unless told otherwise)."""
    async with running_sandbox(database_url, admin_token=ADMIN_TOKEN) as sandbox, chromium() as browser:
        page = await browser.new_page(viewport=viewport or PHONE)  # type: ignore[arg-type]
        await page.goto(sandbox.base_url + path)
        yield page, sandbox


#: The dashboard, signed in by the bot's link (the token in the fragment).
DASHBOARD = f"/dashboard#token={ADMIN_TOKEN}"
