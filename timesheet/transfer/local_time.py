"""Wall times read from files: a naive time is read in the import's time zone, refusing the
hour the clocks skip (a DST gap); a time that happens twice is the first of the two."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from timesheet.entries.when import wall_time_exists

__all__ = ["NonexistentTime", "OutOfRange", "aware"]


class NonexistentTime(ValueError):
    """A local wall time the clocks skip in the zone (``str()`` says which, one line)."""

    def __init__(self, naive: datetime, tz: ZoneInfo) -> None:
        super().__init__(f"{naive:%Y-%m-%d %H:%M} does not exist in {tz.key} (clocks go forward)")


class OutOfRange(ValueError):
    """A wall time so near the ends of the calendar that it has no UTC instant (year 1 or
    9999); ``str()`` is one line."""

    def __init__(self, naive: datetime) -> None:
        super().__init__(f"{naive.isoformat(sep=' ', timespec='minutes')} is out of range")


def aware(moment: datetime, tz: ZoneInfo) -> datetime:
    """``moment`` as is when it carries an offset, else its wall time in ``tz`` (the first of
    two in a DST fold); NonexistentTime for a wall time in a DST gap, OutOfRange for one
    with no UTC instant."""
    if moment.tzinfo is not None and moment.utcoffset() is not None:
        return moment
    local = moment.replace(tzinfo=tz, fold=0)
    try:
        exists = wall_time_exists(local)
    except OverflowError:
        raise OutOfRange(moment) from None
    if not exists:
        raise NonexistentTime(moment, tz)
    return local
