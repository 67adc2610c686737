"""`SqlPersistence`: python-telegram-bot's persistence stored in the application database.

Conversation states and user data (the /check draft) are kept through `services.bot_state`, so a
restart in the middle of a guided conversation resumes at the same step. Chat, bot and callback
data are not stored: the bot keeps nothing there worth a restart.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import ConversationDict, ConversationKey

from services import bot_state
from services.db import session_scope

#: Namespace of per-user data.
USER_DATA = "user_data"
#: Prefix of a conversation's namespace; the conversation's `name` follows.
CONVERSATION = "conversation:"


class SqlPersistence(BasePersistence[dict[str, Any], dict[str, Any], dict[str, Any]]):
    """Stores user data and conversation states as JSON rows.

    Args:
        sessionmaker: the application's session factory.
        update_interval: seconds between PTB's periodic flushes; `bot.app` also flushes after
            every update, so this is only a safety net.
    """

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], *, update_interval: float = 5) -> None:
        super().__init__(
            store_data=PersistenceInput(bot_data=False, chat_data=False, user_data=True, callback_data=False),
            update_interval=update_interval,
        )
        self._sessionmaker = sessionmaker

    async def _load(self, namespace: str) -> dict[str, Any]:
        async with session_scope(self._sessionmaker) as session:
            return await bot_state.load_namespace(session=session, namespace=namespace)

    async def _save(self, namespace: str, key: str, data: Any) -> None:
        async with session_scope(self._sessionmaker) as session:
            if data is None:
                await bot_state.delete_value(session=session, namespace=namespace, key=key)
            else:
                await bot_state.save_value(session=session, namespace=namespace, key=key, data=data)

    # -- user data --------------------------------------------------------------------------

    async def get_user_data(self) -> dict[int, dict[str, Any]]:
        return {int(k): dict(v) for k, v in (await self._load(USER_DATA)).items()}

    async def update_user_data(self, user_id: int, data: dict[str, Any]) -> None:
        await self._save(USER_DATA, str(user_id), data or None)

    async def drop_user_data(self, user_id: int) -> None:
        await self._save(USER_DATA, str(user_id), None)

    async def refresh_user_data(self, user_id: int, user_data: dict[str, Any]) -> None:
        """Nothing to refresh: this process is the only writer."""

    # -- conversations ----------------------------------------------------------------------

    async def get_conversations(self, name: str) -> ConversationDict:
        stored = await self._load(CONVERSATION + name)
        return {tuple(json.loads(k)): v for k, v in stored.items()}

    async def update_conversation(self, name: str, key: ConversationKey, new_state: object | None) -> None:
        await self._save(CONVERSATION + name, json.dumps(list(key)), new_state)

    # -- not stored -------------------------------------------------------------------------

    async def get_chat_data(self) -> dict[int, dict[str, Any]]:
        return {}

    async def get_bot_data(self) -> dict[str, Any]:
        return {}

    async def get_callback_data(self) -> None:
        return None

    async def update_chat_data(self, chat_id: int, data: dict[str, Any]) -> None:
        """Chat data is not stored."""

    async def update_bot_data(self, data: dict[str, Any]) -> None:
        """Bot data is not stored (it holds the services)."""

    async def update_callback_data(self, data: Any) -> None:
        """Callback data is not stored: buttons carry their meaning in plain callback_data."""

    async def drop_chat_data(self, chat_id: int) -> None:
        """Chat data is not stored."""

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[str, Any]) -> None:
        """Chat data is not stored."""

    async def refresh_bot_data(self, bot_data: dict[str, Any]) -> None:
        """Bot data is not stored."""

    async def flush(self) -> None:
        """Every write already went to the database."""
