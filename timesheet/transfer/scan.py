"""Every entry of a span of time, however many: one paginated query, split in two halves of
time (again and again) while an answer would pass Notion's 10,000-row cap."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from notion_client import IncompleteQueryError
from timesheet.entries.model import TimeEntry, compact_id
from timesheet.entries.store import EntryStore

__all__ = ["scan_span"]

#: A window this short that still hits the row cap is not split further (the error stands).
_SMALLEST: Final = timedelta(minutes=1)


async def scan_span(
    store: EntryStore, start: datetime, end: datetime, user: str | None = None
) -> list[TimeEntry]:
    """Entries overlapping ``[start, end)`` (of ``user`` when given), each page once, by
    Start. One query unless Notion's cap splits it."""
    found: dict[str, TimeEntry] = {}

    async def scan(lo: datetime, hi: datetime) -> None:
        try:
            entries = await store.list_overlapping(lo, hi, user)
        except IncompleteQueryError:
            if hi - lo <= _SMALLEST:
                raise
            middle = lo + (hi - lo) / 2
            await scan(lo, middle)
            await scan(middle, hi)
            return
        for e in entries:  # an entry across two windows is listed by both
            found.setdefault(compact_id(e.page_id or e.entry_id), e)

    await scan(start, end)
    return sorted(found.values(), key=lambda e: (e.start, e.entry_id))
