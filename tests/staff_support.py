"""Staff-side end-to-end helpers: villages and invites made through services, people registered over Telegram."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.emulator import EmulatorClient
from services.db import session_scope
from services.invites import create_invite
from services.places import import_villages, read_villages_csv

#: Villages the staff tests use: two in 新宾镇, one in 永陵镇.
VILLAGES_CSV = "township,village\n新宾镇,腰站村\n新宾镇,东村\n永陵镇,西村\n"


async def add_villages(sessionmaker: async_sessionmaker[AsyncSession], csv: str = VILLAGES_CSV) -> None:
    """Record the test villages."""
    async with session_scope(sessionmaker) as session:
        await import_villages(session, read_villages_csv(csv))


async def invite_code(sessionmaker: async_sessionmaker[AsyncSession], role: str, **binding: Any) -> str:
    """A fresh invite code for `role` bound as given (villages=[…], township=…, unit=…)."""
    async with session_scope(sessionmaker) as session:
        invite = await create_invite(session=session, role=role, **binding)
        return invite.code


async def register(
    client: EmulatorClient, sessionmaker: async_sessionmaker[AsyncSession], name: str, role: str, **binding: Any
) -> dict[str, Any]:
    """A new Telegram user who opens an invite link for `role`; returns the user once greeted."""
    user = await client.create_user(name)
    code = await invite_code(sessionmaker, role, **binding)
    await client.send_text(user, f"/start {code}")
    await client.wait_for_bot_message(user["id"])
    return user


def menu_labels(keyboard: dict[str, Any] | None) -> list[str]:
    """The labels of a reply keyboard, row by row."""
    if keyboard is None:
        return []
    return [b["text"] if isinstance(b, dict) else b for row in keyboard["keyboard"] for b in row]
