"""A cadre's report becomes an item the lead unit handles from its card, driven in-process.

The real handlers and the outbox: every card, copy and notice goes out through one delivery pass
after the update that caused it (`tests/inprocess_support.py`), and every copy of a card follows
the item. Who may act, returns with a reason, merging a second report, per-village targets,
overdue reminders and a blocked unit user are here too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot import texts
from bot.ratelimit import RateLimiter
from bot.telegram import notify
from bot.telegram.tasks import OVERDUE_JOB
from emulator.models import MessageRecord
from policy_kb import load_kb
from services import audit, reports
from services.db import session_scope
from services.items import create_item, return_item
from services.models import Item, ItemKind, ItemState, Report, RoleKind, User
from services.routing import parties_for
from tests.inprocess_support import InProcessBot, bot_in_process
from tests.people_support import person, village
from tests.staff_support import (
    ROAD,
    ROAD_KM,
    add_villages,
    enrol,
    inline_data,
    report_road,
    text_of,
)

#: How the lead unit's card opens.
LEAD_CARD = "有新的事项分派给县交通局"


@pytest.fixture
async def bot(
    database_url: str, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[InProcessBot]:
    await add_villages(sessionmaker)
    # A cadre answers many steps in a minute; the households' flood limit is not what is tested here.
    async with bot_in_process(database_url, sessionmaker, rate_limiter=RateLimiter(limit=1000, window=60)) as running:
        yield running


@pytest.fixture
async def people(bot: InProcessBot, sessionmaker: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    """A cadre of 腰站村 (新宾镇), two staff of the road measure's lead unit, a participant unit,
    another unit, the township, a household."""
    household = bot.user("张大姐")
    await bot.say(household, "/start")
    return {
        "cadre": await enrol(bot, sessionmaker, "刘书记", "cadre", villages=["腰站村"]),
        "transport": await enrol(bot, sessionmaker, "交通局小王", "unit", unit="县交通局"),
        "colleague": await enrol(bot, sessionmaker, "交通局小张", "unit", unit="县交通局"),
        "finance": await enrol(bot, sessionmaker, "财政局小李", "unit", unit="县财政局"),
        "education": await enrol(bot, sessionmaker, "教育局小赵", "unit", unit="县教育局"),
        "township": await enrol(bot, sessionmaker, "新宾镇老孙", "township", township="新宾镇"),
        "household": household,
    }


async def count(sessionmaker: async_sessionmaker[AsyncSession], model: type) -> int:
    async with session_scope(sessionmaker) as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def the_item(sessionmaker: async_sessionmaker[AsyncSession]) -> Item:
    async with session_scope(sessionmaker) as session:
        [item] = (await session.scalars(select(Item))).all()
        return item


async def the_report(sessionmaker: async_sessionmaker[AsyncSession]) -> Report:
    async with session_scope(sessionmaker) as session:
        [report] = (await session.scalars(select(Report))).all()
        return report


def card_in(bot: InProcessBot, chat_id: int) -> MessageRecord:
    """The lead unit's one card in a chat."""
    [card] = [m for m in bot.messages(chat_id) if LEAD_CARD in text_of(m)]
    return card


def copy_in(bot: InProcessBot, chat_id: int) -> MessageRecord:
    """The one copy (抄送) of a card in a chat."""
    [copy] = [m for m in bot.messages(chat_id) if "抄送" in text_of(m)]
    return copy


def buttons_for(item_id: int, *actions: str) -> list[str]:
    return [notify.item_data(a, item_id) for a in actions]


# -- a report, accepted and closed ------------------------------------------------------------------


async def test_a_cadre_reports_and_the_unit_accepts_and_closes(
    bot: InProcessBot, people: dict[str, int], sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    cadre, transport = people["cadre"], people["transport"]
    assert await bot.say(cadre, texts.BUTTON_REPORT) == [texts.REPORT_INTRO, texts.REPORT_MEASURE]
    assert ROAD in bot.keyboard_labels(cadre)
    [indicator_prompt] = await bot.say(cadre, ROAD)
    assert "村组道路硬化：目标 106公里，还差" in indicator_prompt
    [prompt] = await bot.say(cadre, ROAD_KM)
    assert "完成了多少公里" in prompt
    assert "还差 106公里" in prompt  # one village: not asked
    # Bad quantities are refused with the reason, and the step is asked again.
    [vague] = await bot.say(cadre, "很多")
    assert "确切的数量" in vague
    [metres] = await bot.say(cadre, "350米")
    assert "按“公里”计，不是“米”" in metres
    [refused] = await bot.say(cadre, "0")
    assert "要大于 0" in refused
    assert texts.REPORT_TOO_MANY_WRONG in refused  # third refusal in a row
    assert await bot.say(cadre, "三点五") == [texts.REPORT_PHOTO]
    assert await bot.send_photo(cadre) == [texts.REPORT_NOTE]
    [summary] = await bot.say(cadre, "东段路基已完成")
    assert "3.5公里" in summary
    assert "新宾镇/腰站村" in summary
    assert texts.REPORT_PHOTO_YES in summary
    mark = bot.mark(transport)
    marks = {p: bot.mark(people[p]) for p in ("finance", "township")}
    [receipt] = await bot.say(cadre, texts.BUTTON_CONFIRM)
    assert "已上报，事项编号 #" in receipt
    assert "县交通局" in receipt
    assert texts.BUTTON_REPORT in bot.keyboard_labels(cadre)

    item = await the_item(sessionmaker)
    report = await the_report(sessionmaker)
    assert (report.quantity, report.unit, report.note) == (3.5, "公里", "东段路基已完成")
    assert report.photo_file_id

    # The lead unit gets the card with the three buttons; the participant and township a copy.
    card = bot.messages(transport, after=mark)[0]
    assert "有新的事项分派给县交通局" in text_of(card)
    assert "村组道路硬化 3.5 公里" in text_of(card)
    assert inline_data(card) == buttons_for(item.id, notify.ACCEPT, notify.CLOSE, notify.RETURN)
    for copied in ("finance", "township"):
        [copy] = bot.messages(people[copied], after=marks[copied])
        assert "抄送" in text_of(copy)
        assert not inline_data(copy)

    mark = bot.mark(cadre)
    press, edits = await bot.press(transport, card, notify.item_data(notify.ACCEPT, item.id))
    assert press.answered
    [accepted] = bot.messages(cadre, after=mark)
    assert "县交通局 已接收" in text_of(accepted)
    [edited] = [m for m in bot.messages(transport) if m.message_id == card.message_id]
    assert "✔️" in text_of(edited)
    assert notify.item_data(notify.ACCEPT, item.id) not in inline_data(edited)

    # /tasks lists it with what is still allowed; 办结 there closes it.
    mark = bot.mark(transport)
    header, *_ = await bot.say(transport, "/tasks")
    assert "待办事项共 1 项" in header
    listed = bot.messages(transport, after=mark)[1]
    assert inline_data(listed) == buttons_for(item.id, notify.CLOSE, notify.RETURN)
    mark = bot.mark(cadre)
    press, _ = await bot.press(transport, listed, notify.item_data(notify.CLOSE, item.id))
    assert press.answered
    [closed] = bot.messages(cadre, after=mark)
    assert "县交通局 已办结" in text_of(closed)
    # The first card follows: it says 已办结 and has no button left to press.
    [first] = [m for m in bot.messages(transport) if m.message_id == card.message_id]
    assert "状态：已办结" in text_of(first)
    assert inline_data(first) == []
    assert (await the_item(sessionmaker)).state is ItemState.DONE
    assert await bot.say(transport, texts.BUTTON_TASKS) == [texts.TASKS_NONE]
    # The cadre's 我的上报 shows where it stands.
    [mine] = await bot.say(cadre, texts.BUTTON_MY_REPORTS)
    assert "村组道路硬化 3.5 公里" in mine
    assert "县交通局 已办结" in mine


# -- who may report and act ------------------------------------------------------------------------


async def test_a_household_is_refused_report_and_pointed_to_questions(
    bot: InProcessBot, people: dict[str, int]
) -> None:
    [refusal] = await bot.say(people["household"], "/report")
    assert "只对驻村干部开放" in refusal
    assert "政策咨询" in refusal


async def test_a_household_sees_no_report_button(bot: InProcessBot, people: dict[str, int]) -> None:
    await bot.say(people["household"], "/report")
    assert texts.BUTTON_REPORT not in bot.keyboard_labels(people["household"])


async def test_a_household_is_refused_tasks(bot: InProcessBot, people: dict[str, int]) -> None:
    [refusal] = await bot.say(people["household"], "/tasks")
    assert "只对责任单位、乡镇干部、县扶贫办开放" in refusal


async def test_a_unit_is_refused_report_and_pointed_to_its_tasks(bot: InProcessBot, people: dict[str, int]) -> None:
    [refusal] = await bot.say(people["education"], texts.BUTTON_REPORT)
    assert "只对驻村干部开放" in refusal
    assert "待办任务" in refusal


@pytest.fixture
async def routed(bot: InProcessBot, people: dict[str, int], sessionmaker: async_sessionmaker[AsyncSession]) -> Item:
    """A road report of 2 公里 routed to 县交通局 (its card in the unit's chat)."""
    await report_road(bot, people["cadre"], "2")
    return await the_item(sessionmaker)


@pytest.mark.parametrize("outsider", ["household", "education"])
@pytest.mark.parametrize("action", [notify.ACCEPT, notify.RETURN])
async def test_a_press_from_outside_the_owning_unit_is_refused(
    bot: InProcessBot, people: dict[str, int], routed: Item, outsider: str, action: str
) -> None:
    # The emulator lets anyone press the unit's card, as if it were theirs.
    _, said = await bot.press(people[outsider], card_in(bot, people["transport"]), notify.item_data(action, routed.id))
    assert "只有县交通局的工作人员可以处理" in said[-1]


async def test_presses_from_outside_leave_the_item_new(
    bot: InProcessBot, people: dict[str, int], routed: Item, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    card = card_in(bot, people["transport"])
    for outsider in ("household", "education"):
        for action in (notify.ACCEPT, notify.RETURN):
            await bot.press(people[outsider], card, notify.item_data(action, routed.id))
    assert (await the_item(sessionmaker)).state is ItemState.NEW


async def test_another_units_tasks_do_not_list_the_item(
    bot: InProcessBot, people: dict[str, int], routed: Item
) -> None:
    assert "待办事项共 1 项" not in "\n".join(await bot.say(people["education"], "/tasks"))


async def test_the_township_sees_the_item_in_its_tasks(bot: InProcessBot, people: dict[str, int], routed: Item) -> None:
    header, *_ = await bot.say(people["township"], "/tasks")
    assert "待办事项共 1 项" in header


async def test_the_township_takes_part_without_buttons_to_act(
    bot: InProcessBot, people: dict[str, int], routed: Item
) -> None:
    township = people["township"]
    mark = bot.mark(township)
    await bot.say(township, "/tasks")
    [listed] = [m for m in bot.messages(township, after=mark) if "📋 事项" in text_of(m)]
    assert "抄送" not in text_of(listed)
    assert not inline_data(listed)


# -- a return with a reason --------------------------------------------------------------------------


async def test_more_than_what_remains_asks_for_confirmation_and_a_return_tells_the_cadre(
    bot: InProcessBot, people: dict[str, int], sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    cadre, transport = people["cadre"], people["transport"]
    for step in (texts.BUTTON_REPORT, ROAD, ROAD_KM):
        await bot.say(cadre, step)
    # More than what remains of the target asks for confirmation.
    [over] = await bot.say(cadre, "200")
    assert "超过了全县目标剩余的 106公里" in over
    [again] = await bot.say(cadre, texts.BUTTON_OVER_NO)
    assert "完成了多少公里" in again
    [over] = await bot.say(cadre, "200")
    assert "超过了全县目标剩余的" in over
    assert await bot.say(cadre, texts.BUTTON_OVER_YES) == [texts.REPORT_PHOTO]
    assert await bot.say(cadre, texts.BUTTON_SKIP) == [texts.REPORT_NOTE]
    [summary] = await bot.say(cadre, texts.BUTTON_SKIP)
    assert "200公里" in summary
    await bot.say(cadre, texts.BUTTON_CONFIRM)
    item = await the_item(sessionmaker)
    _, asked = await bot.press(transport, card_in(bot, transport), notify.item_data(notify.RETURN, item.id))
    assert "请写明退回事项" in asked[-1]
    assert await bot.send_sticker(transport) == [texts.ITEM_RETURN_NOT_TEXT]
    # An emoji typed as text is no reason either: asked for words, still at the reason step.
    [emoji] = await bot.say(transport, "👍")
    assert "要用文字写明" in emoji
    mark = bot.mark(cadre)
    done, *_card_edited = await bot.say(transport, "数量超过全县目标，请核实")
    assert done == texts.ITEM_RETURN_DONE.format(number=item.id)
    [told] = [text_of(m) for m in bot.messages(cadre, after=mark)]
    assert "县交通局 已退回" in told
    assert "退回原因：数量超过全县目标，请核实" in told
    assert (await the_item(sessionmaker)).state is ItemState.RETURNED


# -- a second report on the same thing --------------------------------------------------------------


async def test_a_second_report_on_the_same_thing_is_offered_for_merging(
    bot: InProcessBot, people: dict[str, int], sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    cadre, transport = people["cadre"], people["transport"]
    await report_road(bot, cadre, "1")
    [offer] = await report_road(bot, cadre, "2")
    assert "近期已有同一指标的事项" in offer
    mark = bot.mark(transport)
    [merged] = await bot.say(cadre, texts.BUTTON_MERGE)
    assert "合并到事项" in merged
    # The lead unit hears of the added quantity; the item's title now carries the total.
    [notice] = [text_of(m) for m in bot.messages(transport, after=mark) if "合并了一份新的上报" in text_of(m)]
    assert "（村组道路硬化 3 公里，新宾镇/腰站村）合并了一份新的上报：村组道路硬化 2 公里" in notice
    assert await count(sessionmaker, Item) == 1
    assert await count(sessionmaker, Report) == 2
    await report_road(bot, cadre, "0.5")
    [receipt] = await bot.say(cadre, texts.BUTTON_NEW_ITEM)
    assert "已上报，事项编号" in receipt
    assert await count(sessionmaker, Item) == 2
    assert await count(sessionmaker, Report) == 3


# -- a unit user who blocked the bot --------------------------------------------------------------


async def _active(sessionmaker: async_sessionmaker[AsyncSession], telegram_user_id: int) -> bool:
    async with session_scope(sessionmaker) as session:
        user = await session.scalar(select(User).where(User.telegram_user_id == telegram_user_id))
        assert user is not None
        return user.active


async def test_a_unit_user_who_blocked_the_bot_is_marked_inactive_until_start(
    bot: InProcessBot, people: dict[str, int], sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    transport = people["transport"]
    bot.block(transport)
    [receipt] = await report_road(bot, people["cadre"], "1")
    assert "已上报" in receipt
    # The card's 403 marked them inactive.
    assert not await _active(sessionmaker, transport)
    await bot.say(transport, "/start")  # unblocks, as Telegram's 重新开始 does
    assert await _active(sessionmaker, transport)


# -- a target set per village --------------------------------------------------------------------


async def _report_a_clinic(bot: InProcessBot, cadre: int, village_name: str) -> list[str]:
    """Walk /report to the quantity step of 村卫生室 (set for each village) in `village_name`; then
    answer 1 and return what the bot says to it."""
    health = texts.REPORT_MEASURE_BUTTON.format(title="健康扶贫巩固提升工程", lead="县卫计委")
    target = next(t for t in load_kb().measure("m25e43f6d").targets if t.indicator == "村卫生室")
    clinic = texts.REPORT_INDICATOR_BUTTON.format(name=reports.indicator_label(target), unit="所")
    await bot.say(cadre, texts.BUTTON_REPORT)
    [per_village] = await bot.say(cadre, health)
    assert "每村目标 1所（按村计算）" in per_village
    await bot.say(cadre, clinic)
    label = next(b for b in bot.keyboard_labels(cadre) if village_name in b)
    [remaining] = await bot.say(cadre, label)
    assert "本村距每村目标还差 1所" in remaining
    return await bot.say(cadre, "1")


async def test_a_target_set_per_village_is_checked_village_by_village(
    bot: InProcessBot, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """The first village's clinic leaves nothing of *its* target; the second village's own is whole."""
    cadre = await enrol(bot, sessionmaker, "周书记", "cadre", villages=["腰站村", "东村"])
    assert await _report_a_clinic(bot, cadre, "腰站村") == [texts.REPORT_PHOTO]
    assert await bot.say(cadre, texts.BUTTON_SKIP) == [texts.REPORT_NOTE]
    await bot.say(cadre, texts.BUTTON_SKIP)
    await bot.say(cadre, texts.BUTTON_CONFIRM)
    assert await _report_a_clinic(bot, cadre, "东村") == [texts.REPORT_PHOTO]


# -- what the units see ----------------------------------------------------------------------------


@pytest.fixture
async def with_photo_and_note(bot: InProcessBot, people: dict[str, int]) -> None:
    """A road report of 3.5 公里 with a photo and the note 东段路基已完成, confirmed."""
    cadre = people["cadre"]
    for step in (texts.BUTTON_REPORT, ROAD, ROAD_KM):
        await bot.say(cadre, step)
    assert await bot.say(cadre, "3.5") == [texts.REPORT_PHOTO]
    assert await bot.send_photo(cadre) == [texts.REPORT_NOTE]
    [summary] = await bot.say(cadre, "东段路基已完成")
    assert "请核对上报内容" in summary
    [receipt] = await bot.say(cadre, texts.BUTTON_CONFIRM)
    assert "已上报" in receipt


async def test_the_lead_units_card_carries_the_note(
    bot: InProcessBot, people: dict[str, int], with_photo_and_note: None
) -> None:
    assert "备注：东段路基已完成" in text_of(card_in(bot, people["transport"]))


async def test_the_lead_units_card_carries_the_reporters_name(
    bot: InProcessBot, people: dict[str, int], with_photo_and_note: None
) -> None:
    assert "上报人：刘书记" in text_of(card_in(bot, people["transport"]))


async def test_the_cadres_photo_is_forwarded_to_the_lead_unit(
    bot: InProcessBot,
    people: dict[str, int],
    with_photo_and_note: None,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    report = await the_report(sessionmaker)
    [photo] = [m for m in bot.messages(people["transport"]) if "photo" in m.message]
    assert photo.message["photo"][-1]["file_id"] == report.photo_file_id


async def test_the_forwarded_photo_names_the_item(
    bot: InProcessBot,
    people: dict[str, int],
    with_photo_and_note: None,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    report = await the_report(sessionmaker)
    [photo] = [m for m in bot.messages(people["transport"]) if "photo" in m.message]
    assert f"#{report.item_id}" in photo.message["caption"]


async def test_every_copy_of_the_card_follows_the_item_and_only_the_lead_can_act(
    bot: InProcessBot, people: dict[str, int], routed: Item
) -> None:
    transport, colleague = people["transport"], people["colleague"]
    card = card_in(bot, transport)
    copies = {p: copy_in(bot, people[p]) for p in ("finance", "township")}
    assert [inline_data(c) for c in copies.values()] == [[], []]

    await bot.press(transport, card, notify.item_data(notify.ACCEPT, routed.id))
    accepted = card_in(bot, colleague)
    assert "状态：已接收" in text_of(accepted)
    assert inline_data(accepted) == buttons_for(routed.id, notify.CLOSE, notify.RETURN)
    for name, copy in copies.items():
        edited = copy_in(bot, people[name])
        assert "状态：已接收" in text_of(edited)
        assert edited.message_id == copy.message_id

    await bot.press(colleague, accepted, notify.item_data(notify.CLOSE, routed.id))
    # The card 小王 pressed first now shows the close too, and no button is left anywhere.
    closed = card_in(bot, transport)
    assert "状态：已办结" in text_of(closed)
    assert inline_data(closed) == []
    for name in copies:
        edited = copy_in(bot, people[name])
        assert "状态：已办结" in text_of(edited)
        assert inline_data(edited) == []
    stale = [
        m
        for p in ("transport", "colleague", "finance", "township")
        for m in bot.messages(people[p])
        if "📋 事项" in text_of(m) and "状态：已办结" not in text_of(m)
    ]
    assert stale == []


# -- overdue items ------------------------------------------------------------------------------


async def test_an_overdue_item_reminds_the_unit_and_reaches_the_office(
    bot: InProcessBot, people: dict[str, int], routed: Item, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    office = await enrol(bot, sessionmaker, "扶贫办老赵", "office")
    async with session_scope(sessionmaker) as session:
        await session.execute(update(Item).values(due_date=dt.date(2026, 1, 5)))
    marks = {"transport": bot.mark(people["transport"]), "office": bot.mark(office)}
    await bot.run_job(OVERDUE_JOB)  # run at start-up, then regularly
    [reminder] = [
        m for m in bot.messages(people["transport"], after=marks["transport"]) if "已超过办理期限" in text_of(m)
    ]
    assert "已超过办理期限（2026-01-05）" in text_of(reminder)
    assert inline_data(reminder)  # the unit can act from the reminder
    [escalation] = [text_of(m) for m in bot.messages(office, after=marks["office"]) if "超期事项" in text_of(m)]
    assert "超期事项：县交通局" in escalation
    assert "2026-01-05" in escalation
    reminded = await the_item(sessionmaker)
    assert reminded.reminded_at is not None
    assert reminded.escalated_at is not None


# -- long texts -----------------------------------------------------------------------------------


async def test_my_reports_with_long_return_reasons_fits_one_message(
    bot: InProcessBot, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    reason = "请补充现场照片和验收单据，" * 38  # close to the 500 characters a reason may have
    cadre_chat = bot.user("刘书记")
    async with session_scope(sessionmaker) as session:
        place = await village(session, "新宾镇", "腰站村")
        cadre = await person(session, cadre_chat, RoleKind.CADRE, villages=[place])
        transport = await person(session, 9_000_001, RoleKind.UNIT, unit="县交通局")
        for n in range(10):
            item = await create_item(
                session,
                kind=ItemKind.REPORT,
                measure_id="mc0623e77",
                title=f"硬化村组道路 {n + 1} 公里",
                topic=f"硬化村组道路{n}",
                village=place,
                reporter=cadre,
                parties=parties_for(load_kb(), measure_id="mc0623e77", township=place.township),
                actor=audit.SYSTEM_ACTOR,
            )
            await return_item(session, item_id=item.id, user=transport, reason=reason, actor=audit.SYSTEM_ACTOR)
    [mine] = await bot.say(cadre_chat, "/myreports")
    assert mine.count(reason[: texts.MY_REPORTS_REASON_SHOWN] + "…") == 10
