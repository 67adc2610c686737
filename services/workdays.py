"""Working days on the Chinese calendar, for due dates: weekends and public holidays are skipped,
make-up workdays (调休上班) count.

The State Council publishes each year's holidays in December, so the calendar comes from the
maintained `chinese_calendar` package rather than a list written here. For a year the installed
package does not cover yet, Monday to Friday stand in and a warning is logged once for that year:
a due date a day or two off beats refusing to create the item.
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import cache

import chinese_calendar

log = logging.getLogger(__name__)

#: Monday=0 … Friday=4: the fallback week for years the calendar package does not cover.
LAST_WEEKDAY = 4

#: China's one time zone (UTC+8 all year, no daylight saving): "today" for due dates is Beijing's today.
CHINA_TZ = dt.timezone(dt.timedelta(hours=8), "CST")


@cache
def _warn_missing_year(year: int) -> None:
    """Log once per year that due dates in it are counted Monday to Friday (cached: once is enough)."""
    log.warning(
        "chinese_calendar has no holiday data for %s; counting Monday–Friday as working days. "
        "Upgrade the chinese-calendar package to get that year's holidays.",
        year,
    )


def is_working_day(day: dt.date) -> bool:
    """True when `day` is a working day in mainland China (make-up workdays included)."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # the package's data ends (or starts) before this year
        _warn_missing_year(day.year)
        return day.weekday() <= LAST_WEEKDAY


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date `days` working days after `start` (`start` itself is not counted).

    An item created on an ordinary Friday with 5 days is due the next Friday; one created on
    Friday 2018-09-28 is due 2018-10-10: the make-up workdays 09-29 and 09-30 count, the National
    Day week does not. `days=0` gives `start`.

    Raises:
        ValueError: `days` is negative (a due date is never in the past).
    """
    if days < 0:
        raise ValueError(f"days must not be negative, got {days}")
    day, counted = start, 0
    while counted < days:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def china_today(now: dt.datetime | None = None) -> dt.date:
    """The date in China at `now` (default: this moment) — a due date is a Beijing calendar date."""
    return (now or dt.datetime.now(dt.UTC)).astimezone(CHINA_TZ).date()
