"""Anything a person may send gets a sensible Chinese reply, driven in-process; floods are limited;
errors are logged masked."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram import Update

from bot import texts
from bot.context import WARM_UP_QUESTION
from bot.ratelimit import RateLimiter
from bot.telegram.errors import masked
from bot.telegram.households import MAX_QUESTION_LENGTH
from services.questions import Answerer
from tests.inprocess_support import InProcessBot, bot_in_process


@pytest.fixture
async def bot(
    database_url: str, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[InProcessBot]:
    async with bot_in_process(database_url, sessionmaker, rate_limiter=RateLimiter(limit=6, window=60)) as running:
        yield running


async def test_a_question_too_long_is_said_so(bot: InProcessBot) -> None:
    [reply] = await bot.say(bot.user("郑大姐"), "问" * (MAX_QUESTION_LENGTH + 1))
    assert "太长" in reply


async def test_a_sticker_is_no_question(bot: InProcessBot) -> None:
    assert await bot.send_sticker(bot.user("郑大姐"), "🙏") == [texts.NOT_TEXT]


async def test_a_photo_is_no_question(bot: InProcessBot) -> None:
    assert await bot.send_photo(bot.user("郑大姐")) == [texts.NOT_TEXT]


async def test_an_unknown_command_is_said_so(bot: InProcessBot) -> None:
    assert await bot.say(bot.user("郑大姐"), "/frobnicate") == [texts.UNKNOWN_COMMAND]


async def test_help_says_how_to_use_the_bot(bot: InProcessBot) -> None:
    assert await bot.say(bot.user("郑大姐"), "/help") == [texts.HELP]


async def test_an_edited_message_is_answered_that_edits_are_not_read(bot: InProcessBot) -> None:
    user = bot.user("郑大姐")
    await bot.say(user, "/help")
    typed = next(r for r in bot.state.conversation(bot.account, user).messages.values() if r.sender == "user")
    assert await bot.edit(user, typed, "/start") == [texts.EDITED]


@pytest.fixture
async def group_talk(bot: InProcessBot) -> list[str]:
    """Small talk and a /start in a group with the bot; what the bot said in the group."""
    a, b = bot.user("甲"), bot.user("乙")
    group = bot.group("靠山村群", [a, b])
    await bot.replies(a, chat_id=group, text="大家好")
    await bot.replies(a, chat_id=group, text="/start")
    return bot.texts(group)


async def test_group_chats_are_asked_to_talk_privately(group_talk: list[str]) -> None:
    assert group_talk[0] == texts.GROUP_ONLY_PRIVATE


async def test_small_talk_in_a_group_is_left_alone(group_talk: list[str]) -> None:
    assert len(group_talk) == 1


@pytest.fixture
async def flood(bot: InProcessBot) -> list[str]:
    """Ten /help from one person at once (the gate lets six a minute); every text the bot sent them."""
    user = bot.user("刷屏的人")
    for _ in range(10):
        await bot.say(user, "/help")
    return bot.texts(user)


async def test_a_flood_gets_one_warning(flood: list[str]) -> None:
    assert len([text for text in flood if "太快" in text]) == 1


async def test_a_flood_is_answered_six_times_warned_once_then_left_in_silence(flood: list[str]) -> None:
    assert len(flood) == 7


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


@pytest.fixture
async def broken_question(
    database_url: str,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> tuple[list[str], logging.LogRecord]:
    """A household's question whose answer raises; the bot's reply and what it logged."""
    answer = Answerer.answer

    def broken(self: Answerer, question: str) -> object:
        if question == WARM_UP_QUESTION:  # start-up still works; the household's question fails
            return answer(self, question)
        raise RuntimeError("boom")

    monkeypatch.setattr(Answerer, "answer", broken)
    async with bot_in_process(database_url, sessionmaker, expect_errors=True) as bot:
        with caplog.at_level(logging.ERROR, logger="fupin.bot"):
            said = await bot.say(bot.user("冯大哥"), "低保怎么申请")
    record = next(r for r in caplog.records if r.name == "fupin.bot")
    return said, record


async def test_a_handler_exception_tells_the_user(broken_question: tuple[list[str], logging.LogRecord]) -> None:
    assert broken_question[0] == [texts.ERROR]


async def test_a_handler_exception_is_logged_with_the_update(
    broken_question: tuple[list[str], logging.LogRecord],
) -> None:
    assert "update_id" in broken_question[1].getMessage()


async def test_a_handler_exceptions_log_leaves_out_the_name(
    broken_question: tuple[list[str], logging.LogRecord],
) -> None:
    assert "冯大哥" not in broken_question[1].getMessage()


async def test_a_handler_exception_is_logged_with_its_traceback(
    broken_question: tuple[list[str], logging.LogRecord],
) -> None:
    assert broken_question[1].exc_info is not None
