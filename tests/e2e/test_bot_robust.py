"""Anything a person may send gets a sensible Chinese reply; floods are limited; errors are logged masked."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Update

from bot import texts
from bot.ratelimit import RateLimiter
from bot.telegram.errors import masked
from bot.telegram.households import MAX_QUESTION_LENGTH
from tests.bot_support import Sandbox, running_sandbox


@pytest.fixture
async def sandbox(database_url: str, engine: AsyncEngine) -> AsyncIterator[Sandbox]:
    async with running_sandbox(database_url, rate_limiter=RateLimiter(limit=6, window=60)) as running:
        yield running


async def _reply(sandbox: Sandbox, user: dict) -> str:
    return (await sandbox.client.wait_for_bot_message(user["id"]))["text"]  # type: ignore[no-any-return]


async def test_odd_messages_get_sensible_replies(sandbox: Sandbox) -> None:
    client = sandbox.client
    user = await client.create_user("郑大姐")
    await client.send_text(user, "问" * (MAX_QUESTION_LENGTH + 1))
    assert "太长" in await _reply(sandbox, user)
    await client.send_sticker(user, "🙏")
    assert await _reply(sandbox, user) == texts.NOT_TEXT
    await client.send_photo(user)
    assert await _reply(sandbox, user) == texts.NOT_TEXT
    await client.send_text(user, "/frobnicate")
    assert await _reply(sandbox, user) == texts.UNKNOWN_COMMAND
    sent = await client.send_text(user, "/help")
    assert await _reply(sandbox, user) == texts.HELP
    await client.edit_text(user, sent, "/start")
    assert await _reply(sandbox, user) == texts.EDITED


async def test_group_chats_are_asked_to_talk_privately(sandbox: Sandbox) -> None:
    client = sandbox.client
    a = await client.create_user("甲")
    b = await client.create_user("乙")
    group = await client.create_group("靠山村群", [a, b])
    await client.send_text(a, "大家好", chat_id=group["id"])
    await client.send_text(a, "/start", chat_id=group["id"])
    reply = await client.wait_for_bot_message(group["id"])
    assert reply["text"] == texts.GROUP_ONLY_PRIVATE
    bot_messages = [m for m in await client.messages(group["id"]) if m["sender"] == "bot"]
    assert len(bot_messages) == 1  # small talk in the group is left alone


async def test_a_flood_is_limited_with_one_warning(sandbox: Sandbox) -> None:
    client = sandbox.client
    user = await client.create_user("刷屏的人")
    for _ in range(10):
        await client.send_text(user, "/help")
    # Seven messages into one chat: within the burst Telegram tolerates, but the machine may be busy.
    warning = await client.wait_for(
        user["id"], lambda m: m["sender"] == "bot" and "太快" in (m["text"] or ""), timeout=20
    )
    assert warning
    bot_messages = [m for m in await client.messages(user["id"]) if m["sender"] == "bot"]
    assert len(bot_messages) == 7  # six answers, one warning, then silence


def test_the_error_log_masks_names_and_numbers() -> None:
    update = Update.de_json(
        {
            "update_id": 5,
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": 42, "type": "private", "first_name": "张三丰"},
                "from": {"id": 42, "is_bot": False, "first_name": "张三丰"},
                "text": "我的身份证 210422198001011234 电话 13812345678",
            },
        },
        None,
    )
    shown = str(masked(update.to_dict()))
    assert "张三丰" not in shown
    assert "210422198001011234" not in shown
    assert "13812345678" not in shown


async def test_a_handler_exception_is_logged_with_the_update_and_the_user_told(
    database_url: str, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.http.app import WARM_UP_QUESTION
    from services.questions import Answerer

    answer = Answerer.answer

    def broken(self: Answerer, question: str) -> object:
        if question == WARM_UP_QUESTION:  # start-up still works; the household's question fails
            return answer(self, question)
        raise RuntimeError("boom")

    monkeypatch.setattr(Answerer, "answer", broken)
    async with running_sandbox(database_url, expect_errors=True) as sandbox:
        user = await sandbox.client.create_user("冯大哥")
        with caplog.at_level(logging.ERROR, logger="fupin.bot"):
            await sandbox.client.send_text(user, "低保怎么申请")
            assert await _reply(sandbox, user) == texts.ERROR
    record = next(r for r in caplog.records if r.name == "fupin.bot")
    assert "update_id" in record.getMessage()
    assert "冯大哥" not in record.getMessage()
    assert record.exc_info is not None
