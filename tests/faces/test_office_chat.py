"""The office's /broadcast, /deadline and /dashboard in the bot, driven in-process: who may start them, the
steps and their refusals, and what the delivery pass sends (the notice and its report, the
deadline's reminders). A broadcast to hundreds under the flood limit is a socket test
(`tests/e2e/test_broadcast_e2e.py`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot import texts
from services.db import session_scope
from services.masking import mask_name
from services.models import Deadline, RoleKind
from tests.inprocess_support import InProcessBot, bot_in_process
from tests.people_support import person
from tests.staff_support import add_villages, enrol

NOTICE = "请各户于12月5日前到村委会核对2018年各项补贴发放信息。"
TITLE = "上报道路硬化完成情况"


@pytest.fixture
async def bot(
    database_url: str, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[InProcessBot]:
    # reminder_hour=0: the day's reminders may go out whatever the hour of the test run.
    async with bot_in_process(database_url, sessionmaker, reminder_hour=0) as running:
        yield running


async def _registered(
    bot: InProcessBot, sessionmaker: async_sessionmaker[AsyncSession], kind: RoleKind, *names: str
) -> list[int]:
    """New Telegram users recorded in `kind`, as an invite (or /start, for households) would."""
    ids = [bot.user(name) for name in names]
    async with session_scope(sessionmaker) as session:
        for user_id in ids:
            await person(session, user_id, kind)
    return ids


@pytest.fixture
async def office(bot: InProcessBot, sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    [office] = await _registered(bot, sessionmaker, RoleKind.OFFICE, "王主任")
    return office


async def first(bot: InProcessBot, user: int, text: str) -> str:
    """`user` writes `text`; the bot's first reply."""
    return (await bot.say(user, text))[0]


# -- /broadcast -----------------------------------------------------------------------------------


async def test_broadcast_is_for_the_office_only(bot: InProcessBot) -> None:
    assert "“发布通知”只对县扶贫办开放" in await first(bot, bot.user("刘大姐"), "/broadcast")


async def _to_households(bot: InProcessBot, office: int, text: str) -> str:
    """/broadcast of `text` to the households, now; the preview."""
    assert texts.BROADCAST_ASK_TEXT in await first(bot, office, "/broadcast")
    assert texts.BROADCAST_ASK_AUDIENCE in await first(bot, office, text)
    assert texts.BROADCAST_ASK_WHEN in await first(bot, office, texts.AUDIENCE_BUTTONS["households"])
    return await first(bot, office, texts.BUTTON_SEND_NOW)


async def test_a_long_notice_is_previewed_cut(
    bot: InProcessBot, office: int, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    notice = "请各村于12月5日前核对补贴发放信息。" * 200  # about 3,800 characters
    await _registered(bot, sessionmaker, RoleKind.HOUSEHOLD, "村民甲")
    preview = await _to_households(bot, office, notice)
    assert texts.BROADCAST_PREVIEW_CUT.format(length=len(notice)) in preview


@dataclass
class Broadcast:
    """A broadcast as the office saw it go, and to whom."""

    preview: str
    queued: str
    blocked: int
    reached: list[int]


@pytest.fixture
async def broadcast(bot: InProcessBot, office: int, sessionmaker: async_sessionmaker[AsyncSession]) -> Broadcast:
    """The office's notice to three households, one of whom blocked the bot; sent by the delivery pass."""
    blocked, *reached = await _registered(bot, sessionmaker, RoleKind.HOUSEHOLD, "赵屏蔽", "钱大姐", "孙大爷")
    bot.block(blocked)
    preview = await _to_households(bot, office, NOTICE)
    queued = await first(bot, office, texts.BUTTON_CONFIRM_SEND)
    return Broadcast(preview=preview, queued=queued, blocked=blocked, reached=reached)


async def test_the_preview_counts_the_audience(broadcast: Broadcast) -> None:
    assert "目前 3 人" in broadcast.preview


async def test_the_preview_shows_the_notice(broadcast: Broadcast) -> None:
    assert NOTICE in broadcast.preview


async def test_a_confirmed_broadcast_says_it_is_queued(broadcast: Broadcast) -> None:
    assert texts.BROADCAST_QUEUED.format(count=3) in broadcast.queued


async def test_a_broadcast_reaches_each_household_once(bot: InProcessBot, broadcast: Broadcast) -> None:
    assert [bot.texts(chat) for chat in broadcast.reached] == [[NOTICE], [NOTICE]]


def _report(bot: InProcessBot, office: int) -> str:
    [report] = [t for t in bot.texts(office) if t.startswith("通知送达情况")]
    return report


async def test_a_broadcasts_report_counts_the_delivered(bot: InProcessBot, office: int, broadcast: Broadcast) -> None:
    assert "已送达 2 人" in _report(bot, office)


async def test_a_broadcasts_report_names_who_blocked_the_bot_masked(
    bot: InProcessBot, office: int, broadcast: Broadcast
) -> None:
    name = f"用户{broadcast.blocked}"  # as `people_support.person` records them
    assert f"已屏蔽机器人（1 人）：{mask_name(name)}" in _report(bot, office)


# -- /deadline ------------------------------------------------------------------------------------


async def test_a_deadline_registered_by_the_office_reminds_its_audience(
    bot: InProcessBot, office: int, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    units = await _registered(bot, sessionmaker, RoleKind.UNIT, "交通局小张", "教育局小李")
    assert texts.DEADLINE_ASK_TITLE in await first(bot, office, "/deadline")
    assert texts.DEADLINE_ASK_DATE in await first(bot, office, TITLE)
    assert texts.DEADLINE_ASK_AUDIENCE in await first(bot, office, "后天")
    summary = await first(bot, office, texts.AUDIENCE_BUTTONS["units"])
    assert f"提醒对象：{texts.AUDIENCE_BUTTONS['units']}（目前 2 人）" in summary
    saved = await first(bot, office, texts.BUTTON_CONFIRM_DEADLINE)
    assert "已登记：上报道路硬化完成情况" in saved
    assert "7、1、0" in saved
    for unit in units:
        [reminder] = bot.texts(unit)
        assert reminder.startswith("⏰ 截止提醒：上报道路硬化完成情况")
        assert "还有 2 天" in reminder


async def _deadline_until(bot: InProcessBot, office: int, *answers: str) -> str:
    """/deadline with the road-report title, then `answers` in turn; the bot's first reply to the last."""
    await bot.say(office, "/deadline")
    reply = await first(bot, office, TITLE)
    for answer in answers:
        reply = await first(bot, office, answer)
    return reply


@pytest.mark.parametrize("past", ["2025-01-01", "昨天"])
async def test_a_deadline_in_the_past_is_refused(bot: InProcessBot, office: int, past: str) -> None:
    assert "已经过去" in await _deadline_until(bot, office, past)


async def test_after_a_past_date_the_date_is_asked_again(bot: InProcessBot, office: int) -> None:
    assert texts.DEADLINE_ASK_DATE in await _deadline_until(bot, office, "昨天")


async def test_cancel_at_the_summary_says_nothing_was_registered(bot: InProcessBot, office: int) -> None:
    await _deadline_until(bot, office, "后天", texts.AUDIENCE_BUTTONS["units"])
    assert texts.DEADLINE_CANCELLED in await first(bot, office, texts.BUTTON_CANCEL)


async def test_nothing_is_registered_until_the_office_confirms_the_summary(
    bot: InProcessBot, office: int, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await _deadline_until(bot, office, "后天", texts.AUDIENCE_BUTTONS["units"])
    await bot.say(office, texts.BUTTON_CANCEL)
    async with session_scope(sessionmaker) as session:
        assert await session.scalar(select(func.count()).select_from(Deadline)) == 0


async def test_a_township_left_behind_by_going_back_is_not_kept(
    bot: InProcessBot, office: int, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await _deadline_until(bot, office, "后天", texts.AUDIENCE_BUTTONS["township"], "永陵镇")
    await bot.say(office, texts.BUTTON_BACK)  # back to the township
    await bot.say(office, texts.BUTTON_BACK)  # back to the audience
    await bot.say(office, texts.AUDIENCE_BUTTONS["units"])
    await bot.say(office, texts.BUTTON_CONFIRM_DEADLINE)
    async with session_scope(sessionmaker) as session:
        assert await session.scalar(select(Deadline.township_id)) is None


async def test_the_offices_help_names_deadline(bot: InProcessBot, office: int) -> None:
    assert "/deadline" in await first(bot, office, "/help")


# -- /dashboard -----------------------------------------------------------------------------------


async def test_a_cadre_is_refused_the_dashboard_and_told_whose_it_is(
    bot: InProcessBot, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await add_villages(sessionmaker)
    cadre = await enrol(bot, sessionmaker, "李干部", "cadre", villages=["腰站村"])
    reply = await first(bot, cadre, "/dashboard")
    assert "县扶贫办" in reply
    assert "token" not in reply
