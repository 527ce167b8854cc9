"""timetrack's own CSV: one row per entry, ISO times with their offsets, no live formulas."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final
from zoneinfo import ZoneInfo

from timesheet.entries.model import TimeEntry
from timesheet.reports.render import csv_text

__all__ = ["COLUMNS", "write"]

COLUMNS: Final = ("entry_id", "user", "client", "name", "note", "start", "end", "hours")


def write(entries: Sequence[TimeEntry], *, tz: ZoneInfo) -> str:
    """A header and one row per entry (by Start): times in ``tz`` with their offsets, ``end``
    and ``hours`` empty while running, ``hours`` to 4 decimals (0.36 s)."""
    rows: list[Sequence[str]] = [COLUMNS]
    for e in sorted(entries, key=lambda e: (e.start, e.entry_id)):
        end = "" if e.end is None else e.end.astimezone(tz).isoformat()
        hours = "" if e.end is None else f"{e.duration(e.end).total_seconds() / 3600:.4f}"
        rows.append(
            (
                e.entry_id,
                e.user_id,
                e.client,
                e.name,
                e.note,
                e.start.astimezone(tz).isoformat(),
                end,
                hours,
            )
        )
    return csv_text(rows)
