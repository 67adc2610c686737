"""A cadre reports progress and the lead unit handles the item, end to end over HTTP against the emulator."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot import texts
from bot.ratelimit import RateLimiter
from bot.telegram import notify
from policy_kb import load_kb
from services import reports
from services.db import session_scope
from services.models import Item, ItemState, Report, User
from tests.bot_support import Sandbox, running_sandbox
from tests.staff_support import (
    add_villages,
    buttons,
    finish_report,
    menu_labels,
    register,
    reply,
    say,
    start_road_report,
)


@pytest.fixture
async def sandbox(database_url: str, engine: AsyncEngine) -> AsyncIterator[Sandbox]:
    # A cadre answers many steps in a minute; the households' flood limit is not what is tested here.
    async with running_sandbox(database_url, rate_limiter=RateLimiter(limit=1000, window=60)) as running:
        yield running


@pytest.fixture
async def people(sandbox: Sandbox, sessionmaker: async_sessionmaker[AsyncSession]) -> dict[str, dict[str, Any]]:
    """A cadre of 腰站村 (新宾镇), the road measure's lead unit, a participant unit, the township, a household."""
    await add_villages(sessionmaker)
    client = sandbox.client
    household = await client.create_user("张大姐")
    await client.send_text(household, "/start")
    await client.wait_for_bot_message(household["id"])
    return {
        "cadre": await register(client, sessionmaker, "刘书记", "cadre", villages=["腰站村"]),
        "transport": await register(client, sessionmaker, "交通局小王", "unit", unit="县交通局"),
        "finance": await register(client, sessionmaker, "财政局小李", "unit", unit="县财政局"),
        "education": await register(client, sessionmaker, "教育局小赵", "unit", unit="县教育局"),
        "township": await register(client, sessionmaker, "新宾镇老孙", "township", township="新宾镇"),
        "household": household,
    }


async def count(sessionmaker: async_sessionmaker[AsyncSession], model: type) -> int:
    async with session_scope(sessionmaker) as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def the_item(sessionmaker: async_sessionmaker[AsyncSession]) -> Item:
    async with session_scope(sessionmaker) as session:
        [item] = (await session.scalars(select(Item))).all()
        return item


async def test_a_cadre_reports_and_the_unit_accepts_and_closes(
    sandbox: Sandbox, people: dict[str, dict[str, Any]], sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    client = sandbox.client
    cadre, transport = people["cadre"], people["transport"]
    prompt = await start_road_report(client, cadre)
    assert "完成了多少公里" in prompt and "还差 106公里" in prompt  # one village: not asked
    # Bad quantities are refused with the reason, and the step is asked again.
    assert "确切的数量" in await say(client, cadre, "很多")
    assert "按“公里”计，不是“米”" in await say(client, cadre, "350米")
    refused = await say(client, cadre, "0")
    assert "要大于 0" in refused and texts.REPORT_TOO_MANY_WRONG in refused  # third refusal in a row
    assert await say(client, cadre, "三点五") == texts.REPORT_PHOTO
    await client.send_photo(cadre)
    assert (await reply(client, cadre))["text"] == texts.REPORT_NOTE
    summary = await say(client, cadre, "东段路基已完成")
    assert "3.5公里" in summary
    assert "新宾镇/腰站村" in summary
    assert texts.REPORT_PHOTO_YES in summary
    receipt = await say(client, cadre, texts.BUTTON_CONFIRM)
    assert "已上报，事项编号 #" in receipt
    assert "县交通局" in receipt
    assert texts.BUTTON_REPORT in menu_labels(await client.keyboard(cadre["id"]))

    item = await the_item(sessionmaker)
    async with session_scope(sessionmaker) as session:
        [report] = (await session.scalars(select(Report))).all()
    assert (report.quantity, report.unit, report.note) == (3.5, "公里", "东段路基已完成")
    assert report.photo_file_id

    # The lead unit gets the card with the three buttons; the participant and township a copy.
    card = await reply(client, transport)
    assert "有新的事项分派给县交通局" in card["text"]
    assert "村组道路硬化 3.5 公里" in card["text"]
    assert buttons(card) == [notify.item_data(a, item.id) for a in (notify.ACCEPT, notify.CLOSE, notify.RETURN)]
    for copied in (people["finance"], people["township"]):
        copy = await reply(client, copied)
        assert "抄送" in copy["text"]
        assert not buttons(copy)

    press = await client.press(transport, card, notify.item_data(notify.ACCEPT, item.id))
    await client.wait_for_callback_answer(press)
    assert "县交通局 已接收" in (await reply(client, cadre))["text"]
    edited = await client.wait_for(transport["id"], lambda m: "✔️" in (m["text"] or ""))
    assert notify.item_data(notify.ACCEPT, item.id) not in buttons(edited)

    # /tasks lists it with what is still allowed; 办结 there closes it.
    await client.send_text(transport, "/tasks")
    assert "待办事项共 1 项" in (await reply(client, transport))["text"]
    listed = await reply(client, transport)
    assert buttons(listed) == [notify.item_data(a, item.id) for a in (notify.CLOSE, notify.RETURN)]
    press = await client.press(transport, listed, notify.item_data(notify.CLOSE, item.id))
    await client.wait_for_callback_answer(press)
    assert "县交通局 已办结" in (await reply(client, cadre))["text"]
    # The first card follows: it says 已办结 and has no button left to press.
    first = await client.wait_for(
        transport["id"], lambda m: m["message_id"] == card["message_id"] and "状态：已办结" in (m["text"] or "")
    )
    assert buttons(first) == []
    assert (await the_item(sessionmaker)).state is ItemState.DONE
    assert texts.TASKS_NONE == await say(client, transport, texts.BUTTON_TASKS)
    # The cadre's 我的上报 shows where it stands.
    mine = await say(client, cadre, texts.BUTTON_MY_REPORTS)
    assert "村组道路硬化 3.5 公里" in mine
    assert "县交通局 已办结" in mine


async def test_households_and_other_units_are_refused(
    sandbox: Sandbox, people: dict[str, dict[str, Any]], sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    client = sandbox.client
    household, education, transport = people["household"], people["education"], people["transport"]
    refusal = await say(client, household, "/report")
    assert "只对驻村干部开放" in refusal
    assert "政策咨询" in refusal
    assert texts.BUTTON_REPORT not in menu_labels(await client.keyboard(household["id"]))
    assert "只对责任单位、乡镇干部、县扶贫办开放" in await say(client, household, "/tasks")
    unit_refusal = await say(client, education, texts.BUTTON_REPORT)
    assert "只对驻村干部开放" in unit_refusal
    assert "待办任务" in unit_refusal

    await start_road_report(client, people["cadre"])
    await finish_report(client, people["cadre"], "2")
    card = await reply(client, transport)
    item = await the_item(sessionmaker)
    # Presses from outside the owning unit (the emulator lets us press the unit's card as them).
    for outsider in (household, education):
        for action in (notify.ACCEPT, notify.RETURN):
            await client.press(outsider, card, notify.item_data(action, item.id))
            assert "只有县交通局的工作人员可以处理" in (await reply(client, outsider))["text"]
    assert (await the_item(sessionmaker)).state is ItemState.NEW
    assert "待办事项共 1 项" not in await say(client, education, "/tasks")
    # The township takes part: it sees the item in /tasks, without buttons to act on it.
    township = people["township"]
    await client.send_text(township, "/tasks")
    assert (
        "待办事项共 1 项"
        in (await client.wait_for(township["id"], lambda m: "待办事项共" in (m["text"] or "")))["text"]
    )
    listed = await client.wait_for(township["id"], lambda m: "📋 事项" in (m["text"] or "") and "抄送" not in m["text"])
    assert not buttons(listed)


async def test_return_with_a_reason_tells_the_cadre(
    sandbox: Sandbox, people: dict[str, dict[str, Any]], sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    client = sandbox.client
    cadre, transport = people["cadre"], people["transport"]
    await start_road_report(client, cadre)
    # More than what remains of the target asks for confirmation.
    assert "超过了全县目标剩余的 106公里" in await say(client, cadre, "200")
    assert "完成了多少公里" in await say(client, cadre, texts.BUTTON_OVER_NO)
    assert "超过了全县目标剩余的" in await say(client, cadre, "200")
    assert await say(client, cadre, texts.BUTTON_OVER_YES) == texts.REPORT_PHOTO
    assert await say(client, cadre, texts.BUTTON_SKIP) == texts.REPORT_NOTE
    assert "200公里" in await say(client, cadre, texts.BUTTON_SKIP)
    await say(client, cadre, texts.BUTTON_CONFIRM)
    card = await reply(client, transport)
    item = await the_item(sessionmaker)
    press = await client.press(transport, card, notify.item_data(notify.RETURN, item.id))
    await client.wait_for_callback_answer(press)
    assert "请写明退回事项" in (await reply(client, transport))["text"]
    await client.send_sticker(transport)
    assert (await reply(client, transport))["text"] == texts.ITEM_RETURN_NOT_TEXT
    # An emoji typed as text is no reason either: asked for words, still at the reason step.
    assert "要用文字写明" in await say(client, transport, "👍")
    assert await say(client, transport, "数量超过全县目标，请核实") == texts.ITEM_RETURN_DONE.format(number=item.id)
    told = (await reply(client, cadre))["text"]
    assert "县交通局 已退回" in told
    assert "退回原因：数量超过全县目标，请核实" in told
    assert (await the_item(sessionmaker)).state is ItemState.RETURNED


async def test_a_second_report_on_the_same_thing_is_offered_for_merging(
    sandbox: Sandbox, people: dict[str, dict[str, Any]], sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    client = sandbox.client
    cadre = people["cadre"]
    await start_road_report(client, cadre)
    await finish_report(client, cadre, "1")
    await start_road_report(client, cadre)
    offer = await finish_report(client, cadre, "2")
    assert "近期已有同一指标的事项" in offer
    merged = await say(client, cadre, texts.BUTTON_MERGE)
    assert "合并到事项" in merged
    # The lead unit hears of the added quantity; the item's title now carries the total.
    notice = await client.wait_for(people["transport"]["id"], lambda m: "合并了一份新的上报" in (m["text"] or ""))
    assert "（村组道路硬化 3 公里，新宾镇/腰站村）合并了一份新的上报：村组道路硬化 2 公里" in notice["text"]
    assert await count(sessionmaker, Item) == 1
    assert await count(sessionmaker, Report) == 2
    await start_road_report(client, cadre)
    await finish_report(client, cadre, "0.5")
    assert "已上报，事项编号" in await say(client, cadre, texts.BUTTON_NEW_ITEM)
    assert await count(sessionmaker, Item) == 2
    assert await count(sessionmaker, Report) == 3


async def test_a_unit_user_who_blocked_the_bot_is_marked_inactive_until_start(
    sandbox: Sandbox, people: dict[str, dict[str, Any]], sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    client = sandbox.client
    transport, cadre = people["transport"], people["cadre"]
    await client.block(transport)
    await start_road_report(client, cadre)
    assert "已上报" in await finish_report(client, cadre, "1")

    async def active() -> bool:
        async with session_scope(sessionmaker) as session:
            user = await session.scalar(select(User).where(User.telegram_user_id == transport["id"]))
            assert user is not None
            return user.active

    # The 403 is handled while the card goes out, which the test cannot observe directly: wait for it.
    deadline = asyncio.get_running_loop().time() + 5
    while await active():
        assert asyncio.get_running_loop().time() < deadline, "the blocked unit user was not marked inactive"
        await asyncio.sleep(0.05)
    await client.send_text(transport, "/start")  # unblocks, as Telegram's 重新开始 does
    await reply(client, transport)
    assert await active()


async def _report_a_clinic(client: Any, cadre: dict[str, Any], village_name: str) -> str:
    """Walk /report to the quantity step of 村卫生室 (set for each village) in `village_name`; then
    answer 1 and return what the bot says to it."""
    health = texts.REPORT_MEASURE_BUTTON.format(title="健康扶贫巩固提升工程", lead="县卫计委")
    target = next(t for t in load_kb().measure("m25e43f6d").targets if t.indicator == "村卫生室")
    clinic = texts.REPORT_INDICATOR_BUTTON.format(name=reports.indicator_label(target), unit="所")
    await client.send_text(cadre, texts.BUTTON_REPORT)
    await reply(client, cadre)
    await reply(client, cadre)
    assert "每村目标 1所（按村计算）" in await say(client, cadre, health)
    await client.send_text(cadre, clinic)
    villages = await reply(client, cadre)
    label = next(b for b in menu_labels(villages["reply_markup"]) if village_name in b)
    assert "本村距每村目标还差 1所" in await say(client, cadre, label)
    return await say(client, cadre, "1")


async def test_a_target_set_per_village_is_checked_village_by_village(
    sandbox: Sandbox, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """The first village's clinic leaves nothing of *its* target; the second village's own is whole."""
    await add_villages(sessionmaker)
    client = sandbox.client
    cadre = await register(client, sessionmaker, "周书记", "cadre", villages=["腰站村", "东村"])
    assert await _report_a_clinic(client, cadre, "腰站村") == texts.REPORT_PHOTO
    assert await say(client, cadre, texts.BUTTON_SKIP) == texts.REPORT_NOTE
    await say(client, cadre, texts.BUTTON_SKIP)
    await say(client, cadre, texts.BUTTON_CONFIRM)
    assert await _report_a_clinic(client, cadre, "东村") == texts.REPORT_PHOTO
