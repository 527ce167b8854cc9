"""TimeEntry: aware datetimes only, durations in real elapsed time across DST."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from notionkit import make_entry

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        # Spring forward, Sun 29 Mar 2026: 01:00 GMT -> 02:00 BST. 00:00 to 12:00 lasts 11 h.
        (
            datetime(2026, 3, 29, 0, 0, tzinfo=LONDON),
            datetime(2026, 3, 29, 12, 0, tzinfo=LONDON),
            11,
        ),
        # Fall back, Sun 25 Oct 2026: 02:00 BST -> 01:00 GMT. 00:00 to 12:00 lasts 13 h.
        (
            datetime(2026, 10, 25, 0, 0, tzinfo=LONDON),
            datetime(2026, 10, 25, 12, 0, tzinfo=LONDON),
            13,
        ),
        # An ordinary day.
        (
            datetime(2026, 11, 16, 9, 0, tzinfo=LONDON),
            datetime(2026, 11, 16, 17, 30, tzinfo=LONDON),
            8.5,
        ),
    ],
)
def test_duration_is_elapsed_time_across_dst(start: datetime, end: datetime, hours: float) -> None:
    assert make_entry(start=start, end=end).duration(end) == timedelta(hours=hours)


def test_running_entry_counts_up_to_now_and_never_negative() -> None:
    start = datetime(2026, 11, 16, 9, 0, tzinfo=LONDON)
    entry = make_entry(start=start)
    assert entry.running
    assert entry.duration(start + timedelta(minutes=90)) == timedelta(minutes=90)
    assert entry.duration(start - timedelta(hours=1)) == timedelta(0)
    assert not entry.ended(start + timedelta(hours=1)).running


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        make_entry(start=datetime(2026, 11, 16, 9))
    with pytest.raises(ValueError, match="timezone-aware"):
        make_entry(start=datetime(2026, 11, 16, 9, tzinfo=LONDON), end=datetime(2026, 11, 16, 10))
