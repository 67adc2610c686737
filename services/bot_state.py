"""The bot's memory in the database: conversation states and per-user drafts, by namespace and key.

The Telegram face's persistence class (`bot.persistence`) stores through these functions, so a
restart in the middle of a guided conversation resumes at the same step. Values are JSON; a
conversation's state carries its deadline. The caller's session is the transaction: the
persistence writes one user's draft and states together through one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.models import BotStateEntry, utcnow


async def load_namespace(*, session: AsyncSession, namespace: str) -> dict[str, Any]:
    """Every stored value of `namespace`, by key."""
    rows = await session.scalars(select(BotStateEntry).where(BotStateEntry.namespace == namespace))
    return {row.key: row.data for row in rows}


async def load_entries(*, session: AsyncSession, namespace: str) -> list[BotStateEntry]:
    """Every stored row of `namespace`, with its deadline."""
    return list((await session.scalars(select(BotStateEntry).where(BotStateEntry.namespace == namespace))).all())


async def save_value(
    *, session: AsyncSession, namespace: str, key: str, data: Any, expires_at: dt.datetime | None = None
) -> None:
    """Store `data` under (namespace, key) with its deadline (None: none), replacing what was there."""
    row = await session.get(BotStateEntry, (namespace, key))
    if row is None:
        session.add(BotStateEntry(namespace=namespace, key=key, data=data, expires_at=expires_at))
    else:
        row.data = data
        row.expires_at = expires_at
        row.updated_at = utcnow()


async def delete_value(*, session: AsyncSession, namespace: str, key: str) -> None:
    """Forget (namespace, key); nothing happens when it was not stored."""
    await session.execute(delete(BotStateEntry).where(BotStateEntry.namespace == namespace, BotStateEntry.key == key))
