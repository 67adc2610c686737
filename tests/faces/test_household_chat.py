"""A household's chat with the real bot's handlers, driven in-process (`tests/inprocess_support.py`)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot import texts
from bot.cli import main
from bot.telegram.questions import QUESTIONS_JOB
from policy_kb import answer as engine_answer
from policy_kb import load_kb
from policy_kb import texts as kb_texts
from tests.inprocess_support import InProcessBot, bot_in_process


@pytest.fixture
async def bot(
    database_url: str, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[InProcessBot]:
    async with bot_in_process(database_url, sessionmaker) as running:
        yield running


async def test_start_greets_with_the_assistants_name(bot: InProcessBot) -> None:
    user = bot.user("张大姐")
    [welcome, *_] = await bot.say(user, "/start")
    assert "新宾扶贫助手" in welcome


async def test_start_shows_the_households_menu(bot: InProcessBot) -> None:
    user = bot.user("张大姐")
    await bot.say(user, "/start")
    assert {texts.BUTTON_ASK, texts.BUTTON_CHECK, texts.BUTTON_CONTACTS} <= set(bot.keyboard_labels(user))


async def test_the_bot_registers_its_commands(bot: InProcessBot) -> None:
    registered = {c["command"] for commands in bot.account.commands.values() for c in commands}
    assert registered >= {"start", "check", "cancel", "help"}


async def test_a_question_gets_the_figure(bot: InProcessBot) -> None:
    [reply] = await bot.say(bot.user("李大哥"), "初中生一年补助多少")
    assert "1250" in reply


async def test_a_question_gets_the_lead_unit(bot: InProcessBot) -> None:
    [reply] = await bot.say(bot.user("李大哥"), "初中生一年补助多少")
    assert "县教育局" in reply


async def test_a_question_the_plan_does_not_cover_is_said_so(bot: InProcessBot) -> None:
    [reply] = await bot.say(bot.user("王婶"), "今天天气怎么样")
    assert "没有涉及" in reply


async def test_contacts_lists_the_units(bot: InProcessBot) -> None:
    [reply] = await bot.say(bot.user("赵叔"), texts.BUTTON_CONTACTS)
    assert "县民政局" in reply


async def test_the_ask_button_asks_for_the_question(bot: InProcessBot) -> None:
    assert await bot.say(bot.user("赵叔"), texts.BUTTON_ASK) == [texts.ASK_PROMPT]


async def _check_to_the_end(bot: InProcessBot, user: int) -> str:
    """Answer /check as a registered household with a junior and a senior pupil and a D-grade house."""
    assert await bot.say(user, texts.BUTTON_CHECK) == [texts.CHECK_INTRO, texts.CHECK_REGISTERED]
    for answer in (
        texts.BUTTON_YES,
        "2",
        texts.STAGE_LABELS["junior"],
        texts.STAGE_LABELS["senior"],
        texts.HOUSING_LABELS["D"],
        texts.BUTTON_NO,
        texts.DISABILITY_LABELS["none"],
    ):
        await bot.say(user, answer)
    [result] = await bot.say(user, texts.BUTTON_YES)
    return result


@pytest.mark.parametrize(
    "line",
    [
        "初中生活补贴：1250 元/生/年",
        "普通高中补助：2000 元/生/年",
        "学杂费：免收",
        "40000",  # the D-grade grant is listed …
        "合计：3250 元",  # … but not in the yearly total
        "县教育局",
        "责任单位审核认定为准",
    ],
)
async def test_check_itemises_what_the_family_is_entitled_to(bot: InProcessBot, line: str) -> None:
    assert line in await _check_to_the_end(bot, bot.user("孙大姐"))


async def test_check_back_returns_to_the_step_before(bot: InProcessBot) -> None:
    user = bot.user("钱大爷")
    await bot.say(user, "/check")
    await bot.say(user, "是")
    [again] = await bot.say(user, texts.BUTTON_BACK)
    assert texts.CHECK_REGISTERED in again


async def test_check_a_wrong_answer_is_explained(bot: InProcessBot) -> None:
    user = bot.user("钱大爷")
    await bot.say(user, "/check")
    await bot.say(user, "是的")
    [reply] = await bot.say(user, "香蕉")
    assert texts.CHECK_WRONG in reply


async def test_check_a_sticker_is_not_an_answer(bot: InProcessBot) -> None:
    user = bot.user("钱大爷")
    await bot.say(user, "/check")
    await bot.say(user, "是的")
    [reply] = await bot.send_sticker(user)
    assert texts.CHECK_NOT_TEXT in reply


async def test_check_too_many_wrong_answers_say_what_to_do(bot: InProcessBot) -> None:
    user = bot.user("钱大爷")
    await bot.say(user, "/check")
    await bot.say(user, "是的")
    await bot.say(user, "香蕉")
    await bot.send_sticker(user)
    [reply] = await bot.say(user, "很多很多")
    assert texts.CHECK_TOO_MANY_WRONG in reply


async def test_check_start_in_the_middle_says_a_check_is_under_way(bot: InProcessBot) -> None:
    user = bot.user("钱大爷")
    await bot.say(user, "/check")
    [reply] = await bot.say(user, "/start")
    assert texts.CHECK_IN_PROGRESS in reply


async def test_check_cancel_ends_it(bot: InProcessBot) -> None:
    user = bot.user("钱大爷")
    await bot.say(user, "/check")
    [reply] = await bot.say(user, texts.BUTTON_CANCEL)
    assert texts.CHECK_CANCELLED in reply


async def test_cancel_with_nothing_under_way_says_so(bot: InProcessBot) -> None:
    [reply] = await bot.say(bot.user("钱大爷"), "/cancel")
    assert texts.NOTHING_TO_CANCEL in reply


async def test_a_vague_question_offers_questions_as_buttons(bot: InProcessBot) -> None:
    [reply] = await bot.replies(bot.user("陈大姐"), text="补贴")
    buttons = [b for row in (reply.reply_markup or {})["inline_keyboard"] for b in row]
    assert [b["text"][-1] for b in buttons] == ["？"] * len(buttons)


async def test_a_vague_question_says_it_is_not_sure(bot: InProcessBot) -> None:
    [reply] = await bot.say(bot.user("陈大姐"), "补贴")
    assert texts.LOW_CONFIDENCE.strip() in reply


async def test_the_question_pressed_answers_the_entry_it_names(bot: InProcessBot) -> None:
    user = bot.user("陈大姐")
    [reply] = await bot.replies(user, text="补贴")
    first = (reply.reply_markup or {})["inline_keyboard"][0][0]
    _, answers = await bot.press(user, reply, first["callback_data"])
    assert engine_answer("补贴").alternatives[0].title in answers[-1]


async def test_a_pressed_question_is_answered_at_once(bot: InProcessBot) -> None:
    user = bot.user("陈大姐")
    [reply] = await bot.replies(user, text="补贴")
    first = (reply.reply_markup or {})["inline_keyboard"][0][0]
    press, _ = await bot.press(user, reply, first["callback_data"])
    assert press.answered is True


async def test_two_questions_in_one_message_are_answered_in_the_order_asked(bot: InProcessBot) -> None:
    [reply] = await bot.say(bot.user("周大姐"), "危房改造一户补多少？另外小学生一年生活补贴多少")
    assert reply.index("40000") < reply.index("1000 元")


async def test_two_questions_in_one_message_cite_each_source_once(bot: InProcessBot) -> None:
    [reply] = await bot.say(bot.user("周大姐"), "危房改造一户补多少？另外小学生一年生活补贴多少")
    assert reply.count("出处") == 2


async def test_a_greeting_gets_what_the_assistant_can_do(bot: InProcessBot) -> None:
    [reply] = await bot.say(bot.user("吴大爷"), "你好")
    assert "扶贫助手" in reply


#: 马架子 is the Northeast's old log-and-mud hut; a household fears it will fall down.
HUT = "俺家马架子要塌了能给钱不"


@pytest.fixture
async def hut_phrase_attached(bot: InProcessBot, cli_database: str) -> int:
    """`fupin questions attach` of 马架子要塌 to the D-grade housing grant, while the bot runs; a household."""
    command = ["questions", "attach", "马架子要塌", "m06300403/benefit/D级危房改造补助"]
    assert await asyncio.to_thread(main, command) == 0  # `main` runs an event loop of its own
    return bot.user("钱大爷")


async def test_an_attached_phrase_waits_for_a_reload(bot: InProcessBot, hut_phrase_attached: int) -> None:
    [reply] = await bot.say(hut_phrase_attached, HUT)
    assert kb_texts.not_covered(load_kb().source) in reply


async def test_fupin_kb_reload_reaches_the_running_bot(bot: InProcessBot, hut_phrase_attached: int) -> None:
    assert await asyncio.to_thread(main, ["kb", "reload"]) == 0
    await bot.run_job(QUESTIONS_JOB)  # its next regular look for a reload request
    [reply] = await bot.say(hut_phrase_attached, HUT)
    assert "40000 元" in reply
