"""week_period, Period and the local-day helpers: specs, week starts, year ends and DST weeks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from timesheet.reports.week import (
    InvalidWeek,
    Period,
    day_bounds,
    local_midnight,
    period_days,
    week_label,
    week_period,
    week_title,
)

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
SYDNEY = ZoneInfo("Australia/Sydney")
SANTIAGO = ZoneInfo("America/Santiago")
WED_18_NOV = datetime(2026, 11, 18, 12, 0, tzinfo=LONDON)


def hours(delta: timedelta) -> float:
    return delta / timedelta(hours=1)


def test_this_week_runs_monday_to_monday_at_local_midnight() -> None:
    period = week_period("this", LONDON, 0, WED_18_NOV)
    assert period == Period(
        datetime(2026, 11, 16, tzinfo=LONDON), datetime(2026, 11, 23, tzinfo=LONDON)
    )
    assert week_label(period, LONDON) == "2026-W47"
    assert week_title(period, LONDON) == "Week 2026-W47 (16–22 Nov 2026)"


def test_last_week_is_the_seven_days_before() -> None:
    period = week_period("last", LONDON, 0, WED_18_NOV)
    assert period.start == datetime(2026, 11, 9, tzinfo=LONDON)
    assert period.end == datetime(2026, 11, 16, tzinfo=LONDON)
    assert week_label(period, LONDON) == "2026-W46"


def test_iso_week_spec_ignores_now_and_case() -> None:
    assert week_period("2026-W47", LONDON, 0, datetime(2020, 1, 1, tzinfo=UTC)) == week_period(
        "this", LONDON, 0, WED_18_NOV
    )
    assert week_period(" 2026-w47 ", LONDON, 0, WED_18_NOV) == week_period("2026-W47", LONDON)
    assert week_period("THIS", LONDON, 0, WED_18_NOV) == week_period("this", LONDON, 0, WED_18_NOV)


def test_now_defaults_to_the_clock() -> None:
    period = week_period("this", LONDON)
    assert datetime.now(LONDON) in period


def test_this_week_uses_the_local_date_not_utc() -> None:
    # 23:30 UTC on Sunday 22 Nov is already Monday 23 Nov 10:30 in Sydney (UTC+11): week 48 there.
    moment = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)
    assert week_label(week_period("this", SYDNEY, 0, moment), SYDNEY) == "2026-W48"
    assert week_label(week_period("this", LONDON, 0, moment), LONDON) == "2026-W47"
    # The week ends at local midnight: Sunday 23:59 is still W47, Monday 00:00 is W48.
    assert (
        week_label(
            week_period("this", LONDON, 0, datetime(2026, 11, 22, 23, 59, tzinfo=LONDON)), LONDON
        )
        == "2026-W47"
    )
    assert (
        week_label(
            week_period("this", LONDON, 0, datetime(2026, 11, 23, 0, 0, tzinfo=LONDON)), LONDON
        )
        == "2026-W48"
    )


def test_year_boundary_2026_has_53_iso_weeks() -> None:
    # 1 Jan 2026 is a Thursday, so 2026 has 53 ISO weeks; W53 runs 28 Dec 2026 - 3 Jan 2027.
    new_year = datetime(2027, 1, 1, 9, 0, tzinfo=LONDON)
    this = week_period("this", LONDON, 0, new_year)
    assert this == week_period("2026-W53", LONDON)
    assert this.start == datetime(2026, 12, 28, tzinfo=LONDON)
    assert this.end == datetime(2027, 1, 4, tzinfo=LONDON)
    assert week_title(this, LONDON) == "Week 2026-W53 (28 Dec 2026 – 3 Jan 2027)"
    last = week_period("last", LONDON, 0, new_year)
    assert week_label(last, LONDON) == "2026-W52"
    assert last.start == datetime(2026, 12, 21, tzinfo=LONDON)
    # The week after W53 is 2027-W01, starting Monday 4 Jan 2027.
    assert week_period("2027-W01", LONDON).start == datetime(2027, 1, 4, tzinfo=LONDON)
    # 2026-W01 starts in 2025.
    first = week_period("2026-W01", LONDON)
    assert first.start == datetime(2025, 12, 29, tzinfo=LONDON)
    assert week_title(first, LONDON) == "Week 2026-W01 (29 Dec 2025 – 4 Jan 2026)"


def test_cross_month_title() -> None:
    period = week_period("2026-W44", NEW_YORK)
    assert week_title(period, NEW_YORK) == "Week 2026-W44 (26 Oct – 1 Nov 2026)"


def test_week_53_of_a_52_week_year_is_refused_clearly() -> None:
    with pytest.raises(ValueError, match=r"'2025-W53': 2025 has only 52 ISO weeks"):
        week_period("2025-W53", LONDON)


@pytest.mark.parametrize(
    "spec",
    [
        "",
        "next",
        "2026-47",
        "W47",
        "2026-W",
        "2026-W47-1",
        "26-W47",
        "2026-W0",
        "2026-W54",
        "2026-W-1",
    ],
)
def test_invalid_specs_raise_a_clear_value_error(spec: str) -> None:
    with pytest.raises(ValueError, match=r"invalid week") as info:
        week_period(spec, LONDON, 0, WED_18_NOV)
    assert repr(spec) in str(info.value)


@pytest.mark.parametrize(
    ("spec", "zone", "week_start"),
    [
        ("9999-W52", "Europe/London", 0),  # Mon 27 Dec 9999 to Mon 3 Jan 10000
        ("0001-W01", "Asia/Tokyo", 0),  # Mon 1 Jan 0001 in Tokyo is 31 Dec 0000 in UTC
        ("0001-W01", "Europe/London", 6),  # the Sunday before 1 Jan 0001
    ],
)
def test_weeks_past_the_ends_of_the_calendar_are_refused_not_overflowed(
    spec: str, zone: str, week_start: int
) -> None:
    with pytest.raises(InvalidWeek) as info:
        week_period(spec, ZoneInfo(zone), week_start)
    assert info.value.reason == "too far in the past or future to report"
    assert str(info.value) == f"invalid week {spec!r}: too far in the past or future to report"


def test_the_last_and_first_weeks_that_fit_are_reported_like_any_other() -> None:
    last = week_period("9999-W51", LONDON)
    assert (last.start.date(), last.end.date()) == (date(9999, 12, 20), date(9999, 12, 27))
    first = week_period("0001-W01", LONDON)
    assert first.start.date() == date(1, 1, 1)


def test_invalid_spec_message_says_what_is_expected() -> None:
    with pytest.raises(ValueError, match=r"expected 'this', 'last' or an ISO week like 2026-W47"):
        week_period("yesterday", LONDON, 0, WED_18_NOV)


@pytest.mark.parametrize("week_start", [-1, 7, True, 1.0])
def test_invalid_week_start(week_start: object) -> None:
    with pytest.raises(ValueError, match="week_start"):
        week_period("this", LONDON, week_start, WED_18_NOV)  # type: ignore[arg-type]


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        week_period("this", LONDON, 0, datetime(2026, 11, 18, 12))


def test_sunday_first_weeks() -> None:
    # Wednesday 18 Nov with weeks starting on Sunday: Sun 15 - Sat 21 Nov.
    period = week_period("this", LONDON, 6, WED_18_NOV)
    assert period.start == datetime(2026, 11, 15, tzinfo=LONDON)
    assert period.end == datetime(2026, 11, 22, tzinfo=LONDON)
    assert period_days(period, LONDON)[0] == date(2026, 11, 15)
    # Sunday 22 Nov starts the next Sunday-first week.
    sunday = week_period("this", LONDON, 6, datetime(2026, 11, 22, 8, tzinfo=LONDON))
    assert sunday.start == datetime(2026, 11, 22, tzinfo=LONDON)
    # An ISO week means the week containing its Monday, and the label gives the spec back.
    iso = week_period("2026-W47", LONDON, 6)
    assert iso == period
    assert week_label(iso, LONDON) == "2026-W47"
    assert week_title(iso, LONDON) == "Week 2026-W47 (15–21 Nov 2026)"


def test_saturday_first_weeks() -> None:
    period = week_period("last", LONDON, 5, datetime(2026, 11, 21, 8, tzinfo=LONDON))  # a Saturday
    assert period.start == datetime(2026, 11, 14, tzinfo=LONDON)
    assert [d.weekday() for d in period_days(period, LONDON)] == [5, 6, 0, 1, 2, 3, 4]


@pytest.mark.parametrize(
    ("tz", "spec", "week_hours", "short_day", "day_hours"),
    [
        (LONDON, "2026-W13", 167, date(2026, 3, 29), 23),  # clocks forward 01:00 -> 02:00
        (LONDON, "2026-W43", 169, date(2026, 10, 25), 25),  # clocks back 02:00 -> 01:00
        (NEW_YORK, "2026-W10", 167, date(2026, 3, 8), 23),
        (NEW_YORK, "2026-W44", 169, date(2026, 11, 1), 25),
        (SYDNEY, "2026-W14", 169, date(2026, 4, 5), 25),  # southern autumn: back
        (SYDNEY, "2026-W40", 167, date(2026, 10, 4), 23),  # southern spring: forward
    ],
)
def test_dst_weeks_are_167_or_169_hours(
    tz: ZoneInfo, spec: str, week_hours: int, short_day: date, day_hours: int
) -> None:
    period = week_period(spec, tz)
    assert hours(period.duration) == week_hours
    assert period.start.astimezone(tz).hour == 0 and period.end.astimezone(tz).hour == 0
    days = period_days(period, tz)
    bounds = day_bounds(period, tz)
    assert len(days) == 7 and len(bounds) == 8
    lengths = {
        day: hours(hi.astimezone(UTC) - lo.astimezone(UTC))
        for day, lo, hi in zip(days, bounds, bounds[1:], strict=False)
    }
    assert lengths == {day: (day_hours if day == short_day else 24) for day in days}


def test_period_compares_instants_not_wall_times() -> None:
    period = week_period("2026-W43", LONDON)  # contains the repeated 01:00-02:00 of 25 Oct
    assert datetime(2026, 10, 25, 1, 30, fold=1, tzinfo=LONDON) in period
    assert datetime(2026, 10, 26, 0, 0, tzinfo=LONDON) not in period  # half-open
    assert datetime(2026, 10, 19, 0, 0, tzinfo=LONDON) in period
    assert datetime(2026, 10, 18, 23, 0, tzinfo=UTC) in period  # 00:00 BST on the 19th
    assert datetime(2026, 10, 19, 0, 0) not in period  # naive: not comparable, not inside
    assert "2026-10-20" not in period


def test_period_refuses_naive_or_empty_intervals() -> None:
    start = datetime(2026, 11, 16, tzinfo=LONDON)
    with pytest.raises(ValueError, match="aware"):
        Period(datetime(2026, 11, 16), start)
    with pytest.raises(ValueError, match="before"):
        Period(start, start)
    # 01:00 GMT (second pass) comes an hour after 01:00 BST (first pass): same wall time.
    first = datetime(2026, 10, 25, 1, 0, tzinfo=LONDON)
    second = datetime(2026, 10, 25, 1, 0, fold=1, tzinfo=LONDON)
    assert hours(Period(first, second).duration) == 1


def test_midnight_inside_a_dst_gap_starts_the_day_at_the_transition() -> None:
    # Chile moved clocks from 00:00 to 01:00 on 11 Sep 2022: that day began at 01:00 (-03).
    start = local_midnight(date(2022, 9, 11), SANTIAGO)
    assert (start.hour, start.utcoffset()) == (1, timedelta(hours=-3))
    assert start.astimezone(UTC) == datetime(2022, 9, 11, 4, 0, tzinfo=UTC)
    period = week_period("2022-W36", SANTIAGO)
    assert hours(period.duration) == 167
    assert period_days(period, SANTIAGO)[-1] == date(2022, 9, 11)


@settings(max_examples=60, deadline=None)
@given(
    moment=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2040, 12, 31), timezones=st.just(UTC)
    ),
    week_start=st.integers(0, 6),
    tz=st.sampled_from([LONDON, NEW_YORK, SYDNEY, SANTIAGO, ZoneInfo("Asia/Kathmandu")]),
)
def test_this_week_contains_now_and_round_trips_through_its_label(
    moment: datetime, week_start: int, tz: ZoneInfo
) -> None:
    period = week_period("this", tz, week_start, moment)
    assert moment in period
    days = period_days(period, tz)
    assert len(days) == 7 and days[0].weekday() == week_start
    assert 167 <= hours(period.duration) <= 169
    assert week_period(week_label(period, tz), tz, week_start) == period
    last = week_period("last", tz, week_start, moment)
    assert last.end == period.start
