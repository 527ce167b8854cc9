"""The time entry: one billable interval of one user for one client."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

__all__ = ["TimeEntry", "compact_id", "dashed_id", "same_id"]


@dataclass(frozen=True, slots=True)
class TimeEntry:
    """A timer: running while ``end`` is ``None``. Datetimes are always aware.

    ``edited_at`` and ``created_at`` are the page's last edit and creation as Notion reports
    them (to the minute), when read from Notion; they only tell apart pages sharing an Entry ID
    and are ignored by ``==``.
    """

    entry_id: str
    user_id: str
    client: str
    name: str
    start: datetime
    end: datetime | None = None
    note: str = ""
    page_id: str | None = None
    url: str | None = None
    edited_at: datetime | None = field(default=None, compare=False, repr=False)
    created_at: datetime | None = field(default=None, compare=False, repr=False)
    #: Ended by a pause (Notion's Paused checkbox): the session may be resumed.
    paused: bool = False

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.start.utcoffset() is None:
            raise ValueError("TimeEntry.start must be timezone-aware")
        if self.end is not None and (self.end.tzinfo is None or self.end.utcoffset() is None):
            raise ValueError("TimeEntry.end must be timezone-aware")

    @property
    def running(self) -> bool:
        return self.end is None

    def duration(self, now: datetime) -> timedelta:
        """Length of the entry; a running entry counts up to ``now``."""
        stop = self.end if self.end is not None else now
        # Subtract in UTC: two datetimes sharing a ZoneInfo subtract by wall time, ignoring DST.
        return max(stop.astimezone(UTC) - self.start.astimezone(UTC), timedelta(0))

    def ended(self, at: datetime) -> TimeEntry:
        """A copy of this entry stopped at ``at``."""
        return replace(self, end=at)


def compact_id(text: str) -> str:
    """A Notion id (page, database, data source) or Entry ID without dashes, in lower case:
    the one form ids are compared and keyed in."""
    return text.replace("-", "").lower()


def dashed_id(hex32: str) -> str:
    """32 hex digits as a dashed lowercase UUID, the form Notion answers with."""
    h = compact_id(hex32)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def same_id(a: str, b: str) -> bool:
    """Whether two Notion ids or Entry IDs are the same one, whatever their dashes and case."""
    return compact_id(a) == compact_id(b)
