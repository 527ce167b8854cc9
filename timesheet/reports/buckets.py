"""The rows of a report: a day, a week or a month each, chosen by the period's length; their
labels, and the period's title and file label."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, timedelta
from typing import Final, Literal
from zoneinfo import ZoneInfo

from timesheet.reports.week import (
    Period,
    day_span,
    local_midnight,
    period_days,
    week_label,
    week_title,
)

__all__ = [
    "BUCKETS",
    "MAX_DAY_ROWS",
    "MAX_WEEK_ROWS_DAYS",
    "Bucket",
    "bucket_for",
    "is_week",
    "period_label",
    "period_title",
    "row_label",
    "row_starts",
]

Bucket = Literal["day", "week", "month"]
BUCKETS: Final[tuple[Bucket, ...]] = ("day", "week", "month")
#: Up to this many local days, one row per day.
MAX_DAY_ROWS: Final = 31
#: Up to this many local days (26 weeks), one row per week; longer, one row per month.
MAX_WEEK_ROWS_DAYS: Final = 26 * 7


def bucket_for(day_count: int) -> Bucket:
    """What one row of a period of ``day_count`` local days holds."""
    if day_count <= MAX_DAY_ROWS:
        return "day"
    return "week" if day_count <= MAX_WEEK_ROWS_DAYS else "month"


def _starts_row(day: date, bucket: Bucket, week_start: int) -> bool:
    if bucket == "day":
        return True
    if bucket == "week":
        return day.weekday() == week_start
    return day.day == 1


def row_starts(days: Sequence[date], bucket: Bucket, week_start: int) -> list[date]:
    """The first local day of each row: the period's first day, then each day that begins a
    ``bucket`` (a week begins on ``week_start``, 0 = Monday). Edge rows are clipped to the
    period: a week or month it only partly covers holds only the days it covers."""
    if not days:
        return []
    return [days[0], *(day for day in days[1:] if _starts_row(day, bucket, week_start))]


def row_label(first: date, bucket: Bucket, week_start: int) -> str:
    """The CSV's first cell of a row: ``2026-11-16``, ``2026-W47`` or ``2026-11``.

    A week is named by the ISO week of its Monday (so with ``WEEK_START=sunday`` the week of
    Sun 15 Nov 2026 is ``2026-W47``), a clipped edge week by the whole week it is part of.
    """
    if bucket == "day":
        return first.isoformat()
    if bucket == "month":
        return f"{first:%Y-%m}"
    week_first = first - timedelta(days=(first.weekday() - week_start) % 7)
    monday = week_first + timedelta(days=(0 - week_start) % 7)
    iso = monday.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def is_week(period: Period, tz: ZoneInfo, week_start: int | None) -> bool:
    """Whether the period is 7 local days starting on ``week_start`` (None: on any day)."""
    days = period_days(period, tz)
    if len(days) != 7 or (week_start is not None and days[0].weekday() != week_start):
        return False
    whole = (local_midnight(days[0], tz), local_midnight(days[-1] + timedelta(days=1), tz))
    return (period.start.astimezone(UTC), period.end.astimezone(UTC)) == (
        whole[0].astimezone(UTC),
        whole[1].astimezone(UTC),
    )


def _kind(days: Sequence[date]) -> Literal["day", "month", "year", "range"]:
    first, last = days[0], days[-1]
    if first == last:
        return "day"
    following = last + timedelta(days=1)
    if first.day == 1 and following.day == 1:
        if first.month == 1 and following.month == 1 and following.year == first.year + 1:
            return "year"
        if (following.year * 12 + following.month) - (first.year * 12 + first.month) == 1:
            return "month"
    return "range"


def period_label(period: Period, tz: ZoneInfo, week_start: int | None = None) -> str:
    """A short name for files: ``2026-W47``, ``2026-11-20``, ``2026-11``, ``2026`` or
    ``2026-11-01_2026-11-14``."""
    if is_week(period, tz, week_start):
        return week_label(period, tz)
    days = period_days(period, tz)
    kind = _kind(days)
    if kind == "day":
        return days[0].isoformat()
    if kind == "month":
        return f"{days[0]:%Y-%m}"
    if kind == "year":
        return f"{days[0]:%Y}"
    return f"{days[0].isoformat()}_{days[-1].isoformat()}"


def period_title(period: Period, tz: ZoneInfo, week_start: int | None = None) -> str:
    """A heading: ``Week 2026-W47 (16–22 Nov 2026)``, ``Fri 20 Nov 2026``, ``November 2026``,
    ``Year 2026`` or ``1–14 Nov 2026``."""
    if is_week(period, tz, week_start):
        return week_title(period, tz)
    days = period_days(period, tz)
    kind = _kind(days)
    first, last = days[0], days[-1]
    if kind == "day":
        return f"{first:%a} {first.day} {first:%b %Y}"
    if kind == "month":
        return f"{first:%B %Y}"
    if kind == "year":
        return f"Year {first:%Y}"
    return day_span(first, last)
