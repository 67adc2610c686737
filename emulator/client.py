"""`EmulatorClient`: plays Telegram users against a running emulator over HTTP.

End-to-end tests use it the way a person uses Telegram: send text, press a button, wait for
the bot's answer. It only speaks the sandbox API, so it works the same against the standalone
test server and against the emulator mounted inside the main app.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import httpx

from emulator.app import SANDBOX_PREFIX
from emulator.models import JSON

#: a user given as its id or as the dict `create_user` returned
UserRef = int | Mapping[str, Any]
#: a message given as the client record (carries its chat) or as a message_id in a private chat
MessageRef = int | Mapping[str, Any]

T = TypeVar("T")


def _user_id(user: UserRef) -> int:
    return user if isinstance(user, int) else int(user["id"])


#: How long a wait for the bot gives up after. A loaded machine (CI beside other work) answers
#: slower than a quiet one; the wait ends as soon as the message comes, so a long one costs nothing.
WAIT_SECONDS = 15.0


class EmulatorClient:
    """Async client of the sandbox API; one instance can play many users."""

    def __init__(
        self,
        base_url: str,
        *,
        bot: str | None = None,
        prefix: str = SANDBOX_PREFIX,
        timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        """Args:
        base_url: where the emulator is served, e.g. "http://127.0.0.1:8123" (or ".../telegram").
        bot: username of the bot to talk to; None means the emulator's first bot.
        """
        # trust_env=False: sandbox traffic stays on the given address, never via a proxy.
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/") + prefix, timeout=timeout, trust_env=False, transport=transport
        )
        self.bot = bot
        #: per chat, the highest message_id this client sent or already returned as a bot reply
        self._marks: dict[int, int] = {}

    async def __aenter__(self) -> EmulatorClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP connection pool."""
        await self._http.aclose()

    # -- people -----------------------------------------------------------------------------

    async def create_user(
        self,
        first_name: str,
        *,
        username: str | None = None,
        role: str | None = None,
        user_id: int | None = None,
    ) -> JSON:
        """Create a user; returns the Telegram `User` fields plus `role` and `blocked_bot_ids`."""
        body = {"first_name": first_name, "username": username, "role": role, "user_id": user_id}
        return await self._post("/users", body)

    async def create_group(self, title: str, members: Sequence[UserRef], *, supergroup: bool = False) -> JSON:
        """Create a group chat of `members`; returns the Telegram `Chat` plus `member_ids`."""
        body = {"title": title, "member_ids": [_user_id(m) for m in members], "supergroup": supergroup}
        return await self._post("/groups", body)

    async def block(self, user: UserRef, blocked: bool = True) -> JSON:
        """The user blocks (or unblocks) the bot."""
        return await self._post("/block", {"user_id": _user_id(user), "blocked": blocked, "bot": self.bot})

    # -- acting as a user -------------------------------------------------------------------

    async def send_text(
        self, user: UserRef, text: str, *, chat_id: int | None = None, reply_to: int | None = None
    ) -> JSON:
        """The user sends text (a "/command" gets its bot_command entity); returns the record."""
        return await self._send(user, chat_id, text=text, reply_to_message_id=reply_to)

    async def send_sticker(self, user: UserRef, emoji: str = "👍", *, chat_id: int | None = None) -> JSON:
        """The user sends a sticker showing `emoji`."""
        return await self._send(user, chat_id, sticker=emoji)

    async def send_photo(self, user: UserRef, *, caption: str | None = None, chat_id: int | None = None) -> JSON:
        """The user sends a photo (placeholder sizes and file_ids)."""
        return await self._send(user, chat_id, photo=True, caption=caption)

    async def edit_text(self, user: UserRef, message: MessageRef, text: str) -> JSON:
        """The user edits one of their text messages; the bot gets `edited_message`."""
        chat_id, message_id = self._message(user, message)
        body = {"user_id": _user_id(user), "chat_id": chat_id, "message_id": message_id, "text": text}
        record: JSON = (await self._post("/edit", {**body, "bot": self.bot}))["message"]
        return record

    async def press(self, user: UserRef, message: MessageRef, data: str) -> JSON:
        """The user presses the inline button with `callback_data == data`; returns the press."""
        chat_id, message_id = self._message(user, message)
        body = {"user_id": _user_id(user), "chat_id": chat_id, "message_id": message_id, "data": data}
        callback: JSON = (await self._post("/press", {**body, "bot": self.bot}))["callback"]
        return callback

    # -- reading the chat -------------------------------------------------------------------

    async def view(self, chat_id: int, *, after: int = 0, wait: float = 0.0) -> JSON:
        """Raw `GET messages`: changes after cursor `after`, keyboard, callback answers."""
        params: dict[str, Any] = {"chat_id": chat_id, "after": after, "wait": wait}
        if self.bot:
            params["bot"] = self.bot
        response = await self._http.get("/messages", params=params, timeout=wait + 10.0)
        return self._json(response)

    async def messages(self, chat_id: int) -> list[JSON]:
        """Every message of the chat, user's and bot's, in order (deleted ones flagged)."""
        return list((await self.view(chat_id))["messages"])

    async def keyboard(self, chat_id: int) -> JSON | None:
        """The reply keyboard the user currently sees, if any."""
        keyboard: JSON | None = (await self.view(chat_id))["keyboard"]
        return keyboard

    async def wait_for(self, chat_id: int, predicate: Callable[[JSON], bool], *, timeout: float = WAIT_SECONDS) -> JSON:
        """The first message record (new or changed) in the chat that satisfies `predicate`.

        Raises:
            TimeoutError: none did within `timeout` seconds; the message lists the chat's tail.
        """

        def pick(view: JSON) -> JSON | None:
            return next((m for m in view["messages"] if predicate(m)), None)

        return await self._wait_view(chat_id, pick, timeout, "matching message")

    async def wait_for_bot_message(self, chat_id: int, *, timeout: float = WAIT_SECONDS) -> JSON:
        """The bot's next message in the chat after the last one this client sent or saw.

        Calling it repeatedly walks through the bot's replies in order.
        """
        mark = self._marks.get(chat_id, 0)
        found = await self.wait_for(
            chat_id,
            lambda m: m["sender"] == "bot" and m["message_id"] > mark and not m["deleted"],
            timeout=timeout,
        )
        self._marks[chat_id] = max(self._marks.get(chat_id, 0), found["message_id"])
        return found

    async def wait_for_callback_answer(self, callback: Mapping[str, Any], *, timeout: float = WAIT_SECONDS) -> JSON:
        """The bot's answer to a press (as returned by `press`): text, show_alert, url."""
        query_id = callback["callback_query_id"]

        def pick(view: JSON) -> JSON | None:
            return next(
                (c for c in view["callback_answers"] if c["callback_query_id"] == query_id and c["answered"]),
                None,
            )

        return await self._wait_view(int(callback["chat_id"]), pick, timeout, f"answer to callback {query_id}")

    # -- emulator switches ------------------------------------------------------------------

    async def set_flood(self, enabled: bool) -> None:
        """Switch Telegram's flood limits on or off."""
        await self._post("/flood", {"enabled": enabled})

    async def stats(self) -> JSON:
        """Delivered / 429 / 403 counts, in total and per chat (keys are chat ids as strings)."""
        return self._json(await self._http.get("/stats"))

    # -- plumbing ---------------------------------------------------------------------------

    async def _send(self, user: UserRef, chat_id: int | None, **content: Any) -> JSON:
        body = {"user_id": _user_id(user), "chat_id": chat_id, "bot": self.bot, **content}
        record: JSON = (await self._post("/send", body))["message"]
        chat = int(record["chat_id"])
        self._marks[chat] = max(self._marks.get(chat, 0), int(record["message_id"]))
        return record

    @staticmethod
    def _message(user: UserRef, message: MessageRef) -> tuple[int, int]:
        if isinstance(message, int):
            return _user_id(user), message
        return int(message["chat_id"]), int(message["message_id"])

    async def _wait_view(self, chat_id: int, pick: Callable[[JSON], T | None], timeout: float, what: str) -> T:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        view = await self.view(chat_id)
        while True:
            found = pick(view)
            if found is not None:
                return found
            remaining = deadline - loop.time()
            if remaining <= 0:
                tail = [(m["sender"], m["text"] or m["kind"]) for m in (await self.messages(chat_id))[-5:]]
                raise TimeoutError(f"no {what} in chat {chat_id} within {timeout}s; last messages: {tail}")
            view = await self.view(chat_id, after=view["cursor"], wait=remaining)

    async def _post(self, path: str, body: Mapping[str, Any]) -> JSON:
        return self._json(await self._http.post(path, json=dict(body)))

    @staticmethod
    def _json(response: httpx.Response) -> JSON:
        """The body of a sandbox API answer, which is always a JSON object."""
        if response.is_error:
            raise EmulatorClientError(response.status_code, response.text)
        body: JSON = response.json()
        return body


class EmulatorClientError(Exception):
    """The sandbox API refused a request (unknown user, no such button, …)."""

    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"sandbox API answered {status}: {body}")
        self.status = status
        self.body = body
