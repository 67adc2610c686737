"""Dates and times as the office types them — 12月1日 9:00, 2026-12-01 09:00, 明天下午3点 — in Beijing time.

Used for a broadcast's sending time and a deadline's date. A date without a year is the next
such date (today included); a time without minutes is on the hour; 下午/晚上 add twelve hours.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from services.errors import InvalidInput
from services.workdays import CHINA_TZ

#: Days from today that these words name.
#: 昨天 and 前天 are read too, so that a day past is refused as past rather than not understood.
RELATIVE_DAYS = {"前天": -2, "昨天": -1, "昨日": -1, "今天": 0, "今日": 0, "明天": 1, "明日": 1, "后天": 2}
#: Words before a time that move it into the afternoon or evening.
AFTERNOON = ("下午", "晚上", "傍晚")
#: Words before a time that leave it as it is.
MORNING = ("上午", "早上", "中午", "凌晨")

_DATE = re.compile(
    r"^(?:(?P<y>\d{4})[-/.年])?(?P<m>\d{1,2})[-/.月](?P<d>\d{1,2})[日号]?"
    r"|^(?P<rel>前天|昨天|昨日|今天|今日|明天|明日|后天)"
)
_TIME = re.compile(r"^(?P<h>\d{1,2})(?:[:：点时](?P<min>\d{1,2}|半)?分?)?$")

DATE_HINT = "例如 12月1日、2026-12-01、明天"
DATETIME_HINT = "例如 12月1日 9:00、2026-12-01 09:00、明天下午3点"


def _fold(text: str) -> str:
    """Full-width digits and punctuation to ASCII; runs of spaces to one (it may separate date and time)."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


def _date_part(text: str, today: dt.date) -> tuple[dt.date, str] | None:
    """The date at the start of `text` and what follows it; None when there is none."""
    match = _DATE.match(text)
    if match is None:
        return None
    rest = text[match.end() :].lstrip()
    if match["rel"]:
        return today + dt.timedelta(days=RELATIVE_DAYS[match["rel"]]), rest
    year = int(match["y"]) if match["y"] else today.year
    try:
        day = dt.date(year, int(match["m"]), int(match["d"]))
    except ValueError:
        raise InvalidInput(f"没有 {match.group(0)} 这一天，请检查月份和日期（{DATE_HINT}）。") from None
    if not match["y"] and day < today:
        day = day.replace(year=year + 1)
    return day, rest


def parse_date(text: str, *, today: dt.date) -> dt.date:
    """A date as typed (`12月20日`, `2026-12-20`, `明天`).

    Raises:
        InvalidInput: not a date, or no such day.
    """
    folded = _fold(text)
    found = _date_part(folded, today)
    if found is None or found[1]:
        raise InvalidInput(f"没看懂这个日期，请这样输入：{DATE_HINT}。")
    return found[0]


def parse_datetime(text: str, *, now: dt.datetime) -> dt.datetime:
    """A date and time as typed, in Beijing time, returned as an aware UTC datetime.

    Raises:
        InvalidInput: not a date and time, or no such day or hour.
    """
    local_now = now.astimezone(CHINA_TZ)
    folded = _fold(text)
    found = _date_part(folded, local_now.date())
    if found is None:
        raise InvalidInput(f"没看懂这个时间，请这样输入：{DATETIME_HINT}。")
    day, rest = found
    shift = 0
    for word in (*AFTERNOON, *MORNING):
        if rest.startswith(word):
            rest = rest.removeprefix(word).lstrip()
            shift = 12 if word in AFTERNOON else 0
            break
    match = _TIME.match(rest)
    if match is None:
        raise InvalidInput(f"请在日期后写上几点，{DATETIME_HINT}。")
    hour = int(match["h"])
    if shift and hour < 12:
        hour += shift
    minute = 30 if match["min"] == "半" else int(match["min"] or 0)
    if hour > 23 or minute > 59:
        raise InvalidInput(f"没有 {hour}:{minute:02d} 这个时间，请用 0–23 点、0–59 分。")
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=CHINA_TZ).astimezone(dt.UTC)


def local_text(moment: dt.datetime) -> str:
    """`2026-12-01 09:00` in Beijing time, for messages."""
    return moment.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")
