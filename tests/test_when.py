"""The one parser of typed durations and times: every accepted form, and every refusal as one
line saying what to type. Expected instants are hand-computed in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from timesheet.entries.errors import InvalidInput, InvalidTime, TrackerError
from timesheet.entries.when import When, parse_duration, parse_when

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")

DURATIONS = "1h 20m, 80m, 1:20, 1.5h, 4800s or 90 (minutes)"
TYPE_DURATION = f"type one like {DURATIONS}"
TYPE_IN_RANGE = f"type more than 0 and at most 24h, like {DURATIONS}"
TYPE_TIME = "type now, 14:30, 9:05am, yesterday 17:00, mon 09:00, 2026-03-02 09:00, -15m or 15m ago"
TYPE_CLOCK = "type 00:00 to 23:59, or 12:00am to 11:59pm"
TYPE_DATE = "type the date as YYYY-MM-DD, like 2026-03-02 09:00"
LONDON_GAP = (
    "does not exist in Europe/London (on Sun 29 Mar the clocks jump from 01:00 to 02:00); "
    "type a time before 01:00 or from 02:00."
)
NEW_YORK_GAP = (
    "does not exist in America/New_York (on Sun 8 Mar the clocks jump from 02:00 to 03:00); "
    "type a time before 02:00 or from 03:00."
)


def utc(*parts: int) -> datetime:
    """A UTC instant: year, month, day, hour, minute[, second[, millisecond]]."""
    year, month, day, hour, minute, second, milli = (*parts, 0, 0)[:7]
    return datetime(year, month, day, hour, minute, second, milli * 1000, tzinfo=UTC)


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def assert_one_line(error: TrackerError, expected: str) -> None:
    assert isinstance(error, InvalidInput)
    assert str(error) == expected
    assert "\n" not in str(error)


# --- durations ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "span"),
    [
        ("1h 20m", minutes(80)),
        ("1h20m", minutes(80)),
        ("80m", minutes(80)),
        ("1:20", minutes(80)),
        ("4800s", minutes(80)),
        ("1.5h", minutes(90)),
        ("2h", minutes(120)),
        ("90", minutes(90)),  # a bare number means minutes
        ("1H 20M", minutes(80)),
        (" 90 ", minutes(90)),
        ("1h20", minutes(80)),  # a bare number after hours means minutes
        ("1h 20", minutes(80)),
        ("1 h 20 m", minutes(80)),
        ("45 min", minutes(45)),
        ("45mins", minutes(45)),
        ("2 hours", minutes(120)),
        ("1 hour 20 minutes", minutes(80)),
        ("1hr 5min", minutes(65)),
        ("1hrs", minutes(60)),
        ("1m 30s", timedelta(seconds=90)),
        ("90 sec", timedelta(seconds=90)),
        ("2 seconds", timedelta(seconds=2)),
        ("1h 1m 1s", timedelta(seconds=3661)),
        ("0:45", minutes(45)),
        ("10:05", minutes(605)),
        ("1.1h", minutes(66)),  # exact: no float error
        (".5h", minutes(30)),
        ("2.5", timedelta(seconds=150)),
        ("0.001s", timedelta(milliseconds=1)),
        ("0.0016s", timedelta(milliseconds=2)),  # to the millisecond
        ("24h", timedelta(hours=24)),
        ("24:00", timedelta(hours=24)),
        ("1440", timedelta(hours=24)),
        ("86400s", timedelta(hours=24)),
        ("９０", minutes(90)),  # full-width digits
        ("1h\u200b20m", minutes(80)),  # a zero-width space
        ("1h\u00a020m", minutes(80)),  # a no-break space
    ],
)
def test_durations_read(typed: str, span: timedelta) -> None:
    assert parse_duration(typed) == span


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", f"The duration is empty; {TYPE_DURATION}."),
        ("   ", f"The duration is empty; {TYPE_DURATION}."),
        ("\u200b", f"The duration is empty; {TYPE_DURATION}."),
        ("0", f'The duration "0" is zero; {TYPE_IN_RANGE}.'),
        ("0h 0m", f'The duration "0h 0m" is zero; {TYPE_IN_RANGE}.'),
        ("0:00", f'The duration "0:00" is zero; {TYPE_IN_RANGE}.'),
        ("0.0004s", f'The duration "0.0004s" is zero; {TYPE_IN_RANGE}.'),
        ("-5m", f'The duration "-5m" is negative; {TYPE_IN_RANGE}.'),
        ("-1:20", f'The duration "-1:20" is negative; {TYPE_IN_RANGE}.'),
        ("- 90", f'The duration "- 90" is negative; {TYPE_IN_RANGE}.'),
        ("24h 1m", f'The duration "24h 1m" is over 24h; {TYPE_IN_RANGE}.'),
        ("25h", f'The duration "25h" is over 24h; {TYPE_IN_RANGE}.'),
        ("1441", f'The duration "1441" is over 24h; {TYPE_IN_RANGE}.'),
        ("86401s", f'The duration "86401s" is over 24h; {TYPE_IN_RANGE}.'),
        ("24:01", f'The duration "24:01" is over 24h; {TYPE_IN_RANGE}.'),
        ("999999999h", f'The duration "999999999h" is over 24h; {TYPE_IN_RANGE}.'),
        ("abc", f'The duration "abc" can\'t be read; {TYPE_DURATION}.'),
        ("-", f'The duration "-" can\'t be read; {TYPE_DURATION}.'),
        ("h", f'The duration "h" can\'t be read; {TYPE_DURATION}.'),
        ("1d", f'The duration "1d" can\'t be read; {TYPE_DURATION}.'),
        ("two hours", f'The duration "two hours" can\'t be read; {TYPE_DURATION}.'),
        ("1h 1h", f'The duration "1h 1h" can\'t be read; {TYPE_DURATION}.'),
        ("20m 1h", f'The duration "20m 1h" can\'t be read; {TYPE_DURATION}.'),
        ("1m30", f'The duration "1m30" can\'t be read; {TYPE_DURATION}.'),
        ("1 2", f'The duration "1 2" can\'t be read; {TYPE_DURATION}.'),
        ("1.5.5h", f'The duration "1.5.5h" can\'t be read; {TYPE_DURATION}.'),
        ("1:5", f'The duration "1:5" can\'t be read; {TYPE_DURATION}.'),
        ("1:60", f'The duration "1:60" can\'t be read; {TYPE_DURATION}.'),
        ("1:20:30", f'The duration "1:20:30" can\'t be read; {TYPE_DURATION}.'),
        ("1h and 20m", f'The duration "1h and 20m" can\'t be read; {TYPE_DURATION}.'),
        ("15m ago", f'The duration "15m ago" can\'t be read; {TYPE_DURATION}.'),
        ("1234567890", f'The duration "1234567890" can\'t be read; {TYPE_DURATION}.'),
        ("9" * 5000, f'The duration "{"9" * 59}…" can\'t be read; {TYPE_DURATION}.'),
        ("1h\x002m", f'The duration "1h\ufffd2m" can\'t be read; {TYPE_DURATION}.'),
    ],
)
def test_durations_refused_in_one_line(typed: str, message: str) -> None:
    with pytest.raises(InvalidTime) as caught:
        parse_duration(typed)
    assert_one_line(caught.value, message)


def test_a_duration_refusal_names_the_field_asked_for() -> None:
    with pytest.raises(InvalidTime) as caught:
        parse_duration("soon", field="break")
    assert_one_line(caught.value, f'The break "soon" can\'t be read; {TYPE_DURATION}.')
    assert (caught.value.field, caught.value.text) == ("break", "soon")


# --- points in time ----------------------------------------------------------------------

# Wed 4 Mar 2026, 15:00:30.123456 GMT (London on UTC+0) and 10:00:30 EST in New York.
WED = datetime(2026, 3, 4, 15, 0, 30, 123456, tzinfo=UTC)
WED_MS = utc(2026, 3, 4, 15, 0, 30, 123)
# Mon 2 Mar 2026, 00:05 GMT: just past midnight, just into a new week.
MON_0005 = utc(2026, 3, 2, 0, 5)
# London springs forward on Sun 29 Mar 2026 at 01:00 GMT to 02:00 BST.
SPRING_NOON = utc(2026, 3, 29, 11, 0)  # 12:00 BST
SPRING_0210 = utc(2026, 3, 29, 1, 10)  # 02:10 BST, 10 min after the jump
SPRING_NEXT_DAY = utc(2026, 3, 30, 9, 0)  # Mon 10:00 BST
# London falls back on Sun 25 Oct 2026 at 02:00 BST to 01:00 GMT: 01:00-01:59 twice.
FALL_NOON = utc(2026, 10, 25, 12, 0)  # 12:00 GMT
FALL_SECOND_0110 = utc(2026, 10, 25, 1, 10)  # the second 01:10 (GMT)
FALL_FIRST_0140 = utc(2026, 10, 25, 0, 40)  # the first 01:40 (BST)
# New York springs forward on Sun 8 Mar 2026 at 02:00 EST to 03:00 EDT, falls back on
# Sun 1 Nov 2026 at 02:00 EDT to 01:00 EST.
NY_MON_2100 = utc(2026, 3, 3, 2, 0)  # Mon 2 Mar 21:00 EST, already Tuesday in UTC
NY_SPRING_NOON = utc(2026, 3, 8, 16, 0)  # 12:00 EDT
NY_SPRING_0310 = utc(2026, 3, 8, 7, 10)  # 03:10 EDT
NY_FALL_NOON = utc(2026, 11, 1, 17, 0)  # 12:00 EST
NY_FALL_SECOND_0110 = utc(2026, 11, 1, 6, 10)  # the second 01:10 (EST)

TIMES: list[tuple[ZoneInfo, datetime, str, datetime, bool]] = [
    # London, an ordinary Wednesday afternoon
    (LONDON, WED, "now", WED_MS, False),  # to the millisecond
    (LONDON, WED, " NOW ", WED_MS, False),
    (LONDON, WED, "15:00", utc(2026, 3, 4, 15, 0), False),
    (LONDON, WED, "09:30", utc(2026, 3, 4, 9, 30), False),
    (LONDON, WED, "9:30", utc(2026, 3, 4, 9, 30), False),
    (LONDON, WED, "00:00", utc(2026, 3, 4, 0, 0), False),
    (LONDON, WED, "９：３０", utc(2026, 3, 4, 9, 30), False),  # full-width
    (LONDON, WED, "9:05am", utc(2026, 3, 4, 9, 5), False),
    (LONDON, WED, "9:05 AM", utc(2026, 3, 4, 9, 5), False),
    (LONDON, WED, "9:05 a.m.", utc(2026, 3, 4, 9, 5), False),
    (LONDON, WED, "09:05am", utc(2026, 3, 4, 9, 5), False),
    (LONDON, WED, "9am", utc(2026, 3, 4, 9, 0), False),
    (LONDON, WED, "3pm", utc(2026, 3, 4, 15, 0), False),
    (LONDON, WED, "12:00am", utc(2026, 3, 4, 0, 0), False),  # midnight
    (LONDON, WED, "12:10am", utc(2026, 3, 4, 0, 10), False),
    (LONDON, WED, "11:59am", utc(2026, 3, 4, 11, 59), False),
    (LONDON, WED, "12:00pm", utc(2026, 3, 4, 12, 0), False),  # noon
    (LONDON, WED, "12:30pm", utc(2026, 3, 4, 12, 30), False),
    (LONDON, WED, "12:59pm", utc(2026, 3, 4, 12, 59), False),
    (LONDON, WED, "1:00pm", utc(2026, 3, 4, 13, 0), False),
    (LONDON, WED, "today 08:00", utc(2026, 3, 4, 8, 0), False),
    (LONDON, WED, "15:01", WED_MS, False),  # 29.877 s ahead: counts as now
    (LONDON, WED, "yesterday 23:59", utc(2026, 3, 3, 23, 59), False),
    (LONDON, WED, "Yesterday  9:05 PM", utc(2026, 3, 3, 21, 5), False),
    (LONDON, WED, "yesterday 16:00", utc(2026, 3, 3, 16, 0), False),
    (LONDON, WED, "yesterday 12:10am", utc(2026, 3, 3, 0, 10), False),
    (LONDON, WED, "wed 09:00", utc(2026, 3, 4, 9, 0), False),  # today's, passed
    (LONDON, WED, "wednesday 16:00", utc(2026, 2, 25, 16, 0), False),  # today's is ahead
    (LONDON, WED, "wed 15:01", WED_MS, False),  # within the tolerance: today, now
    (LONDON, WED, "tue 09:00", utc(2026, 3, 3, 9, 0), False),
    (LONDON, WED, "tues 9am", utc(2026, 3, 3, 9, 0), False),
    (LONDON, WED, "thu 09:00", utc(2026, 2, 26, 9, 0), False),
    (LONDON, WED, "thursday 09:00", utc(2026, 2, 26, 9, 0), False),
    (LONDON, WED, "fri 17:30", utc(2026, 2, 27, 17, 30), False),
    (LONDON, WED, "sat 12:00", utc(2026, 2, 28, 12, 0), False),
    (LONDON, WED, "sun 23:30", utc(2026, 3, 1, 23, 30), False),
    (LONDON, WED, "MON 9am", utc(2026, 3, 2, 9, 0), False),
    (LONDON, WED, "2026-03-01 14:00", utc(2026, 3, 1, 14, 0), False),
    (LONDON, WED, "2026-3-1 2pm", utc(2026, 3, 1, 14, 0), False),
    (LONDON, WED, "2026-03-04T07:15", utc(2026, 3, 4, 7, 15), False),
    (LONDON, WED, "2025-12-31 23:59", utc(2025, 12, 31, 23, 59), False),
    (LONDON, WED, "2025-07-01 09:00", utc(2025, 7, 1, 8, 0), False),  # BST then
    (LONDON, WED, "-15m", utc(2026, 3, 4, 14, 45, 30, 123), False),
    (LONDON, WED, "15m ago", utc(2026, 3, 4, 14, 45, 30, 123), False),
    (LONDON, WED, "- 15m", utc(2026, 3, 4, 14, 45, 30, 123), False),
    (LONDON, WED, "-1h 20m", utc(2026, 3, 4, 13, 40, 30, 123), False),
    (LONDON, WED, "1:20 ago", utc(2026, 3, 4, 13, 40, 30, 123), False),
    (LONDON, WED, "90 ago", utc(2026, 3, 4, 13, 30, 30, 123), False),
    (LONDON, WED, "1.5h ago", utc(2026, 3, 4, 13, 30, 30, 123), False),
    (LONDON, WED, "45 min ago", utc(2026, 3, 4, 14, 15, 30, 123), False),
    (LONDON, WED, "30s ago", utc(2026, 3, 4, 15, 0, 0, 123), False),
    (LONDON, WED, "24h ago", utc(2026, 3, 3, 15, 0, 30, 123), False),
    # Weekdays across midnight and the week's start (Monday 00:05)
    (LONDON, MON_0005, "sun 23:50", utc(2026, 3, 1, 23, 50), False),
    (LONDON, MON_0005, "yesterday 23:50", utc(2026, 3, 1, 23, 50), False),
    (LONDON, MON_0005, "mon 00:01", utc(2026, 3, 2, 0, 1), False),
    (LONDON, MON_0005, "mon 00:10", utc(2026, 2, 23, 0, 10), False),  # a week ago
    (LONDON, MON_0005, "monday 00:06", MON_0005, False),  # exactly 1 min ahead: now
    (LONDON, MON_0005, "sat 12:00", utc(2026, 2, 28, 12, 0), False),
    (LONDON, MON_0005, "-10m", utc(2026, 3, 1, 23, 55), False),
    (LONDON, utc(2026, 3, 2, 8, 0), "mon 09:00", utc(2026, 2, 23, 9, 0), False),
    (LONDON, utc(2026, 3, 2, 10, 0), "mon 09:00", utc(2026, 3, 2, 9, 0), False),
    (LONDON, utc(2027, 1, 1, 0, 30), "thu 23:00", utc(2026, 12, 31, 23, 0), False),
    (LONDON, utc(2027, 1, 1, 0, 30), "yesterday 11:59pm", utc(2026, 12, 31, 23, 59), False),
    (LONDON, utc(2027, 1, 1, 0, 30), "fri 01:00", utc(2026, 12, 25, 1, 0), False),
    # London springs forward: the day is 23 hours long
    (LONDON, SPRING_NOON, "00:59", utc(2026, 3, 29, 0, 59), False),
    (LONDON, SPRING_NOON, "02:00", utc(2026, 3, 29, 1, 0), False),
    (LONDON, SPRING_NOON, "12:00", utc(2026, 3, 29, 11, 0), False),
    (LONDON, SPRING_NOON, "sun 09:00", utc(2026, 3, 29, 8, 0), False),
    (LONDON, SPRING_NOON, "yesterday 12:00", utc(2026, 3, 28, 12, 0), False),  # 23 h back
    (LONDON, SPRING_NOON, "yesterday 01:30", utc(2026, 3, 28, 1, 30), False),
    (LONDON, SPRING_NOON, "sat 12:00", utc(2026, 3, 28, 12, 0), False),
    (LONDON, SPRING_NOON, "24h ago", utc(2026, 3, 28, 11, 0), False),  # sat 11:00 GMT
    (LONDON, SPRING_0210, "-15m", utc(2026, 3, 29, 0, 55), False),  # 00:55 GMT, not 01:55
    (LONDON, SPRING_0210, "15m ago", utc(2026, 3, 29, 0, 55), False),
    (LONDON, SPRING_0210, "1h ago", utc(2026, 3, 29, 0, 10), False),
    (LONDON, SPRING_0210, "-1h 20m", utc(2026, 3, 28, 23, 50), False),
    (LONDON, SPRING_0210, "02:05", utc(2026, 3, 29, 1, 5), False),
    (LONDON, SPRING_0210, "00:30", utc(2026, 3, 29, 0, 30), False),
    (LONDON, SPRING_NEXT_DAY, "yesterday 10:00", utc(2026, 3, 29, 9, 0), False),
    (LONDON, SPRING_NEXT_DAY, "yesterday 00:30", utc(2026, 3, 29, 0, 30), False),
    (LONDON, SPRING_NEXT_DAY, "sun 00:30", utc(2026, 3, 29, 0, 30), False),
    (LONDON, SPRING_NEXT_DAY, "mon 09:00", utc(2026, 3, 30, 8, 0), False),
    # London falls back: the day is 25 hours long, 01:00-01:59 happens twice
    (LONDON, FALL_NOON, "2026-10-25 01:30", utc(2026, 10, 25, 0, 30), True),  # the first
    (LONDON, FALL_NOON, "01:30", utc(2026, 10, 25, 0, 30), True),
    (LONDON, FALL_NOON, "1:30am", utc(2026, 10, 25, 0, 30), True),
    (LONDON, FALL_NOON, "sun 01:30", utc(2026, 10, 25, 0, 30), True),
    (LONDON, FALL_NOON, "01:00", utc(2026, 10, 25, 0, 0), True),
    (LONDON, FALL_NOON, "01:59", utc(2026, 10, 25, 0, 59), True),
    (LONDON, FALL_NOON, "00:59", utc(2026, 10, 24, 23, 59), False),
    (LONDON, FALL_NOON, "02:00", utc(2026, 10, 25, 2, 0), False),
    (LONDON, FALL_NOON, "yesterday 12:00", utc(2026, 10, 24, 11, 0), False),  # 25 h back
    (LONDON, FALL_NOON, "sat 12:00", utc(2026, 10, 24, 11, 0), False),
    (LONDON, FALL_NOON, "2026-10-24 23:00", utc(2026, 10, 24, 22, 0), False),
    (LONDON, FALL_SECOND_0110, "now", FALL_SECOND_0110, True),  # the second 01:10
    (LONDON, FALL_SECOND_0110, "-15m", utc(2026, 10, 25, 0, 55), True),  # the first 01:55
    (LONDON, FALL_SECOND_0110, "1h ago", utc(2026, 10, 25, 0, 10), True),
    (LONDON, FALL_SECOND_0110, "70m ago", utc(2026, 10, 25, 0, 0), True),
    (LONDON, FALL_SECOND_0110, "2h ago", utc(2026, 10, 24, 23, 10), False),  # 00:10 BST
    (LONDON, FALL_SECOND_0110, "01:30", utc(2026, 10, 25, 0, 30), True),  # later wall, past
    (LONDON, FALL_SECOND_0110, "01:05", utc(2026, 10, 25, 0, 5), True),
    (LONDON, FALL_SECOND_0110, "00:30", utc(2026, 10, 24, 23, 30), False),
    # New York, the same Wednesday: 10:00:30 EST
    (NEW_YORK, WED, "now", WED_MS, False),
    (NEW_YORK, WED, "9:05am", utc(2026, 3, 4, 14, 5), False),
    (NEW_YORK, WED, "12:10am", utc(2026, 3, 4, 5, 10), False),
    (NEW_YORK, WED, "12:30am", utc(2026, 3, 4, 5, 30), False),
    (NEW_YORK, WED, "09:59", utc(2026, 3, 4, 14, 59), False),
    (NEW_YORK, WED, "yesterday 12:30pm", utc(2026, 3, 3, 17, 30), False),
    (NEW_YORK, WED, "yesterday 11:59pm", utc(2026, 3, 4, 4, 59), False),
    (NEW_YORK, WED, "mon 09:00", utc(2026, 3, 2, 14, 0), False),
    (NEW_YORK, WED, "wed 10:00", utc(2026, 3, 4, 15, 0), False),
    (NEW_YORK, WED, "wed 10:30", utc(2026, 2, 25, 15, 30), False),
    (NEW_YORK, WED, "2026-03-01 14:00", utc(2026, 3, 1, 19, 0), False),
    (NEW_YORK, WED, "-15m", utc(2026, 3, 4, 14, 45, 30, 123), False),
    (NEW_YORK, WED, "90 ago", utc(2026, 3, 4, 13, 30, 30, 123), False),
    # The local day, not UTC's: Monday 21:00 in New York is Tuesday in UTC
    (NEW_YORK, NY_MON_2100, "mon 20:00", utc(2026, 3, 3, 1, 0), False),
    (NEW_YORK, NY_MON_2100, "tue 09:00", utc(2026, 2, 24, 14, 0), False),
    (NEW_YORK, NY_MON_2100, "yesterday 21:00", utc(2026, 3, 2, 2, 0), False),
    (NEW_YORK, NY_MON_2100, "sun 23:00", utc(2026, 3, 2, 4, 0), False),
    (NEW_YORK, NY_MON_2100, "20:00", utc(2026, 3, 3, 1, 0), False),
    # New York springs forward
    (NEW_YORK, NY_SPRING_NOON, "01:59", utc(2026, 3, 8, 6, 59), False),
    (NEW_YORK, NY_SPRING_NOON, "03:00", utc(2026, 3, 8, 7, 0), False),
    (NEW_YORK, NY_SPRING_NOON, "yesterday 12:00", utc(2026, 3, 7, 17, 0), False),  # 23 h
    (NEW_YORK, NY_SPRING_NOON, "sat 23:00", utc(2026, 3, 8, 4, 0), False),
    (NEW_YORK, NY_SPRING_NOON, "sun 01:00", utc(2026, 3, 8, 6, 0), False),
    (NEW_YORK, NY_SPRING_0310, "-15m", utc(2026, 3, 8, 6, 55), False),  # 01:55 EST
    (NEW_YORK, NY_SPRING_0310, "15m ago", utc(2026, 3, 8, 6, 55), False),
    (NEW_YORK, NY_SPRING_0310, "1:00 ago", utc(2026, 3, 8, 6, 10), False),
    # New York falls back
    (NEW_YORK, NY_FALL_NOON, "2026-11-01 01:30", utc(2026, 11, 1, 5, 30), True),
    (NEW_YORK, NY_FALL_NOON, "1:30am", utc(2026, 11, 1, 5, 30), True),
    (NEW_YORK, NY_FALL_NOON, "sun 01:30", utc(2026, 11, 1, 5, 30), True),
    (NEW_YORK, NY_FALL_NOON, "00:59", utc(2026, 11, 1, 4, 59), False),
    (NEW_YORK, NY_FALL_NOON, "02:00", utc(2026, 11, 1, 7, 0), False),
    (NEW_YORK, NY_FALL_NOON, "yesterday 12:00", utc(2026, 10, 31, 16, 0), False),  # 25 h
    (NEW_YORK, NY_FALL_SECOND_0110, "now", NY_FALL_SECOND_0110, True),
    (NEW_YORK, NY_FALL_SECOND_0110, "-15m", utc(2026, 11, 1, 5, 55), True),
    (NEW_YORK, NY_FALL_SECOND_0110, "1h ago", utc(2026, 11, 1, 5, 10), True),
    (NEW_YORK, NY_FALL_SECOND_0110, "01:30", utc(2026, 11, 1, 5, 30), True),
]


def _case_id(zone: ZoneInfo, now: datetime, typed: str) -> str:
    return f"{zone.key.split('/')[-1]}@{now:%m-%dT%H:%MZ}:{typed}"


@pytest.mark.parametrize(
    ("zone", "now", "typed", "instant", "ambiguous"),
    [pytest.param(*case, id=_case_id(*case[:3])) for case in TIMES],
)
def test_times_read(
    zone: ZoneInfo, now: datetime, typed: str, instant: datetime, ambiguous: bool
) -> None:
    when = parse_when(typed, tz=zone, now=now)
    assert when.moment.tzinfo is zone
    assert when.moment.astimezone(UTC) == instant
    assert when.moment.replace(tzinfo=None) == instant.astimezone(zone).replace(tzinfo=None)
    assert when.ambiguous is ambiguous


UNREADABLE_TIMES = [
    "soon", "noon", "tomorrow 09:00", "9", "15m", "+15m", "in 15m", "15m from now", "-15m ago",
    "ago", "-", "9:05m", "9.05", "9:5", "mon", "yesterday", "wed 9", "2026-03-04",
    "someday 09:00", "12:00 noon", "9:05pm ago", "1h ago ago",
]  # fmt: skip
BACK_OVER_24H = (
    "goes back over 24h; type at most 24h back, like 15m ago, "
    "or a date and time, like 2026-03-02 09:00."
)
BACK_NO_TIME = "goes back no time; type now, or like 15m ago."
#: Refused whenever typed (now: Wednesday 15:00:30 in London): what follows the echo.
REFUSED_TIMES: list[tuple[str, str]] = [
    ("", f"The time is empty; {TYPE_TIME}."),
    ("  ", f"The time is empty; {TYPE_TIME}."),
    *((typed, f'The time "{typed}" can\'t be read; {TYPE_TIME}.') for typed in UNREADABLE_TIMES),
    *(
        (typed, f'The time "{typed}" has no such time of day; {TYPE_CLOCK}.')
        for typed in ("25:00", "24:00", "9:60", "13:00pm", "0:30am", "00:30am", "13pm")
    ),
    *(
        (typed, f'The time "{typed}" has no such date; {TYPE_DATE}.')
        for typed in (
            "2026-02-30 09:00",
            "2026-13-01 09:00",
            "0000-01-01 00:00",
            "0001-01-01 00:00",
            "9999-12-31 23:59",
        )
    ),
    ("-25h", f'The time "-25h" {BACK_OVER_24H}'),
    ("24h 1m ago", f'The time "24h 1m ago" {BACK_OVER_24H}'),
    ("0m ago", f'The time "0m ago" {BACK_NO_TIME}'),
    ("-0", f'The time "-0" {BACK_NO_TIME}'),
    # what was typed is echoed on one line, clipped
    ("bad\x00time", f'The time "bad\ufffdtime" can\'t be read; {TYPE_TIME}.'),
    ("x" * 100, f'The time "{"x" * 59}…" can\'t be read; {TYPE_TIME}.'),
]


@pytest.mark.parametrize(("typed", "message"), REFUSED_TIMES)
def test_times_refused_in_one_line(typed: str, message: str) -> None:
    with pytest.raises(InvalidTime) as caught:
        parse_when(typed, tz=LONDON, now=WED)
    assert_one_line(caught.value, message)


UP_TO_NOW = "type a time up to now"
#: More than a minute ahead: (zone, now, typed, the rest of the line after the echo).
FUTURE_TIMES: list[tuple[ZoneInfo, datetime, str, str]] = [
    (LONDON, WED, "15:02", f"(it is 15:00 now); {UP_TO_NOW}, or yesterday 15:02."),
    (LONDON, WED, "9 PM", f"(it is 15:00 now); {UP_TO_NOW}, or yesterday 9 pm."),
    (LONDON, WED, "today 16:00", f"(it is 15:00 now); {UP_TO_NOW}."),
    (LONDON, WED, "2026-03-05 09:00", f"(it is Wed 4 Mar 15:00 now); {UP_TO_NOW}."),
    (LONDON, MON_0005, "23:50", f"(it is 00:05 now); {UP_TO_NOW}, or yesterday 23:50."),
    # now is the first 01:40 (BST); the first 01:50 is ten minutes ahead
    (LONDON, FALL_FIRST_0140, "01:50", f"(it is 01:40 now); {UP_TO_NOW}, or yesterday 01:50."),
    (NEW_YORK, WED, "10:02", f"(it is 10:00 now); {UP_TO_NOW}, or yesterday 10:02."),
]  # fmt: skip


@pytest.mark.parametrize(
    ("zone", "now", "typed", "rest"),
    [pytest.param(*case, id=_case_id(*case[:3])) for case in FUTURE_TIMES],
)
def test_future_times_refused_in_one_line(
    zone: ZoneInfo, now: datetime, typed: str, rest: str
) -> None:
    with pytest.raises(InvalidTime) as caught:
        parse_when(typed, tz=zone, now=now)
    assert_one_line(caught.value, f'The time "{typed}" is in the future {rest}')


APIA_SKIPPED_DAY = (
    "does not exist in Pacific/Apia (on Fri 30 Dec the clocks jump from 00:00 to Sat 31 Dec "
    "00:00); type a time before 00:00 or from Sat 31 Dec 00:00."
)
#: Wall times the clocks skip: (zone, now, typed, the rest of the line after the echo).
GAPS: list[tuple[ZoneInfo, datetime, str, str]] = [
    (LONDON, SPRING_NOON, "2026-03-29 01:30", LONDON_GAP),
    (LONDON, SPRING_NOON, "01:30", LONDON_GAP),
    (LONDON, SPRING_NOON, "1:30am", LONDON_GAP),
    (LONDON, SPRING_NOON, "01:00", LONDON_GAP),
    (LONDON, SPRING_NOON, "01:59", LONDON_GAP),
    (LONDON, SPRING_NOON, "sun 01:30", LONDON_GAP),
    (LONDON, SPRING_NEXT_DAY, "yesterday 01:30", LONDON_GAP),
    (NEW_YORK, NY_SPRING_NOON, "2026-03-08 02:30", NEW_YORK_GAP),
    (NEW_YORK, NY_SPRING_NOON, "2:30am", NEW_YORK_GAP),
    (NEW_YORK, NY_SPRING_NOON, "02:00", NEW_YORK_GAP),
    (ZoneInfo("Pacific/Apia"), NY_SPRING_NOON, "2011-12-30 12:00", APIA_SKIPPED_DAY),
]


@pytest.mark.parametrize(
    ("zone", "now", "typed", "rest"),
    [pytest.param(*case, id=_case_id(*case[:3])) for case in GAPS],
)
def test_skipped_wall_times_refused_naming_the_gap(
    zone: ZoneInfo, now: datetime, typed: str, rest: str
) -> None:
    with pytest.raises(InvalidTime) as caught:
        parse_when(typed, tz=zone, now=now)
    assert_one_line(caught.value, f'The time "{typed}" {rest}')


def test_a_time_refusal_names_the_field_asked_for() -> None:
    with pytest.raises(InvalidTime) as caught:
        parse_when("soon", tz=LONDON, now=WED, field="start")
    assert_one_line(caught.value, f'The start "soon" can\'t be read; {TYPE_TIME}.')


def test_now_must_be_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        parse_when("now", tz=LONDON, now=datetime(2026, 3, 4, 15, 0))


def test_now_in_another_zone_gives_a_moment_in_the_configured_one() -> None:
    paris_now = WED.astimezone(ZoneInfo("Europe/Paris"))  # 16:00 CET, 15:00 in London
    when = parse_when("14:00", tz=LONDON, now=paris_now)
    assert when == When(datetime(2026, 3, 4, 14, 0, tzinfo=LONDON), ambiguous=False)


@pytest.mark.parametrize(
    ("zone", "now", "typed", "described", "described_this_year"),
    [
        (
            LONDON,
            FALL_NOON,
            "01:30",
            "Sun 25 Oct 2026 01:30 (UTC+01:00, the first of the two 01:30s)",
            "Sun 25 Oct 01:30 (UTC+01:00, the first of the two 01:30s)",
        ),
        (
            LONDON,
            FALL_SECOND_0110,
            "now",
            "Sun 25 Oct 2026 01:10 (UTC+00:00, the second of the two 01:10s)",
            "Sun 25 Oct 01:10 (UTC+00:00, the second of the two 01:10s)",
        ),
        (
            NEW_YORK,
            NY_FALL_NOON,
            "1:30am",
            "Sun 1 Nov 2026 01:30 (UTC-04:00, the first of the two 01:30s)",
            "Sun 1 Nov 01:30 (UTC-04:00, the first of the two 01:30s)",
        ),
        (LONDON, WED, "9:05am", "Wed 4 Mar 2026 09:05", "Wed 4 Mar 09:05"),
        (LONDON, WED, "2025-12-31 23:59", "Wed 31 Dec 2025 23:59", "Wed 31 Dec 2025 23:59"),
        (NEW_YORK, NY_MON_2100, "now", "Mon 2 Mar 2026 21:00", "Mon 2 Mar 21:00"),
    ],
)
def test_describe_says_which_of_two_wall_times(
    zone: ZoneInfo, now: datetime, typed: str, described: str, described_this_year: str
) -> None:
    when = parse_when(typed, tz=zone, now=now)
    assert when.describe() == described
    assert when.describe(now=now) == described_this_year
