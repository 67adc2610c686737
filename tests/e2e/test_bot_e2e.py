"""The real bot end to end: `fupin serve` in sandbox mode on a socket, a user played over HTTP."""

from __future__ import annotations

from bot import texts
from tests.bot_support import Sandbox


async def test_start_shows_welcome_menu_and_registers_commands(sandbox: Sandbox) -> None:
    client = sandbox.client
    user = await client.create_user("张大姐", role="household")
    await client.send_text(user, "/start")
    reply = await client.wait_for_bot_message(user["id"])
    assert "新宾扶贫助手" in reply["text"]
    keyboard = await client.keyboard(user["id"])
    labels = [b["text"] if isinstance(b, dict) else b for row in keyboard["keyboard"] for b in row]
    assert texts.BUTTON_ASK in labels
    assert texts.BUTTON_CHECK in labels
    assert texts.BUTTON_CONTACTS in labels
    bot = sandbox.state.resolve_bot(None)
    registered = {c["command"] for commands in bot.commands.values() for c in commands}
    assert registered >= {"start", "check", "cancel", "help"}


async def test_a_question_gets_the_figure_source_and_unit(sandbox: Sandbox) -> None:
    client = sandbox.client
    user = await client.create_user("李大哥")
    await client.send_text(user, "初中生一年补助多少")
    reply = await client.wait_for_bot_message(user["id"])
    assert "1250" in reply["text"]
    assert "县教育局" in reply["text"]


async def test_a_question_the_plan_does_not_cover_is_said_so(sandbox: Sandbox) -> None:
    client = sandbox.client
    user = await client.create_user("王婶")
    await client.send_text(user, "今天天气怎么样")
    reply = await client.wait_for_bot_message(user["id"])
    assert "没有涉及" in reply["text"]


async def test_menu_buttons_answer(sandbox: Sandbox) -> None:
    client = sandbox.client
    user = await client.create_user("赵叔")
    await client.send_text(user, texts.BUTTON_CONTACTS)
    reply = await client.wait_for_bot_message(user["id"])
    assert "县教育局" in reply["text"]
    assert "县民政局" in reply["text"]
    await client.send_text(user, texts.BUTTON_ASK)
    assert (await client.wait_for_bot_message(user["id"]))["text"] == texts.ASK_PROMPT


async def _answer(sandbox: Sandbox, user: dict, text: str) -> str:
    await sandbox.client.send_text(user, text)
    return (await sandbox.client.wait_for_bot_message(user["id"]))["text"]


async def test_check_itemises_entitlements(sandbox: Sandbox) -> None:
    client = sandbox.client
    user = await client.create_user("孙大姐")
    await client.send_text(user, texts.BUTTON_CHECK)
    assert (await client.wait_for_bot_message(user["id"]))["text"] == texts.CHECK_INTRO
    assert texts.CHECK_REGISTERED in (await client.wait_for_bot_message(user["id"]))["text"]
    assert "几个孩子" in await _answer(sandbox, user, texts.BUTTON_YES)
    assert "第 1 个孩子" in await _answer(sandbox, user, "2")
    assert "第 2 个孩子" in await _answer(sandbox, user, texts.STAGE_LABELS["junior"])
    assert texts.CHECK_HOUSING in await _answer(sandbox, user, texts.STAGE_LABELS["senior"])
    assert texts.CHECK_ILLNESS in await _answer(sandbox, user, texts.HOUSING_LABELS["D"])
    assert texts.CHECK_DISABILITY in await _answer(sandbox, user, texts.BUTTON_NO)
    assert texts.CHECK_WORK in await _answer(sandbox, user, texts.DISABILITY_LABELS["none"])
    result = await _answer(sandbox, user, texts.BUTTON_YES)
    assert "初中生活补贴：1250 元/生/年" in result
    assert "普通高中补助：2000 元/生/年" in result
    assert "学杂费：免收" in result
    assert "40000" in result  # the D-grade grant is listed …
    assert "合计：3250 元" in result  # … but not in the yearly total
    assert "县教育局" in result
    assert "责任单位审核认定为准" in result


async def test_check_back_cancel_and_wrong_answers(sandbox: Sandbox) -> None:
    client = sandbox.client
    user = await client.create_user("钱大爷")
    await client.send_text(user, "/check")
    await client.wait_for_bot_message(user["id"])
    await client.wait_for_bot_message(user["id"])
    assert "几个孩子" in await _answer(sandbox, user, "是")
    assert texts.CHECK_REGISTERED in await _answer(sandbox, user, texts.BUTTON_BACK)
    assert "几个孩子" in await _answer(sandbox, user, "是的")
    assert texts.CHECK_WRONG in await _answer(sandbox, user, "香蕉")
    await client.send_sticker(user, "😀")
    assert texts.CHECK_NOT_TEXT in (await client.wait_for_bot_message(user["id"]))["text"]
    assert texts.CHECK_TOO_MANY_WRONG in await _answer(sandbox, user, "很多很多")
    assert texts.CHECK_IN_PROGRESS in await _answer(sandbox, user, "/start")
    assert texts.CHECK_CANCELLED in await _answer(sandbox, user, texts.BUTTON_CANCEL)
    assert texts.NOTHING_TO_CANCEL in await _answer(sandbox, user, "/cancel")


async def test_a_vague_question_offers_likely_topics_as_question_buttons(sandbox: Sandbox) -> None:
    from policy_kb import answer as engine_answer

    client = sandbox.client
    user = await client.create_user("陈大姐")
    await client.send_text(user, "补贴")
    reply = await client.wait_for_bot_message(user["id"])
    assert texts.LOW_CONFIDENCE.strip() in reply["text"]
    buttons = [b for row in reply["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons
    assert all(b["text"].endswith("？") for b in buttons)  # each button is a question
    offered = engine_answer("补贴").alternatives[0]
    press = await client.press(user, reply, buttons[0]["callback_data"])
    await client.wait_for_callback_answer(press)
    answer = await client.wait_for_bot_message(user["id"])
    assert offered.title in answer["text"]  # the pressed question answers the entry it names


async def test_two_questions_in_one_message_get_one_reply_each_source_once(sandbox: Sandbox) -> None:
    client = sandbox.client
    user = await client.create_user("周大姐")
    await client.send_text(user, "危房改造一户补多少？另外小学生一年生活补贴多少")
    reply = await client.wait_for_bot_message(user["id"])
    assert "40000" in reply["text"]
    assert "1000" in reply["text"]
    assert reply["text"].index("40000") < reply["text"].index("1000 元")
    assert reply["text"].count("出处") == 2


async def test_a_greeting_gets_what_the_assistant_can_do(sandbox: Sandbox) -> None:
    client = sandbox.client
    user = await client.create_user("吴大爷")
    await client.send_text(user, "你好")
    reply = await client.wait_for_bot_message(user["id"])
    assert "抱歉" not in reply["text"]
    assert "扶贫助手" in reply["text"]
