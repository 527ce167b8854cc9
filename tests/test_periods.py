"""named_period and the rows of a period: hand-computed tables in London, New York and Santiago
(whose clocks change at midnight), week starts, fortnights, months, years and refusals."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from timesheet.reports.buckets import (
    bucket_for,
    period_label,
    period_title,
    row_label,
    row_starts,
)
from timesheet.reports.week import (
    NAMED_PERIODS,
    PERIOD_CHOICES,
    InvalidPeriod,
    named_period,
    period_days,
)

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
SANTIAGO = ZoneInfo("America/Santiago")
# Friday 20 November 2026, 17:30 in London (GMT): the demo's "now".
FRI_20_NOV = datetime(2026, 11, 20, 17, 30, tzinfo=LONDON)
MONDAY, SUNDAY = 0, 6


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


# (spec, week start, first instant in UTC, end instant in UTC, hours long). By hand: London is
# GMT (UTC+0) from Sun 25 Oct 2026 01:00 UTC and was BST (UTC+1) from Sun 29 Mar 2026 01:00 UTC.
LONDON_TABLE = [
    ("today", MONDAY, utc(2026, 11, 20), utc(2026, 11, 21), 24),
    ("yesterday", MONDAY, utc(2026, 11, 19), utc(2026, 11, 20), 24),
    ("this-week", MONDAY, utc(2026, 11, 16), utc(2026, 11, 23), 168),
    ("last-week", MONDAY, utc(2026, 11, 9), utc(2026, 11, 16), 168),
    # A fortnight is two weeks: this one is last week and this week, the last one the two before.
    ("this-fortnight", MONDAY, utc(2026, 11, 9), utc(2026, 11, 23), 336),
    ("last-fortnight", MONDAY, utc(2026, 10, 26), utc(2026, 11, 9), 336),
    ("this-week", SUNDAY, utc(2026, 11, 15), utc(2026, 11, 22), 168),
    ("this-fortnight", SUNDAY, utc(2026, 11, 8), utc(2026, 11, 22), 336),
    # Sun 25 Oct 00:00 is still BST (23:00 UTC the day before); that Sunday has 25 hours.
    ("last-fortnight", SUNDAY, utc(2026, 10, 24, 23), utc(2026, 11, 8), 337),
    ("this-month", MONDAY, utc(2026, 11, 1), utc(2026, 12, 1), 720),
    ("last-month", MONDAY, utc(2026, 9, 30, 23), utc(2026, 11, 1), 745),
    ("this-year", MONDAY, utc(2026, 1, 1), utc(2027, 1, 1), 8760),
    ("last-year", SUNDAY, utc(2025, 1, 1), utc(2026, 1, 1), 8760),
    ("2026-W13", MONDAY, utc(2026, 3, 23), utc(2026, 3, 29, 23), 167),
    ("2026-W47", SUNDAY, utc(2026, 11, 15), utc(2026, 11, 22), 168),
    ("2026-03", MONDAY, utc(2026, 3, 1), utc(2026, 3, 31, 23), 743),
    ("2026-02", MONDAY, utc(2026, 2, 1), utc(2026, 3, 1), 672),
    ("2028-02", MONDAY, utc(2028, 2, 1), utc(2028, 3, 1), 696),  # a leap year
    ("2026", MONDAY, utc(2026, 1, 1), utc(2027, 1, 1), 8760),
    ("2026-03-29..2026-03-29", MONDAY, utc(2026, 3, 29), utc(2026, 3, 29, 23), 23),
    ("2026-10-24..2026-10-25", MONDAY, utc(2026, 10, 23, 23), utc(2026, 10, 26), 49),
    (" This-Month ", MONDAY, utc(2026, 11, 1), utc(2026, 12, 1), 720),
]

# New York: EST (UTC-5) and EDT (UTC-4), from Sun 8 Mar 2026 02:00 EST to Sun 1 Nov 2026 02:00 EDT.
# At 17:30 GMT on Fri 20 Nov it is 12:30 EST, the same day.
NEW_YORK_TABLE = [
    ("today", MONDAY, utc(2026, 11, 20, 5), utc(2026, 11, 21, 5), 24),
    ("this-month", MONDAY, utc(2026, 11, 1, 4), utc(2026, 12, 1, 5), 721),
    ("last-month", MONDAY, utc(2026, 10, 1, 4), utc(2026, 11, 1, 4), 744),
    ("2026-03", MONDAY, utc(2026, 3, 1, 5), utc(2026, 4, 1, 4), 743),
    ("2026-W44", MONDAY, utc(2026, 10, 26, 4), utc(2026, 11, 2, 5), 169),
    ("2026-W11", SUNDAY, utc(2026, 3, 8, 5), utc(2026, 3, 15, 4), 167),
    ("2026-03-08..2026-03-08", MONDAY, utc(2026, 3, 8, 5), utc(2026, 3, 9, 4), 23),
    ("this-year", MONDAY, utc(2026, 1, 1, 5), utc(2027, 1, 1, 5), 8760),
]

# Santiago: -03 in summer, -04 in winter, changing at midnight. Sat 4 Apr 2026 24:00 -03 goes
# back to 23:00 -04 (Sat has 25 hours); Sat 5 Sep 2026 24:00 -04 goes on to Sun 6 Sep 01:00 -03,
# so Sunday 6 September has no midnight: it begins at 01:00 (04:00 UTC) and has 23 hours.
# 17:30 GMT on Fri 20 Nov is 14:30 -03 there.
SANTIAGO_TABLE = [
    ("today", MONDAY, utc(2026, 11, 20, 3), utc(2026, 11, 21, 3), 24),
    ("2026-09-06..2026-09-06", MONDAY, utc(2026, 9, 6, 4), utc(2026, 9, 7, 3), 23),
    ("2026-09-05..2026-09-05", MONDAY, utc(2026, 9, 5, 4), utc(2026, 9, 6, 4), 24),
    ("2026-04-04..2026-04-04", MONDAY, utc(2026, 4, 4, 3), utc(2026, 4, 5, 4), 25),
    ("2026-09", MONDAY, utc(2026, 9, 1, 4), utc(2026, 10, 1, 3), 719),
    ("2026-04", MONDAY, utc(2026, 4, 1, 3), utc(2026, 5, 1, 4), 721),
    # Week 2026-W37 starting on Sunday: Sun 6 Sep (from 01:00) to Sun 13 Sep.
    ("2026-W37", SUNDAY, utc(2026, 9, 6, 4), utc(2026, 9, 13, 3), 167),
    ("this-year", MONDAY, utc(2026, 1, 1, 3), utc(2027, 1, 1, 3), 8760),
]


@pytest.mark.parametrize(
    ("tz", "spec", "week_start", "start", "end", "hours"),
    [
        *((LONDON, *row) for row in LONDON_TABLE),
        *((NEW_YORK, *row) for row in NEW_YORK_TABLE),
        *((SANTIAGO, *row) for row in SANTIAGO_TABLE),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_named_period_by_hand(
    tz: ZoneInfo,
    spec: str,
    week_start: int,
    start: datetime,
    end: datetime,
    hours: int,
) -> None:
    period = named_period(spec, tz, week_start, FRI_20_NOV)
    assert period.start.astimezone(UTC) == start
    assert period.end.astimezone(UTC) == end
    assert period.duration == timedelta(hours=hours)
    # Local midnight to local midnight (or the first instant of a day without one).
    assert period.start.astimezone(tz).time().minute == 0
    assert period.start.astimezone(tz).tzinfo is tz


def test_every_named_period_is_read_and_now_is_in_the_this_ones() -> None:
    for spec in NAMED_PERIODS:
        period = named_period(spec, LONDON, MONDAY, FRI_20_NOV)
        assert (FRI_20_NOV in period) == (spec == "today" or spec.startswith("this-"))


@pytest.mark.parametrize(
    ("spec", "reason"),
    [
        ("fortnight", None),
        ("next-month", None),
        ("2026-1", None),
        ("26-11", None),
        ("2026-11-01..", None),
        ("2026-13", "month must be 1 to 12"),
        ("2026-00", "month must be 1 to 12"),
        ("2026-W54", "week must be 1 to 53"),
        ("2025-W53", "2025 has only 52 ISO weeks"),
        ("2026-02-30..2026-03-01", "no such date"),
        ("2026-11-30..2026-11-01", "the last day is before the first"),
        ("1900-01-01..2000-12-31", "a period spans at most 100 years"),
        ("0000", "too far in the past or future to report"),
        ("9999", "too far in the past or future to report"),
        ("9999-12", "too far in the past or future to report"),
    ],
)
def test_a_bad_period_says_what_it_takes_and_why(spec: str, reason: str | None) -> None:
    with pytest.raises(InvalidPeriod) as caught:
        named_period(spec, LONDON, MONDAY, FRI_20_NOV)
    assert caught.value.reason == reason
    why = f" ({reason})" if reason else ""
    assert caught.value.answer("--period: expected") == f"--period: expected {PERIOD_CHOICES}{why}"
    assert "\n" not in caught.value.answer("x")


def test_period_choices_name_every_form() -> None:
    for spec in NAMED_PERIODS:
        assert spec in PERIOD_CHOICES
    for form in ("2026-W47", "2026-11", "2026", "2026-11-01..2026-11-30"):
        assert form in PERIOD_CHOICES


@pytest.mark.parametrize(
    ("days", "bucket"),
    [(1, "day"), (7, "day"), (31, "day"), (32, "week"), (182, "week"), (183, "month")],
)
def test_rows_follow_the_period_length(days: int, bucket: str) -> None:
    assert bucket_for(days) == bucket


@pytest.mark.parametrize(
    ("spec", "week_start", "rows", "labels"),
    [
        (
            "2026-10-01..2026-11-04",  # 35 days: weeks, Thursday to Wednesday clipped
            MONDAY,
            [
                date(2026, 10, 1),
                date(2026, 10, 5),
                date(2026, 10, 12),
                date(2026, 10, 19),
                date(2026, 10, 26),
                date(2026, 11, 2),
            ],
            ["2026-W40", "2026-W41", "2026-W42", "2026-W43", "2026-W44", "2026-W45"],
        ),
        (
            "2026-10-01..2026-11-04",
            SUNDAY,  # a Sunday week takes the ISO week of its Monday
            [
                date(2026, 10, 1),
                date(2026, 10, 4),
                date(2026, 10, 11),
                date(2026, 10, 18),
                date(2026, 10, 25),
                date(2026, 11, 1),
            ],
            ["2026-W40", "2026-W41", "2026-W42", "2026-W43", "2026-W44", "2026-W45"],
        ),
        (
            "2026-12-21..2027-02-01",  # across the ISO year: 2026 has 53 weeks
            MONDAY,
            [
                date(2026, 12, 21),
                date(2026, 12, 28),
                date(2027, 1, 4),
                date(2027, 1, 11),
                date(2027, 1, 18),
                date(2027, 1, 25),
                date(2027, 2, 1),
            ],
            ["2026-W52", "2026-W53", "2027-W01", "2027-W02", "2027-W03", "2027-W04", "2027-W05"],
        ),
        (
            "2026-02-15..2026-12-31",  # months, the first clipped
            MONDAY,
            [date(2026, 2, 15), *(date(2026, m, 1) for m in range(3, 13))],
            ["2026-02", *(f"2026-{m:02d}" for m in range(3, 13))],
        ),
    ],
)
def test_row_starts_and_labels(
    spec: str, week_start: int, rows: list[date], labels: list[str]
) -> None:
    period = named_period(spec, LONDON, week_start, FRI_20_NOV)
    days = period_days(period, LONDON)
    bucket = bucket_for(len(days))
    assert row_starts(days, bucket, week_start) == rows
    assert [row_label(first, bucket, week_start) for first in rows] == labels


@pytest.mark.parametrize(
    ("spec", "week_start", "title", "label"),
    [
        ("this-week", MONDAY, "Week 2026-W47 (16–22 Nov 2026)", "2026-W47"),
        ("this-week", SUNDAY, "Week 2026-W47 (15–21 Nov 2026)", "2026-W47"),
        ("today", MONDAY, "Fri 20 Nov 2026", "2026-11-20"),
        ("this-month", MONDAY, "November 2026", "2026-11"),
        ("2026", MONDAY, "Year 2026", "2026"),
        ("this-fortnight", MONDAY, "9–22 Nov 2026", "2026-11-09_2026-11-22"),
        ("2026-10-26..2026-11-01", SUNDAY, "26 Oct – 1 Nov 2026", "2026-10-26_2026-11-01"),
        ("2026-12-28..2027-01-03", SUNDAY, "28 Dec 2026 – 3 Jan 2027", "2026-12-28_2027-01-03"),
    ],
)
def test_titles_and_file_labels(spec: str, week_start: int, title: str, label: str) -> None:
    period = named_period(spec, LONDON, week_start, FRI_20_NOV)
    assert period_title(period, LONDON, week_start) == title
    assert period_label(period, LONDON, week_start) == label
