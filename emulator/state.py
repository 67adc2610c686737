"""The emulator's world in memory: who exists, what was said, what the bot must still receive.

Pure and synchronous apart from the waiters it wakes: the Bot API layer (`methods.py`), the
sandbox client API (`app.py`) and tests all change the world through these methods, so the
rules (blocked users, flood limits, what an edit may change, how long a press waits for its
answer) live in one place.
"""

from __future__ import annotations

import itertools
import secrets
import time
from collections.abc import Callable
from typing import Any

from emulator.errors import bad_request, forbidden, too_many_requests
from emulator.flood import FloodControl
from emulator.formatting import command_entities
from emulator.models import (
    JSON,
    BotAccount,
    CallbackRecord,
    Conversation,
    EmuChat,
    EmuUser,
    MessageRecord,
    Notifier,
    Stats,
    StoredFile,
)

#: Telegram's own limits the emulator enforces because bots commonly trip over them
MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER_LENGTH = 200
#: Seconds within which a button press must be answered; Telegram refuses later answers. It
#: publishes no figure; about ten seconds is what bots see in practice.
CALLBACK_TIMEOUT = 10.0

_QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"

#: The first Telegram user id the emulator hands out.
FIRST_USER_ID = 7_000_000_001

_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the message"
)


class EmulatorState:
    """All bots, users, chats, conversations and files of one emulator instance."""

    def __init__(
        self,
        *,
        flood: FloodControl | None = None,
        wall_clock: Callable[[], float] = time.time,
        clock: Callable[[], float] = time.monotonic,
        callback_timeout: float = CALLBACK_TIMEOUT,
        round_trip: float = 0.0,
    ):
        """Create an empty world.

        Args:
            flood: flood control; default is one with limits off.
            wall_clock: source of message dates (seconds since the epoch).
            clock: monotonic seconds, for the age of a button press; tests pass one they move.
            callback_timeout: seconds a press may wait for its answer; 0 refuses every answer,
                as Telegram does after the bot was down. Changeable on a running state.
            round_trip: seconds every Bot API request takes there and back (Telegram's servers
                are far away: 100–300 ms from a county office is common); half passes before
                the request is handled, half before its answer leaves. Default 0.
        """
        self.flood = flood or FloodControl()
        self.wall_clock = wall_clock
        self.clock = clock
        self.callback_timeout = callback_timeout
        self.round_trip = round_trip
        self.bots: dict[str, BotAccount] = {}
        self.users: dict[int, EmuUser] = {}
        self.groups: dict[int, EmuChat] = {}
        self.conversations: dict[tuple[int, int], Conversation] = {}
        self.files: dict[str, StoredFile] = {}
        self.callbacks: dict[str, CallbackRecord] = {}
        self.stats = Stats()
        #: woken on every change a client may want to see (messages, answers, actions)
        self.changed = Notifier()
        self.closed = False
        self._seq = itertools.count(1)
        #: The id the next new user gets; always above every id handed out or given (see `add_user`).
        self._next_user_id = FIRST_USER_ID
        self._group_ids = itertools.count(1)
        self._file_numbers = itertools.count(1)

    # -- who exists -------------------------------------------------------------------------

    def add_bot(
        self, token: str | None = None, *, username: str = "XinbinFupinBot", first_name: str = "新宾扶贫助手"
    ) -> BotAccount:
        """Register a bot; its id is the token's number before the colon, as in Telegram."""
        if token is None:
            token = f"{6_000_000_000 + len(self.bots) + 1}:{secrets.token_urlsafe(26)}"
        prefix = token.split(":", 1)[0]
        bot_id = int(prefix) if prefix.isdigit() else 6_000_000_000 + len(self.bots) + 1
        bot = BotAccount(token=token, id=bot_id, first_name=first_name, username=username)
        self.bots[token] = bot
        return bot

    def bot_by_token(self, token: str) -> BotAccount | None:
        """The bot with this token, or None (the API then answers 401)."""
        return self.bots.get(token)

    def resolve_bot(self, username: str | None = None) -> BotAccount:
        """The bot with this username, or the first registered bot when None.

        Raises:
            LookupError: no such bot.
        """
        for bot in self.bots.values():
            if username is None or bot.username.lower() == username.lstrip("@").lower():
                return bot
        raise LookupError(f"no bot {username!r}; register one with add_bot()")

    def add_user(
        self,
        first_name: str,
        *,
        username: str | None = None,
        last_name: str | None = None,
        user_id: int | None = None,
        role: str | None = None,
        language_code: str = "zh-hans",
    ) -> EmuUser:
        """Create a Telegram user (or replace the one with `user_id`).

        A new user's id comes after every id already in use, as in Telegram, where an id never
        passes to someone else: a sandbox that gets its people back after a restart
        (`bot.http.app.restore_sandbox_people`) must not hand a former cadre's id to a newcomer.
        """
        if user_id is None:
            user_id = self._next_user_id
        self._next_user_id = max(self._next_user_id, user_id + 1)
        user = EmuUser(
            id=user_id,
            first_name=first_name,
            username=username,
            last_name=last_name,
            language_code=language_code,
            role=role,
        )
        self.users[user.id] = user
        return user

    def user(self, user_id: int) -> EmuUser:
        """The user with this id.

        Raises:
            LookupError: no such user.
        """
        try:
            return self.users[user_id]
        except KeyError:
            raise LookupError(f"no user {user_id}; create one first") from None

    def add_group(self, title: str, member_ids: list[int], *, supergroup: bool = False) -> EmuChat:
        """Create a group (ids negative as in Telegram; supergroups start with -100)."""
        number = next(self._group_ids)
        chat_id = -(1_001_000_000_000 + number) if supergroup else -(4_000_000_000 + number)
        group = EmuChat(id=chat_id, type="supergroup" if supergroup else "group", title=title)
        group.member_ids = [self.user(uid).id for uid in member_ids]
        self.groups[chat_id] = group
        return group

    def chat_json(self, chat_id: int) -> JSON | None:
        """Telegram `Chat` object for a private chat or group, None if unknown."""
        if chat_id in self.groups:
            return self.groups[chat_id].to_telegram()
        user = self.users.get(chat_id)
        if user is None:
            return None
        chat: JSON = {"id": user.id, "type": "private", "first_name": user.first_name}
        if user.last_name:
            chat["last_name"] = user.last_name
        if user.username:
            chat["username"] = user.username
        return chat

    def require_chat(self, chat_id: int) -> JSON:
        """Like `chat_json`, raising Telegram's 400 "chat not found" when unknown."""
        chat = self.chat_json(chat_id)
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def conversation(self, bot: BotAccount, chat_id: int) -> Conversation:
        """The conversation between `bot` and `chat_id`, created on first use."""
        key = (bot.id, chat_id)
        if key not in self.conversations:
            self.conversations[key] = Conversation(bot_id=bot.id, chat_id=chat_id)
        return self.conversations[key]

    def set_blocked(self, bot: BotAccount, user_id: int, blocked: bool) -> EmuUser:
        """Mark `user_id` as having blocked (or unblocked) `bot`."""
        user = self.user(user_id)
        if blocked:
            user.blocked_bot_ids.add(bot.id)
        else:
            user.blocked_bot_ids.discard(bot.id)
        return user

    # -- what users do ----------------------------------------------------------------------

    def user_send(
        self,
        bot: BotAccount,
        user_id: int,
        *,
        chat_id: int | None = None,
        text: str | None = None,
        sticker: str | None = None,
        photo: bool = False,
        caption: str | None = None,
        reply_to_message_id: int | None = None,
    ) -> MessageRecord:
        """A user writes into a private chat with the bot (default) or a group.

        Exactly one of `text`, `sticker` (its emoji) or `photo` is sent. Writing to a bot
        one has blocked unblocks it, as pressing "Restart" does in Telegram.

        Raises:
            ValueError: no content, or several kinds at once.
            LookupError: unknown user or group, or the user is not a member.
            ApiError: the replied-to message does not exist.
        """
        user = self.user(user_id)
        if [text is not None, sticker is not None, photo].count(True) != 1:
            raise ValueError("send exactly one of text, sticker or photo")
        chat_id = user.id if chat_id is None else chat_id
        if chat_id != user.id and user.id not in self._group(chat_id).member_ids:
            raise LookupError(f"user {user.id} is not a member of chat {chat_id}")
        user.blocked_bot_ids.discard(bot.id)
        conv = self.conversation(bot, chat_id)
        msg = self._new_message(conv, sender=user.to_telegram())
        if text is not None:
            msg["text"] = text
            if entities := command_entities(text):
                msg["entities"] = entities
        elif sticker is not None:
            msg["sticker"] = self.sticker(sticker)
        else:
            msg["photo"] = self._photo_sizes(content=None)
            if caption:
                msg["caption"] = caption
        if reply_to_message_id is not None:
            msg["reply_to_message"] = self._record(conv, reply_to_message_id, "message not found").message
        record = self._store(conv, MessageRecord(message=msg, sender="user", seq=0))
        self.enqueue_update(bot, "message", msg)
        return record

    def user_edit(
        self, bot: BotAccount, user_id: int, *, message_id: int, text: str, chat_id: int | None = None
    ) -> MessageRecord:
        """A user edits one of their text messages; the bot gets an `edited_message` update.

        Raises:
            LookupError: no such message of this user.
            ValueError: the message has no text.
        """
        user = self.user(user_id)
        conv = self.conversation(bot, user.id if chat_id is None else chat_id)
        record = self._record(conv, message_id, "message not found")
        if record.sender != "user" or record.message["from"]["id"] != user.id:
            raise LookupError(f"message {message_id} was not sent by user {user.id}")
        if "text" not in record.message:
            raise ValueError("only text messages can be edited")
        msg = {**record.message, "text": text, "edit_date": int(self.wall_clock())}
        msg.pop("entities", None)
        if entities := command_entities(text):
            msg["entities"] = entities
        record.message, record.edited = msg, True
        self._touch(conv, record)
        self.enqueue_update(bot, "edited_message", msg)
        return record

    def user_press(
        self, bot: BotAccount, user_id: int, *, message_id: int, data: str, chat_id: int | None = None
    ) -> CallbackRecord:
        """A user presses an inline button; the bot gets a `callback_query` update.

        Raises:
            LookupError: no such message, or it has no button with this `callback_data`.
        """
        user = self.user(user_id)
        chat_id = user.id if chat_id is None else chat_id
        conv = self.conversation(bot, chat_id)
        record = self._record(conv, message_id, "message not found")
        if data not in record.inline_callback_data():
            raise LookupError(f"message {message_id} has no inline button with callback_data {data!r}")
        callback = CallbackRecord(
            id=str(secrets.randbits(62)),
            bot_id=bot.id,
            chat_id=chat_id,
            message_id=message_id,
            user_id=user.id,
            data=data,
            seq=next(self._seq),
            pressed_at=self.clock(),
        )
        self.callbacks[callback.id] = callback
        conv.callbacks.append(callback)
        conv.seq = callback.seq
        self.changed.notify()
        query = {
            "id": callback.id,
            "from": user.to_telegram(),
            "message": record.message,
            # Telegram's chat_instance is an opaque per-chat string.
            "chat_instance": str((bot.id * 1_000_003 + chat_id) & 0x7FFFFFFFFFFFFFFF),
            "data": data,
        }
        self.enqueue_update(bot, "callback_query", query)
        return callback

    # -- what the bot does ------------------------------------------------------------------

    def bot_send(
        self,
        bot: BotAccount,
        chat_id: int,
        content: JSON,
        *,
        reply_markup: JSON | None = None,
        parse_mode: str | None = None,
        raw_text: str | None = None,
        reply_to_message_id: int | None = None,
    ) -> MessageRecord:
        """Deliver a message from the bot, enforcing what Telegram enforces.

        Raises:
            ApiError: 400 chat not found / reply target missing / bad button data,
                403 blocked by the user, 429 over the flood limit.
        """
        self.require_chat(chat_id)
        user = self.users.get(chat_id)
        if user is not None and bot.id in user.blocked_bot_ids:
            self.stats.forbidden[chat_id] += 1
            raise forbidden("bot was blocked by the user")
        check_reply_markup(reply_markup)
        conv = self.conversation(bot, chat_id)
        reply_to = None
        if reply_to_message_id is not None:
            reply_to = self._record(conv, reply_to_message_id, "message to be replied not found").message
        is_group = chat_id in self.groups
        retry_after = self.flood.check(bot.id, chat_id, is_group=is_group)
        if retry_after is not None:
            self.stats.too_many_requests[chat_id] += 1
            raise too_many_requests(retry_after)
        self.flood.record(bot.id, chat_id, is_group=is_group)
        msg = self._new_message(conv, sender=bot.to_user())
        msg.update(content)
        if reply_to is not None:
            msg["reply_to_message"] = reply_to
        if reply_markup and "inline_keyboard" in reply_markup:
            msg["reply_markup"] = reply_markup
        if reply_markup and "keyboard" in reply_markup:
            conv.keyboard = reply_markup
        elif reply_markup and reply_markup.get("remove_keyboard"):
            conv.keyboard = None
        record = MessageRecord(
            message=msg,
            sender="bot",
            seq=0,
            reply_markup=reply_markup,
            parse_mode=parse_mode,
            raw_text=raw_text,
        )
        self.stats.delivered[chat_id] += 1
        return self._store(conv, record)

    def bot_edit(
        self,
        bot: BotAccount,
        chat_id: int,
        message_id: int,
        *,
        text: tuple[str, list[JSON], str | None, str] | None = None,
        reply_markup: JSON | None = None,
    ) -> MessageRecord:
        """Edit a bot message's text (plain, entities, parse mode, raw) and/or inline keyboard.

        As in Telegram, the inline keyboard is replaced by `reply_markup`, so leaving it out
        removes the buttons.

        Raises:
            ApiError: 400 not found / not the bot's / no text / not modified.
        """
        self.require_chat(chat_id)
        conv = self.conversation(bot, chat_id)
        record = self._record(conv, message_id, "message to edit not found")
        if record.sender != "bot":
            raise bad_request("message can't be edited")
        if reply_markup is not None and "inline_keyboard" not in reply_markup:
            raise bad_request("inline keyboard expected")
        check_reply_markup(reply_markup)
        msg = dict(record.message)
        if text is not None:
            if "text" not in msg:
                raise bad_request("there is no text in the message to edit")
            plain, entities, parse_mode, raw = text
            msg["text"] = plain
            msg.pop("entities", None)
            if entities:
                msg["entities"] = entities
            record.parse_mode, record.raw_text = parse_mode, raw
        msg.pop("reply_markup", None)
        if reply_markup and reply_markup["inline_keyboard"]:
            msg["reply_markup"] = reply_markup
        if {k: v for k, v in msg.items() if k != "edit_date"} == {
            k: v for k, v in record.message.items() if k != "edit_date"
        }:
            raise bad_request(_NOT_MODIFIED)
        msg["edit_date"] = int(self.wall_clock())
        record.message, record.edited = msg, True
        record.reply_markup = msg.get("reply_markup")
        self._touch(conv, record)
        return record

    def bot_delete(self, bot: BotAccount, chat_id: int, message_id: int) -> None:
        """Delete a message of the conversation (the client view keeps it, flagged)."""
        self.require_chat(chat_id)
        conv = self.conversation(bot, chat_id)
        record = self._record(conv, message_id, "message to delete not found")
        record.deleted = True
        self._touch(conv, record)

    def answer_callback(
        self, bot: BotAccount, callback_query_id: str, *, text: str | None, show_alert: bool, url: str | None
    ) -> None:
        """Record the answer the user sees for a pressed button: once per press and in time, as in Telegram.

        Raises:
            ApiError: 400 "query is too old…" for an unknown query, one already answered, or one
                pressed `callback_timeout` seconds ago or more.
        """
        callback = self.callbacks.get(callback_query_id)
        if callback is None or callback.bot_id != bot.id or callback.answered:
            raise bad_request(_QUERY_TOO_OLD)
        if self.clock() - callback.pressed_at >= self.callback_timeout:
            raise bad_request(_QUERY_TOO_OLD)
        callback.answered, callback.text, callback.show_alert, callback.url = True, text, show_alert, url
        callback.seq = next(self._seq)
        self.conversation(bot, callback.chat_id).seq = callback.seq
        self.changed.notify()

    def set_chat_action(self, bot: BotAccount, chat_id: int, action: str) -> None:
        """Remember the last chat action ("typing", …) for the chat page."""
        self.require_chat(chat_id)
        conv = self.conversation(bot, chat_id)
        conv.chat_action = action
        conv.seq = next(self._seq)
        self.changed.notify()

    # -- updates ----------------------------------------------------------------------------

    def enqueue_update(self, bot: BotAccount, kind: str, payload: JSON) -> int:
        """Queue an update for the bot and wake its long poll or webhook sender."""
        update_id = bot.next_update_id
        bot.next_update_id += 1
        bot.updates.append({"update_id": update_id, kind: payload})
        bot.updates_changed.notify()
        return update_id

    def take_updates(self, bot: BotAccount, *, offset: int | None, limit: int) -> list[JSON]:
        """Confirm updates below `offset` and return up to `limit` pending ones (getUpdates rules).

        A negative offset keeps only the last `-offset` updates. Updates the bot's
        `allowed_updates` excludes are dropped, never delivered.
        """
        if offset is not None and offset < 0:
            while len(bot.updates) > -offset:
                bot.updates.popleft()
        elif offset:
            while bot.updates and bot.updates[0]["update_id"] < offset:
                bot.updates.popleft()
        kept = [u for u in bot.updates if bot.allows(u)]
        if len(kept) != len(bot.updates):
            bot.updates.clear()
            bot.updates.extend(kept)
        return kept[:limit]

    def confirm_update(self, bot: BotAccount, update_id: int) -> None:
        """Forget an update once the webhook accepted it."""
        while bot.updates and bot.updates[0]["update_id"] <= update_id:
            bot.updates.popleft()

    # -- files ------------------------------------------------------------------------------

    def add_file(
        self,
        folder: str,
        extension: str,
        *,
        content: bytes | None = None,
        file_size: int | None = None,
        file_name: str | None = None,
        mime_type: str | None = None,
    ) -> StoredFile:
        """Register a file under `folder/file_N.ext` with fresh Telegram-looking ids."""
        number = next(self._file_numbers)
        stored = StoredFile(
            file_id=f"BQACAgUAAx{secrets.token_urlsafe(24)}",
            file_unique_id=f"AgAD{secrets.token_urlsafe(9)}",
            file_path=f"{folder}/file_{number}.{extension}",
            file_size=len(content) if content is not None else (file_size or 0),
            content=content,
            file_name=file_name,
            mime_type=mime_type,
        )
        self.files[stored.file_id] = stored
        return stored

    def file_by_path(self, file_path: str) -> StoredFile | None:
        """The file served at `file_path`, if any."""
        return next((f for f in self.files.values() if f.file_path == file_path), None)

    def photo_sizes(self, *, content: bytes | None) -> list[JSON]:
        """`PhotoSize` list for a photo; the largest size carries the uploaded bytes."""
        return self._photo_sizes(content=content)

    # -- client views -----------------------------------------------------------------------

    def client_view(self, bot: BotAccount, chat_id: int, *, after: int = 0) -> JSON:
        """What changed in a chat since cursor `after`, plus the current reply keyboard."""
        conv = self.conversation(bot, chat_id)
        return {
            "chat_id": chat_id,
            "chat": self.chat_json(chat_id),
            "cursor": conv.seq,
            "messages": [r.to_client() for r in conv.messages.values() if r.seq > after],
            "callback_answers": [c.to_client() for c in conv.callbacks if c.seq > after],
            "keyboard": conv.keyboard,
            "chat_action": conv.chat_action,
            "commands": bot.commands_for(chat_id),
        }

    def close(self) -> None:
        """Wake every waiter so long polls return at once (call before stopping the server)."""
        self.closed = True
        self.changed.notify()
        for bot in self.bots.values():
            bot.updates_changed.notify()

    # -- helpers ----------------------------------------------------------------------------

    def _group(self, chat_id: int) -> EmuChat:
        try:
            return self.groups[chat_id]
        except KeyError:
            raise LookupError(f"no group {chat_id}") from None

    def _new_message(self, conv: Conversation, *, sender: JSON) -> JSON:
        message_id = conv.next_message_id
        conv.next_message_id += 1
        return {
            "message_id": message_id,
            "from": sender,
            "chat": self.require_chat(conv.chat_id),
            "date": int(self.wall_clock()),
        }

    @staticmethod
    def _record(conv: Conversation, message_id: int, not_found: str) -> MessageRecord:
        record = conv.messages.get(message_id)
        if record is None or record.deleted:
            raise bad_request(not_found)
        return record

    def _store(self, conv: Conversation, record: MessageRecord) -> MessageRecord:
        conv.messages[record.message_id] = record
        self._touch(conv, record)
        return record

    def _touch(self, conv: Conversation, record: MessageRecord) -> None:
        record.seq = conv.seq = next(self._seq)
        self.changed.notify()

    def sticker(self, emoji: str) -> JSON:
        """A fresh `Sticker` object showing `emoji` (the sandbox has one sticker set)."""
        stored = self.add_file("stickers", "webp", file_size=24_000)
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "set_name": "XinbinSandbox",
            "file_size": stored.file_size,
        }

    def _photo_sizes(self, *, content: bytes | None) -> list[JSON]:
        # Real dimensions would need an image decoder; these stand in for Telegram's usual ladder.
        sizes: list[JSON] = []
        ladder = ((90, 68, 1_200), (320, 240, 14_000), (800, 600, 60_000))
        for index, (width, height, size) in enumerate(ladder):
            largest = index == len(ladder) - 1
            stored = self.add_file("photos", "jpg", content=content if largest else None, file_size=size)
            sizes.append(
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "file_size": stored.file_size,
                    "width": width,
                    "height": height,
                }
            )
        return sizes


def check_reply_markup(markup: Any) -> None:
    """Refuse markup Telegram would refuse: non-objects and oversized callback data."""
    if markup is None:
        return
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    for row in markup.get("inline_keyboard") or []:
        for button in row:
            data = button.get("callback_data")
            if data is not None and len(str(data).encode()) > MAX_CALLBACK_DATA_BYTES:
                raise bad_request("BUTTON_DATA_INVALID")


__all__ = ["EmulatorState", "check_reply_markup"]
