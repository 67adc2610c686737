"""`/dashboard` (工作看板): an office user gets the dashboard's link with a signed token to sign in."""

from __future__ import annotations

from telegram import LinkPreviewOptions, Update

from bot import texts
from bot.context import CustomContext
from bot.telegram import roles
from services.config import Settings
from services.models import RoleKind
from services.office_tokens import issue_token
from services.when import local_text

#: The dashboard's path on the HTTP app.
DASHBOARD_PATH = "/dashboard"
#: Expiry is shown in Beijing time.


def dashboard_url(settings: Settings) -> str:
    """Where office users' browsers reach the dashboard."""
    return settings.base_url + DASHBOARD_PATH


@roles.requires(RoleKind.OFFICE, what=texts.BUTTON_DASHBOARD)
async def dashboard(update: Update, context: CustomContext) -> None:
    """Reply with the link; the token rides in the URL fragment, which browsers never send to a server."""
    user = await roles.current_user(update, context)
    message = update.effective_message
    if user is None or message is None:
        return
    settings = context.services.settings
    issued = issue_token(user, settings=settings)
    url = dashboard_url(settings)
    await message.reply_text(
        texts.DASHBOARD_LINK.format(
            url=f"{url}#token={issued.token}",
            expires=local_text(issued.expires_at),
            token=issued.token,
        ),
        link_preview_options=LinkPreviewOptions(is_disabled=True),
    )
