"""Webhook updates received: stored before the webhook answers, so each `update_id` is handled once.

Telegram redelivers an update when it does not get a 200 in time, and a restart may replay
one; recording the id first makes handling idempotent.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.errors import InvalidInput
from services.models import TelegramUpdate, utcnow

#: Longest error kept with an update that could not be handled (the column's width).
ERROR_LENGTH = 500


async def record_update(*, session: AsyncSession, payload: dict[str, Any]) -> bool:
    """Store a received update; False when its `update_id` was already stored (a redelivery).

    Raises:
        InvalidInput: the payload has no integer `update_id`.
    """
    update_id = payload.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        raise InvalidInput("更新缺少 update_id。")
    if await session.get(TelegramUpdate, update_id) is not None:
        return False
    try:
        async with session.begin_nested():
            session.add(TelegramUpdate(update_id=update_id, payload=payload))
    except IntegrityError:  # the same update arrived twice at once: the other request stored it
        return False
    return True


async def mark_handled(*, session: AsyncSession, update_id: int, error: str | None = None) -> None:
    """Note that the bot has processed `update_id` (unknown ids — e.g. from polling — are ignored).

    The payload is dropped once handled: only the id is needed to recognise a redelivery, and the
    message may hold a 身份证号 or a phone number that must not be kept in the clear. `error` says
    why an update could not be handled at all (it is then never handed to the bot again).
    """
    row = await session.get(TelegramUpdate, update_id)
    if row is not None and row.handled_at is None:
        row.handled_at = utcnow()
        row.payload = {"update_id": update_id}
        row.error = error[:ERROR_LENGTH] if error is not None else None


async def unhandled_updates(*, session: AsyncSession) -> list[dict[str, Any]]:
    """Payloads stored but never processed (the process stopped in between), oldest first."""
    rows = await session.scalars(
        select(TelegramUpdate).where(TelegramUpdate.handled_at.is_(None)).order_by(TelegramUpdate.update_id)
    )
    return [row.payload for row in rows]
