"""Bot API methods the emulator answers, each a small function registered by its name.

Every method returns what Telegram's `result` would hold, or raises `ApiError` with
Telegram's own description; the HTTP layer wraps both into Telegram's JSON envelope.
Method names are matched case-insensitively, as Telegram does.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from emulator.errors import METHOD_NOT_FOUND, bad_request, conflict
from emulator.formatting import apply_parse_mode
from emulator.models import JSON, BotAccount, StoredFile, WebhookConfig
from emulator.params import Params, UploadedFile
from emulator.state import MAX_CALLBACK_ANSWER_LENGTH, MAX_CAPTION_LENGTH, MAX_TEXT_LENGTH, EmulatorState


class WebhookControl(Protocol):
    """What methods need from the webhook sender: start or stop delivery for a bot."""

    def reconfigure(self, bot: BotAccount) -> None:
        """Start, restart or stop delivery after the bot's webhook changed."""


@dataclass
class Call:
    """One Bot API call: who calls, with what, against which world."""

    state: EmulatorState
    bot: BotAccount
    params: Params
    webhooks: WebhookControl


@dataclass(frozen=True)
class Described:
    """A result Telegram accompanies with a `description` ("Webhook was set")."""

    result: Any
    description: str


Method = Callable[[Call], Awaitable[Any]]
METHODS: dict[str, Method] = {}
#: a method function, registered as it is so callers keep its own result type
M = TypeVar("M", bound=Method)

_WEBHOOK_ACTIVE = "can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")


def method(name: str) -> Callable[[M], M]:
    """Register a Bot API method under its (case-insensitive) name."""

    def register(func: M) -> M:
        METHODS[name.lower()] = func
        return func

    return register


async def call_method(name: str, call: Call) -> Any:
    """Run Bot API method `name`.

    Raises:
        ApiError: Telegram's error for this call, 404 for an unknown method.
    """
    handler = METHODS.get(name.lower())
    if handler is None:
        raise METHOD_NOT_FOUND
    return await handler(call)


# -- identity, updates, webhook --------------------------------------------------------------


@method("getMe")
async def get_me(call: Call) -> JSON:
    return call.bot.get_me()


@method("logOut")
@method("close")
async def log_out(call: Call) -> bool:
    return True


@method("getUpdates")
async def get_updates(call: Call) -> list[JSON]:
    """Long poll: answer as soon as an update is pending, or with [] after `timeout` seconds."""
    bot, p = call.bot, call.params
    if bot.webhook is not None:
        raise conflict(_WEBHOOK_ACTIVE)
    limit = min(max(p.get_int("limit") or 100, 1), 100)
    timeout = max(p.get_int("timeout") or 0, 0)
    allowed = p.get_json("allowed_updates")
    if allowed is not None:
        bot.allowed_updates = list(allowed)
    # A newer poll supersedes an older one, which then answers 409 as Telegram's does.
    bot.poll_generation += 1
    generation = bot.poll_generation
    bot.updates_changed.notify()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        updates = call.state.take_updates(bot, offset=p.get_int("offset"), limit=limit)
        remaining = deadline - loop.time()
        if updates or call.state.closed or remaining <= 0:
            return updates
        await bot.updates_changed.wait(remaining)
        if bot.poll_generation != generation:
            raise conflict("terminated by other getUpdates request; make sure that only one bot instance is running")
        if bot.webhook is not None:
            raise conflict(_WEBHOOK_ACTIVE)


@method("setWebhook")
async def set_webhook(call: Call) -> Described:
    bot, p = call.bot, call.params
    url = p.get_str("url") or ""
    if not url:
        return await delete_webhook(call)
    if not url.startswith(("https://", "http://")):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = p.get_str("secret_token")
    if secret is not None and not _SECRET_TOKEN.fullmatch(secret):
        raise bad_request("bad webhook: secret token contains unallowed characters")
    if p.get_bool("drop_pending_updates"):
        bot.updates.clear()
    allowed = p.get_json("allowed_updates")
    bot.webhook = WebhookConfig(
        url=url,
        secret_token=secret,
        max_connections=p.get_int("max_connections") or 40,
        allowed_updates=list(allowed) if allowed is not None else None,
    )
    bot.updates_changed.notify()
    call.webhooks.reconfigure(bot)
    return Described(True, "Webhook was set")


@method("deleteWebhook")
async def delete_webhook(call: Call) -> Described:
    bot = call.bot
    was_set = bot.webhook is not None
    if call.params.get_bool("drop_pending_updates"):
        bot.updates.clear()
    bot.webhook = None
    call.webhooks.reconfigure(bot)
    return Described(True, "Webhook was deleted" if was_set else "Webhook is already deleted")


@method("getWebhookInfo")
async def get_webhook_info(call: Call) -> JSON:
    bot, hook = call.bot, call.bot.webhook
    info: JSON = {"url": hook.url if hook else "", "has_custom_certificate": False}
    info["pending_update_count"] = len(bot.updates)
    if hook is None:
        return info
    info.update(ip_address="127.0.0.1", max_connections=hook.max_connections)
    if hook.allowed_updates is not None:
        info["allowed_updates"] = hook.allowed_updates
    if hook.last_error_date is not None:
        info.update(last_error_date=hook.last_error_date, last_error_message=hook.last_error_message)
    return info


# -- commands and menu button -----------------------------------------------------------------


def _commands_key(p: Params) -> tuple[str, str]:
    scope = p.get_json("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True), p.get_str("language_code") or ""


@method("setMyCommands")
async def set_my_commands(call: Call) -> bool:
    commands = call.params.get_json("commands")
    if not isinstance(commands, list):
        raise bad_request("commands is empty")
    for command in commands:
        if not _COMMAND.fullmatch(str(command.get("command", ""))):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", ""))) <= 256:
            raise bad_request("command description is empty")
    call.bot.commands[_commands_key(call.params)] = [
        {"command": c["command"], "description": c["description"]} for c in commands
    ]
    return True


@method("getMyCommands")
async def get_my_commands(call: Call) -> list[JSON]:
    return call.bot.commands.get(_commands_key(call.params), [])


@method("deleteMyCommands")
async def delete_my_commands(call: Call) -> bool:
    call.bot.commands.pop(_commands_key(call.params), None)
    return True


@method("setChatMenuButton")
async def set_chat_menu_button(call: Call) -> bool:
    chat_id = call.params.get_int("chat_id")
    if chat_id is not None:
        call.state.require_chat(chat_id)
    call.bot.menu_buttons[chat_id] = call.params.get_json("menu_button") or {"type": "default"}
    return True


@method("getChatMenuButton")
async def get_chat_menu_button(call: Call) -> JSON:
    buttons = call.bot.menu_buttons
    button = buttons.get(call.params.get_int("chat_id")) or buttons.get(None) or {"type": "commands"}
    return {"type": "commands"} if button.get("type") == "default" else button


# -- sending ----------------------------------------------------------------------------------


def _reply_to(call: Call, chat_id: int) -> int | None:
    """The message to reply to, from `reply_parameters` or the older `reply_to_message_id`."""
    p = call.params
    parameters = p.get_json("reply_parameters") or {}
    message_id = parameters.get("message_id") or p.get_int("reply_to_message_id")
    if message_id is None:
        return None
    lenient = parameters.get("allow_sending_without_reply") or p.get_bool("allow_sending_without_reply")
    record = call.state.conversation(call.bot, chat_id).messages.get(int(message_id))
    if lenient and (record is None or record.deleted):
        return None
    return int(message_id)


def _caption(call: Call) -> tuple[JSON, str | None]:
    """Caption fields (`caption`, `caption_entities`) and the raw caption."""
    raw = call.params.get_str("caption")
    if not raw:
        return {}, None
    plain, entities = apply_parse_mode(raw, call.params.get_str("parse_mode"))
    if len(plain) > MAX_CAPTION_LENGTH:
        raise bad_request("message caption is too long")
    fields: JSON = {"caption": plain}
    if entities:
        fields["caption_entities"] = entities
    return fields, raw


def _send(call: Call, chat_id: int, content: JSON, raw_text: str | None) -> JSON:
    record = call.state.bot_send(
        call.bot,
        chat_id,
        content,
        reply_markup=call.params.get_json("reply_markup"),
        parse_mode=call.params.get_str("parse_mode"),
        raw_text=raw_text,
        reply_to_message_id=_reply_to(call, chat_id),
    )
    return record.message


def _text(call: Call) -> tuple[str, list[JSON], str]:
    """Plain text, entities and the raw text of a text-bearing call."""
    raw = call.params.get_str("text")
    if not raw or not raw.strip():
        raise bad_request("message text is empty")
    entities = call.params.get_json("entities")
    if entities:
        plain = raw
    else:
        plain, entities = apply_parse_mode(raw, call.params.get_str("parse_mode"))
    if len(plain) > MAX_TEXT_LENGTH:
        raise bad_request("message is too long")
    return plain, list(entities or []), raw


@method("sendMessage")
async def send_message(call: Call) -> JSON:
    chat_id = call.params.chat_id()
    plain, entities, raw = _text(call)
    content: JSON = {"text": plain}
    if entities:
        content["entities"] = entities
    return _send(call, chat_id, content, raw)


def _input_file(call: Call, name: str) -> UploadedFile | StoredFile | str:
    """An uploaded file, a known file_id, or a URL for Telegram to fetch."""
    p = call.params
    if name in p.files:
        return p.files[name]
    value = p.get_str(name)
    if not value:
        raise bad_request(f"there is no {name} in the request")
    if value.startswith("attach://") and value.removeprefix("attach://") in p.files:
        return p.files[value.removeprefix("attach://")]
    if value in call.state.files:
        return call.state.files[value]
    if value.startswith(("http://", "https://")):
        return value
    raise bad_request("wrong file identifier/HTTP URL specified")


@method("sendPhoto")
async def send_photo(call: Call) -> JSON:
    chat_id = call.params.chat_id()
    source = _input_file(call, "photo")
    if isinstance(source, StoredFile):
        # Resending a known file_id: one size stands in for the ladder Telegram would return.
        size = {
            "file_id": source.file_id,
            "file_unique_id": source.file_unique_id,
            "file_size": source.file_size,
        }
        sizes = [{**size, "width": 800, "height": 600}]
    else:
        sizes = call.state.photo_sizes(content=source.content if isinstance(source, UploadedFile) else None)
    caption, raw = _caption(call)
    return _send(call, chat_id, {"photo": sizes, **caption}, raw)


@method("sendDocument")
async def send_document(call: Call) -> JSON:
    chat_id = call.params.chat_id()
    source = _input_file(call, "document")
    if isinstance(source, UploadedFile):
        stored = call.state.add_file(
            "documents",
            source.filename.rsplit(".", 1)[-1] if "." in source.filename else "bin",
            content=source.content,
            file_name=source.filename,
            mime_type=source.content_type,
        )
    elif isinstance(source, str):
        name = source.rsplit("/", 1)[-1] or "file"
        stored = call.state.add_file("documents", "bin", file_name=name)
    else:
        stored = source
    document: JSON = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
    if stored.file_name:
        document["file_name"] = stored.file_name
    if stored.mime_type:
        document["mime_type"] = stored.mime_type
    document["file_size"] = stored.file_size
    caption, raw = _caption(call)
    return _send(call, chat_id, {"document": document, **caption}, raw)


@method("sendSticker")
async def send_sticker(call: Call) -> JSON:
    chat_id = call.params.chat_id()
    _input_file(call, "sticker")
    sticker = call.state.sticker(call.params.get_str("emoji") or "👍")
    return _send(call, chat_id, {"sticker": sticker}, None)


@method("sendChatAction")
async def send_chat_action(call: Call) -> bool:
    action = call.params.get_str("action")
    if not action:
        raise bad_request("action is empty")
    call.state.set_chat_action(call.bot, call.params.chat_id(), action)
    return True


# -- changing sent messages -------------------------------------------------------------------


def _target(call: Call) -> tuple[int, int]:
    if call.params.has("inline_message_id"):
        raise bad_request("inline messages are not supported by the emulator")
    message_id = call.params.get_int("message_id", required=True)
    assert message_id is not None
    return call.params.chat_id(), message_id


@method("editMessageText")
async def edit_message_text(call: Call) -> JSON:
    chat_id, message_id = _target(call)
    plain, entities, raw = _text(call)
    record = call.state.bot_edit(
        call.bot,
        chat_id,
        message_id,
        text=(plain, entities, call.params.get_str("parse_mode"), raw),
        reply_markup=call.params.get_json("reply_markup"),
    )
    return record.message


@method("editMessageReplyMarkup")
async def edit_message_reply_markup(call: Call) -> JSON:
    chat_id, message_id = _target(call)
    record = call.state.bot_edit(call.bot, chat_id, message_id, reply_markup=call.params.get_json("reply_markup"))
    return record.message


@method("deleteMessage")
async def delete_message(call: Call) -> bool:
    chat_id, message_id = _target(call)
    call.state.bot_delete(call.bot, chat_id, message_id)
    return True


@method("answerCallbackQuery")
async def answer_callback_query(call: Call) -> bool:
    p = call.params
    query_id = p.get_str("callback_query_id", required=True)
    assert query_id is not None
    if len(p.get_str("text") or "") > MAX_CALLBACK_ANSWER_LENGTH:
        raise bad_request("MESSAGE_TOO_LONG")
    call.state.answer_callback(
        call.bot, query_id, text=p.get_str("text"), show_alert=p.get_bool("show_alert"), url=p.get_str("url")
    )
    return True


# -- chats and files --------------------------------------------------------------------------


@method("getChat")
async def get_chat(call: Call) -> JSON:
    chat = call.state.require_chat(call.params.chat_id())
    gifts = (
        "unlimited_gifts",
        "limited_gifts",
        "unique_gifts",
        "premium_subscription",
        "gifts_from_channels",
    )
    return {
        **chat,
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": dict.fromkeys(gifts, False),
    }


@method("getFile")
async def get_file(call: Call) -> JSON:
    stored = call.state.files.get(call.params.get_str("file_id") or "")
    if stored is None:
        raise bad_request("invalid file_id")
    return stored.to_telegram()
