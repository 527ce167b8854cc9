"""How reports and checks name an entry, a page, a moment and a span of time in their notes."""

from __future__ import annotations

from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

from timesheet.entries.model import TimeEntry

__all__ = [
    "NO_CLIENT",
    "TOTAL",
    "column_name",
    "describe_entry",
    "entry_span",
    "moment_text",
    "page_ref",
    "span_text",
]

TOTAL: Final = "Total"
NO_CLIENT: Final = "(no client)"


def column_name(client: str) -> str:
    """The client as a table column: blank is ``(no client)``, "Total" kept apart from totals."""
    if not client.strip():
        return NO_CLIENT
    if client == TOTAL:
        return f"{TOTAL} (client)"
    return client


def moment_text(moment: datetime, tz: ZoneInfo, *, year: bool = False) -> str:
    """E.g. ``"Mon 16 Nov 09:00"`` in ``tz`` (``"Mon 16 Nov 2026 09:00"`` with ``year``)."""
    local = moment.astimezone(tz)
    day = f"{local:%a} {local.day} {local:%b}" + (f" {local:%Y}" if year else "")
    return f"{day} {local:%H:%M}"


def entry_span(entry: TimeEntry, tz: ZoneInfo) -> str:
    """E.g. ``"Mon 16 Nov 09:00–11:30"``, ``"Mon 16 Nov 22:00–Tue 17 Nov 01:00"``, or
    ``"Mon 16 Nov 09:00–running"``."""
    start = entry.start.astimezone(tz)
    if entry.end is None:
        until = "running"
    else:
        end = entry.end.astimezone(tz)
        until = f"{end:%H:%M}" if end.date() == start.date() else moment_text(end, tz)
    return f"{moment_text(start, tz)}–{until}"


def describe_entry(entry: TimeEntry, tz: ZoneInfo) -> str:
    """E.g. ``"Acme (Mon 16 Nov 09:00–11:30)"``."""
    return f"{column_name(entry.client)} ({entry_span(entry, tz)})"


def page_ref(entry: TimeEntry) -> str:
    """The page's link, else its id."""
    return entry.url or (f"page {entry.page_id}" if entry.page_id else "a page")


def span_text(micros: int) -> str:
    """A duration for people: ``"40 s"``, ``"25 min"``, ``"2 h 05 min"``."""
    seconds = (micros + 500_000) // 1_000_000
    if seconds < 60:
        return f"{seconds} s"
    minutes = (seconds + 30) // 60
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"
