"""Entries as an iCalendar file (RFC 5545): a calendar view of the time, one event each.

Each finished entry is a VEVENT: UID ``<Entry ID>@timetrack`` (so a calendar app that
subscribes to or re-imports the file updates events rather than doubling them), SUMMARY
``client — name`` (just the client when the name is empty or the client itself, just the
name when there is no client), CATEGORIES the client when there is one, DTSTART and DTEND
in UTC, DESCRIPTION the note when there is one, and DTSTAMP the entry's last edit when
known, else its end: the same entries always give the same file.
A running entry is left out: it has no end yet, and an end of "now" would go stale in the
calendar and make the file depend on when it was written. The calendar's X-WR-TIMEZONE is
``tz``, which calendar apps show the events in.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from typing import TYPE_CHECKING, Final
from zoneinfo import ZoneInfo

from timesheet.entries.model import TimeEntry

if TYPE_CHECKING:
    from icalendar import Event

__all__ = ["PRODID", "UID_DOMAIN", "summary", "write"]

PRODID: Final = "-//timetrack//timetrack entries//EN"
UID_DOMAIN: Final = "timetrack"


def write(entries: Sequence[TimeEntry], *, tz: ZoneInfo) -> str:
    """A VCALENDAR of the finished ``entries``, oldest first, with CRLF line ends."""
    from icalendar import Calendar  # ~0.3 s to import: only when a calendar is written

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "timetrack")
    calendar.add("x-wr-timezone", tz.key)
    finished = [e for e in entries if e.end is not None]
    for entry in sorted(finished, key=lambda e: (e.start.astimezone(UTC), e.entry_id)):
        calendar.add_component(_event(entry))
    ical: bytes = calendar.to_ical()
    return ical.decode("utf-8")


def summary(entry: TimeEntry) -> str:
    """``client — name``, the client alone when the name adds nothing, the name alone when
    there is no client."""
    if not entry.name or entry.name == entry.client:
        return entry.client
    if not entry.client:
        return entry.name
    return f"{entry.client} — {entry.name}"


def _event(entry: TimeEntry) -> Event:
    from icalendar import Event

    assert entry.end is not None
    end = entry.end.astimezone(UTC)
    event = Event()
    event.add("uid", f"{entry.entry_id}@{UID_DOMAIN}")
    event.add("dtstamp", (entry.edited_at or end).astimezone(UTC))
    event.add("dtstart", entry.start.astimezone(UTC))
    event.add("dtend", end)
    event.add("summary", summary(entry))
    if entry.client:
        event.add("categories", [entry.client])
    if entry.note:
        event.add("description", entry.note)
    return event
