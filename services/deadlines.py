"""Deadlines and the plan's recurring duties, reminded ahead at configurable offsets (7, 1, 0 days).

A reminder is a broadcast to the deadline's audience, so it goes through the outbox like any
notice. The `SentReminder` row with its unique key, written in the same transaction as the
broadcast, is what keeps a reminder from going out twice — after a restart, or when two workers
look at the same moment.

The plan's cadences (`kb.cadences`: 每季度启动1次贫困户识别程序, 月调度, 季督查, 年考核) recur on the
first working day of each month, quarter or year (Chinese calendar, `services.workdays`): the
day the duty opens, when people need to know it is coming.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from policy_kb.schema import Cadence
from services import audit, broadcasts
from services.errors import InvalidInput, NotFound
from services.masking import mask_text
from services.models import AudienceKind, Broadcast, Deadline, SentReminder, Township, utcnow
from services.workdays import add_working_days, is_working_day

log = logging.getLogger(__name__)

#: Who each recurring duty concerns, by a word of its name: cadres run the household
#: identification in their villages; dispatch, inspection and assessment concern the units.
CADENCE_AUDIENCES: dict[str, AudienceKind] = {
    "识别": AudienceKind.CADRES,
    "调度": AudienceKind.UNITS,
    "督查": AudienceKind.UNITS,
    "考核": AudienceKind.UNITS,
}
#: Audience of a duty whose name matches none of the words above.
DEFAULT_CADENCE_AUDIENCE = AudienceKind.UNITS
#: First month of each period.
PERIOD_MONTHS: dict[str, tuple[int, ...]] = {
    "monthly": tuple(range(1, 13)),
    "quarterly": (1, 4, 7, 10),
    "yearly": (1,),
}
MAX_TITLE = 200
DUE_DATE_PAST = "截止日期 {date} 已经过去（今天是 {today}），请输入今天或以后的日期。"


@dataclass(frozen=True)
class Reminder:
    """One reminder to send: what, when it is due, how many days are left, to whom."""

    key: str
    title: str
    due_date: dt.date
    days_left: int
    #: Which of the offsets this reminder is (7, 1, 0…).
    offset: int
    audience: AudienceKind
    township_id: int | None = None
    deadline_id: int | None = None
    #: The plan's sentence, for a recurring duty.
    sentence: str | None = None


def cadence_audience(cadence: Cadence) -> AudienceKind:
    """Who a recurring duty's reminders reach (`CADENCE_AUDIENCES`)."""
    return next((a for word, a in CADENCE_AUDIENCES.items() if word in cadence.name), DEFAULT_CADENCE_AUDIENCE)


def first_working_day(day: dt.date) -> dt.date:
    """`day` itself when it is a working day, else the next one."""
    return day if is_working_day(day) else add_working_days(day, 1)


def cadence_dates(cadence: Cadence, *, start: dt.date, end: dt.date) -> list[dt.date]:
    """The days the duty falls on between `start` and `end` (inclusive): first working day of each period."""
    dates = []
    for year in range(start.year, end.year + 1):
        for month in PERIOD_MONTHS[cadence.frequency]:
            day = first_working_day(dt.date(year, month, 1))
            if start <= day <= end:
                dates.append(day)
    return dates


def _normalize_offsets(offsets: Iterable[int]) -> list[int]:
    values = sorted(set(offsets), reverse=True)
    if not values or values[-1] < 0:
        raise InvalidInput("提醒提前天数须为不小于 0 的整数，例如 7、1、0。")
    return values


def check_due_date(due_date: dt.date, *, today: dt.date) -> None:
    """A deadline is today or later: one already past would remind nobody of anything.

    Raises:
        InvalidInput: the date is past.
    """
    if due_date < today:
        raise InvalidInput(DUE_DATE_PAST.format(date=due_date.isoformat(), today=today.isoformat()))


async def register_deadline(
    session: AsyncSession,
    *,
    title: str,
    due_date: dt.date,
    audience: AudienceKind,
    township_id: int | None = None,
    offsets: Sequence[int],
    created_by: str,
    today: dt.date,
    update_id: int | None = None,
) -> Deadline:
    """Register a deadline whose reminders go to `audience` `offsets` days before `due_date`.

    The same Telegram `update_id` again returns the deadline it registered.

    Raises:
        InvalidInput: empty or too long title, a date already past, no township for a township
            audience, bad offsets.
        NotFound: no such township.
    """
    if update_id is not None:
        existing = await session.scalar(select(Deadline).where(Deadline.source_update_id == update_id))
        if existing is not None:
            return existing
    title = title.strip()
    if not title:
        raise InvalidInput("请填写截止事项的名称，例如“上报第四季度识别结果”。")
    if len(title) > MAX_TITLE:
        raise InvalidInput(f"事项名称有 {len(title)} 字，请精简到 {MAX_TITLE} 字以内。")
    check_due_date(due_date, today=today)
    if audience is AudienceKind.TOWNSHIP:
        if township_id is None:
            raise InvalidInput("请选择要提醒的乡镇。")
        if await session.get(Township, township_id) is None:
            raise NotFound("没有这个乡镇。")
    deadline = Deadline(
        title=title,
        due_date=due_date,
        audience=audience,
        township_id=township_id if audience is AudienceKind.TOWNSHIP else None,
        offsets=_normalize_offsets(offsets),
        created_by=created_by,
        source_update_id=update_id,
    )
    session.add(deadline)
    await session.flush()
    await audit.record(
        session,
        actor=created_by,
        action="deadline.create",
        subject=f"deadline:{deadline.id}",
        after={
            "title": mask_text(title),
            "due_date": due_date.isoformat(),
            "audience": audience.value,
            "township_id": deadline.township_id,
            "offsets": deadline.offsets,
        },
    )
    return deadline


async def upcoming_deadlines(session: AsyncSession, *, today: dt.date) -> list[Deadline]:
    """Registered deadlines from today on, soonest first."""
    query = select(Deadline).where(Deadline.due_date >= today).order_by(Deadline.due_date, Deadline.id)
    return list((await session.scalars(query)).all())


def _current_offset(due_date: dt.date, offsets: Sequence[int], today: dt.date) -> int | None:
    """The offset whose reminder is the one to send today, if any.

    Every offset whose day has come (`due - offset <= today`) is "reached"; only the latest of
    them (the smallest offset) is sent, so a deadline registered three days ahead gets one
    "3 days left" reminder, not a 7-day one as well. The offset sent only ever gets smaller, so
    an earlier, larger one never comes due again.
    """
    days_left = (due_date - today).days
    if days_left < 0:
        return None
    reached = [k for k in offsets if k >= days_left]
    return min(reached) if reached else None


async def due_reminders(
    session: AsyncSession, *, cadences: Sequence[Cadence], offsets: Sequence[int], today: dt.date
) -> list[Reminder]:
    """The reminders that should have gone out by `today` and have not (registered and recurring)."""
    candidates: list[Reminder] = []
    for deadline in await upcoming_deadlines(session, today=today):
        offset = _current_offset(deadline.due_date, deadline.offsets, today)
        if offset is not None:
            candidates.append(
                Reminder(
                    key=f"deadline:{deadline.id}:{offset}",
                    title=deadline.title,
                    due_date=deadline.due_date,
                    days_left=(deadline.due_date - today).days,
                    offset=offset,
                    audience=deadline.audience,
                    township_id=deadline.township_id,
                    deadline_id=deadline.id,
                )
            )
    horizon = today + dt.timedelta(days=max(offsets, default=0))
    for cadence in cadences:
        for day in cadence_dates(cadence, start=today, end=horizon):
            offset = _current_offset(day, offsets, today)
            if offset is not None:
                candidates.append(
                    Reminder(
                        key=f"cadence:{cadence.name}:{day.isoformat()}:{offset}",
                        title=cadence.name,
                        due_date=day,
                        days_left=(day - today).days,
                        offset=offset,
                        audience=cadence_audience(cadence),
                        sentence=cadence.sentence,
                    )
                )
    if not candidates:
        return []
    sent = set(
        (await session.scalars(select(SentReminder.key).where(SentReminder.key.in_([c.key for c in candidates])))).all()
    )
    return [c for c in candidates if c.key not in sent]


async def send_due_reminders(
    session: AsyncSession,
    *,
    cadences: Sequence[Cadence],
    offsets: Sequence[int],
    today: dt.date,
    render: Callable[[Reminder], str],
    now: dt.datetime | None = None,
) -> list[Broadcast]:
    """Send every reminder due by `today` as a broadcast, each once.

    Args:
        cadences: the plan's recurring duties (`kb.cadences`).
        offsets: days before a recurring duty its reminders go out (registered deadlines keep
            their own).
        today: the county's date (Beijing time).
        render: the reminder's text as the bot words it.
    """
    now = now or utcnow()
    sent = []
    for reminder in await due_reminders(session, cadences=cadences, offsets=offsets, today=today):
        record = SentReminder(
            key=reminder.key,
            deadline_id=reminder.deadline_id,
            due_date=reminder.due_date,
            offset_days=reminder.offset,
            sent_at=now,
        )
        try:
            async with session.begin_nested():
                session.add(record)
                await session.flush()
        except IntegrityError:  # another worker sent it a moment ago
            continue
        broadcast = await broadcasts.create_broadcast(
            session,
            text=render(reminder),
            audience=reminder.audience,
            township_id=reminder.township_id,
            created_by=audit.SYSTEM_ACTOR,
            now=now,
        )
        record.broadcast_id = broadcast.id
        await session.flush()
        log.info("reminder %s sent as broadcast %s", reminder.key, broadcast.id)
        sent.append(broadcast)
    return sent
