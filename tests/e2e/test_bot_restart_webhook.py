"""Restarts and redelivery: the bot resumes /check from the database and handles an update once."""

from __future__ import annotations

import time

from sqlalchemy.ext.asyncio import AsyncEngine

from bot import texts
from emulator import EmulatorState, running_emulator
from tests.bot_support import WEBHOOK_HEADERS, running_sandbox, webhook_bot


async def _answer(client, user, text: str) -> str:  # type: ignore[no-untyped-def]
    await client.send_text(user, text)
    return (await client.wait_for_bot_message(user["id"]))["text"]  # type: ignore[no-any-return]


async def test_a_restart_in_the_middle_of_check_resumes_at_the_same_step(
    database_url: str, engine: AsyncEngine
) -> None:
    world = EmulatorState()  # Telegram's side outlives the bot's restart
    async with running_sandbox(database_url, state=world) as first:
        user = await first.client.create_user("周大姐")
        await first.client.send_text(user, "/check")
        await first.client.wait_for_bot_message(user["id"])
        await first.client.wait_for_bot_message(user["id"])
        assert "几个孩子" in await _answer(first.client, user, "是")
        assert "第 1 个孩子" in await _answer(first.client, user, "1")
    # A new process: a new Application on the same database.
    async with running_sandbox(database_url, state=world) as second:
        assert texts.CHECK_HOUSING in await _answer(second.client, user, "小学")
        assert texts.CHECK_ILLNESS in await _answer(second.client, user, "D")
        assert texts.CHECK_DISABILITY in await _answer(second.client, user, "否")
        assert texts.CHECK_WORK in await _answer(second.client, user, "没有")
        result = await _answer(second.client, user, "能")
        assert "小学生活补贴：1000 元/生/年" in result
        assert "合计：1000 元" in result


def _update(update_id: int, user_id: int, text: str) -> dict:
    sender = {"id": user_id, "is_bot": False, "first_name": "吴大哥"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": "吴大哥"},
            "from": sender,
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}],
        },
    }


async def test_webhook_checks_the_secret_and_handles_a_redelivered_update_once(
    database_url: str, engine: AsyncEngine
) -> None:
    async with running_emulator() as emu, emu.client() as client:
        user = await client.create_user("吴大哥")
        async with webhook_bot(database_url, emu) as (_, http):
            assert emu.bot.webhook is not None
            assert emu.bot.webhook.url.endswith("/hook/telegram")
            update = _update(900_001, user["id"], "/start")
            wrong = await http.post("/hook/telegram", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "x"})
            assert wrong.status_code == 403
            for _ in range(2):
                assert (await http.post("/hook/telegram", json=update, headers=WEBHOOK_HEADERS)).status_code == 200
            await client.wait_for_bot_message(user["id"])
            # An update through the emulator's own webhook delivery works too; one person's updates
            # are handled in order, so its answer comes after anything the redelivery could cause.
            await client.send_text(user, "/help")
            assert (await client.wait_for_bot_message(user["id"]))["text"] == texts.HELP
            replies = [m for m in await client.messages(user["id"]) if m["sender"] == "bot"]
            assert len(replies) == 2  # one welcome, then the help
            assert "新宾扶贫助手" in replies[0]["text"]
