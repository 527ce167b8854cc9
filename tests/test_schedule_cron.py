"""Cron parsing and DST-correct next/previous run times (expected instants computed by hand)."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from timesheet.publishing.cron import CronSchedule, resolve_local

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
SYDNEY = ZoneInfo("Australia/Sydney")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def runs(expr: str, start: datetime, tz: ZoneInfo, count: int) -> list[datetime]:
    cron, out, t = CronSchedule.parse(expr), [], start
    for _ in range(count):
        t = cron.next_after(t, tz)
        out.append(t.astimezone(UTC))
    return out


# 2026 transitions: London 29 Mar 01:00 GMT -> 02:00 BST, 25 Oct 02:00 BST -> 01:00 GMT;
# New York 8 Mar 02:00 EST -> 03:00 EDT, 1 Nov 02:00 EDT -> 01:00 EST;
# Sydney 5 Apr 03:00 AEDT -> 02:00 AEST, 4 Oct 02:00 AEST -> 03:00 AEDT.


@pytest.mark.parametrize(
    ("tz", "start", "expected"),
    [
        # London spring: 09:00 GMT (09 UTC) then 09:00 BST (08 UTC)
        (LONDON, utc(2026, 3, 20), [utc(2026, 3, 22, 9), utc(2026, 3, 29, 8), utc(2026, 4, 5, 8)]),
        # London autumn: 09:00 BST (08 UTC) then 09:00 GMT (09 UTC)
        (LONDON, utc(2026, 10, 20), [utc(2026, 10, 25, 9), utc(2026, 11, 1, 9)]),
        (LONDON, utc(2026, 10, 17), [utc(2026, 10, 18, 8), utc(2026, 10, 25, 9)]),
        # New York: EST = UTC-5, EDT = UTC-4
        (NEW_YORK, utc(2026, 3, 2), [utc(2026, 3, 8, 13), utc(2026, 3, 15, 13)]),
        (NEW_YORK, utc(2026, 2, 27), [utc(2026, 3, 1, 14), utc(2026, 3, 8, 13)]),
        (NEW_YORK, utc(2026, 10, 26), [utc(2026, 11, 1, 14), utc(2026, 11, 8, 14)]),
        (NEW_YORK, utc(2026, 10, 20), [utc(2026, 10, 25, 13), utc(2026, 11, 1, 14)]),
        # Sydney: AEDT = UTC+11, AEST = UTC+10; Sunday 09:00 local is Saturday 22/23 UTC
        (SYDNEY, utc(2026, 3, 25), [utc(2026, 3, 28, 22), utc(2026, 4, 4, 23)]),
        (SYDNEY, utc(2026, 9, 23), [utc(2026, 9, 26, 23), utc(2026, 10, 3, 22)]),
    ],
)
def test_sunday_nine_stays_at_nine_local_across_dst(
    tz: ZoneInfo, start: datetime, expected: list[datetime]
) -> None:
    got = runs("0 9 * * SUN", start, tz, len(expected))
    assert got == expected
    for instant in got:
        local = instant.astimezone(tz)
        assert (local.hour, local.minute, local.weekday()) == (9, 0, 6)


def test_result_is_in_the_given_zone_with_real_wall_time() -> None:
    got = CronSchedule.parse("0 9 * * SUN").next_after(utc(2026, 3, 28, 12), LONDON)
    assert got.tzinfo is LONDON
    assert got.isoformat() == "2026-03-29T09:00:00+01:00"


def test_half_past_one_on_london_spring_forward_night_runs_once_after_the_gap() -> None:
    # 01:30 does not exist on 29 Mar: the run happens at 02:00 BST = 01:00 UTC.
    got = runs("30 1 * * *", utc(2026, 3, 28, 2), LONDON, 3)
    assert got == [utc(2026, 3, 29, 1), utc(2026, 3, 30, 0, 30), utc(2026, 3, 31, 0, 30)]
    assert got[0].astimezone(LONDON).isoformat() == "2026-03-29T02:00:00+01:00"


def test_half_past_one_on_london_fall_back_night_runs_once_at_the_first() -> None:
    # 01:30 happens at 00:30 UTC (BST) and 01:30 UTC (GMT): only the first runs.
    got = runs("30 1 * * *", utc(2026, 10, 24, 2), LONDON, 2)
    assert got == [utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30)]
    # Asked from between the two occurrences, the second is skipped too.
    assert runs("30 1 * * *", utc(2026, 10, 25, 1, 0), LONDON, 1) == [utc(2026, 10, 26, 1, 30)]


def test_new_york_gap_and_fold() -> None:
    # 02:30 does not exist on 8 Mar: runs at 03:00 EDT = 07:00 UTC.
    assert runs("30 2 * * *", utc(2026, 3, 7, 12), NEW_YORK, 2) == [
        utc(2026, 3, 8, 7),
        utc(2026, 3, 9, 6, 30),
    ]
    # 01:30 twice on 1 Nov (05:30 UTC EDT, 06:30 UTC EST): once, the first.
    assert runs("30 1 * * *", utc(2026, 10, 31, 12), NEW_YORK, 2) == [
        utc(2026, 11, 1, 5, 30),
        utc(2026, 11, 2, 6, 30),
    ]


def test_sydney_gap_and_fold() -> None:
    # 02:30 does not exist on 4 Oct: runs at 03:00 AEDT = 16:00 UTC on 3 Oct.
    assert runs("30 2 * * *", utc(2026, 10, 2, 17), SYDNEY, 2) == [
        utc(2026, 10, 3, 16),
        utc(2026, 10, 4, 15, 30),
    ]
    # 02:30 twice on 5 Apr (15:30 UTC AEDT, 16:30 UTC AEST): once, the first.
    assert runs("30 2 * * *", utc(2026, 4, 3, 16), SYDNEY, 2) == [
        utc(2026, 4, 4, 15, 30),
        utc(2026, 4, 5, 16, 30),
    ]
    # 01:30 exists once on both nights in Sydney.
    assert runs("30 1 * * *", utc(2026, 10, 2, 17), SYDNEY, 2) == [
        utc(2026, 10, 3, 15, 30),
        utc(2026, 10, 4, 14, 30),
    ]


def test_every_quarter_hour_inside_a_gap_collapses_to_one_run() -> None:
    got = runs("*/15 1 * * *", utc(2026, 3, 29, 0, 0), LONDON, 2)
    assert got == [utc(2026, 3, 29, 1), utc(2026, 3, 30, 0)]


def test_resolve_local() -> None:
    assert resolve_local(datetime(2026, 3, 29, 1, 45), LONDON) == utc(2026, 3, 29, 1)
    assert resolve_local(datetime(2026, 10, 25, 1, 45), LONDON) == utc(2026, 10, 25, 0, 45)
    assert resolve_local(datetime(2026, 7, 1, 12), LONDON) == utc(2026, 7, 1, 11)


def test_previous_at_or_before() -> None:
    cron = CronSchedule.parse("0 9 * * SUN")
    assert cron.previous_at_or_before(utc(2026, 3, 29, 8), LONDON) == utc(2026, 3, 29, 8)
    assert cron.previous_at_or_before(utc(2026, 3, 29, 7, 59), LONDON) == utc(2026, 3, 22, 9)
    got = cron.previous_at_or_before(utc(2026, 4, 1), NEW_YORK)
    assert got.isoformat() == "2026-03-29T09:00:00-04:00"
    fold = CronSchedule.parse("30 1 * * *").previous_at_or_before(utc(2026, 10, 25, 1, 40), LONDON)
    # PEP 495: a time in the repeated hour never compares equal across zones; compare in UTC.
    assert (fold.astimezone(UTC), fold.fold) == (utc(2026, 10, 25, 0, 30), 0)
    gap = CronSchedule.parse("30 1 * * *")
    assert gap.previous_at_or_before(utc(2026, 3, 29, 1, 0), LONDON) == utc(2026, 3, 29, 1)


def test_strictly_after_and_naive_rejected() -> None:
    cron = CronSchedule.parse("0 9 * * SUN")
    at = utc(2026, 3, 22, 9)
    assert cron.next_after(at, LONDON) == utc(2026, 3, 29, 8)
    with pytest.raises(ValueError, match="timezone-aware"):
        cron.next_after(datetime(2026, 3, 22, 9), LONDON)


@pytest.mark.parametrize(
    ("expr", "start", "expected"),
    [
        ("0 9 * * MON-FRI", utc(2026, 3, 6, 10), [utc(2026, 3, 9, 9), utc(2026, 3, 10, 9)]),
        ("0 9 * * mon,wed", utc(2026, 3, 3), [utc(2026, 3, 4, 9), utc(2026, 3, 9, 9)]),
        ("0 9 * * 7", utc(2026, 3, 3), [utc(2026, 3, 8, 9)]),  # 7 is Sunday
        ("0 9 * * 0", utc(2026, 3, 3), [utc(2026, 3, 8, 9)]),
        (
            "0 9 * * 5-7",
            utc(2026, 3, 3),
            [utc(2026, 3, 6, 9), utc(2026, 3, 7, 9), utc(2026, 3, 8, 9)],
        ),
        ("*/20 9 * * *", utc(2026, 3, 3, 9, 5), [utc(2026, 3, 3, 9, 20), utc(2026, 3, 3, 9, 40)]),
        ("5/30 0 * * *", utc(2026, 3, 3), [utc(2026, 3, 3, 0, 5), utc(2026, 3, 3, 0, 35)]),
        ("0 8-18/5 * * *", utc(2026, 3, 3), [utc(2026, 3, 3, 8), utc(2026, 3, 3, 13)]),
        ("0 0 1 JAN,jul *", utc(2026, 3, 3), [utc(2026, 7, 1), utc(2027, 1, 1)]),
        ("0 0 29 FEB *", utc(2026, 3, 3), [utc(2028, 2, 29)]),
        # both day fields restricted: either matches (1st of the month OR a Monday)
        ("0 0 1 * MON", utc(2026, 5, 26), [utc(2026, 6, 1), utc(2026, 6, 8)]),
        ("0 0 2 * MON", utc(2026, 5, 30), [utc(2026, 6, 1), utc(2026, 6, 2), utc(2026, 6, 8)]),
        # "*/2" in day-of-month counts as unrestricted: both must match (odd days AND Mondays)
        ("0 0 */2 * MON", utc(2026, 6, 1), [utc(2026, 6, 15), utc(2026, 6, 29)]),
    ],
)
def test_names_ranges_steps_and_lists(expr: str, start: datetime, expected: list[datetime]) -> None:
    assert runs(expr, start, ZoneInfo("UTC"), len(expected)) == expected


def test_parse_normalises_and_exposes_fields() -> None:
    cron = CronSchedule.parse("  0   9 * *   sun ")
    assert str(cron) == "0 9 * * sun"
    assert (cron.minutes, cron.hours, cron.weekdays) == ((0,), (9,), frozenset({0}))
    assert CronSchedule.parse("0 9 * * 7").weekdays == cron.weekdays


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("", "expected 5 fields"),
        ("every sunday", "expected 5 fields"),
        ("0 9 * * SUN *", "got 6"),
        ("0 25 * * SUN", "hour field '25': 25 is out of range 0-23"),
        ("60 9 * * *", "minute field '60'"),
        ("0 9 0 * *", "day-of-month field '0'"),
        ("0 9 * 13 *", "month field '13'"),
        ("0 9 * * 8", "day-of-week field '8'"),
        ("0 9 * * SUNDAY", "'SUNDAY' is not a number"),
        ("0 9 * * FRI-MON", "goes backwards"),
        ("*/0 9 * * *", "step '0'"),
        ("*/x 9 * * *", "step 'x'"),
        ("1,,2 9 * * *", "empty list item"),
        ("-1 9 * * *", "minute field"),
        ("0 9 31 FEB *", "never matches"),
        ("0 9 31 4,6 *", "never matches"),
        ("0 9 * JAN-MON *", "month field"),
    ],
)
def test_invalid_expressions_say_what_is_wrong(expr: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        CronSchedule.parse(expr)


def test_thirty_first_of_february_is_fine_when_weekday_also_restricted() -> None:
    cron = CronSchedule.parse("0 9 31 FEB MON")  # Vixie OR: Mondays in February
    assert cron.next_after(utc(2026, 1, 1), ZoneInfo("UTC")) == utc(2026, 2, 2, 9)


def test_a_year_of_weekly_runs_is_fast_and_exactly_a_week_apart_in_local_time() -> None:
    cron = CronSchedule.parse("0 9 * * SUN")
    t = utc(2026, 1, 1)
    seen = []
    for _ in range(53):
        t = cron.next_after(t, LONDON)
        seen.append(t)
    locals_ = [x.astimezone(LONDON) for x in seen]
    assert all((x.hour, x.weekday()) == (9, 6) for x in locals_)
    gaps = {(b.astimezone(UTC) - a.astimezone(UTC)) for a, b in itertools.pairwise(seen)}
    assert gaps == {timedelta(days=7), timedelta(days=7, hours=-1), timedelta(days=7, hours=1)}
