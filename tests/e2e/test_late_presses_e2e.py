"""Buttons pressed too late for Telegram to take their answer still do their work, end to end.

After downtime or queueing Telegram refuses `answerCallbackQuery` ("query is too old…"); the
emulator does the same once a press is older than its `callback_timeout`, and these tests set
that to 0 so that every answer is refused. The press must still change the item or the change,
rewrite the card and tell whoever is owed a notice; the presser must not see the generic error.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot import texts
from bot.conversations import pending
from bot.ratelimit import RateLimiter
from bot.telegram import notify
from emulator import EmulatorClient
from services import audit
from services.db import session_scope
from services.households import submit_change
from services.models import ChangeKind, ChangeStage, HouseholdChange, Item, ItemState, Village
from services.users import find_user
from tests.bot_support import Sandbox, bot_texts, running_sandbox
from tests.idcard_support import fake_id_number
from tests.staff_support import add_villages, buttons, finish_report, register, reply, say, start_road_report


@pytest.fixture
async def sandbox(database_url: str, engine: AsyncEngine) -> AsyncIterator[Sandbox]:
    # Staff press and answer faster than people do; the households' flood limit is not tested here.
    async with running_sandbox(database_url, rate_limiter=RateLimiter(limit=1000, window=60)) as running:
        yield running


def too_late(sandbox: Sandbox) -> None:
    """From now on Telegram refuses every answer to a press, as after the bot was down."""
    sandbox.state.callback_timeout = 0


async def refused_answers(sandbox: Sandbox) -> int:
    """How many presses went unanswered (the emulator refused the late answers)."""
    return sum(1 for callback in sandbox.state.callbacks.values() if not callback.answered)


# -- 接收 / 办结 / 退回 on an item card --------------------------------------------------------------


@pytest.fixture
async def routed(sandbox: Sandbox, sessionmaker: async_sessionmaker[AsyncSession]) -> dict[str, Any]:
    """A cadre's road report routed to 县交通局: the people, the item and the unit's card."""
    await add_villages(sessionmaker)
    client = sandbox.client
    cadre = await register(client, sessionmaker, "刘书记", "cadre", villages=["腰站村"])
    transport = await register(client, sessionmaker, "交通局小王", "unit", unit="县交通局")
    await start_road_report(client, cadre)
    await finish_report(client, cadre, "2")
    card = await reply(client, transport)
    async with session_scope(sessionmaker) as session:
        [item] = (await session.scalars(select(Item))).all()
    return {"cadre": cadre, "transport": transport, "item": item, "card": card}


async def item_state(sessionmaker: async_sessionmaker[AsyncSession], item_id: int) -> ItemState:
    async with session_scope(sessionmaker) as session:
        item = await session.get(Item, item_id)
        assert item is not None
        return item.state


@pytest.mark.parametrize(
    ("action", "notice", "left", "state"),
    [
        pytest.param(notify.ACCEPT, "县交通局 已接收", (notify.CLOSE, notify.RETURN), ItemState.ACCEPTED, id="accept"),
        pytest.param(notify.CLOSE, "县交通局 已办结", (), ItemState.DONE, id="close-takes-the-buttons-away"),
    ],
)
async def test_a_late_press_moves_the_item_tells_the_reporter_and_rewrites_the_card(
    sandbox: Sandbox,
    routed: dict[str, Any],
    sessionmaker: async_sessionmaker[AsyncSession],
    action: str,
    notice: str,
    left: tuple[str, ...],
    state: ItemState,
) -> None:
    client, cadre, transport, item = sandbox.client, routed["cadre"], routed["transport"], routed["item"]
    too_late(sandbox)
    await client.press(transport, routed["card"], notify.item_data(action, item.id))

    assert notice in (await reply(client, cadre))["text"]
    edited = await client.wait_for(transport["id"], lambda m: m["edited"] and "✔️" in (m["text"] or ""))
    assert buttons(edited) == [notify.item_data(a, item.id) for a in left]
    assert await item_state(sessionmaker, item.id) is state
    assert await refused_answers(sandbox) == 1
    assert texts.ERROR not in await bot_texts(client, transport["id"])


async def test_a_late_return_still_asks_the_reason_and_returns_the_item(
    sandbox: Sandbox, routed: dict[str, Any], sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    client, cadre, transport, item = sandbox.client, routed["cadre"], routed["transport"], routed["item"]
    too_late(sandbox)
    await client.press(transport, routed["card"], notify.item_data(notify.RETURN, item.id))

    assert "请写明退回事项" in (await reply(client, transport))["text"]
    assert await say(client, transport, "数量有误，请核实") == texts.ITEM_RETURN_DONE.format(number=item.id)
    assert "退回原因：数量有误，请核实" in (await reply(client, cadre))["text"]
    assert await item_state(sessionmaker, item.id) is ItemState.RETURNED


# -- 通过 / 不通过 of a household change in /pending -------------------------------------------------


@pytest.fixture
async def filed(sandbox: Sandbox, sessionmaker: async_sessionmaker[AsyncSession]) -> dict[str, Any]:
    """A 新识别纳入 filed by one of 腰站村's three cadres, waiting for 村级评议; another one's /pending."""
    await add_villages(sessionmaker)
    client = sandbox.client
    cadres = {
        name: await register(client, sessionmaker, name, "cadre", villages=["腰站村"])
        for name in ("刘书记", "赵书记", "钱书记")
    }
    async with session_scope(sessionmaker) as session:
        reporter = await find_user(session, telegram_user_id=cadres["刘书记"]["id"])
        village = await session.scalar(select(Village).where(Village.name == "腰站村"))
        assert reporter is not None
        assert village is not None
        submitted = await submit_change(
            session,
            reporter=reporter,
            kind=ChangeKind.INCLUDE,
            head_name="张三明",
            id_number=fake_id_number(501),
            village_id=village.id,
            members=4,
            cause="因病",
            note=None,
            update_id=None,
            actor=audit.telegram_actor(reporter.telegram_user_id),
        )
        change_id = submitted.change.id
    reviewer = cadres["赵书记"]
    await client.send_text(reviewer, "/pending")
    listed = await client.wait_for(reviewer["id"], lambda m: "【村级评议】" in (m["text"] or ""))
    return {**cadres, "change_id": change_id, "listed": listed}


async def told(client: EmulatorClient, person: dict[str, Any], needle: str) -> str:
    """The first message the bot sent `person` that contains `needle` (waiting for it)."""
    found = await client.wait_for(person["id"], lambda m: m["sender"] == "bot" and needle in (m["text"] or ""))
    return str(found["text"])


def pending_button(message: dict[str, Any], prefix: str) -> str:
    return next(data for data in buttons(message) if data.startswith(prefix))


async def change_stage(sessionmaker: async_sessionmaker[AsyncSession], change_id: int) -> ChangeStage:
    async with session_scope(sessionmaker) as session:
        change = await session.get(HouseholdChange, change_id)
        assert change is not None
        return change.stage


async def test_a_late_pass_moves_the_change_and_tells_the_reporter_and_the_next_reviewers(
    sandbox: Sandbox, filed: dict[str, Any], sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    client, reviewer, listed = sandbox.client, filed["赵书记"], filed["listed"]
    too_late(sandbox)
    await client.press(reviewer, listed, pending_button(listed, pending.ADVANCE))

    assert "村公示" in await told(client, reviewer, "已进入")
    assert "张*明 新识别纳入" in await told(client, filed["刘书记"], "已进入 村公示")
    assert "请发 /pending 处理" in await told(client, filed["钱书记"], "当前阶段“村公示”")
    unbuttoned = await client.wait_for(
        reviewer["id"], lambda m: m["message_id"] == listed["message_id"] and m["edited"]
    )
    assert buttons(unbuttoned) == []
    assert await change_stage(sessionmaker, filed["change_id"]) is ChangeStage.VILLAGE_NOTICE
    assert texts.ERROR not in await bot_texts(client, reviewer["id"])


async def test_a_late_reject_still_asks_the_reason_and_rejects_the_change(
    sandbox: Sandbox, filed: dict[str, Any], sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    client, reviewer, listed = sandbox.client, filed["赵书记"], filed["listed"]
    too_late(sandbox)
    await client.press(reviewer, listed, pending_button(listed, pending.REJECT))

    assert "张*明" in await told(client, reviewer, "不通过的原因")
    await client.send_text(reviewer, "村民代表评议未通过")
    assert "村民代表评议未通过" in await told(client, filed["刘书记"], "未通过")
    assert await change_stage(sessionmaker, filed["change_id"]) is ChangeStage.REJECTED
