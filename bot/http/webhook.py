"""The Telegram webhook: check the secret, store the update, hand it to the bot, answer 200.

Storing first (`services.updates.record_update`) makes a redelivered `update_id` a no-op. An
update python-telegram-bot cannot read is stored as handled with its error, never handed to the
bot (nor replayed at the next start), and answered 200 so that Telegram stops redelivering it.
Until the bot runs (it may still be waiting for the Bot API) the webhook answers 503 and
Telegram delivers again later.
"""

from __future__ import annotations

import json
import logging
import secrets
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from telegram import Bot, Update

from services import updates
from services.db import session_scope
from services.errors import InvalidInput
from services.masking import mask_text

log = logging.getLogger("fupin.http")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def read_update(payload: dict[str, Any], bot: Bot) -> Update | str:
    """The update in `payload`, or why python-telegram-bot cannot read it (masked, for the record)."""
    try:
        return Update.de_json(payload, bot)
    except Exception as exc:  # any malformed field surfaces as some TypeError/KeyError/ValueError
        return mask_text(f"{type(exc).__name__}: {exc}")


def create_webhook_router(path: str, secret: str) -> APIRouter:
    """A router with the webhook endpoint at `path` (the path of `FUPIN_WEBHOOK_URL`).

    The bot is taken from `app.state.bot_runner`, which the lifespan sets before requests arrive.
    """
    router = APIRouter(tags=["telegram"])

    @router.post(path, include_in_schema=False)
    async def webhook(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not secrets.compare_digest(given.encode(), secret.encode()):
            raise HTTPException(403, "wrong secret token")
        runner = request.app.state.bot_runner
        if not runner.ready.is_set():
            raise HTTPException(503, "the bot is not running yet")
        try:
            payload = json.loads(await request.body())
        except ValueError:
            raise HTTPException(400, "body is not JSON") from None
        if not isinstance(payload, dict):
            raise HTTPException(400, "body is not an update")
        application = runner.application
        update = read_update(payload, application.bot)
        try:
            async with session_scope(request.app.state.sessionmaker) as session:
                new = await updates.record_update(session=session, payload=payload)
                if new and isinstance(update, str):
                    await updates.mark_handled(session=session, update_id=payload["update_id"], error=update)
        except InvalidInput as exc:
            raise HTTPException(400, exc.message) from None
        if new and isinstance(update, Update):
            await application.update_queue.put(update)
        elif new:
            log.warning("update %s cannot be read (%s); recorded as handled", payload["update_id"], update)
        else:
            log.info("update %s already received; skipped", payload.get("update_id"))
        return Response(status_code=200)

    return router
