"""Times and durations people type (command options, modal fields), read in TIMEZONE."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from timesheet.entries.errors import InvalidInput, InvalidTime, TrackerError
from timesheet.entries.when import When, parse_duration, parse_when
from timesheet.text import clip, one_line

__all__ = [
    "NotDurationOrTime",
    "Read",
    "TimeToCome",
    "duration_or_time",
    "read_duration",
    "read_optional_time",
    "read_time",
]

#: ``17:30``: a clock time, not a duration, when the Adjust field is read (``1:20`` is 1 h 20).
_CLOCK_TIME: Final = re.compile(r"\d{2}:\d{2}")


class TimeToCome(TrackerError):
    """A typed time after now: time is tracked after the fact, not ahead."""

    def __init__(self, when: When) -> None:
        super().__init__(f"{when.describe()} is still to come; give a time up to now.")
        self.when = when


class NotDurationOrTime(TrackerError):
    """The Adjust field holds neither a duration nor a time."""

    def __init__(self, text: str) -> None:
        shown = clip(one_line(text.strip()), 40)
        super().__init__(
            f'"{shown}" is neither a duration (1h 20m, 80m, 1:20) nor a time '
            "(17:30, 2026-11-30 17:30, 15m ago)."
        )
        self.text = text


@dataclass(frozen=True, slots=True)
class Read:
    """A time as typed and as read; a reply shows how an ambiguous one was read."""

    text: str
    when: When

    @property
    def moment(self) -> datetime:
        return self.when.moment


def read_time(text: str, tz: ZoneInfo, now: datetime) -> Read:
    """A time up to ``now``. Raises InvalidInput (not a time), TimeToCome."""
    when = parse_when(text, tz=tz, now=now)
    if when.moment > now:
        raise TimeToCome(when)
    return Read(text.strip(), when)


def read_optional_time(text: str, tz: ZoneInfo, now: datetime) -> list[Read]:
    """An optional time option: none when left empty, else the time read (see `read_time`)."""
    return [read_time(text, tz, now)] if text.strip() else []


def read_duration(text: str) -> timedelta:
    """A duration. Raises InvalidInput."""
    return parse_duration(text)


def duration_or_time(text: str, tz: ZoneInfo, now: datetime) -> timedelta | Read:
    """The Adjust field: a duration (``1h 20m``, ``80m``, ``1:20``) or, written as ``HH:MM``
    with two-digit hours, a date, ``now`` or ``... ago``, an end time. Raises
    NotDurationOrTime, or TimeToCome for an end still to come."""
    if not _CLOCK_TIME.fullmatch(text.strip()):
        try:
            return read_duration(text)
        except InvalidInput:
            pass
    try:
        return read_time(text, tz, now)
    except InvalidTime as exc:
        if not exc.unreadable:  # a time all right, refused (future, DST gap...)
            raise
        raise NotDurationOrTime(text) from None
