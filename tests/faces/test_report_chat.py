"""A stationed cadre's /report conversation with the real handlers, driven in-process
(`tests/inprocess_support.py`): steps back, edits, refusals and cancel, as the cadre sees them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot import texts
from tests.inprocess_support import InProcessBot, bot_in_process
from tests.staff_support import BRIDGES, ROAD, ROAD_KM, add_villages, invite_code


@pytest.fixture
async def bot(
    database_url: str, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[InProcessBot]:
    await add_villages(sessionmaker)
    async with bot_in_process(database_url, sessionmaker) as running:
        yield running


@pytest.fixture
async def cadre(bot: InProcessBot, sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    """A cadre of 腰站村, registered through an invite link."""
    user = bot.user("刘书记")
    await bot.say(user, "/start " + await invite_code(sessionmaker, "cadre", villages=["腰站村"]))
    return user


async def _at_road_quantity(bot: InProcessBot, cadre: int) -> list[str]:
    """/report up to the quantity of 村组道路硬化; the bot's replies on the way."""
    said = await bot.say(cadre, texts.BUTTON_REPORT)
    said += await bot.say(cadre, ROAD)
    return said + await bot.say(cadre, ROAD_KM)


async def test_report_shows_how_much_of_the_target_remains(bot: InProcessBot, cadre: int) -> None:
    said = await _at_road_quantity(bot, cadre)
    assert any("村组道路硬化：目标 106公里，还差" in text for text in said)


async def test_back_from_the_quantity_asks_the_indicator_again(bot: InProcessBot, cadre: int) -> None:
    await _at_road_quantity(bot, cadre)
    [again] = await bot.say(cadre, texts.BUTTON_BACK)
    assert "请选择指标" in again


async def test_a_fraction_of_a_countable_unit_is_refused(bot: InProcessBot, cadre: int) -> None:
    await _at_road_quantity(bot, cadre)
    await bot.say(cadre, texts.BUTTON_BACK)
    await bot.say(cadre, BRIDGES)
    [refusal] = await bot.say(cadre, "1.5")
    assert "“座”要按整数计" in refusal


async def _summary_of_two_bridges(bot: InProcessBot, cadre: int) -> str:
    await _at_road_quantity(bot, cadre)
    await bot.say(cadre, texts.BUTTON_BACK)
    await bot.say(cadre, BRIDGES)
    await bot.say(cadre, "两座")
    await bot.say(cadre, texts.BUTTON_SKIP)
    [summary] = await bot.say(cadre, texts.BUTTON_SKIP)
    return summary


async def test_a_quantity_in_chinese_numerals_is_read(bot: InProcessBot, cadre: int) -> None:
    assert "2座" in await _summary_of_two_bridges(bot, cadre)


async def test_editing_the_quantity_changes_the_summary(bot: InProcessBot, cadre: int) -> None:
    await _summary_of_two_bridges(bot, cadre)
    await bot.say(cadre, texts.BUTTON_EDIT)
    await bot.say(cadre, texts.REPORT_FIELDS["quantity"])
    [summary] = await bot.say(cadre, "3")
    assert "3座" in summary


async def test_start_in_the_middle_is_a_reminder(bot: InProcessBot, cadre: int) -> None:
    await _summary_of_two_bridges(bot, cadre)
    assert await bot.say(cadre, "/start") == [texts.REPORT_IN_PROGRESS]


async def test_cancel_ends_the_report(bot: InProcessBot, cadre: int) -> None:
    await _summary_of_two_bridges(bot, cadre)
    assert await bot.say(cadre, texts.BUTTON_CANCEL) == [texts.REPORT_CANCELLED]


async def test_after_cancel_the_menu_offers_report_again(bot: InProcessBot, cadre: int) -> None:
    await _summary_of_two_bridges(bot, cadre)
    await bot.say(cadre, texts.BUTTON_CANCEL)
    assert texts.BUTTON_REPORT in bot.keyboard_labels(cadre)


async def test_a_household_is_refused_report(bot: InProcessBot) -> None:
    [refusal] = await bot.say(bot.user("张大姐"), "/report")
    assert "只对驻村干部开放" in refusal
