"""Dates and times as the office types them, read in Beijing time."""

from __future__ import annotations

import datetime as dt

import pytest

from services.errors import InvalidInput
from services.when import local_text, parse_date, parse_datetime

#: 2026-11-28 20:00 in Beijing.
NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("typed", "beijing"),
    [
        pytest.param("12月1日 9:00", "2026-12-01 09:00", id="月日 时:分"),
        pytest.param("12月1号9点", "2026-12-01 09:00", id="号 点"),
        pytest.param("2026-12-01 09:00", "2026-12-01 09:00", id="ISO"),
        pytest.param("２０２６年１２月１日　９：３０", "2026-12-01 09:30", id="全角"),
        pytest.param("12月1日 下午3点半", "2026-12-01 15:30", id="下午 点半"),
        pytest.param("明天上午10点", "2026-11-29 10:00", id="明天"),
        pytest.param("1月5日 8:00", "2027-01-05 08:00", id="没写年份且已过去：明年"),
        pytest.param("2026/12/1 14:05", "2026-12-01 14:05", id="斜杠"),
    ],
)
def test_a_sending_time_is_read_as_beijing_time(typed: str, beijing: str) -> None:
    assert local_text(parse_datetime(typed, now=NOW)) == beijing


def test_the_result_is_utc() -> None:
    assert parse_datetime("12月1日 9:00", now=NOW) == dt.datetime(2026, 12, 1, 1, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        pytest.param("下周", "没看懂", id="不是时间"),
        pytest.param("12月1日", "几点", id="缺时间"),
        pytest.param("2月30日 9:00", "没有 2月30日", id="没有这一天"),
        pytest.param("12月1日 25:00", "没有 25:00", id="没有这个钟点"),
    ],
)
def test_an_unreadable_time_says_what_to_type(typed: str, problem: str) -> None:
    with pytest.raises(InvalidInput, match=problem):
        parse_datetime(typed, now=NOW)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        pytest.param("12月20日", dt.date(2026, 12, 20), id="月日"),
        pytest.param("2027-01-15", dt.date(2027, 1, 15), id="ISO"),
        pytest.param("后天", dt.date(2026, 11, 30), id="后天"),
    ],
)
def test_a_deadline_date(typed: str, expected: dt.date) -> None:
    assert parse_date(typed, today=dt.date(2026, 11, 28)) == expected


def test_a_date_with_something_after_it_is_refused() -> None:
    with pytest.raises(InvalidInput, match="日期"):
        parse_date("12月20日 9点", today=dt.date(2026, 11, 28))
