"""Due dates count working days on the Chinese calendar: holidays skipped, make-up workdays counted."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from services import workdays
from services.workdays import add_working_days, is_working_day

D = dt.date


@pytest.mark.parametrize(
    ("day", "working"),
    [
        pytest.param(D(2018, 10, 1), False, id="national-day"),
        pytest.param(D(2018, 9, 29), True, id="make-up-saturday"),
        pytest.param(D(2018, 9, 24), False, id="mid-autumn-monday"),
        pytest.param(D(2019, 2, 5), False, id="spring-festival"),
        pytest.param(D(2026, 11, 27), True, id="ordinary-friday"),
        pytest.param(D(2026, 11, 28), False, id="ordinary-saturday"),
    ],
)
def test_is_working_day_follows_the_state_council_calendar(day: dt.date, working: bool) -> None:
    assert is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        pytest.param(D(2026, 11, 27), 5, D(2026, 12, 4), id="friday-plus-5-is-next-friday"),
        pytest.param(D(2018, 9, 28), 5, D(2018, 10, 10), id="national-day-week-skipped-make-up-days-counted"),
        pytest.param(D(2018, 9, 21), 5, D(2018, 9, 29), id="due-on-a-make-up-saturday"),
        pytest.param(D(2019, 2, 1), 5, D(2019, 2, 13), id="spring-festival-skipped"),
        pytest.param(D(2026, 11, 25), 0, D(2026, 11, 25), id="zero-days-is-today"),
        pytest.param(D(2026, 11, 28), 1, D(2026, 11, 30), id="from-a-saturday"),
    ],
)
def test_add_working_days(start: dt.date, days: int, due: dt.date) -> None:
    assert add_working_days(start, days) == due


def test_negative_days_are_refused() -> None:
    with pytest.raises(ValueError):
        add_working_days(D(2026, 11, 27), -1)


def test_years_the_calendar_lacks_count_monday_to_friday_and_warn_once(caplog: pytest.LogCaptureFixture) -> None:
    workdays._warn_missing_year.cache_clear()
    with caplog.at_level(logging.WARNING, logger="services.workdays"):
        # 2040-10-01 would be a holiday, but no data exists for 2040: an ordinary Monday then.
        assert is_working_day(D(2040, 10, 1)) is True
        assert is_working_day(D(2040, 10, 6)) is False  # a Saturday
        assert add_working_days(D(2040, 10, 5), 5) == D(2040, 10, 12)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "2040" in warnings[0].getMessage()


def test_due_dates_run_from_a_covered_year_into_a_missing_one() -> None:
    last = D(2026, 12, 31)  # a Thursday, in the calendar's data
    # Without 2027 data, Friday 1 January counts as a working day; the weekend does not.
    assert add_working_days(last, 2) == D(2027, 1, 4)
