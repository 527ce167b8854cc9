"""``timetrack export``: the entries of a period, written in one of the export formats."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from timesheet.entries.model import TimeEntry
from timesheet.entries.store import EntryStore
from timesheet.reports.week import Period
from timesheet.transfer.formats import writer

__all__ = ["export_period", "period_entries"]

#: Formats that hold only ended entries.
_ENDED_ONLY = frozenset({"ics"})


async def period_entries(
    store: EntryStore, period: Period, user: str | None = None
) -> list[TimeEntry]:
    """Every entry overlapping ``period`` (running ones included, of ``user`` when given),
    whole: one paginated query. Its report is the period's report."""
    return await store.list_overlapping(period.start, period.end, user)


async def export_period(
    store: EntryStore, period: Period, fmt: str, tz: ZoneInfo, user: str | None = None
) -> tuple[str, int]:
    """The text of ``fmt`` (FormatUnavailable when unknown, checked before Notion is read)
    and how many entries it holds (a calendar leaves running ones out: they have no end)."""
    write = writer(fmt)
    entries = await period_entries(store, period, user)
    held = [e for e in entries if e.end is not None] if fmt in _ENDED_ONLY else entries
    return write(held, tz=tz), len(held)
