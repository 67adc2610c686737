"""What `fupin serve` logs about itself: where to point the browser, and not the sandbox's own chatter.

In sandbox mode the bot talks to the emulated Telegram in this process — its `getUpdates` long
poll every few seconds, and a Bot API call for every message it sends — and each open chat page
polls for messages: uvicorn logs each as a request, about two thousand lines in twenty minutes, in
which the bot's own lines drown. Those requests are dropped from the access log when they succeed;
a failing one (a 409 from a second bot, a 500) is still shown, as is every other request (what a
person does on the chat page, the dashboard, the API, a real webhook).
"""

from __future__ import annotations

import logging
import re

from bot.http import texts
from bot.http.app import EMULATOR_PREFIX, SANDBOX_API_PREFIX
from bot.telegram.dashboard import dashboard_url
from services.config import Settings
from services.schema import shown_url

#: uvicorn's logger of one line per request.
ACCESS_LOGGER = "uvicorn.access"
#: The bot's calls to the emulated Bot API (`/telegram/bot<token>/<method>`), its long poll included.
BOT_API_CALL = re.compile(rf"^{re.escape(EMULATOR_PREFIX)}/bot[^/]+/\w+$")
#: A chat page's long poll for new messages.
CHAT_POLL = f"{EMULATOR_PREFIX}{SANDBOX_API_PREFIX}/messages"


class QuietEmulatorPolls(logging.Filter):
    """Drops uvicorn's access line of the bot's successful call to the emulator, and of a chat
    page's successful long poll."""

    def filter(self, record: logging.LogRecord) -> bool:
        # uvicorn logs '%s - "%s %s HTTP/%s" %d' with (client, method, path?query, version, status).
        args = record.args
        if not isinstance(args, tuple) or len(args) != 5:
            return True
        _client, _method, target, _version, status = args
        path = str(target).partition("?")[0]
        poll = BOT_API_CALL.match(path) is not None or path == CHAT_POLL
        return not (poll and isinstance(status, int) and status < 400)


def quiet_emulator_polls() -> None:
    """Install `QuietEmulatorPolls` on uvicorn's access log (once, however often called)."""
    access = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(existing, QuietEmulatorPolls) for existing in access.filters):
        access.addFilter(QuietEmulatorPolls())


def startup_lines(settings: Settings, *, sandbox: bool) -> list[str]:
    """Where the chat page (sandbox) and the dashboard are, and which database is in use."""
    lines = [texts.STARTUP_CHAT_PAGE.format(url=settings.base_url + "/")] if sandbox else []
    lines.append(texts.STARTUP_DASHBOARD.format(url=dashboard_url(settings)))
    lines.append(texts.STARTUP_DATABASE.format(database=shown_url(settings.database_url)))
    return lines
