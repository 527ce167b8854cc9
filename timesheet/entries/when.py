"""STAND-IN for the time parser (durations and points in time as people type them).

The real module is written on the ``parser`` branch and replaces this file when it is merged;
this one has exactly its public API (`parse_duration`, `parse_when`, `When` with ``moment``,
``ambiguous`` and ``describe()``) and only the forms the terminal commands need meanwhile:

- durations: ``1h 20m``, ``80m``, ``1:20``, ``4800s``, ``1.5h``, a bare number of minutes;
  more than 0 and at most 24 h;
- times, on the wall clock of ``tz``: ``now``, ``HH:MM`` (today), ``YYYY-MM-DD HH:MM``,
  ``-15m`` and ``15m ago`` (any duration form); never after ``now`` (up to a minute ahead
  counts as now). A wall time the clocks skip is refused; one that happens twice is the
  first of the two, flagged ``ambiguous``.

Every refusal is an `InvalidInput`: one line that echoes what was typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from timesheet.entries.checks import to_millis
from timesheet.entries.errors import InvalidInput
from timesheet.text import clip, one_line

__all__ = ["When", "parse_duration", "parse_when"]

_MAX_DURATION: Final = timedelta(hours=24)
_FUTURE_TOLERANCE: Final = timedelta(minutes=1)
_DURATIONS: Final = "type one like 1h 20m, 80m, 1:20, 1.5h, 4800s or 90 (minutes)"
_TIMES: Final = "type now, 14:30, 2026-03-02 09:00, -15m or 15m ago"
_UNIT_SECONDS: Final = {"h": 3600, "m": 60, "s": 1}
_PART: Final = re.compile(r"(\d+(?:\.\d+)?|\.\d+)\s*([hms])", re.ASCII)
_CLOCK_SPAN: Final = re.compile(r"(\d{1,2}):([0-5]\d)", re.ASCII)
_POINT: Final = re.compile(r"(?:(\d{4})-(\d{1,2})-(\d{1,2})[ t]+)?(\d{1,2}):(\d{2})", re.ASCII)


@dataclass(frozen=True, slots=True)
class When:
    """A point in time people typed: ``moment`` aware (in the zone it was read in);
    ``ambiguous`` when its wall time happens twice there (a DST fold)."""

    moment: datetime
    ambiguous: bool

    def describe(self) -> str:
        """``Sun 25 Oct 2026 01:30``, with the offset when the wall time is ambiguous."""
        local = self.moment
        text = f"{local:%a %d %b %Y %H:%M}"
        if self.ambiguous:
            offset = local.strftime("%z")
            text += f" (UTC{offset[:3]}:{offset[3:]}, the first of the two {local:%H:%M}s)"
        return text


def _refuse(field: str, text: str, problem: str, accepted: str) -> InvalidInput:
    typed = clip(one_line(text.strip()), 60)
    return InvalidInput(field, f'"{typed}" {problem}; {accepted}')


def _read_duration(text: str) -> timedelta | None:
    typed = text.strip().lower()
    clock = _CLOCK_SPAN.fullmatch(typed)
    if clock is not None:
        return timedelta(hours=int(clock[1]), minutes=int(clock[2]))
    if re.fullmatch(r"\d+(?:\.\d+)?", typed):
        return timedelta(minutes=float(typed))
    compact = typed.replace(" ", "")
    parts = _PART.findall(compact)
    if not parts or "".join(n + u for n, u in parts) != compact:
        return None
    return timedelta(seconds=sum(float(n) * _UNIT_SECONDS[u] for n, u in parts))


def parse_duration(text: str) -> timedelta:
    """The duration ``text`` says, to the millisecond: more than 0 and at most 24 h."""
    span = _read_duration(text)
    if span is None:
        raise _refuse("duration", text, "can't be read", _DURATIONS)
    span = timedelta(milliseconds=round(span.total_seconds() * 1000))
    if not timedelta(0) < span <= _MAX_DURATION:
        raise _refuse("duration", text, "is not more than 0 and at most 24h", _DURATIONS)
    return span


def parse_when(text: str, *, tz: ZoneInfo, now: datetime) -> When:
    """The point in time ``text`` says on ``tz``'s wall clock, ``now`` being the present."""
    present = to_millis(now).astimezone(tz)
    typed = text.strip().lower()
    if typed == "now":
        return When(present, False)
    back = typed[1:] if typed.startswith("-") else None
    if typed.endswith(" ago"):
        back = typed[: -len(" ago")]
    if back is not None:
        span = _read_duration(back)
        if span is None or not timedelta(0) < span <= _MAX_DURATION:
            raise _refuse("time", text, "can't be read", _TIMES)
        return When((present.astimezone(UTC) - span).astimezone(tz), False)
    found = _POINT.fullmatch(typed)
    if found is None:
        raise _refuse("time", text, "can't be read", _TIMES)
    year, month, day, hour, minute = found.groups()
    try:
        if year is None:
            wall = present.replace(hour=int(hour), minute=int(minute), second=0, microsecond=0)
        else:
            wall = datetime(int(year), int(month), int(day), int(hour), int(minute), tzinfo=tz)
    except ValueError:
        raise _refuse("time", text, "has no such date or time", _TIMES) from None
    wall = wall.replace(fold=0)
    if wall.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != wall.replace(tzinfo=None):
        raise _refuse("time", text, f"does not exist in {tz.key} (the clocks skip it)", _TIMES)
    if wall.astimezone(UTC) > present.astimezone(UTC) + _FUTURE_TOLERANCE:
        raise _refuse("time", text, f"is in the future (it is {present:%H:%M} now)", _TIMES)
    moment = min(wall.astimezone(UTC), present.astimezone(UTC)).astimezone(tz)
    ambiguous = wall.utcoffset() != wall.replace(fold=1).utcoffset()
    return When(moment, ambiguous)
