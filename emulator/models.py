"""Records the emulator keeps, each able to render itself as Telegram JSON and as client JSON.

Two views exist on purpose: the Bot API view is exactly what Telegram would send the bot
(PTB's `de_json` parses it), the client view adds what a chat page needs to draw the chat
(the reply keyboard the bot sent, the raw HTML, whether a message was edited or deleted).
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any, Literal

JSON = dict[str, Any]

#: update types Telegram delivers when `allowed_updates` is empty or was never set
DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


class Notifier:
    """Wakes every current waiter on `notify()`.

    Futures are created per wait on the running loop, so one state object can outlive the
    event loops of successive tests (asyncio.Condition would bind to the first loop).
    """

    def __init__(self) -> None:
        self._waiters: set[asyncio.Future[None]] = set()

    def notify(self) -> None:
        """Wake all waiters."""
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._waiters.clear()

    async def wait(self, timeout: float) -> bool:
        """Wait until notified or `timeout` seconds pass; True if notified."""
        if timeout <= 0:
            return False
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.add(waiter)
        try:
            await asyncio.wait({waiter}, timeout=timeout)
        finally:
            self._waiters.discard(waiter)
        return waiter.done()


@dataclass
class EmuUser:
    """A person playing a Telegram user; `role` is only a label the chat page chose."""

    id: int
    first_name: str
    username: str | None = None
    last_name: str | None = None
    language_code: str = "zh-hans"
    role: str | None = None
    blocked_bot_ids: set[int] = field(default_factory=set)

    def to_telegram(self) -> JSON:
        """Telegram `User` object."""
        user: JSON = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            user["last_name"] = self.last_name
        if self.username:
            user["username"] = self.username
        user["language_code"] = self.language_code
        return user

    def to_client(self) -> JSON:
        """Client view: the Telegram user plus the role label and blocks."""
        return {**self.to_telegram(), "role": self.role, "blocked_bot_ids": sorted(self.blocked_bot_ids)}


@dataclass
class EmuChat:
    """A group chat (private chats are derived from their user)."""

    id: int
    type: Literal["group", "supergroup"]
    title: str
    member_ids: list[int] = field(default_factory=list)

    def to_telegram(self) -> JSON:
        """Telegram `Chat` object."""
        return {"id": self.id, "type": self.type, "title": self.title}


@dataclass
class WebhookConfig:
    """What `setWebhook` set, plus the last delivery error for `getWebhookInfo`."""

    url: str
    secret_token: str | None = None
    max_connections: int = 40
    allowed_updates: list[str] | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass
class BotAccount:
    """One bot: its identity, update queue and settings."""

    token: str
    id: int
    first_name: str
    username: str
    updates: deque[JSON] = field(default_factory=deque)
    next_update_id: int = 1
    allowed_updates: list[str] | None = None
    webhook: WebhookConfig | None = None
    commands: dict[tuple[str, str], list[JSON]] = field(default_factory=dict)
    menu_buttons: dict[int | None, JSON] = field(default_factory=dict)
    updates_changed: Notifier = field(default_factory=Notifier)
    #: bumped by every getUpdates; an older long poll that sees a newer one answers 409
    poll_generation: int = 0

    def commands_for(self, chat_id: int) -> list[JSON]:
        """The command menu a private chat shows, as Telegram resolves scopes: the chat's own,
        else all private chats', else the default list (language-independent lists only)."""
        for scope in ({"type": "chat", "chat_id": chat_id}, {"type": "all_private_chats"}, {"type": "default"}):
            found = self.commands.get((json.dumps(scope, sort_keys=True), ""))
            if found:
                return found
        return []

    def to_user(self) -> JSON:
        """The bot as the `from` of its messages."""
        return {"id": self.id, "is_bot": True, "first_name": self.first_name, "username": self.username}

    def get_me(self) -> JSON:
        """`getMe` result, capabilities included as Telegram reports them."""
        return {
            **self.to_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def allows(self, update: JSON) -> bool:
        """Whether the current `allowed_updates` lets this update through."""
        allowed = self.webhook.allowed_updates if self.webhook else self.allowed_updates
        kind = next(key for key in update if key != "update_id")
        if not allowed:
            return kind not in DEFAULT_EXCLUDED_UPDATES
        return kind in allowed


@dataclass
class StoredFile:
    """A file known to the emulator; bytes are kept only for uploads."""

    file_id: str
    file_unique_id: str
    file_path: str
    file_size: int
    content: bytes | None = None
    file_name: str | None = None
    mime_type: str | None = None

    def to_telegram(self) -> JSON:
        """Telegram `File` object (PTB prefixes `file_path` with its base file URL)."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.file_size,
            "file_path": self.file_path,
        }


#: kinds of message content, in the order the client view looks for them
_KINDS = ("text", "photo", "sticker", "document")


@dataclass
class MessageRecord:
    """A message in a conversation, as Telegram stores it and as it was sent."""

    message: JSON
    sender: Literal["bot", "user"]
    seq: int
    #: full markup as sent, reply keyboards included (Telegram echoes only inline keyboards)
    reply_markup: JSON | None = None
    parse_mode: str | None = None
    raw_text: str | None = None
    edited: bool = False
    deleted: bool = False

    @property
    def message_id(self) -> int:
        """The message's id in its chat."""
        return int(self.message["message_id"])

    def inline_callback_data(self) -> set[str]:
        """Every `callback_data` of the message's inline keyboard."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return {button["callback_data"] for row in rows for button in row if "callback_data" in button}

    def to_client(self) -> JSON:
        """Client view, enough for a chat page to draw the bubble and its buttons."""
        msg = self.message
        kind = next((k for k in _KINDS if k in msg), "other")
        reply_to = msg.get("reply_to_message")
        return {
            "message_id": self.message_id,
            "chat_id": msg["chat"]["id"],
            "sender": self.sender,
            "user_id": msg["from"]["id"] if self.sender == "user" else None,
            "date": msg["date"],
            "kind": kind,
            "text": msg.get("text"),
            "caption": msg.get("caption"),
            "entities": msg.get("entities") or msg.get("caption_entities") or [],
            "raw_text": self.raw_text,
            "parse_mode": self.parse_mode,
            "reply_markup": self.reply_markup,
            "reply_to_message_id": reply_to["message_id"] if reply_to else None,
            "edited": self.edited,
            "deleted": self.deleted,
            "seq": self.seq,
            "message": msg,
        }


@dataclass
class CallbackRecord:
    """A pressed inline button and, once the bot answered, what the user was shown."""

    id: str
    bot_id: int
    chat_id: int
    message_id: int
    user_id: int
    data: str
    seq: int
    #: when the button was pressed, on the state's monotonic clock
    pressed_at: float = 0.0
    answered: bool = False
    text: str | None = None
    show_alert: bool = False
    url: str | None = None

    def to_client(self) -> JSON:
        """Client view of the press and its answer."""
        return {
            "callback_query_id": self.id,
            "chat_id": self.chat_id,
            "message_id": self.message_id,
            "user_id": self.user_id,
            "data": self.data,
            "answered": self.answered,
            "text": self.text,
            "show_alert": self.show_alert,
            "url": self.url,
            "seq": self.seq,
        }


@dataclass
class Conversation:
    """Everything between one bot and one chat."""

    bot_id: int
    chat_id: int
    messages: dict[int, MessageRecord] = field(default_factory=dict)
    next_message_id: int = 1
    #: the reply keyboard the user currently sees (last ReplyKeyboardMarkup, until removed)
    keyboard: JSON | None = None
    callbacks: list[CallbackRecord] = field(default_factory=list)
    chat_action: str | None = None
    seq: int = 0


@dataclass
class Stats:
    """Counters broadcast tests assert on ("everyone else exactly once")."""

    delivered: Counter[int] = field(default_factory=Counter)
    too_many_requests: Counter[int] = field(default_factory=Counter)
    forbidden: Counter[int] = field(default_factory=Counter)

    def to_client(self, *, flood_enabled: bool) -> JSON:
        """Totals and per-chat counts; JSON object keys are chat ids as strings."""
        return {
            "flood_enabled": flood_enabled,
            "delivered": sum(self.delivered.values()),
            "delivered_by_chat": {str(k): v for k, v in self.delivered.items()},
            "too_many_requests": sum(self.too_many_requests.values()),
            "too_many_requests_by_chat": {str(k): v for k, v in self.too_many_requests.items()},
            "forbidden": sum(self.forbidden.values()),
            "forbidden_by_chat": {str(k): v for k, v in self.forbidden.items()},
        }
