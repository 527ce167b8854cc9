"""Report periods: the local days a spec like "this", "2026-W47", "last-month" or a range names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

__all__ = [
    "MAX_PERIOD_YEARS",
    "NAMED_PERIODS",
    "PERIOD_CHOICES",
    "WEEK_CHOICES",
    "InvalidPeriod",
    "InvalidWeek",
    "Period",
    "day_bounds",
    "day_span",
    "local_midnight",
    "named_period",
    "period_days",
    "week_label",
    "week_period",
    "week_title",
]

_ISO_WEEK: Final = re.compile(r"(\d{4})-[Ww](\d{1,2})")
_SPEC_HELP: Final = "expected 'this', 'last' or an ISO week like 2026-W47"
#: What a week option takes, for the answers to a bad one.
WEEK_CHOICES: Final = "this, last or an ISO week such as 2026-W47"
_OUT_OF_RANGE: Final = "too far in the past or future to report"
#: The periods named relative to now, in the order the /timesheet autocomplete offers them.
NAMED_PERIODS: Final = (
    "today",
    "yesterday",
    "this-week",
    "last-week",
    "this-fortnight",
    "last-fortnight",
    "this-month",
    "last-month",
    "this-year",
    "last-year",
)
#: What a period option takes, for the answers to a bad one.
PERIOD_CHOICES: Final = (
    "today, yesterday, this-week, last-week, this-fortnight, last-fortnight, this-month, "
    "last-month, this-year, last-year, 2026-W47, 2026-11, 2026 or 2026-11-01..2026-11-30"
)
#: The longest period a spec may name (a range of days), so a typo can't ask for millennia.
MAX_PERIOD_YEARS: Final = 100
_MAX_PERIOD_DAYS: Final = MAX_PERIOD_YEARS * 366
_DAYS: Final = re.compile(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})")
_RELATIVE: Final = re.compile(r"(this|last)-(week|fortnight|month|year)")
_MONTH: Final = re.compile(r"(\d{4})-(\d{2})")
_YEAR: Final = re.compile(r"\d{4}")


class InvalidWeek(ValueError):
    """A week spec that names no reportable week. ``reason`` says why when the spec has the
    right form (``"week must be 1 to 53"``); None when it does not."""

    def __init__(self, spec: str, reason: str | None = None) -> None:
        super().__init__(f"invalid week {spec!r}: {reason or _SPEC_HELP}")
        self.spec = spec
        self.reason = reason

    def answer(self, prefix: str) -> str:
        """``prefix`` then what a week option takes, and why this one is not: one line."""
        why = f" ({self.reason})" if self.reason else ""
        return f"{prefix} {WEEK_CHOICES}{why}"


@dataclass(frozen=True, slots=True)
class Period:
    """A half-open interval of time ``[start, end)``; both ends are aware."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        for name, value in (("start", self.start), ("end", self.end)):
            if value.tzinfo is None or value.utcoffset() is None:
                raise ValueError(f"Period.{name} must be timezone-aware")
        if not self.start.astimezone(UTC) < self.end.astimezone(UTC):
            raise ValueError("Period.start must be before Period.end")

    def __contains__(self, moment: object) -> bool:
        # Compare in UTC: aware datetimes sharing a tzinfo compare by wall time, ignoring DST.
        if not isinstance(moment, datetime) or moment.utcoffset() is None:
            return False
        return self.start.astimezone(UTC) <= moment.astimezone(UTC) < self.end.astimezone(UTC)

    @property
    def duration(self) -> timedelta:
        """Elapsed time (a week with a DST change is 167 or 169 hours)."""
        return self.end.astimezone(UTC) - self.start.astimezone(UTC)


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """The instant ``day`` begins in ``tz``.

    Where midnight itself does not exist (a DST gap at 00:00, e.g. America/Santiago), the day
    begins at the transition; the result is normalised so it shows the real wall time.
    """
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC).astimezone(tz)


def week_period(
    spec: str, tz: ZoneInfo, week_start: int = 0, now: datetime | None = None
) -> Period:
    """The 7 local days named by ``spec``, from local midnight to local midnight.

    ``spec`` is ``"this"`` (the week containing ``now``), ``"last"`` or an ISO week ``"YYYY-Www"``.
    ``week_start`` is the first weekday (0 = Monday ... 6 = Sunday). With a start other than Monday
    an ISO week means the week that contains that ISO week's Monday, so ``week_label`` of the
    result gives ``spec`` back. Raises ``InvalidWeek`` (a ``ValueError``) on a bad spec or a week
    past the ends of the calendar, ``ValueError`` on a bad week start or naive ``now``.
    """
    if isinstance(week_start, bool) or not isinstance(week_start, int) or not 0 <= week_start <= 6:
        raise ValueError(f"week_start must be 0 (Monday) to 6 (Sunday), got {week_start!r}")
    if now is None:
        now = datetime.now(tz)
    elif now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")

    text = spec.strip().lower()
    try:
        if text in ("this", "last"):
            today = now.astimezone(tz).date()
            first = today - timedelta(days=(today.weekday() - week_start) % 7)
            if text == "last":
                first -= timedelta(days=7)
        else:
            first = _iso_week_monday(spec) - timedelta(days=(0 - week_start) % 7)
        return Period(local_midnight(first, tz), local_midnight(first + timedelta(days=7), tz))
    except OverflowError:  # a day, or its midnight in UTC, before year 1 or after 9999
        raise InvalidWeek(spec, _OUT_OF_RANGE) from None


class InvalidPeriod(ValueError):
    """A period spec that names no period; ``reason`` says why when it has the right form."""

    def __init__(self, spec: str, reason: str | None = None) -> None:
        super().__init__(f"invalid period {spec!r}: {reason or 'expected ' + PERIOD_CHOICES}")
        self.spec = spec
        self.reason = reason

    def answer(self, prefix: str) -> str:
        """``prefix`` then what a period option takes, and why this one is not: one line."""
        why = f" ({self.reason})" if self.reason else ""
        return f"{prefix} {PERIOD_CHOICES}{why}"


def named_period(spec: str, tz: ZoneInfo, week_start: int, now: datetime) -> Period:
    """The local days ``spec`` names, from local midnight to local midnight in ``tz``.

    ``spec`` is one of `NAMED_PERIODS` (relative to ``now``), an ISO week ``YYYY-Www`` (as
    `week_period` reads it), a month ``YYYY-MM``, a year ``YYYY`` or ``YYYY-MM-DD..YYYY-MM-DD``
    (both days included). Weeks start on ``week_start`` (0 = Monday); a fortnight is two such
    weeks: ``this-fortnight`` is last week and this week, ``last-fortnight`` the two before.
    A range spans at most `MAX_PERIOD_YEARS` years. Raises InvalidPeriod.
    """
    text = spec.strip().lower()
    try:
        first, last = _period_days(spec, text, week_start, now.astimezone(tz).date())
        if (last - first).days >= _MAX_PERIOD_DAYS:
            raise InvalidPeriod(spec, f"a period spans at most {MAX_PERIOD_YEARS} years")
        return Period(local_midnight(first, tz), local_midnight(last + timedelta(days=1), tz))
    except OverflowError:  # a day, or its midnight in UTC, before year 1 or after 9999
        raise InvalidPeriod(spec, _OUT_OF_RANGE) from None


def _period_days(spec: str, text: str, week_start: int, today: date) -> tuple[date, date]:
    """The first and last local day ``text`` names (``spec`` as typed, for the errors)."""
    if text in ("today", "yesterday"):
        day = today - timedelta(days=1 if text == "yesterday" else 0)
        return day, day
    relative = _RELATIVE.fullmatch(text)
    if relative is not None:
        back = 1 if relative[1] == "last" else 0
        unit = relative[2]
        if unit == "month":
            first = _add_months(today.replace(day=1), -back)
            return first, _add_months(first, 1) - timedelta(days=1)
        if unit == "year":
            return date(today.year - back, 1, 1), date(today.year - back, 12, 31)
        this_week = today - timedelta(days=(today.weekday() - week_start) % 7)
        weeks = 1 if unit == "week" else 2
        first = this_week - timedelta(weeks=back * weeks + weeks - 1)
        return first, first + timedelta(weeks=weeks, days=-1)
    if _ISO_WEEK.fullmatch(text):
        try:
            first = _iso_week_monday(text) - timedelta(days=(0 - week_start) % 7)
        except InvalidWeek as exc:
            raise InvalidPeriod(spec, exc.reason) from None
        return first, first + timedelta(days=6)
    if (month := _MONTH.fullmatch(text)) is not None:
        year, number = int(month[1]), int(month[2])
        if not 1 <= number <= 12:
            raise InvalidPeriod(spec, "month must be 1 to 12")
        if year < 1:
            raise InvalidPeriod(spec, _OUT_OF_RANGE)
        first = date(year, number, 1)
        return first, _add_months(first, 1) - timedelta(days=1)
    if _YEAR.fullmatch(text):
        if int(text) < 1:
            raise InvalidPeriod(spec, _OUT_OF_RANGE)
        return date(int(text), 1, 1), date(int(text), 12, 31)
    found = _DAYS.fullmatch(text)
    if found is None:
        raise InvalidPeriod(spec)
    try:
        first, last = date.fromisoformat(found[1]), date.fromisoformat(found[2])
    except ValueError:
        raise InvalidPeriod(spec, "no such date") from None
    if last < first:
        raise InvalidPeriod(spec, "the last day is before the first")
    return first, last


def _add_months(first: date, months: int) -> date:
    """The first day of the month ``months`` after the one ``first`` (a 1st) is in."""
    index = first.year * 12 + first.month - 1 + months
    if not 12 <= index < 12 * 10_000:
        raise OverflowError("month out of range")
    return date(index // 12, index % 12 + 1, 1)


def _iso_week_monday(spec: str) -> date:
    match = _ISO_WEEK.fullmatch(spec.strip())
    if match is None:
        raise InvalidWeek(spec)
    year, week = int(match[1]), int(match[2])
    if year < 1:
        raise InvalidWeek(spec, _OUT_OF_RANGE)
    if not 1 <= week <= 53:
        raise InvalidWeek(spec, "week must be 1 to 53")
    try:
        return date.fromisocalendar(year, week, 1)
    except ValueError:
        weeks = date(year, 12, 28).isocalendar().week
        raise InvalidWeek(spec, f"{year} has only {weeks} ISO weeks") from None


def period_days(period: Period, tz: ZoneInfo) -> list[date]:
    """The local calendar days the period touches, in order (7 for a week)."""
    first = period.start.astimezone(tz).date()
    last = (period.end.astimezone(UTC) - timedelta(microseconds=1)).astimezone(tz).date()
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def day_bounds(period: Period, tz: ZoneInfo) -> list[datetime]:
    """Day boundaries clipped to the period: ``len(period_days) + 1`` aware datetimes."""
    days = period_days(period, tz)
    inner = [local_midnight(day, tz) for day in days[1:]]
    return [period.start, *inner, period.end]


def week_label(period: Period, tz: ZoneInfo) -> str:
    """The ISO week of the period, e.g. ``"2026-W47"``.

    A 7-day period holds exactly one Monday whatever the week start; its ISO week names it.
    """
    days = period_days(period, tz)
    anchor = next((day for day in days if day.weekday() == 0), days[0])
    iso = anchor.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def week_title(period: Period, tz: ZoneInfo) -> str:
    """A heading such as ``"Week 2026-W47 (16–22 Nov 2026)"``."""
    days = period_days(period, tz)
    return f"Week {week_label(period, tz)} ({day_span(days[0], days[-1])})"


def day_span(first: date, last: date) -> str:
    """The days from ``first`` to ``last``, shortest first: ``"20 Nov 2026"``,
    ``"16–22 Nov 2026"``, ``"28 Nov – 4 Dec 2026"``, ``"28 Dec 2026 – 3 Jan 2027"``."""
    if first == last:
        return _dmy(last)
    if first.year != last.year:
        return f"{_dmy(first)} – {_dmy(last)}"
    if first.month != last.month:
        return f"{first.day} {first:%b} – {_dmy(last)}"
    return f"{first.day}–{_dmy(last)}"


def _dmy(day: date) -> str:
    return f"{day.day} {day:%b %Y}"
