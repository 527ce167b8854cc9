"""timetrack's own JSON: every field of every entry, Entry ID and page id included (the
backup and restore format)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Final
from zoneinfo import ZoneInfo

from timesheet.entries.model import TimeEntry
from timesheet.tracking.codec import entry_to_json

__all__ = ["FORMAT_NAME", "FORMAT_VERSION", "write"]

#: ``"format"`` of the document, so a reader knows it is ours.
FORMAT_NAME: Final = "timetrack"
FORMAT_VERSION: Final = 1


def write(entries: Sequence[TimeEntry], *, tz: ZoneInfo) -> str:
    """``{"format": "timetrack", "version": 1, "timezone": ..., "entries": [...]}``, one entry
    per line, ordered by Start; times ISO 8601 with their offsets (as stored, any zone)."""
    rows = [_row(e) for e in sorted(entries, key=lambda e: (e.start, e.entry_id))]
    lines = ",\n".join("  " + json.dumps(row, ensure_ascii=False) for row in rows)
    head = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "timezone": tz.key}
    opening = json.dumps(head, ensure_ascii=False)[:-1]
    body = f"[\n{lines}\n]" if rows else "[]"
    return f'{opening}, "entries": {body}}}\n'


def _row(entry: TimeEntry) -> dict[str, Any]:
    return entry_to_json(entry)
