"""Which real Telegram bots a database has served, so the sandbox never runs on real people's data.

The sandbox (no token) lets whoever opens its chat page act as anyone and mint invites; that is
fine on a developer's own database and never on one real Telegram users have written to. The
bot records itself here whenever it starts with a token (polling or webhook); the sandbox
refuses to start on a database with any such record.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.errors import Conflict
from services.models import TelegramBot

#: Why the sandbox refuses a database, in Chinese and English (operators read either).
SANDBOX_ON_TELEGRAM_DATABASE = (
    "这个数据库已经服务过真实的 Telegram 机器人{bots}，沙盒模式不能在上面运行：沙盒里任何人都能冒充任何人。"
    "请设置 FUPIN_TELEGRAM_TOKEN，或用 FUPIN_DATABASE_URL 换一个开发用的数据库。"
    " / This database has served a real Telegram bot{bots}; the sandbox refuses to run on it, since in the"
    " sandbox anyone can act as anyone. Set FUPIN_TELEGRAM_TOKEN, or point FUPIN_DATABASE_URL at a development"
    " database."
)


async def record_bot(session: AsyncSession, *, bot_id: int, username: str) -> None:
    """Note that the real bot `bot_id` runs on this database (once; later starts change nothing)."""
    if await session.get(TelegramBot, bot_id) is None:
        session.add(TelegramBot(bot_id=bot_id, username=username))


async def refuse_sandbox(session: AsyncSession) -> None:
    """Raise when this database has served real Telegram, where the sandbox must not run.

    Raises:
        Conflict: a real bot has run on this database; the message names it.
    """
    bots = list(await session.scalars(select(TelegramBot).order_by(TelegramBot.first_started_at)))
    if bots:
        named = "、".join(f"@{b.username}" for b in bots if b.username)
        raise Conflict(SANDBOX_ON_TELEGRAM_DATABASE.format(bots=f"（{named}）" if named else ""))
