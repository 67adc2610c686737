"""What the bot sends reaches people under Telegram's real limits: fitted, paced, retried, replies first.

The guard and the limiter are tried on a PTB bot wired as the real one is (`SendingLimiter` on
its `ExtBot`) against the emulator; the rest drive the whole program in sandbox mode, the
emulator's flood limits on, as Telegram would treat it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from typing import Any

import pytest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.ext import ExtBot

from bot import texts
from bot.telegram.concurrency import PerChatUpdateProcessor
from bot.telegram.sending import MAX_TEXT, Lane, SendingLimiter
from emulator import FloodLimits, RunningEmulator, running_emulator
from services.db import session_scope
from services.models import Role, RoleKind, User, utcnow
from tests.bot_support import Sandbox, bot_texts, running_sandbox
from tests.people_support import person

#: A question every household may ask; its answer is one message.
QUESTION = "娃上初中一年补多少钱"
#: Seconds a test waits for what the bot owes; generous, since the machine may be busy.
PATIENCE = 90.0


@pytest.fixture
async def emu() -> AsyncIterator[RunningEmulator]:
    async with running_emulator() as running:
        yield running


def limited_bot(emu: RunningEmulator, limiter: SendingLimiter | None = None) -> ExtBot[Lane]:
    """A PTB bot with the bot's own limiter, as `bot.app` builds it."""
    from services.outbox import Pacer

    return ExtBot(emu.token, base_url=emu.api_url, rate_limiter=limiter or SendingLimiter(Pacer()))


# -- the one guard ------------------------------------------------------------------------------


async def test_a_text_over_4096_characters_is_delivered_cut_with_a_marker(emu: RunningEmulator) -> None:
    user = emu.state.add_user("张大姐")
    long = "扶贫政策说明" * 1000  # 6,000 characters
    async with limited_bot(emu) as bot:
        sent = await bot.send_message(user.id, long)
    assert sent.text is not None
    assert len(sent.text) == MAX_TEXT
    assert sent.text.endswith(texts.TRUNCATED)
    assert sent.text.startswith("扶贫政策说明扶贫政策说明")


async def test_a_long_caption_and_a_long_button_answer_are_cut_not_refused(emu: RunningEmulator) -> None:
    user = emu.state.add_user("李会计")
    async with limited_bot(emu) as bot:
        sent = await bot.send_document(user.id, InputFile(b"1,2\n", filename="a.csv"), caption="说明" * 1000)
        card = await bot.send_message(
            user.id, "事项", reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("接收", callback_data="ok")]])
        )
        press = emu.state.user_press(emu.bot, user.id, message_id=card.message_id, data="ok")
        await bot.answer_callback_query(press.id, text="已接收" * 100)
    assert sent.caption is not None
    assert len(sent.caption) == 1024
    assert press.text is not None
    assert len(press.text) == 200


async def test_callback_data_over_64_bytes_is_refused_before_anything_is_sent(emu: RunningEmulator) -> None:
    user = emu.state.add_user("王主任")
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("问", callback_data="q:" + "补助" * 20)]])
    async with limited_bot(emu) as bot:
        with pytest.raises(ValueError, match="64 bytes"):
            await bot.send_message(user.id, "您是不是想问：", reply_markup=markup)
    assert emu.state.stats.delivered[user.id] == 0


# -- 429 and pacing -----------------------------------------------------------------------------


async def test_a_reply_answered_429_is_sent_again_after_retry_after() -> None:
    # A strict chat limit (1 a second) that the bot's pacer, allowing a burst, does not know of.
    strict = FloodLimits(private_burst=1)
    async with running_emulator(flood=True, flood_limits=strict) as emu:
        user = emu.state.add_user("赵大爷")
        async with limited_bot(emu) as bot:
            await bot.send_message(user.id, "第一条")
            await bot.send_message(user.id, "第二条")
        async with emu.client() as client:
            said = await bot_texts(client, user.id)
            stats = await client.stats()
    assert said == ["第一条", "第二条"]
    assert stats["too_many_requests"] == 1


async def _started_households(sandbox: Sandbox, count: int) -> list[int]:
    """`count` people who pressed /start some time ago (registered directly: faster than 600 steps)."""
    people = [sandbox.state.add_user(f"村民{i:03d}号") for i in range(count)]
    now = utcnow()
    async with session_scope(sandbox.app.state.sessionmaker) as session:
        await session.execute(
            insert(User), [{"telegram_user_id": p.id, "display_name": p.first_name, "created_at": now} for p in people]
        )
        ids = dict((await session.execute(select(User.telegram_user_id, User.id))).all())
        await session.execute(
            insert(Role), [{"user_id": ids[p.id], "kind": RoleKind.HOUSEHOLD, "created_at": now} for p in people]
        )
    return [p.id for p in people]


async def _first_bot_texts(sandbox: Sandbox, chats: Sequence[int]) -> dict[int, str]:
    """Each chat's first message from the bot, waiting until every chat has one."""
    replies = await asyncio.gather(*(sandbox.client.wait_for_bot_message(c, timeout=PATIENCE) for c in chats))
    return {chat: reply["text"] for chat, reply in zip(chats, replies, strict=True)}


async def test_ninety_people_pressing_start_at_once_under_the_flood_limit_are_all_welcomed(
    database_url: str, engine: AsyncEngine
) -> None:
    # Three seconds' worth of Telegram's 30 a second, all at once.
    async with running_sandbox(database_url) as sandbox:
        people = [sandbox.state.add_user(f"新户{i:02d}") for i in range(90)]
        for p in people:
            sandbox.state.user_send(sandbox.state.resolve_bot(), p.id, text="/start")
        welcomed = await _first_bot_texts(sandbox, [p.id for p in people])
    assert all(text.startswith("您好") for text in welcomed.values())


async def _office(sandbox: Sandbox) -> dict[str, Any]:
    office = await sandbox.client.create_user("王主任")
    async with session_scope(sandbox.app.state.sessionmaker) as session:
        await person(session, office["id"], RoleKind.OFFICE)
    return office


async def _say(sandbox: Sandbox, user: dict[str, Any], text: str) -> str:
    await sandbox.client.send_text(user, text)
    return (await sandbox.client.wait_for_bot_message(user["id"], timeout=PATIENCE))["text"]  # type: ignore[no-any-return]


async def test_households_asking_during_a_broadcast_are_answered_before_it_is_over(
    database_url: str, engine: AsyncEngine
) -> None:
    async with running_sandbox(database_url) as sandbox:
        office = await _office(sandbox)
        households = await _started_households(sandbox, 200)
        askers = [await sandbox.client.create_user(f"提问人{i}") for i in range(5)]
        await _say(sandbox, office, "/broadcast")
        await _say(sandbox, office, "请于12月5日前核对2018年各项补贴发放信息。")
        await _say(sandbox, office, texts.AUDIENCE_BUTTONS["households"])
        await _say(sandbox, office, texts.BUTTON_SEND_NOW)
        await _say(sandbox, office, texts.BUTTON_CONFIRM_SEND)
        await asyncio.gather(*(sandbox.client.send_text(a, QUESTION) for a in askers))
        answers = await _first_bot_texts(sandbox, [a["id"] for a in askers])
        delivered = (await sandbox.client.stats())["delivered_by_chat"]
        reached_meanwhile = sum(1 for h in households if delivered.get(str(h)))
    assert all("初中" in answer for answer in answers.values())
    assert reached_meanwhile < len(households)  # the broadcast was still going out


async def test_a_long_notice_is_previewed_cut(database_url: str, engine: AsyncEngine) -> None:
    notice = "请各村于12月5日前核对补贴发放信息。" * 200  # about 3,800 characters
    async with running_sandbox(database_url) as sandbox:
        office = await _office(sandbox)
        await _started_households(sandbox, 1)
        await _say(sandbox, office, "/broadcast")
        await _say(sandbox, office, notice)
        await _say(sandbox, office, texts.AUDIENCE_BUTTONS["households"])
        preview = await _say(sandbox, office, texts.BUTTON_SEND_NOW)
    assert texts.BROADCAST_PREVIEW_CUT.format(length=len(notice)) in preview


# -- concurrency --------------------------------------------------------------------------------


def _message(update_id: int, user_id: int) -> Update:
    chat = {"id": user_id, "type": "private", "first_name": "户主"}
    sender = {"id": user_id, "is_bot": False, "first_name": "户主"}
    return Update.de_json(
        {
            "update_id": update_id,
            "message": {"message_id": update_id, "date": 0, "chat": chat, "from": sender, "text": "问"},
        },
        None,
    )


async def test_two_peoples_updates_run_at_once_while_one_persons_stay_in_order() -> None:
    processor = PerChatUpdateProcessor()
    first_may_finish = asyncio.Event()
    events: list[str] = []

    async def handle(name: str, wait: asyncio.Event | None = None) -> None:
        events.append(f"{name} starts")
        if wait is not None:
            await wait.wait()
        events.append(f"{name} ends")

    async with processor:
        a1 = asyncio.create_task(processor.process_update(_message(1, 111), handle("A1", first_may_finish)))
        a2 = asyncio.create_task(processor.process_update(_message(2, 111), handle("A2")))
        b1 = asyncio.create_task(processor.process_update(_message(3, 222), handle("B1")))
        await asyncio.wait_for(b1, timeout=5)  # the other person is not held up by A1
        assert "A2 starts" not in events  # A's second message waits for the first
        first_may_finish.set()
        await asyncio.wait_for(asyncio.gather(a1, a2), timeout=5)
    assert events == ["A1 starts", "B1 starts", "B1 ends", "A1 ends", "A2 starts", "A2 ends"]
