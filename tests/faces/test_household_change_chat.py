"""户情变动 in the bot, driven in-process: a cadre files, reviewers move it through 两公示一公告 with buttons.

People are registered by invites made through the services and `/start <code>`; every step is a
message or a button press, every notice goes out by the delivery pass after the update that
caused it. 身份证号 are made up (`tests.idcard_support`) and must never reach a bot message unmasked.
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
from emulator.models import MessageRecord
from services.db import session_scope
from services.masking import mask_id_number
from services.models import ChangeStage, Household, HouseholdChange, HouseholdStatus, Village
from tests.idcard_support import fake_id_number
from tests.inprocess_support import InProcessBot, bot_in_process
from tests.staff_support import add_villages, enrol, inline_data, text_of

#: A made-up number whose last digit is wrong: the checksum refuses it.
GOOD_ID = fake_id_number(101)
BAD_ID = GOOD_ID[:-1] + ("1" if GOOD_ID[-1] != "1" else "2")


@pytest.fixture
async def bot(
    database_url: str, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[InProcessBot]:
    await add_villages(sessionmaker)
    # A cadre walking the whole form and a reviewer pressing through every stage, faster than people.
    async with bot_in_process(
        database_url, sessionmaker, rate_limiter=RateLimiter(limit=10_000, window=1.0)
    ) as running:
        yield running


class Person:
    """One person in the chat: sends text and reads the bot's next new message that contains a needle."""

    def __init__(self, bot: InProcessBot, user_id: int) -> None:
        self.bot, self.id = bot, user_id
        self.mark = self._last_id()

    def _conversation_messages(self) -> list[MessageRecord]:
        messages = self.bot.state.conversation(self.bot.account, self.id).messages
        return [messages[number] for number in sorted(messages)]

    def _last_id(self) -> int:
        return max((r.message_id for r in self._conversation_messages()), default=0)

    def next(self, needle: str = "") -> MessageRecord:
        """The bot's first new message after the last one read that contains `needle`."""
        for record in self._conversation_messages():
            if record.sender == "bot" and record.message_id > self.mark and needle in text_of(record):
                self.mark = record.message_id
                return record
        raise AssertionError(f"no new message with {needle!r} in chat {self.id}: {self.bot.texts(self.id)[-5:]}")

    async def say(self, text: str, needle: str = "") -> str:
        """Send `text`; the bot's answer containing `needle`."""
        self.mark = self._last_id()
        await self.bot.say(self.id, text)
        return text_of(self.next(needle))

    async def press(self, message: MessageRecord, data: str) -> None:
        """Press a button of `message` (which may be in another person's chat)."""
        await self.bot.press(self.id, message, data)

    def typed(self) -> list[MessageRecord]:
        """What this person wrote in their chat with the bot."""
        return [r for r in self._conversation_messages() if r.sender == "user"]


async def _person(
    bot: InProcessBot, sessionmaker: async_sessionmaker[AsyncSession], name: str, role: str, **binding: Any
) -> Person:
    return Person(bot, await enrol(bot, sessionmaker, name, role, **binding))


def _bot_texts(bot: InProcessBot, *people: Person) -> list[str]:
    return [text for p in people for text in bot.texts(p.id)]


async def _change(sessionmaker: async_sessionmaker[AsyncSession], id_number: str) -> HouseholdChange:
    async with session_scope(sessionmaker) as session:
        change = await session.scalar(select(HouseholdChange).where(HouseholdChange.id_number == id_number))
        assert change is not None
        return change


def _button(message: MessageRecord, prefix: str) -> str:
    return next(data for data in inline_data(message) if data.startswith(prefix))


async def _pending_stage(person: Person, stage: str) -> MessageRecord:
    """/pending, then the message listing `stage`."""
    await person.say("/pending", texts.PENDING_HEADER.split("（")[0])
    return person.next(f"【{stage}】")


async def test_inclusion_goes_through_two_notices_and_one_announcement_to_the_roster(
    bot: InProcessBot, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    cadre = await _person(bot, sessionmaker, "刘书记", "cadre", villages=["腰站村"])
    neighbour = await _person(bot, sessionmaker, "赵书记", "cadre", villages=["东村"])
    township = await _person(bot, sessionmaker, "乡镇小李", "township", township="新宾镇")
    office = await _person(bot, sessionmaker, "扶贫办老王", "office")
    household = Person(bot, bot.user("群众老孙"))

    # A cadre files 新识别纳入: the one village is not asked; a bad number is refused with the reason.
    await cadre.say("/household", texts.HOUSEHOLD_INTRO[:5])
    assert texts.HOUSEHOLD_KIND in text_of(cadre.next(texts.HOUSEHOLD_KIND))
    assert texts.HOUSEHOLD_ID_NUMBER in await cadre.say("新识别纳入")
    refusal = await cadre.say(BAD_ID)
    assert "校验码不对" in refusal
    assert texts.HOUSEHOLD_ID_NUMBER in refusal
    assert "位数不对" in await cadre.say("2104221970")
    accepted = await cadre.say(GOOD_ID)
    assert mask_id_number(GOOD_ID) in accepted
    assert texts.HOUSEHOLD_HEAD in accepted
    assert "不能有数字" in await cadre.say(GOOD_ID)  # the number again, at the name step: refused, deleted
    assert "几口人" in await cadre.say("张三明")
    assert "1–20" in await cadre.say("二十一")  # refused: says the range and asks again
    assert texts.HOUSEHOLD_CAUSE in await cadre.say("三")
    assert "需要说明" in await cadre.say("因病")
    summary = await cadre.say("家中老人常年患病，电话 13812345678")
    assert mask_id_number(GOOD_ID) in summary
    assert "新识别纳入" in summary
    assert "因病" in summary
    assert "138****5678" in summary
    assert "张*明" in summary
    # 修改 one field and come back to the summary.
    assert texts.HOUSEHOLD_EDIT in await cadre.say(texts.BUTTON_EDIT)
    assert "几口人" in await cadre.say(texts.HOUSEHOLD_FIELDS["members"])
    assert "人口：4 人" in await cadre.say("4")
    receipt = await cadre.say(texts.BUTTON_CONFIRM)
    assert "已报送" in receipt
    assert "“村级评议”由您组织" in receipt

    # The cadre's messages holding a number were deleted.
    typed = cadre.typed()
    assert [m.deleted for m in typed if m.message.get("text") in (BAD_ID, GOOD_ID)] == [True, True, True]
    change = await _change(sessionmaker, GOOD_ID)
    assert change.stage is ChangeStage.VILLAGE_REVIEW
    assert change.members == 4

    # 村级评议 and 村公示 are the village's: the cadre moves them on; a pressed-twice button changes nothing.
    first = await _pending_stage(cadre, "村级评议")
    second = await _pending_stage(cadre, "村级评议")
    data = _button(first, pending.ADVANCE)
    # Another village's cadre and a household cannot move it, even pressing the button itself.
    assert "没有待审核" in await neighbour.say("/pending")
    await neighbour.press(first, data)
    assert "驻村干部" in text_of(neighbour.next())
    await household.press(first, data)
    assert "只对" in text_of(household.next())
    assert "只对" in await household.say("/pending")
    assert (await _change(sessionmaker, GOOD_ID)).stage is ChangeStage.VILLAGE_REVIEW

    await cadre.press(first, data)
    assert "已进入 村公示" in text_of(cadre.next())
    await cadre.press(second, _button(second, pending.ADVANCE))
    assert "已处理" in text_of(cadre.next())
    # A double tap: both presses arrive before the first one's answer took the buttons away.
    notice = await _pending_stage(cadre, "村公示")
    data = _button(notice, pending.ADVANCE)
    for _ in range(2):
        bot.state.user_press(bot.account, cadre.id, message_id=notice.message_id, data=data)
    await bot.deliver()
    assert "已进入 乡镇审核" in text_of(cadre.next())
    assert "已处理" in text_of(cadre.next())

    # The township checks it; the office announces it and it takes effect. The cadre hears each step,
    # and whoever's turn the next stage is hears of it.
    assert "张*明 新识别纳入" in text_of(township.next("当前阶段“乡镇审核”"))
    review = await _pending_stage(township, "乡镇审核")
    assert mask_id_number(GOOD_ID) in text_of(review)
    await township.press(review, _button(review, pending.ADVANCE))
    assert "已进入 县公告" in text_of(cadre.next("县公告"))
    office.next("当前阶段“县公告”")
    announce = await _pending_stage(office, "县公告")
    await office.press(announce, _button(announce, pending.ADVANCE))
    assert "张*明 新识别纳入：已进入 生效" in text_of(cadre.next("生效"))
    assert "没有待审核" in await office.say("/pending", "没有待审核")

    async with session_scope(sessionmaker) as session:
        registered = await session.scalar(select(Household).where(Household.id_number == GOOD_ID))
        assert registered is not None
        assert registered.status is HouseholdStatus.REGISTERED
        assert registered.head_name == "张三明"
        assert registered.members == 4
        assert registered.cause == "因病"
    change = await _change(sessionmaker, GOOD_ID)
    assert [s.stage for s in change.steps] == [
        ChangeStage.VILLAGE_REVIEW,
        ChangeStage.VILLAGE_NOTICE,
        ChangeStage.TOWNSHIP_REVIEW,
        ChangeStage.COUNTY_NOTICE,
        ChangeStage.EFFECTIVE,
    ]
    # The number never reached a bot message unmasked, in anyone's chat.
    said = _bot_texts(bot, cadre, neighbour, township, office, household)
    assert not [t for t in said if GOOD_ID in t or BAD_ID in t]


async def _roster_household(sessionmaker: async_sessionmaker[AsyncSession], id_number: str) -> None:
    async with session_scope(sessionmaker) as session:
        village = await session.scalar(select(Village).where(Village.name == "腰站村"))
        assert village is not None
        session.add(
            Household(
                id_number=id_number,
                head_name="王大山",
                village_id=village.id,
                members=5,
                cause="因学",
                status=HouseholdStatus.REGISTERED,
            )
        )


async def test_exit_finds_the_household_on_the_roster_and_the_township_rejects_it_with_a_reason(
    bot: InProcessBot, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    on_roster, unknown = fake_id_number(201), fake_id_number(202)
    await _roster_household(sessionmaker, on_roster)
    cadre = await _person(bot, sessionmaker, "孙书记", "cadre", villages=["腰站村", "西村"])
    township = await _person(bot, sessionmaker, "乡镇小周", "township", township="新宾镇")

    await cadre.say(texts.BUTTON_HOUSEHOLD_CHANGE, texts.HOUSEHOLD_KIND)
    assert texts.HOUSEHOLD_VILLAGE in await cadre.say("脱贫退出")
    assert texts.HOUSEHOLD_WRONG_VILLAGE in await cadre.say("东村")  # not this cadre's village
    assert texts.HOUSEHOLD_ID_NUMBER in await cadre.say("新宾镇/腰站村")
    assert "没有这个身份证号" in await cadre.say(unknown)
    found = await cadre.say(on_roster)
    assert "王*山" in found
    assert "5 人" in found
    assert mask_id_number(on_roster) in found
    assert "几口人" in await cadre.say(texts.BUTTON_KEEP)
    assert "需要说明" in await cadre.say(texts.BUTTON_KEEP)  # no cause asked for an exit
    summary = await cadre.say(texts.BUTTON_SKIP)
    assert "户主：王*山" in summary
    assert "人口：5 人" in summary
    assert "致贫原因" not in summary
    assert "已报送" in await cadre.say(texts.BUTTON_CONFIRM)
    # A second change for the same household waits until this one is settled.
    await cadre.say("/household", texts.HOUSEHOLD_KIND)
    await cadre.say("信息变更", texts.HOUSEHOLD_VILLAGE)
    await cadre.say("腰站村", texts.HOUSEHOLD_ID_NUMBER)
    assert "已有一条正在办理" in await cadre.say(on_roster)
    assert texts.HOUSEHOLD_CANCELLED in await cadre.say(texts.BUTTON_CANCEL)

    # The cadre moves it through the village's two stages …
    for stage, following in (("村级评议", "村公示"), ("村公示", "乡镇审核")):
        listed = await _pending_stage(cadre, stage)
        await cadre.press(listed, _button(listed, pending.ADVANCE))
        cadre.next(f"已进入 {following}")
    # … and the township rejects it, with a reason the cadre is told.
    review = await _pending_stage(township, "乡镇审核")
    await township.press(review, _button(review, pending.REJECT))
    assert "不通过的原因" in text_of(township.next("不通过的原因"))
    assert texts.PENDING_REJECT_IN_PROGRESS in await township.say(texts.BUTTON_PENDING_CHANGES)
    # An emoji or punctuation is no reason: asked for words; the next message is still the reason.
    assert "要用文字写明" in await township.say("👍！", "要用文字写明")
    assert "不通过" in await township.say("入户核实收入未达标", "不通过")
    told = text_of(cadre.next("未通过"))
    assert "王*山 脱贫退出" in told
    assert "入户核实收入未达标" in told
    async with session_scope(sessionmaker) as session:
        household = await session.scalar(select(Household).where(Household.id_number == on_roster))
        assert household is not None
        assert household.status is HouseholdStatus.REGISTERED
    assert (await _change(sessionmaker, on_roster)).stage is ChangeStage.REJECTED
    said = _bot_texts(bot, cadre, township)
    assert not [t for t in said if on_roster in t or unknown in t]


async def test_back_cancel_and_three_refusals(
    bot: InProcessBot, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    cadre = await _person(bot, sessionmaker, "钱书记", "cadre", villages=["东村"])
    await cadre.say("/household", texts.HOUSEHOLD_KIND)
    assert texts.HOUSEHOLD_ID_NUMBER in await cadre.say("返贫")
    assert texts.HOUSEHOLD_KIND in await cadre.say(texts.BUTTON_BACK)
    assert texts.HOUSEHOLD_WRONG_KIND in await cadre.say("香蕉")
    await bot.send_sticker(cadre.id)
    assert texts.HOUSEHOLD_NOT_TEXT in text_of(cadre.next(texts.HOUSEHOLD_NOT_TEXT))
    assert texts.HOUSEHOLD_TOO_MANY_WRONG in await cadre.say("很多很多")
    assert texts.HOUSEHOLD_IN_PROGRESS in await cadre.say("/report")
    assert texts.HOUSEHOLD_CANCELLED in await cadre.say(texts.BUTTON_CANCEL)
    assert texts.NOTHING_TO_CANCEL in await cadre.say("/cancel")


async def test_a_unit_is_refused_household_changes_as_for_cadres_only(
    bot: InProcessBot, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    unit = await _person(bot, sessionmaker, "交通局小王", "unit", unit="县交通局")
    refusal = await unit.say("/household")
    assert "驻村干部" in refusal
    assert "只对" in refusal


async def test_a_household_is_refused_household_changes(bot: InProcessBot) -> None:
    plain = Person(bot, bot.user("群众老孙"))
    assert "只对" in await plain.say(texts.BUTTON_HOUSEHOLD_CHANGE)


async def test_an_information_change_is_confirmed_by_the_township_and_updates_the_roster(
    bot: InProcessBot, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    number = fake_id_number(401)
    await _roster_household(sessionmaker, number)
    cadre = await _person(bot, sessionmaker, "郑书记", "cadre", villages=["腰站村"])
    township = await _person(bot, sessionmaker, "乡镇小吴", "township", township="新宾镇")
    far_township = await _person(bot, sessionmaker, "永陵镇小冯", "township", township="永陵镇")

    await cadre.say("/household", texts.HOUSEHOLD_KIND)
    await cadre.say("信息变更", texts.HOUSEHOLD_ID_NUMBER)
    assert "王*山" in await cadre.say(f" {number[:6]} {number[6:14]} {number[14:].lower()} ")  # typed loosely
    assert "几口人" in await cadre.say(texts.BUTTON_KEEP)
    assert "需要说明" in await cadre.say("四口人")
    assert "人口：4 人" in await cadre.say("儿子分户另过")
    receipt = await cadre.say(texts.BUTTON_CONFIRM)
    assert "已提交" in receipt
    assert "由您组织" not in receipt

    assert "没有待审核" in await far_township.say(texts.BUTTON_PENDING_CHANGES)
    township.next("当前阶段“已提交”")
    listed = await _pending_stage(township, "已提交")
    await township.press(listed, _button(listed, pending.ADVANCE))
    assert "王*山 信息变更：已进入 生效" in text_of(cadre.next("生效"))
    async with session_scope(sessionmaker) as session:
        household = await session.scalar(select(Household).where(Household.id_number == number))
        assert household is not None
        assert household.members == 4
        assert household.status is HouseholdStatus.REGISTERED
    said = _bot_texts(bot, cadre, township)
    assert not [t for t in said if number in t]
