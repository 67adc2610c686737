"""Deadlines and the plan's recurring duties: reminders at 7, 1 and 0 days, each sent once."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from policy_kb.schema import Cadence
from services import audit, deadlines
from services.errors import InvalidInput
from services.models import AudienceKind, Broadcast, OutboxMessage, RoleKind, SentReminder
from services.users import get_or_create_user, grant_role

OFFSETS = [7, 1, 0]
MONTHLY = Cadence(name="月调度", frequency="monthly", sentence="建立月调度、季督查、年考核制度。", measure="m33aa1d0c")
QUARTERLY = Cadence(
    name="每季度启动1次贫困户识别程序",
    frequency="quarterly",
    sentence="每季度启动1次贫困户识别程序。",
    measure="m7beb95b8",
)


def render(reminder: deadlines.Reminder) -> str:
    return f"{reminder.title} {reminder.due_date} 还有{reminder.days_left}天"


@pytest.mark.parametrize(
    ("cadence", "start", "end", "expected"),
    [
        # New Year's Day off, Sunday 2026-01-04 a make-up workday; the National Day week off.
        pytest.param(MONTHLY, dt.date(2026, 1, 1), dt.date(2026, 2, 28), ["2026-01-04", "2026-02-02"], id="月调度"),
        pytest.param(
            QUARTERLY,
            dt.date(2026, 1, 1),
            dt.date(2026, 12, 31),
            ["2026-01-04", "2026-04-01", "2026-07-01", "2026-10-08"],
            id="季度识别",
        ),
    ],
)
def test_recurring_duties_fall_on_the_first_working_day_of_their_period(
    cadence: Cadence, start: dt.date, end: dt.date, expected: list[str]
) -> None:
    assert [d.isoformat() for d in deadlines.cadence_dates(cadence, start=start, end=end)] == expected


def test_each_duty_reaches_the_people_it_concerns() -> None:
    assert deadlines.cadence_audience(QUARTERLY) is AudienceKind.CADRES
    assert deadlines.cadence_audience(MONTHLY) is AudienceKind.UNITS


async def test_a_deadline_is_reminded_7_1_and_0_days_ahead_each_once(session: AsyncSession) -> None:
    for i in range(3):
        user = await get_or_create_user(
            session, telegram_user_id=900 + i, display_name=f"干部{i}", actor=audit.CLI_ACTOR
        )
        await grant_role(session, user=user, kind=RoleKind.UNIT, unit="县交通局", actor=audit.CLI_ACTOR)
    today = dt.date(2026, 12, 1)
    deadline = await deadlines.register_deadline(
        session,
        title="上报道路硬化完成情况",
        due_date=dt.date(2026, 12, 20),
        audience=AudienceKind.UNITS,
        offsets=OFFSETS,
        created_by="telegram:1",
        today=today,
    )

    async def send(day: dt.date) -> list[str]:
        sent = await deadlines.send_due_reminders(session, cadences=[], offsets=OFFSETS, today=day, render=render)
        return [b.text for b in sent]

    assert await send(dt.date(2026, 12, 12)) == []
    assert await send(dt.date(2026, 12, 13)) == ["上报道路硬化完成情况 2026-12-20 还有7天"]
    assert await send(dt.date(2026, 12, 13)) == []  # again the same day: nothing
    assert await send(dt.date(2026, 12, 15)) == []
    assert await send(dt.date(2026, 12, 19)) == ["上报道路硬化完成情况 2026-12-20 还有1天"]
    assert await send(dt.date(2026, 12, 20)) == ["上报道路硬化完成情况 2026-12-20 还有0天"]
    assert await send(dt.date(2026, 12, 21)) == []
    keys = (await session.scalars(select(SentReminder.key).order_by(SentReminder.id))).all()
    assert keys == [f"deadline:{deadline.id}:{k}" for k in (7, 1, 0)]
    assert await session.scalar(select(func.count()).select_from(OutboxMessage)) == 9  # 3 reminders × 3 people


async def test_a_deadline_registered_late_gets_only_the_latest_reminder(session: AsyncSession) -> None:
    today = dt.date(2026, 12, 1)
    await deadlines.register_deadline(
        session,
        title="季督查材料",
        due_date=dt.date(2026, 12, 3),
        audience=AudienceKind.ALL,
        offsets=OFFSETS,
        created_by="cli",
        today=today,
    )
    sent = await deadlines.send_due_reminders(session, cadences=[], offsets=OFFSETS, today=today, render=render)
    assert [b.text for b in sent] == ["季督查材料 2026-12-03 还有2天"]
    sent = await deadlines.send_due_reminders(
        session, cadences=[], offsets=OFFSETS, today=dt.date(2026, 12, 2), render=render
    )
    assert [b.text for b in sent] == ["季督查材料 2026-12-03 还有1天"]


async def test_recurring_duties_are_reminded_once_per_occurrence(session: AsyncSession) -> None:
    cadences = [MONTHLY, QUARTERLY]
    day = dt.date(2026, 10, 1)  # both fall on 2026-10-08, the first working day after National Day
    first = await deadlines.send_due_reminders(session, cadences=cadences, offsets=OFFSETS, today=day, render=render)
    again = await deadlines.send_due_reminders(session, cadences=cadences, offsets=OFFSETS, today=day, render=render)
    assert sorted(b.text for b in first) == [
        "月调度 2026-10-08 还有7天",
        "每季度启动1次贫困户识别程序 2026-10-08 还有7天",
    ]
    assert {b.audience for b in first} == {AudienceKind.UNITS, AudienceKind.CADRES}
    assert again == []
    on_the_day = await deadlines.send_due_reminders(
        session, cadences=cadences, offsets=OFFSETS, today=dt.date(2026, 10, 8), render=render
    )
    assert len(on_the_day) == 2  # the 1-day ones fell in the holiday the worker slept through; 0-day sent
    assert await session.scalar(select(func.count()).select_from(Broadcast)) == 4


async def test_bad_deadlines_are_refused_with_what_to_do(session: AsyncSession) -> None:
    today = dt.date(2026, 12, 1)
    with pytest.raises(InvalidInput, match="已经过去"):
        await deadlines.register_deadline(
            session,
            title="x",
            due_date=dt.date(2026, 11, 30),
            audience=AudienceKind.ALL,
            offsets=OFFSETS,
            created_by="cli",
            today=today,
        )
    with pytest.raises(InvalidInput, match="名称"):
        await deadlines.register_deadline(
            session,
            title=" ",
            due_date=today,
            audience=AudienceKind.ALL,
            offsets=OFFSETS,
            created_by="cli",
            today=today,
        )
    with pytest.raises(InvalidInput, match="乡镇"):
        await deadlines.register_deadline(
            session,
            title="x",
            due_date=today,
            audience=AudienceKind.TOWNSHIP,
            offsets=OFFSETS,
            created_by="cli",
            today=today,
        )
