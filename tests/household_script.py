"""The /household conversation both durable-conversation test layers replay (in-process and on the
socket): its answers step by step, and what the bot keeps of it in the database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import texts
from bot.conversations.household import HouseholdState
from bot.persistence import CONVERSATION
from bot.ratelimit import RateLimiter
from services.db import session_scope
from services.models import BotStateEntry
from tests.idcard_support import fake_id_number

HOUSEHOLD = CONVERSATION + "household"
NUMBER = fake_id_number(515)
#: /household for 新识别纳入 in a one-village cadre's hands: each answer and the state it leads to.
ANSWERS: list[tuple[str, HouseholdState | None]] = [
    ("/household", HouseholdState.KIND),
    ("新识别纳入", HouseholdState.ID_NUMBER),
    (NUMBER, HouseholdState.HEAD),
    ("李四", HouseholdState.MEMBERS),
    ("2", HouseholdState.CAUSE),
    ("缺劳力", HouseholdState.NOTE),
    (texts.BUTTON_SKIP, HouseholdState.CONFIRM),
    (texts.BUTTON_CONFIRM, None),
]


def roomy() -> RateLimiter:
    """A rate limit the script never meets: the tests are about what survives, not about pacing."""
    return RateLimiter(limit=10_000, window=1.0)


async def bot_state_rows(sessionmaker: async_sessionmaker[AsyncSession]) -> list[dict[str, Any]]:
    """Every row the bot's persistence keeps, column by column."""
    async with session_scope(sessionmaker) as session:
        rows = (await session.scalars(select(BotStateEntry))).all()
        return [{c.key: getattr(r, c.key) for c in BotStateEntry.__table__.columns} for r in rows]
