"""Reports across restarts and redeliveries of the served app: a report resumes after a restart, a
redelivered update files once, a measure next year's plan dropped is asked again."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

import policy_kb
from bot import texts
from bot.ratelimit import RateLimiter
from emulator import EmulatorState, running_emulator
from services.db import session_scope
from services.models import Item, Plan, Report, utcnow
from tests.bot_support import WEBHOOK_HEADERS, running_sandbox, text_update, webhook_bot
from tests.staff_support import add_villages, finish_report, invite_code, register, reply, say, start_road_report

#: Generous flood limit: a cadre answers many steps in a minute.
ROOMY = {"limit": 1000, "window": 60}


async def count(sessionmaker: async_sessionmaker[AsyncSession], model: type) -> int:
    async with session_scope(sessionmaker) as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_restart_in_the_middle_of_a_report_resumes_at_the_same_step(
    database_url: str, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await add_villages(sessionmaker)
    world = EmulatorState()  # Telegram's side outlives the bot's restart
    async with running_sandbox(database_url, state=world, rate_limiter=RateLimiter(**ROOMY)) as first:
        cadre = await register(first.client, sessionmaker, "刘书记", "cadre", villages=["腰站村", "东村"])
        await start_road_report(first.client, cadre)  # two villages: the village is asked
        assert "完成了多少公里" in await say(first.client, cadre, "新宾镇/东村")
        assert "确切的数量" in await say(first.client, cadre, "很多")
    async with running_sandbox(database_url, state=world, rate_limiter=RateLimiter(**ROOMY)) as second:
        client = second.client
        assert await say(client, cadre, "4.2") == texts.REPORT_PHOTO
        assert await say(client, cadre, texts.BUTTON_SKIP) == texts.REPORT_NOTE
        summary = await say(client, cadre, texts.BUTTON_SKIP)
        assert "4.2公里" in summary
        assert "新宾镇/东村" in summary
        assert "已上报" in await say(client, cadre, texts.BUTTON_CONFIRM)
    async with session_scope(sessionmaker) as session:
        [report] = (await session.scalars(select(Report))).all()
        assert (report.quantity, report.village.full_name) == (4.2, "新宾镇/东村")


async def test_a_restart_while_a_unit_writes_the_return_reason_keeps_the_item_in_hand(
    database_url: str, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await add_villages(sessionmaker)
    world = EmulatorState()
    async with running_sandbox(database_url, state=world, rate_limiter=RateLimiter(**ROOMY)) as first:
        client = first.client
        cadre = await register(client, sessionmaker, "刘书记", "cadre", villages=["腰站村"])
        transport = await register(client, sessionmaker, "交通局小王", "unit", unit="县交通局")
        await start_road_report(client, cadre)
        await finish_report(client, cadre, "1")
        card = await client.wait_for(transport["id"], lambda m: "有新的事项分派给县交通局" in (m["text"] or ""))
        [data] = [
            b["callback_data"]
            for row in card["reply_markup"]["inline_keyboard"]
            for b in row
            if "return" in b["callback_data"]
        ]
        await client.wait_for_callback_answer(await client.press(transport, card, data))
        await client.wait_for(transport["id"], lambda m: "请写明退回事项" in (m["text"] or ""))
    async with running_sandbox(database_url, state=world, rate_limiter=RateLimiter(**ROOMY)) as second:
        client = second.client
        await client.send_text(transport, "照片与现场不符")
        await client.wait_for(transport["id"], lambda m: "已退回，已通知上报人" in (m["text"] or ""))
        told = await client.wait_for(cadre["id"], lambda m: "县交通局 已退回" in (m["text"] or ""))
        assert "退回原因：照片与现场不符" in told["text"]


async def test_the_same_confirming_update_delivered_twice_files_one_report(
    database_url: str, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await add_villages(sessionmaker)
    async with running_emulator() as emu, emu.client() as client:
        async with webhook_bot(database_url, emu, rate_limiter=RateLimiter(**ROOMY)) as (_, http):
            cadre = await client.create_user("刘书记")
            code = await invite_code(sessionmaker, "cadre", villages=["腰站村"])
            await client.send_text(cadre, f"/start {code}")
            await reply(client, cadre)
            await start_road_report(client, cadre)
            assert await say(client, cadre, "2") == texts.REPORT_PHOTO
            assert await say(client, cadre, texts.BUTTON_SKIP) == texts.REPORT_NOTE
            assert "请核对上报内容" in await say(client, cadre, texts.BUTTON_SKIP)
            confirm = text_update(990_001, cadre, texts.BUTTON_CONFIRM)
            for _ in range(2):
                assert (await http.post("/hook/telegram", json=confirm, headers=WEBHOOK_HEADERS)).status_code == 200
            assert "已上报" in (await reply(client, cadre))["text"]
            # A later message is handled after anything the redelivery could have caused.
            mine = await say(client, cadre, "/myreports")
            assert mine.count("村组道路硬化 2 公里") == 1
            receipts = [m for m in await client.messages(cadre["id"]) if "已上报" in (m["text"] or "")]
            assert len(receipts) == 1
    assert await count(sessionmaker, Report) == 1
    assert await count(sessionmaker, Item) == 1


async def test_a_report_whose_measure_next_years_plan_dropped_asks_the_measure_again(
    database_url: str,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await add_villages(sessionmaker)
    world = EmulatorState()
    async with running_sandbox(database_url, state=world, rate_limiter=RateLimiter(**ROOMY)) as first:
        cadre = await register(first.client, sessionmaker, "刘书记", "cadre", villages=["腰站村"])
        await start_road_report(first.client, cadre)
    plan = policy_kb.load_kb()
    next_year = plan.model_copy(update={"measures": [m for m in plan.measures if m.id != "mc0623e77"]})
    async with session_scope(sessionmaker) as session:  # the office put next year's plan in force
        session.add(
            Plan(
                year=2019,
                title="新宾县 2019 年脱贫攻坚工作实施方案",
                issuer=plan.source.issuer,
                doc_number="新脱贫发[2019]2号",
                issued=dt.date(2019, 4, 1),
                filename="xinbin-2019.txt",
                sha256="0" * 64,
                text="",
                kb_json=next_year.model_dump_json(),
                in_force=True,
                added_by="cli",
                activated_at=utcnow(),
            )
        )
    async with running_sandbox(database_url, state=world, rate_limiter=RateLimiter(**ROOMY)) as second:
        answer = await say(second.client, cadre, "4.2")
    assert answer.startswith(texts.REPORT_MEASURE_GONE)
