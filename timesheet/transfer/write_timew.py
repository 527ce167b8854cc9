"""Entries as a ``timew export``-style JSON file that ``timew import`` and `read_timew` accept.

One interval per line, oldest first, as timew writes them: ``start`` and ``end`` in UTC
(``20261120T093000Z``, whole seconds), the tags of `timew_format.tags_for` (the client first,
then the name's other parts) and the note as ``annotation`` (left out when empty). A running
entry has no ``end``, which is how timew marks its open interval. Times are UTC, so ``tz`` is
not needed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC
from zoneinfo import ZoneInfo

from timesheet.entries.model import TimeEntry
from timesheet.transfer.timew_format import format_time, tags_for

__all__ = ["write"]


def write(entries: Sequence[TimeEntry], *, tz: ZoneInfo) -> str:
    """The intervals of ``entries`` as a JSON array, one per line, ending with a newline."""
    ordered = sorted(entries, key=lambda e: (e.start.astimezone(UTC), e.entry_id))
    lines = [json.dumps(_interval(e), ensure_ascii=False, separators=(",", ":")) for e in ordered]
    return "[\n" + ",\n".join(lines) + ("\n" if lines else "") + "]\n"


def _interval(entry: TimeEntry) -> dict[str, object]:
    interval: dict[str, object] = {"start": format_time(entry.start)}
    if entry.end is not None:
        interval["end"] = format_time(entry.end)
    interval["tags"] = tags_for(entry.client, entry.name)
    if entry.note:
        interval["annotation"] = entry.note
    return interval
