"""Buttons pressed too late for Telegram to take their answer still do their work, driven in-process.

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
from emulator.models import MessageRecord
from services import audit
from services.db import session_scope
from services.households import submit_change
from services.models import ChangeKind, ChangeStage, HouseholdChange, Item, ItemState, Village
from services.users import find_user
from tests.idcard_support import fake_id_number
from tests.inprocess_support import InProcessBot, bot_in_process
from tests.staff_support import add_villages, enrol, inline_data, report_road, text_of


@pytest.fixture
async def bot(
    database_url: str, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[InProcessBot]:
    await add_villages(sessionmaker)
    # Staff press and answer faster than people do; the households' flood limit is not tested here.
    async with bot_in_process(database_url, sessionmaker, rate_limiter=RateLimiter(limit=1000, window=60)) as running:
        yield running


def too_late(bot: InProcessBot) -> None:
    """From now on Telegram refuses every answer to a press, as after the bot was down."""
    bot.state.callback_timeout = 0


def refused_answers(bot: InProcessBot) -> int:
    """How many presses went unanswered (the emulator refused the late answers)."""
    return sum(1 for callback in bot.state.callbacks.values() if not callback.answered)


def told(bot: InProcessBot, chat_id: int, needle: str) -> str:
    """The first message the bot has in the chat that contains `needle`."""
    return next(text for text in bot.texts(chat_id) if needle in text)


# -- 接收 / 办结 / 退回 on an item card --------------------------------------------------------------


@pytest.fixture
async def routed(bot: InProcessBot, sessionmaker: async_sessionmaker[AsyncSession]) -> dict[str, Any]:
    """A cadre's road report routed to 县交通局: the people, the item and the unit's card."""
    cadre = await enrol(bot, sessionmaker, "刘书记", "cadre", villages=["腰站村"])
    transport = await enrol(bot, sessionmaker, "交通局小王", "unit", unit="县交通局")
    mark = bot.mark(transport)
    await report_road(bot, cadre, "2")
    card = bot.messages(transport, after=mark)[0]
    async with session_scope(sessionmaker) as session:
        [item] = (await session.scalars(select(Item))).all()
    return {"cadre": cadre, "transport": transport, "item": item, "card": card}


async def item_state(sessionmaker: async_sessionmaker[AsyncSession], item_id: int) -> ItemState:
    async with session_scope(sessionmaker) as session:
        item = await session.get(Item, item_id)
        assert item is not None
        return item.state


ACTIONS = [
    pytest.param(notify.ACCEPT, "县交通局 已接收", (notify.CLOSE, notify.RETURN), ItemState.ACCEPTED, id="accept"),
    pytest.param(notify.CLOSE, "县交通局 已办结", (), ItemState.DONE, id="close-takes-the-buttons-away"),
]


@pytest.fixture
async def pressed_late(bot: InProcessBot, routed: dict[str, Any], request: pytest.FixtureRequest) -> dict[str, Any]:
    """The unit presses `action` on its card, its answer refused; what the cadre was told since."""
    too_late(bot)
    mark = bot.mark(routed["cadre"])
    await bot.press(routed["transport"], routed["card"], notify.item_data(request.param, routed["item"].id))
    return {**routed, "told": [text_of(m) for m in bot.messages(routed["cadre"], after=mark)]}


@pytest.mark.parametrize(("pressed_late", "notice", "left", "state"), ACTIONS, indirect=["pressed_late"])
async def test_a_late_press_tells_the_reporter(
    pressed_late: dict[str, Any], notice: str, left: tuple[str, ...], state: ItemState
) -> None:
    assert notice in pressed_late["told"][0]


@pytest.mark.parametrize(("pressed_late", "notice", "left", "state"), ACTIONS, indirect=["pressed_late"])
async def test_a_late_press_rewrites_the_card(
    bot: InProcessBot, pressed_late: dict[str, Any], notice: str, left: tuple[str, ...], state: ItemState
) -> None:
    edited = next(m for m in bot.messages(pressed_late["transport"]) if m.edited and "✔️" in text_of(m))
    assert inline_data(edited) == [notify.item_data(a, pressed_late["item"].id) for a in left]


@pytest.mark.parametrize(("pressed_late", "notice", "left", "state"), ACTIONS, indirect=["pressed_late"])
async def test_a_late_press_moves_the_item(
    pressed_late: dict[str, Any],
    notice: str,
    left: tuple[str, ...],
    state: ItemState,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    assert await item_state(sessionmaker, pressed_late["item"].id) is state


@pytest.mark.parametrize(("pressed_late", "notice", "left", "state"), ACTIONS, indirect=["pressed_late"])
async def test_a_late_presss_answer_was_refused(
    bot: InProcessBot, pressed_late: dict[str, Any], notice: str, left: tuple[str, ...], state: ItemState
) -> None:
    assert refused_answers(bot) == 1


@pytest.mark.parametrize(("pressed_late", "notice", "left", "state"), ACTIONS, indirect=["pressed_late"])
async def test_a_late_press_shows_no_error(
    bot: InProcessBot, pressed_late: dict[str, Any], notice: str, left: tuple[str, ...], state: ItemState
) -> None:
    assert texts.ERROR not in bot.texts(pressed_late["transport"])


async def test_a_late_return_still_asks_the_reason_and_returns_the_item(
    bot: InProcessBot, routed: dict[str, Any], sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    cadre, transport, item = routed["cadre"], routed["transport"], routed["item"]
    too_late(bot)
    _, asked = await bot.press(transport, routed["card"], notify.item_data(notify.RETURN, item.id))
    assert "请写明退回事项" in asked[0]
    mark = bot.mark(cadre)
    done, *_card_edited = await bot.say(transport, "数量有误，请核实")
    assert done == texts.ITEM_RETURN_DONE.format(number=item.id)
    assert "退回原因：数量有误，请核实" in text_of(bot.messages(cadre, after=mark)[0])
    assert await item_state(sessionmaker, item.id) is ItemState.RETURNED


# -- 通过 / 不通过 of a household change in /pending -------------------------------------------------


@pytest.fixture
async def filed(bot: InProcessBot, sessionmaker: async_sessionmaker[AsyncSession]) -> dict[str, Any]:
    """A 新识别纳入 filed by one of 腰站村's three cadres, waiting for 村级评议; another one's /pending."""
    cadres = {
        name: await enrol(bot, sessionmaker, name, "cadre", villages=["腰站村"])
        for name in ("刘书记", "赵书记", "钱书记")
    }
    async with session_scope(sessionmaker) as session:
        reporter = await find_user(session, telegram_user_id=cadres["刘书记"])
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
        assert submitted.change is not None
        change_id = submitted.change.id
    reviewer = cadres["赵书记"]
    [listed] = [m for m in await bot.replies(reviewer, text="/pending") if "【村级评议】" in text_of(m)]
    return {**cadres, "change_id": change_id, "listed": listed}


def pending_button(message: MessageRecord, prefix: str) -> str:
    return next(data for data in inline_data(message) if data.startswith(prefix))


async def change_stage(sessionmaker: async_sessionmaker[AsyncSession], change_id: int) -> ChangeStage:
    async with session_scope(sessionmaker) as session:
        change = await session.get(HouseholdChange, change_id)
        assert change is not None
        return change.stage


async def test_a_late_pass_moves_the_change_and_tells_the_reporter_and_the_next_reviewers(
    bot: InProcessBot, filed: dict[str, Any], sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    reviewer, listed = filed["赵书记"], filed["listed"]
    too_late(bot)
    await bot.press(reviewer, listed, pending_button(listed, pending.ADVANCE))

    assert "村公示" in told(bot, reviewer, "已进入")
    assert "张*明 新识别纳入" in told(bot, filed["刘书记"], "已进入 村公示")
    assert "请发 /pending 处理" in told(bot, filed["钱书记"], "当前阶段“村公示”")
    [unbuttoned] = [m for m in bot.messages(reviewer) if m.message_id == listed.message_id]
    assert unbuttoned.edited
    assert inline_data(unbuttoned) == []
    assert await change_stage(sessionmaker, filed["change_id"]) is ChangeStage.VILLAGE_NOTICE
    assert texts.ERROR not in bot.texts(reviewer)


async def test_a_late_reject_still_asks_the_reason_and_rejects_the_change(
    bot: InProcessBot, filed: dict[str, Any], sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    reviewer, listed = filed["赵书记"], filed["listed"]
    too_late(bot)
    await bot.press(reviewer, listed, pending_button(listed, pending.REJECT))

    assert "张*明" in told(bot, reviewer, "不通过的原因")
    await bot.say(reviewer, "村民代表评议未通过")
    assert "村民代表评议未通过" in told(bot, filed["刘书记"], "未通过")
    assert await change_stage(sessionmaker, filed["change_id"]) is ChangeStage.REJECTED
