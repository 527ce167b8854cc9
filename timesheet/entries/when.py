"""Durations and points in time as people type them, for Discord and the terminal alike.

Durations: ``1h 20m``, ``1h20m``, ``1h20``, ``80m``, ``45 min``, ``2 hours``, ``1.5h``,
``4800s``, ``1:20`` (H:MM) and a bare number, which means minutes (``90``); more than 0 and
at most 24 h.

Points in time, on the wall clock of the configured zone, relative to ``now``: ``now``;
``14:30``, ``9:05am``, ``9pm`` (today; ``today 14:30`` too); ``yesterday 17:00``;
``mon 09:00`` (a weekday name or abbreviation: the most recent such day on which that time
is not in the future, so today if it has passed, else a week ago); ``2026-03-02 09:00``;
``-15m`` and ``15m ago`` with any duration form (an exact span back from now, whatever the
clocks did meanwhile). Case, spacing and full-width characters are forgiven.

Rules:

- A time up to `FUTURE_TOLERANCE` ahead of ``now`` (clocks and typing disagree a little)
  counts as ``now``; later is refused, so no result is ever after ``now``.
- A wall time the clocks skip (a DST gap) is refused, naming the gap. A wall time that
  happens twice (a DST fold) is the first of the two, and `When.ambiguous` says so, for the
  reply to show the offset (`When.describe`).
- Results are to the millisecond, as Notion stores them; typed clock times have zero seconds.

Every refusal is an `InvalidTime`: one line that echoes what was typed and says what to type.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from typing import Final
from zoneinfo import ZoneInfo

from timesheet.entries.checks import normalise, to_millis
from timesheet.entries.errors import InvalidTime

__all__ = [
    "DURATION_FORMS",
    "FUTURE_TOLERANCE",
    "MAX_DURATION",
    "TIME_FORMS",
    "When",
    "is_ambiguous",
    "parse_duration",
    "parse_when",
    "wall_time_exists",
]

#: The longest duration accepted, and the furthest back ``-15m`` / ``15m ago`` may go.
MAX_DURATION: Final = timedelta(hours=24)
#: How far ahead of now a typed time may be and still count as now.
FUTURE_TOLERANCE: Final = timedelta(minutes=1)
#: What a refused duration or time says to type instead.
DURATION_FORMS: Final = "1h 20m, 80m, 1:20, 1.5h, 4800s or 90 (minutes)"
TIME_FORMS: Final = (
    "now, 14:30, 9:05am, yesterday 17:00, mon 09:00, 2026-03-02 09:00, -15m or 15m ago"
)

_TYPE_DURATION: Final = f"type one like {DURATION_FORMS}"
_TYPE_IN_RANGE: Final = f"type more than 0 and at most 24h, like {DURATION_FORMS}"
_TYPE_TIME: Final = f"type {TIME_FORMS}"
_TYPE_CLOCK: Final = "type 00:00 to 23:59, or 12:00am to 11:59pm"
_TYPE_DATE: Final = "type the date as YYYY-MM-DD, like 2026-03-02 09:00"

_MS_PER_SECOND: Final = 1000

_SECONDS_PER_UNIT: Final = {
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), 3600),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), 60),
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), 1),
}
_HOUR: Final = 3600
_MINUTE: Final = 60
#: One number and its unit word (empty for a bare number), spaces allowed around both; at
#: most 9 digits a side (no huge numbers to convert; 24 h is 86400 s).
_DURATION_PART: Final = re.compile(r" ?(\d{1,9}(?:\.\d{1,9})?|\.\d{1,9}) ?([a-z]*)", re.ASCII)
_DURATION_CLOCK: Final = re.compile(r"(\d{1,9}):([0-5]\d)", re.ASCII)

_WEEKDAYS: Final = {
    **dict.fromkeys(("mon", "monday"), 0),
    **dict.fromkeys(("tue", "tues", "tuesday"), 1),
    **dict.fromkeys(("wed", "weds", "wednesday"), 2),
    **dict.fromkeys(("thu", "thur", "thurs", "thursday"), 3),
    **dict.fromkeys(("fri", "friday"), 4),
    **dict.fromkeys(("sat", "saturday"), 5),
    **dict.fromkeys(("sun", "sunday"), 6),
}
_DAY_NAMES: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTH_NAMES: Final = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)  # fmt: skip
#: ``[day ]clock``: the day a date, a word (today, yesterday, a weekday) or nothing; the
#: clock ``H:MM`` (24-hour), ``H:MMam`` or ``Ham`` (also ``H:MM a.m.``).
_POINT: Final = re.compile(
    r"(?:(?P<date>\d{4}-\d{1,2}-\d{1,2})[ t]|(?P<word>[a-z]+) )?"
    r"(?P<hour>\d{1,2})(?::(?P<minute>\d{2}))?(?: ?(?P<half>[ap])\.?m\.?)?",
    re.ASCII,
)
_AGO: Final = " ago"
#: The dates a typed date may name: one day inside what datetime holds, so converting a wall
#: time to UTC can't overflow.
_FIRST_DAY: Final = date.min + timedelta(days=1)
_LAST_DAY: Final = date.max - timedelta(days=1)


@dataclass(frozen=True, slots=True)
class When:
    """A point in time people typed.

    ``moment``: aware, in the configured zone, to the millisecond. ``ambiguous``: its wall
    time happens twice there (a DST fold), so a reply should show which (`describe`); a typed
    wall time is always the first of the two (``moment.fold == 0``).
    """

    moment: datetime
    ambiguous: bool

    def describe(self, *, now: datetime | None = None) -> str:
        """E.g. ``Sun 25 Oct 2026 01:30 (UTC+01:00, the first of the two 01:30s)``; the
        year is left out when it is ``now``'s, the offset when the wall time is unambiguous."""
        local = self.moment
        same_year = now is not None and now.astimezone(local.tzinfo).year == local.year
        clock = f"{local:%H:%M}"
        text = f"{_day_text(local, with_year=not same_year)} {clock}"
        if self.ambiguous:
            which = "first" if local.fold == 0 else "second"
            text += f" ({_offset_text(local)}, the {which} of the two {clock}s)"
        return text


def parse_duration(text: str, *, field: str = "duration") -> timedelta:
    """The duration ``text`` says, to the millisecond: more than 0 and at most 24 h.

    InvalidTime (naming ``field``) if it is empty, can't be read, or is out of range.
    """
    typed = _simplify(text)
    if not typed:
        raise InvalidTime(field, typed, InvalidTime.EMPTY, _TYPE_DURATION)
    span = _read_duration(typed)
    if span is None:
        if typed.startswith("-") and _read_duration(typed[1:].lstrip()) is not None:
            raise InvalidTime(field, text, "is negative", _TYPE_IN_RANGE)
        raise InvalidTime(field, text, InvalidTime.UNREADABLE, _TYPE_DURATION)
    if not span:
        raise InvalidTime(field, text, "is zero", _TYPE_IN_RANGE)
    if span > MAX_DURATION:
        raise InvalidTime(field, text, "is over 24h", _TYPE_IN_RANGE)
    return span


def parse_when(text: str, *, tz: ZoneInfo, now: datetime, field: str = "time") -> When:
    """The point in time ``text`` says, on ``tz``'s wall clock, with ``now`` (aware, any zone)
    as the present; see the module docstring for the forms and rules.

    InvalidTime (naming ``field``) if it is empty, can't be read, names no such time or date,
    a wall time the clocks skip, a time in the future, or goes back no time or over 24 h.
    ValueError if ``now`` is naive (a programming error, not a typing one).
    """
    present = to_millis(now).astimezone(tz)
    typed = _simplify(text)
    if not typed:
        raise InvalidTime(field, typed, InvalidTime.EMPTY, _TYPE_TIME)
    if typed == "now":
        return _when(present)
    back = _back_from_now(typed)
    if back is not None:
        span = _read_duration(back)
        if span is None:
            raise InvalidTime(field, text, InvalidTime.UNREADABLE, _TYPE_TIME)
        if not span:
            raise InvalidTime(field, text, "goes back no time", "type now, or like 15m ago")
        if span > MAX_DURATION:
            raise InvalidTime(
                field, text, "goes back over 24h",
                "type at most 24h back, like 15m ago, or a date and time, like 2026-03-02 09:00",
            )  # fmt: skip
        return _when((present.astimezone(UTC) - span).astimezone(tz))  # not wall arithmetic
    return _parse_point(typed, text, field, tz, present)


def _parse_point(typed: str, text: str, field: str, tz: ZoneInfo, present: datetime) -> When:
    """``[day ]clock`` (see `_POINT`) as a `When`; ``text`` is what was typed, for errors."""
    found = _POINT.fullmatch(typed)
    if found is None or (found["minute"] is None and found["half"] is None):
        raise InvalidTime(field, text, InvalidTime.UNREADABLE, _TYPE_TIME)
    hour, minute = int(found["hour"]), int(found["minute"] or 0)
    half = found["half"]
    if half is not None:
        if not 1 <= hour <= 12:
            raise InvalidTime(field, text, "has no such time of day", _TYPE_CLOCK)
        hour = hour % 12 + (12 if half == "p" else 0)
    if hour > 23 or minute > 59:
        raise InvalidTime(field, text, "has no such time of day", _TYPE_CLOCK)

    today = present.date()
    word = found["word"]
    if found["date"] is not None:
        try:
            day = date(*(int(n) for n in found["date"].split("-")))
        except ValueError:
            raise InvalidTime(field, text, "has no such date", _TYPE_DATE) from None
        if not _FIRST_DAY <= day <= _LAST_DAY:
            raise InvalidTime(field, text, "has no such date", _TYPE_DATE)
    elif word is None or word == "today":
        day = today
    elif word == "yesterday":
        day = today - timedelta(days=1)
    elif word in _WEEKDAYS:
        day = today - timedelta(days=(today.weekday() - _WEEKDAYS[word]) % 7)
        if day == today and _is_future(day, hour, minute, tz, present):
            day -= timedelta(days=7)
    else:
        raise InvalidTime(field, text, InvalidTime.UNREADABLE, _TYPE_TIME)

    wall = datetime(day.year, day.month, day.day, hour, minute)
    moment = wall.replace(tzinfo=tz)
    if not wall_time_exists(moment):
        start, end = _gap_around(moment)
        to = f"{end:%H:%M}"
        if end.date() != start.date():  # a day skipped (Pacific/Apia, 2011-12-30)
            to = f"{_day_text(end, with_year=False)} {to}"
        raise InvalidTime(
            field, text,
            f"does not exist in {tz.key} (on {_day_text(start, with_year=False)} the clocks "
            f"jump from {start:%H:%M} to {to})",
            f"type a time before {start:%H:%M} or from {to}",
        )  # fmt: skip
    if _after_tolerance(moment, present):
        shown = f"{present:%H:%M}"
        if day != today:
            shown = f"{_day_text(present, with_year=False)} {shown}"
        accepted = "type a time up to now"
        if found["date"] is None and word is None:
            accepted += f", or yesterday {typed}"
        raise InvalidTime(field, text, f"is in the future (it is {shown} now)", accepted)
    # Up to the tolerance ahead counts as now. (Compared in UTC: aware datetimes on the same
    # tzinfo compare their wall times, fold ignored.)
    return _when(present if moment.astimezone(UTC) > present.astimezone(UTC) else moment)


def _simplify(text: str) -> str:
    """``text`` as the patterns read it: NFKC (full-width digits and colons become ASCII),
    no zero-width characters, case-folded, runs of spaces one space, stripped."""
    return " ".join(unicodedata.normalize("NFKC", normalise(text)).casefold().split())


def _read_duration(typed: str) -> timedelta | None:
    """The span a simplified duration says (possibly zero or over 24 h), or None."""
    if not typed:
        return None
    clock = _DURATION_CLOCK.fullmatch(typed)
    if clock is not None:
        return timedelta(hours=int(clock[1]), minutes=int(clock[2]))
    seconds = Fraction(0)
    last_unit = 0  # seconds per unit of the part before, 0 for none yet
    at = 0
    while at < len(typed):
        part = _DURATION_PART.match(typed, at)
        if part is None:
            return None
        at = part.end()
        number, word = part.groups()
        if word:
            unit = _SECONDS_PER_UNIT.get(word)
            if unit is None or (last_unit and unit >= last_unit):
                return None  # an unknown word, or units out of order (20m 1h, 1h 2h)
        elif at == len(typed) and last_unit in (0, _HOUR):
            unit = _MINUTE  # a bare number alone, or after hours (1h20), means minutes
        else:
            return None
        seconds += Fraction(number) * unit
        last_unit = unit
    return timedelta(milliseconds=round(seconds * _MS_PER_SECOND))


def _back_from_now(typed: str) -> str | None:
    """The duration of ``-15m`` or ``15m ago`` (simplified), or None for other forms."""
    if typed.startswith("-"):
        return typed[1:].lstrip()
    if typed.endswith(_AGO):
        return typed[: -len(_AGO)]
    return None


def wall_time_exists(moment: datetime) -> bool:
    """Whether the wall time of ``moment`` (aware, zoneinfo) is one the clocks show."""
    back = moment.astimezone(UTC).astimezone(moment.tzinfo)
    return back.replace(tzinfo=None, fold=0) == moment.replace(tzinfo=None, fold=0)


def is_ambiguous(moment: datetime) -> bool:
    """Whether the wall time of ``moment`` (one that exists) happens twice."""
    return moment.replace(fold=0).utcoffset() != moment.replace(fold=1).utcoffset()


def _is_future(day: date, hour: int, minute: int, tz: ZoneInfo, present: datetime) -> bool:
    """Whether that wall time (the first if twice) is past the tolerance after ``present``;
    a wall time the clocks skip is compared on the wall clock."""
    wall = datetime(day.year, day.month, day.day, hour, minute)
    moment = wall.replace(tzinfo=tz)
    if wall_time_exists(moment):
        return _after_tolerance(moment, present)
    return wall > present.replace(tzinfo=None) + FUTURE_TOLERANCE


def _after_tolerance(moment: datetime, present: datetime) -> bool:
    """Whether ``moment`` is more than the tolerance after ``present`` (as instants)."""
    return moment.astimezone(UTC) > present.astimezone(UTC) + FUTURE_TOLERANCE


def _gap_around(moment: datetime) -> tuple[datetime, datetime]:
    """The wall times on either side of the gap ``moment`` (a skipped wall time) falls in:
    the clocks jump from the first to the second."""
    tz = moment.tzinfo
    before = moment.replace(fold=0).utcoffset()
    after = moment.replace(fold=1).utcoffset()
    assert tz is not None and before is not None and after is not None
    wall = moment.replace(tzinfo=None)
    # The switch lies between these instants: the earlier is on the old offset, the later on
    # the new. Halve the span in whole seconds until they are one second apart.
    low, high = wall - after, wall - before
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) // 2
        if middle.replace(tzinfo=UTC).astimezone(tz).utcoffset() == before:
            low = middle
        else:
            high = middle
    switch = high.replace(tzinfo=UTC)
    return (switch + before).replace(tzinfo=None), (switch + after).replace(tzinfo=None)


def _when(moment: datetime) -> When:
    return When(moment, is_ambiguous(moment))


def _day_text(moment: datetime, *, with_year: bool) -> str:
    """E.g. ``Sun 25 Oct`` (``Sun 25 Oct 2026`` with the year), in English whatever the
    locale."""
    text = f"{_DAY_NAMES[moment.weekday()]} {moment.day} {_MONTH_NAMES[moment.month - 1]}"
    return f"{text} {moment.year}" if with_year else text


def _offset_text(moment: datetime) -> str:
    """E.g. ``UTC+01:00``, ``UTC-04:00``."""
    offset = moment.utcoffset()
    assert offset is not None
    sign = "-" if offset < timedelta(0) else "+"
    minutes, seconds = divmod(int(abs(offset).total_seconds()), 60)
    text = f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"
    return f"{text}:{seconds:02d}" if seconds else text
