"""Staff-side helpers: villages and invites made through services, people registered over Telegram
(on a running sandbox, or on the bot driven in-process)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import texts
from emulator import EmulatorClient
from emulator.models import MessageRecord
from services.db import session_scope
from services.invites import create_invite
from services.places import import_villages, read_villages_csv
from tests.inprocess_support import InProcessBot

#: The road measure's button and its 村组道路硬化 indicator's (106 公里 in the plan).
ROAD = texts.REPORT_MEASURE_BUTTON.format(title="农村基础设施巩固提升工程", lead="县交通局")
ROAD_KM = texts.REPORT_INDICATOR_BUTTON.format(name="村组道路硬化", unit="公里")
BRIDGES = texts.REPORT_INDICATOR_BUTTON.format(name="新建桥梁", unit="座")


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


async def enrol(
    bot: InProcessBot, sessionmaker: async_sessionmaker[AsyncSession], name: str, role: str, **binding: Any
) -> int:
    """A new Telegram user who opens an invite link for `role` in the bot driven in-process; their id."""
    user = bot.user(name)
    await bot.say(user, "/start " + await invite_code(sessionmaker, role, **binding))
    return user


def menu_labels(keyboard: dict[str, Any] | None) -> list[str]:
    """The labels of a reply keyboard, row by row."""
    if keyboard is None:
        return []
    return [b["text"] if isinstance(b, dict) else b for row in keyboard["keyboard"] for b in row]


async def reply(client: EmulatorClient, user: dict[str, Any]) -> dict[str, Any]:
    return await client.wait_for_bot_message(user["id"])


async def say(client: EmulatorClient, user: dict[str, Any], text: str) -> str:
    await client.send_text(user, text)
    return str((await reply(client, user))["text"])


async def start_road_report(client: EmulatorClient, cadre: dict[str, Any], indicator: str = ROAD_KM) -> str:
    """Walk /report to the quantity step of a road indicator; returns the quantity prompt."""
    await client.send_text(cadre, texts.BUTTON_REPORT)
    assert (await reply(client, cadre))["text"] == texts.REPORT_INTRO
    measure_prompt = await reply(client, cadre)
    assert measure_prompt["text"] == texts.REPORT_MEASURE
    assert ROAD in menu_labels(measure_prompt["reply_markup"])
    indicator_prompt = await say(client, cadre, ROAD)
    assert "村组道路硬化：目标 106公里，还差" in indicator_prompt
    return await say(client, cadre, indicator)


async def finish_report(client: EmulatorClient, cadre: dict[str, Any], quantity: str) -> str:
    """From the quantity step: no photo, no note, confirm; returns the receipt."""
    assert await say(client, cadre, quantity) == texts.REPORT_PHOTO
    assert await say(client, cadre, texts.BUTTON_SKIP) == texts.REPORT_NOTE
    assert "请核对上报内容" in await say(client, cadre, texts.BUTTON_SKIP)
    return await say(client, cadre, texts.BUTTON_CONFIRM)


def buttons(message: dict[str, Any]) -> list[str]:
    markup = message.get("reply_markup") or {}
    return [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row]


async def report_road(
    bot: InProcessBot, cadre: int, quantity: str, *, photo: bool = False, note: str | None = None
) -> list[str]:
    """In the bot driven in-process: /report of 村组道路硬化 in a one-village cadre's village, with a
    photo or not, a note or none, up to 确认; the bot's replies to 确认."""
    await bot.say(cadre, texts.BUTTON_REPORT)
    await bot.say(cadre, ROAD)
    await bot.say(cadre, ROAD_KM)
    await bot.say(cadre, quantity)
    if photo:
        await bot.send_photo(cadre)
    else:
        await bot.say(cadre, texts.BUTTON_SKIP)
    await bot.say(cadre, note or texts.BUTTON_SKIP)
    return await bot.say(cadre, texts.BUTTON_CONFIRM)


def inline_data(record: MessageRecord) -> list[str]:
    """The callback data of a message's inline buttons, in order."""
    rows = (record.reply_markup or {}).get("inline_keyboard") or []
    return [b["callback_data"] for row in rows for b in row if "callback_data" in b]


def text_of(record: MessageRecord) -> str:
    """A message's text, or its caption."""
    return str(record.message.get("text") or record.message.get("caption") or "")
