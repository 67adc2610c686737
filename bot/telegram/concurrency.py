"""Updates of different people at once, one person's in order: PTB's update processor for the bot.

PTB either handles one update at a time for everybody (`concurrent_updates(False)`: with a
150 ms Bot API round trip, 3 replies a second for the whole county) or all at once (`True`:
one person's quick second message could overtake the first and race it through a
conversation step). `PerChatUpdateProcessor` sits between: an update waits only for the
earlier updates of its own chat and of its own user, so conversation steps, drafts and
`user_data` see one person's updates strictly in the order Telegram numbered them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

#: Updates in hand at once (running, or waiting for their chat's earlier ones).
MAX_CONCURRENT_UPDATES = 256

_Key = tuple[str, int]


def _keys(update: object) -> list[_Key]:
    """What an update must be ordered within: its chat and its user (one key in a private chat)."""
    if not isinstance(update, Update):
        return []
    keys: list[_Key] = []
    if update.effective_chat is not None:
        keys.append(("chat", update.effective_chat.id))
    if update.effective_user is not None and (
        update.effective_chat is None or update.effective_chat.id != update.effective_user.id
    ):
        keys.append(("user", update.effective_user.id))
    return keys


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Runs updates concurrently, except that each waits for the earlier ones of its chat and user.

    Each update joins, the moment it arrives, the tail of a chain per key (chat, user); it runs
    when the updates it found there are done. The chain is built before any waiting, so the
    order is the order of arrival and no two updates can wait on each other. At most
    `max_concurrent_updates` are in hand at once (PTB's bound), the rest queue in order.
    """

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        self._tails: dict[_Key, asyncio.Future[None]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the earlier updates of this update's chat and user, then run it."""
        keys = _keys(update)
        earlier = [self._tails[key] for key in keys if key in self._tails]
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        for key in keys:
            self._tails[key] = done
        started = False
        try:
            for previous in earlier:
                await asyncio.shield(previous)
            started = True
            await coroutine
        finally:
            if not started and asyncio.iscoroutine(coroutine):  # cancelled while waiting its turn
                coroutine.close()
            done.set_result(None)
            for key in keys:
                if self._tails.get(key) is done:
                    del self._tails[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free: PTB waits for the updates in hand before shutting down."""
