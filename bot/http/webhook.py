"""The Telegram webhook: check the secret, store the update, hand it to the bot, answer 200.

Storing first (`services.updates.record_update`) makes a redelivered `update_id` a no-op.
"""

from __future__ import annotations

import json
import logging
import secrets

from fastapi import APIRouter, HTTPException, Request, Response
from telegram import Update

from services import updates
from services.db import session_scope
from services.errors import InvalidInput

log = logging.getLogger("fupin.http")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def create_webhook_router(path: str, secret: str | None) -> APIRouter:
    """A router with the webhook endpoint at `path` (the path of `FUPIN_WEBHOOK_URL`).

    The bot is taken from `app.state.bot_runner`, which the lifespan sets before requests arrive.
    """
    router = APIRouter(tags=["telegram"])

    @router.post(path, include_in_schema=False)
    async def webhook(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "")
        if secret is not None and not secrets.compare_digest(given.encode(), secret.encode()):
            raise HTTPException(403, "wrong secret token")
        try:
            payload = json.loads(await request.body())
        except ValueError:
            raise HTTPException(400, "body is not JSON") from None
        if not isinstance(payload, dict):
            raise HTTPException(400, "body is not an update")
        try:
            async with session_scope(request.app.state.sessionmaker) as session:
                new = await updates.record_update(session=session, payload=payload)
        except InvalidInput as exc:
            raise HTTPException(400, exc.message) from None
        if new:
            application = request.app.state.bot_runner.application
            await application.update_queue.put(Update.de_json(payload, application.bot))
        else:
            log.info("update %s already received; skipped", payload.get("update_id"))
        return Response(status_code=200)

    return router
