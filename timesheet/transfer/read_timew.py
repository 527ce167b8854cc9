"""``timew export`` (Timewarrior's JSON) as imported entries.

The file is an array of intervals ``{"id": 2, "start": "20261120T093000Z", "end": "…",
"tags": ["acme", "design"], "annotation": "…"}``; ``id``, ``tags``, ``annotation`` and
``end`` are optional, and an interval without ``end`` is running (its entry's end is None).
The mapping is `timew_format`'s. ``id`` changes as intervals come and go, and an interval's
end, tags and annotation change when it is stopped or re-tagged, but intervals never overlap in
Timewarrior: an interval's key is its start. So a file exported while an interval ran and again
after it ended imports it once. Times are UTC in the file, so ``tz`` and ``date_order`` are not
needed.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

from timesheet.entries.checks import normalise
from timesheet.text import clip, one_line
from timesheet.transfer.json_array import read_array
from timesheet.transfer.records import (
    DateOrder,
    ImportedEntry,
    NotThisFormat,
    ParsedFile,
    RowProblem,
)
from timesheet.transfer.timew_format import client_and_name, parse_time

__all__ = ["read"]

_WHAT: Final = "a timew export"


class _RecordError(ValueError):
    """Why one interval is skipped."""


def read(data: bytes, *, tz: ZoneInfo, date_order: DateOrder | None = None) -> ParsedFile:
    """The intervals of a ``timew export`` file, numbered from 1 in file order."""
    records = read_array(data, what=_WHAT)
    if records and not any(isinstance(r, dict) and "start" in r for r in records):
        raise NotThisFormat(f"not {_WHAT}: no interval object has a 'start'")
    entries: list[ImportedEntry] = []
    problems: list[RowProblem] = []
    for number, record in enumerate(records, start=1):
        try:
            entries.append(_entry(number, record))
        except _RecordError as exc:
            problems.append(RowProblem(number, str(exc)))
    return ParsedFile(entries=entries, problems=problems)


def _entry(number: int, record: object) -> ImportedEntry:
    if not isinstance(record, dict):
        raise _RecordError("is not an interval object")
    start = _time(record, "start")
    end = _time(record, "end") if record.get("end") is not None else None
    if end is not None and end < start:
        raise _RecordError(f"ends ({record['end']}) before it starts ({record['start']})")
    tags = record.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise _RecordError("has 'tags' that are not a list of strings")
    tags = [" ".join(normalise(t).split()) for t in tags]
    tags = [t for t in tags if t]
    annotation = record.get("annotation", "")
    if not isinstance(annotation, str):
        raise _RecordError("has an 'annotation' that is not a string")
    annotation = normalise(annotation).strip()
    client, name = client_and_name(tags)
    return ImportedEntry(
        key=start.strftime("%Y%m%dT%H%M%SZ"),
        line=number,
        start=start,
        end=end,
        client=client,
        name=name,
        note=annotation,
    )


def _time(record: dict[str, object], field: str) -> datetime:
    if field not in record:
        raise _RecordError(f"has no {field!r}")
    value = record[field]
    moment = parse_time(value) if isinstance(value, str) else None
    if moment is None:
        shown = clip(one_line(value if isinstance(value, str) else json.dumps(value)), 40)
        raise _RecordError(f"has {field} {shown!r}, not a time like 20261120T093000Z")
    return moment
