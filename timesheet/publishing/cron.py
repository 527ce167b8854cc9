"""Five-field cron expressions evaluated on local wall-clock time, DST-correct with zoneinfo."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Final

__all__ = ["CronSchedule", "resolve_local"]

_MONTHS: Final = {
    name: i + 1
    for i, name in enumerate(
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
    )
}
_DAYS: Final = {"SUN": 0, "MON": 1, "TUE": 2, "WED": 3, "THU": 4, "FRI": 5, "SAT": 6}
_NO_NAMES: Final[Mapping[str, int]] = {}
# The longest run of days a satisfiable expression can go without a match: Feb 29 on a given
# weekday recurs within 28 years (plus a skipped leap year at a century); 30 years is safe.
_SEARCH_DAYS: Final = 366 * 30
_MAX_DAYS_IN_MONTH: Final = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


@dataclass(frozen=True, slots=True)
class _Field:
    name: str
    low: int
    high: int
    names: Mapping[str, int]


_FIELDS: Final = (
    _Field("minute", 0, 59, _NO_NAMES),
    _Field("hour", 0, 23, _NO_NAMES),
    _Field("day-of-month", 1, 31, _NO_NAMES),
    _Field("month", 1, 12, _MONTHS),
    _Field("day-of-week", 0, 7, _DAYS),  # 0 and 7 are both Sunday
)


@dataclass(frozen=True, slots=True)
class CronSchedule:
    """A parsed cron expression: ``minute hour day-of-month month day-of-week``.

    Supports numbers, ``*``, lists (``1,15``), ranges (``MON-FRI``), steps (``*/15``, ``8-18/2``,
    ``5/10``) and the names ``JAN``-``DEC`` and ``SUN``-``SAT`` (case-insensitive; day 7 is Sunday).
    As in Vixie cron, when both day fields are restricted (neither starts with ``*``) a day matches
    if either does.

    Times are local wall-clock times in the zone given to :meth:`next_after`: a time that does not
    exist (spring-forward gap) runs at the first instant after the gap, and a time that happens
    twice (fall-back) runs once, at its first occurrence. Results are in that zone; compare them
    as instants via ``.astimezone(UTC)`` (PEP 495: a time in a repeated hour never equals a
    datetime in another zone, and same-zone comparisons use wall time).
    """

    expression: str
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday ... 6 = Saturday
    day_or: bool  # both day fields restricted: a day matches if either matches

    @classmethod
    def parse(cls, expression: str) -> CronSchedule:
        """Parse ``expression``; raise ``ValueError`` saying which field is wrong and why."""
        parts = expression.split()
        if len(parts) != 5:
            raise ValueError(
                f"expected 5 fields (minute hour day-of-month month day-of-week), got {len(parts)}"
            )
        minutes, hours, days, months, weekdays = (
            _parse_field(text, spec) for text, spec in zip(parts, _FIELDS, strict=True)
        )
        day_or = not parts[2].startswith("*") and not parts[4].startswith("*")
        if not day_or and not any(d <= _MAX_DAYS_IN_MONTH[m - 1] for m in months for d in days):
            raise ValueError("never matches: the day-of-month is past the end of the month(s)")
        return cls(
            expression=" ".join(parts),
            minutes=tuple(sorted(minutes)),
            hours=tuple(sorted(hours)),
            days=frozenset(days),
            months=frozenset(months),
            weekdays=frozenset(d % 7 for d in weekdays),
            day_or=day_or,
        )

    def __str__(self) -> str:
        return self.expression

    def matches_day(self, day: date) -> bool:
        """Whether the expression's day-of-month, month and day-of-week fields accept ``day``."""
        if day.month not in self.months:
            return False
        by_date = day.day in self.days
        by_weekday = (day.weekday() + 1) % 7 in self.weekdays
        return by_date or by_weekday if self.day_or else by_date and by_weekday

    def next_after(self, after: datetime, tz: tzinfo) -> datetime:
        """The first scheduled instant strictly after ``after`` (aware), as a datetime in ``tz``."""
        limit = _as_utc(after, "after")
        start = limit.astimezone(tz).date() - timedelta(days=1)
        for day in (start + timedelta(days=i) for i in range(_SEARCH_DAYS)):
            for instant in self._instants(day, tz, reverse=False):
                if instant > limit:
                    return instant.astimezone(tz)
        raise ValueError(f"{self.expression!r} has no run time after {after.isoformat()}")

    def previous_at_or_before(self, moment: datetime, tz: tzinfo) -> datetime:
        """The last scheduled instant at or before ``moment`` (aware), as a datetime in ``tz``."""
        limit = _as_utc(moment, "moment")
        start = limit.astimezone(tz).date() + timedelta(days=1)
        for day in (start - timedelta(days=i) for i in range(_SEARCH_DAYS)):
            for instant in self._instants(day, tz, reverse=True):
                if instant <= limit:
                    return instant.astimezone(tz)
        raise ValueError(f"{self.expression!r} has no run time before {moment.isoformat()}")

    def _instants(self, day: date, tz: tzinfo, *, reverse: bool) -> Iterator[datetime]:
        """The day's run times as UTC instants, in order (wall-clock order maps monotonically)."""
        if not self.matches_day(day):
            return
        hours = reversed(self.hours) if reverse else self.hours
        for hour in hours:
            minutes = reversed(self.minutes) if reverse else self.minutes
            for minute in minutes:
                yield resolve_local(datetime.combine(day, time(hour, minute)), tz)


def resolve_local(wall: datetime, tz: tzinfo) -> datetime:
    """The UTC instant at which naive local time ``wall`` happens in ``tz``, for scheduling.

    Ambiguous (fall-back) times give their first occurrence; nonexistent (spring-forward) times
    give the transition instant, i.e. the first instant after the gap.
    """
    first = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
    second = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
    if first <= second:  # normal time (equal) or ambiguous (fold=0 is the earlier instant)
        return first
    # In a gap fold=0 applies the pre-transition offset, which lands after the transition;
    # fold=1 lands before it. Bisect (to the second) for the instant the offset changes.
    target = wall.replace(tzinfo=tz, fold=1).utcoffset()
    low, high = int(second.timestamp()), int(first.timestamp())
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, tz).utcoffset() == target:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


def _as_utc(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return moment.astimezone(UTC)


def _parse_field(text: str, field: _Field) -> set[int]:
    values: set[int] = set()
    for item in text.split(","):
        if not item:
            raise ValueError(f"{field.name} field {text!r}: empty list item")
        values.update(_parse_item(item, field, text))
    return values


def _parse_item(item: str, field: _Field, text: str) -> range:
    def fail(problem: str) -> ValueError:
        return ValueError(f"{field.name} field {text!r}: {problem}")

    base, slash, step_text = item.partition("/")
    step = 1
    if slash:
        if not step_text.isdigit() or int(step_text) == 0:
            raise fail(f"step {step_text!r} must be a positive whole number")
        step = int(step_text)
    if base == "*":
        low, high = field.low, field.high
    elif "-" in base:
        first, _, last = base.partition("-")
        low, high = _value(first, field, fail), _value(last, field, fail)
        if low > high:
            raise fail(f"range {base!r} goes backwards")
    else:
        low = _value(base, field, fail)
        high = field.high if slash else low  # "5/10" means 5, 15, 25, ...
    return range(low, high + 1, step)


def _value(token: str, field: _Field, fail: Callable[[str], ValueError]) -> int:
    upper = token.upper()
    if upper in field.names:
        return field.names[upper]
    if not token.isdigit():
        allowed = f"{field.low}-{field.high}"
        if field.names:
            allowed += " or a name like " + next(iter(field.names))
        raise fail(f"{token!r} is not a number ({allowed})")
    value = int(token)
    if not field.low <= value <= field.high:
        raise fail(f"{value} is out of range {field.low}-{field.high}")
    return value
