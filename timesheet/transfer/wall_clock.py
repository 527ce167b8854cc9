"""Dates and clock times as the CSV exports of other trackers write them.

- Clock times: 24-hour ``13:30`` / ``13:30:15`` and 12-hour ``1:30 PM`` / ``01:30:15pm``
  (`parse_clock`).
- Dates: ISO ``2026-03-04``, or numeric ``03/04/2026`` (also with ``.`` or ``-``) whose
  day/month order the caller knows (`parse_date`, `numeric_date_parts`).

`local_time.aware` makes wall times aware, refusing those the clocks skip;
`timesheet.entries.when.is_ambiguous` tells a wall time that happens twice.
"""

from __future__ import annotations

import re
from datetime import date, time
from typing import Final

from timesheet.text import clip, one_line
from timesheet.transfer.records import DateOrder

__all__ = [
    "BadDateOrTime",
    "numeric_date_parts",
    "parse_clock",
    "parse_date",
]

_CLOCK: Final = re.compile(
    r"(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?\s*(?P<ampm>[ap]\.?m\.?)?", re.IGNORECASE
)
_ISO_DATE: Final = re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})")
_NUMERIC_DATE: Final = re.compile(
    r"(?P<a>\d{1,2})(?P<sep>[/.\-])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4})"
)


class BadDateOrTime(ValueError):
    """A date or clock time that cannot be read; ``str()`` is one line."""


def parse_clock(text: str) -> time:
    """``13:30``, ``13:30:15``, ``1:30 PM``, ``12:05 am`` as a time of day."""
    match = _CLOCK.fullmatch(text.strip())
    if match is None:
        raise BadDateOrTime(f"time {_shown(text)} is not HH:MM[:SS] or H:MM AM/PM")
    hour, minute = int(match["h"]), int(match["m"])
    second = int(match["s"] or 0)
    if match["ampm"]:
        if not 1 <= hour <= 12:
            raise BadDateOrTime(f"time {_shown(text)} has hour {hour} with AM/PM")
        pm = match["ampm"][0].lower() == "p"
        hour = hour % 12 + (12 if pm else 0)
    if hour > 23 or minute > 59 or second > 59:
        raise BadDateOrTime(f"time {_shown(text)} is not a time of day")
    return time(hour, minute, second)


def numeric_date_parts(text: str) -> tuple[int, int] | None:
    """The first two numbers of a numeric date ``03/04/2026`` (``03.04.2026``, ``3-4-2026``),
    or None when ``text`` is not one (an ISO date, say): what tells day-first from month-first."""
    match = _NUMERIC_DATE.fullmatch(text.strip())
    return None if match is None else (int(match["a"]), int(match["b"]))


def parse_date(text: str, order: DateOrder | None) -> date:
    """An ISO date, or a numeric one read in ``order`` (None: ISO dates only)."""
    stripped = text.strip()
    iso = _ISO_DATE.fullmatch(stripped)
    if iso is not None:
        return _date(int(iso["y"]), int(iso["m"]), int(iso["d"]), stripped, "YYYY-MM-DD")
    numeric = _NUMERIC_DATE.fullmatch(stripped)
    if numeric is None or order is None:
        shapes = "YYYY-MM-DD" if order is None else f"YYYY-MM-DD or {_SHAPE[order]}"
        raise BadDateOrTime(f"date {_shown(stripped)} is not {shapes}")
    a, b = int(numeric["a"]), int(numeric["b"])
    month, day = (a, b) if order == "mdy" else (b, a)
    return _date(int(numeric["y"]), month, day, stripped, _SHAPE[order])


def _date(year: int, month: int, day: int, text: str, shape: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise BadDateOrTime(f"date {_shown(text)} is not a date read as {shape}") from None


_SHAPE: Final[dict[DateOrder, str]] = {"mdy": "MM/DD/YYYY", "dmy": "DD/MM/YYYY"}


def _shown(text: str) -> str:
    """A cell as a message quotes it: on one line, clipped."""
    return repr(clip(one_line(text.strip()), 40))
