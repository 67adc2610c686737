"""Message text as Telegram stores it: entities in UTF-16 offsets, HTML parse mode applied.

Telegram strips HTML tags from the text and returns entities instead, and refuses markup it
cannot parse with "can't parse entities". Doing the same here lets the sandbox catch the most
common bot bug (an unescaped `<` in a reply) before real users do. Markdown modes are stored
unparsed: their escaping rules are intricate and the bot is expected to use HTML.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from emulator.errors import bad_request

#: simple HTML tags Telegram accepts and the entity type each becomes
_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}

#: a bot command as Telegram detects it in user text: "/start", "/start@XinbinFupinBot"
_COMMAND = re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def command_entities(text: str) -> list[dict[str, Any]]:
    """`bot_command` entities for every command in a user's text."""
    return [
        {"type": "bot_command", "offset": utf16_len(text[: m.start()]), "length": utf16_len(m.group())}
        for m in _COMMAND.finditer(text)
    ]


def apply_parse_mode(text: str, parse_mode: str | None) -> tuple[str, list[dict[str, Any]]]:
    """Return the stored text and its entities for a text sent with `parse_mode`.

    Raises:
        ApiError: 400 "can't parse entities" for HTML Telegram would refuse.
    """
    if parse_mode is None or parse_mode.lower() != "html":
        return text, []
    parser = _TelegramHTML()
    try:
        parser.feed(text)
        parser.close()
    except _ParseError as exc:
        raise bad_request(f"can't parse entities: {exc}") from None
    if parser.stack:
        tag = parser.stack[-1][0]
        raise bad_request(f"can't parse entities: Can't find end tag corresponding to start tag \"{tag}\"")
    plain = "".join(parser.out)
    if not plain.strip():
        raise bad_request("message text is empty")
    entities = sorted(parser.entities, key=lambda e: (e["offset"], -e["length"]))
    return plain, entities


class _ParseError(Exception):
    pass


class _TelegramHTML(HTMLParser):
    """Collects plain text and entities; rejects tags Telegram does not support."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.position = 0
        self.stack: list[tuple[str, int, dict[str, Any]]] = []
        self.entities: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        extra: dict[str, Any]
        if tag == "a":
            href = attr.get("href") or ""
            extra = {"type": "text_link", "url": href}
        elif tag == "span" and attr.get("class") == "tg-spoiler":
            extra = {"type": "spoiler"}
        elif tag == "tg-emoji":
            extra = {"type": "custom_emoji", "custom_emoji_id": attr.get("emoji-id") or ""}
        elif tag in _SIMPLE_TAGS:
            extra = {"type": _SIMPLE_TAGS[tag]}
            if tag == "blockquote" and "expandable" in attr:
                extra["type"] = "expandable_blockquote"
            if tag == "code" and self.stack and self.stack[-1][0] == "pre":
                language = (attr.get("class") or "").removeprefix("language-")
                if language:
                    self.stack[-1][2]["language"] = language
                extra = {}
        else:
            raise _ParseError(f'Unsupported start tag "{tag}"')
        self.stack.append((tag, self.position, extra))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1][0] != tag:
            expected = f'"</{self.stack[-1][0]}>"' if self.stack else "no end tag"
            raise _ParseError(f'Unmatched end tag "</{tag}>", expected {expected}')
        _, start, extra = self.stack.pop()
        if extra and self.position > start:
            self.entities.append({**extra, "offset": start, "length": self.position - start})

    def handle_data(self, data: str) -> None:
        self.out.append(data)
        self.position += utf16_len(data)
