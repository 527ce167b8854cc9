"""STAND-IN for the time parser being written on another branch: durations and times people
type. Same API (``parse_duration``, ``parse_when``, ``When``), a minimal grammar; replaced
wholesale at merge.

Durations: ``1h 20m``, ``1h20m``, ``80m``, ``1:20``, ``4800s``, ``1.5h``, bare minutes (``80``);
more than 0 and at most 24 h.
Times (in ``tz``): ``now``, ``HH:MM`` (today; yesterday when that is still to come, flagged
ambiguous), ``YYYY-MM-DD HH:MM``, ``-15m`` and ``15m ago`` (any duration above).
A wall time that happens twice (a DST fold) or never (a DST gap) is flagged ambiguous too.
Every refusal is an ``InvalidInput`` whose ``str()`` is one line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from timesheet.entries.errors import InvalidInput
from timesheet.text import clip, one_line

__all__ = ["MAX_DURATION", "When", "parse_duration", "parse_when"]

#: The longest duration one can type.
MAX_DURATION: Final = timedelta(hours=24)

_UNITS: Final = {"h": 3600.0, "m": 60.0, "s": 1.0}
_PART: Final = re.compile(r"(\d+(?:\.\d+)?)\s*([hms])")
_PARTS: Final = re.compile(r"(?:\d+(?:\.\d+)?\s*[hms]\s*)+")
_CLOCK: Final = re.compile(r"(\d{1,2}):(\d{2})")
_DATED: Final = re.compile(r"(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})")
_AGO: Final = re.compile(r"-\s*(.+)|(.+?)\s+ago")
_DURATION_HELP: Final = "try 1h 20m, 80m, 1:20 or 1.5h"
_TIME_HELP: Final = "try now, 17:30, 2026-11-30 17:30, -15m or 15m ago"


def _echo(text: str) -> str:
    return clip(one_line(text.strip()), 40)


@dataclass(frozen=True, slots=True)
class When:
    """A typed time: the instant (aware, in the zone it was read in), and whether the text
    could have meant another one."""

    moment: datetime
    ambiguous: bool = False

    def describe(self) -> str:
        """``Sun 15 Nov 2026 17:30 Europe/London``: how the time was read (with its UTC
        offset when that wall time happens twice)."""
        zone = getattr(self.moment.tzinfo, "key", None) or self.moment.tzname() or "UTC"
        other = self.moment.replace(fold=1 - self.moment.fold)
        twice = other.utcoffset() != self.moment.utcoffset()  # a DST fold: say which one
        offset = f" (UTC{self.moment:%z})" if twice else ""
        return f"{self.moment:%a %d %b %Y %H:%M} {zone}{offset}"


def parse_duration(text: str) -> timedelta:
    """A duration people type (see the module docstring)."""
    raw = text.strip().lower()
    parts = _PART.findall(raw)
    if raw.isdigit():
        span = timedelta(minutes=int(raw))
    elif (clock := _CLOCK.fullmatch(raw)) is not None and int(clock.group(2)) < 60:
        span = timedelta(hours=int(clock.group(1)), minutes=int(clock.group(2)))
    elif _PARTS.fullmatch(raw) and len({unit for _, unit in parts}) == len(parts):
        span = timedelta(seconds=sum(float(n) * _UNITS[unit] for n, unit in parts))
    else:
        raise InvalidInput("duration", f'"{_echo(text)}" is not understood: {_DURATION_HELP}')
    if not timedelta(0) < span <= MAX_DURATION:
        raise InvalidInput("duration", "must be more than 0 and at most 24 h")
    return span


def _local(day: date, hour: int, minute: int, tz: ZoneInfo) -> When:
    """The instant of a wall time in ``tz``: ambiguous when it happens twice or never."""
    wall = datetime.combine(day, time(hour, minute), tzinfo=tz)
    first, second = wall.replace(fold=0), wall.replace(fold=1)
    moment = first.astimezone(UTC).astimezone(tz)
    return When(moment, ambiguous=first.utcoffset() != second.utcoffset())


def parse_when(text: str, *, tz: ZoneInfo, now: datetime) -> When:
    """A time people type, read in ``tz`` relative to ``now`` (see the module docstring)."""
    raw = text.strip().lower()
    now = now.astimezone(tz)
    if raw == "now":
        return When(now)
    if (ago := _AGO.fullmatch(raw)) is not None:
        return When(now - parse_duration(ago.group(1) or ago.group(2)))
    try:
        if (clock := _CLOCK.fullmatch(raw)) is not None:
            hour, minute = int(clock.group(1)), int(clock.group(2))
            found = _local(now.date(), hour, minute, tz)
            if found.moment > now:  # 17:30 typed at 09:00 is yesterday's
                found = _local(now.date() - timedelta(days=1), hour, minute, tz)
                return When(found.moment, ambiguous=True)
            return found
        if (dated := _DATED.fullmatch(raw)) is not None:
            y, mo, d, hour, minute = (int(g) for g in dated.groups())
            return _local(date(y, mo, d), hour, minute, tz)
    except ValueError:  # 25:00, 2026-02-30
        raise InvalidInput("time", f'"{_echo(text)}" is no such time: {_TIME_HELP}') from None
    raise InvalidInput("time", f'"{_echo(text)}" is not understood: {_TIME_HELP}')
