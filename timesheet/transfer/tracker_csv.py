"""The rows of a Toggl or Clockify detailed CSV as imported entries (their shared mapping).

- Client = ``Client``, else ``Project``, else none; Name = ``Description``, else the client;
  Note = ``Tags`` (as the file lists them).
- Start and end (in UTC) are the wall times of the date and time columns in the zone given. A wall
  time the clocks skip (DST gap) makes the row a problem naming it. One that happens twice
  (DST fold) is the first of the two, except an end whose first occurrence would fall before
  the start, which takes the second (01:50 → 01:10 across the fold is 20 minutes).
- An empty end, or an end before the start, makes the row a problem.
- The key (the row's identity for idempotence) is its content, normalised: user, email,
  client, project, task, description, tags (sorted) and the start and end as UTC instants,
  so the same entry has the same key whatever the file's date format, delimiter or column
  order. A row repeating an earlier row exactly gets ``#2``, ``#3``… after its key, so both
  are kept and a second read of the file gives the same keys.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from timesheet.entries.checks import normalise
from timesheet.transfer.csv_table import CsvRow, CsvTable
from timesheet.transfer.local_time import (
    BadDateOrTime,
    SkippedWallTime,
    is_ambiguous,
    local_moment,
    parse_clock,
    parse_date,
)
from timesheet.transfer.records import DateOrder, ImportedEntry, ParsedFile, RowProblem

__all__ = ["Columns", "read_rows", "required_columns"]


@dataclass(frozen=True, slots=True)
class Columns:
    """The names a tracker gives its date and time columns."""

    start_date: str
    start_time: str
    end_date: str
    end_time: str


class _RowError(ValueError):
    """Why one row is skipped."""


def read_rows(
    table: CsvTable, columns: Columns, *, tz: ZoneInfo, order: DateOrder | None
) -> ParsedFile:
    """Every row of ``table`` as an entry, or as a problem; ``order`` reads numeric dates."""
    entries: list[ImportedEntry] = []
    problems: list[RowProblem] = []
    seen: Counter[str] = Counter()
    for row in table.rows:
        if isinstance(row, RowProblem):
            problems.append(row)
            continue
        try:
            entry = _entry(row, columns, tz, order)
        except _RowError as exc:
            problems.append(RowProblem(row.line, str(exc)))
            continue
        seen[entry.key] += 1
        if seen[entry.key] > 1:
            entry = replace(entry, key=f"{entry.key}#{seen[entry.key]}")
        entries.append(entry)
    return ParsedFile(entries=entries, problems=problems)


def _entry(row: CsvRow, columns: Columns, tz: ZoneInfo, order: DateOrder | None) -> ImportedEntry:
    text = {name: " ".join(normalise(row.get(name)).split()) for name in _TEXT_COLUMNS}
    client = text["Client"] or text["Project"] or None
    start = _moment(row, columns.start_date, columns.start_time, tz, order, "start")
    if not row.get(columns.end_time):
        raise _RowError("has no end time")
    end = _moment(row, columns.end_date, columns.end_time, tz, order, "end", default_day=start)
    if end.astimezone(UTC) < start.astimezone(UTC) and is_ambiguous(end):
        end = end.replace(fold=1)
    # In UTC: datetimes sharing a tzinfo compare by wall time, blind to the fold.
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end < start:
        raise _RowError(f"ends ({_iso(end, tz)}) before it starts ({_iso(start, tz)})")
    tags = [t.strip() for t in text["Tags"].split(",") if t.strip()]
    key = json.dumps(
        [
            *(text[name] for name in _TEXT_COLUMNS if name != "Tags"),
            sorted(tags),
            start.isoformat(),
            end.isoformat(),
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return ImportedEntry(
        key=key,
        line=row.line,
        start=start,
        end=end,
        client=client,
        name=text["Description"] or client or "",
        note=", ".join(tags),
    )


#: The columns whose text makes the entry and its key (absent ones count as empty).
_TEXT_COLUMNS = ("User", "Email", "Client", "Project", "Task", "Description", "Tags")


def _moment(
    row: CsvRow,
    date_column: str,
    time_column: str,
    tz: ZoneInfo,
    order: DateOrder | None,
    which: str,
    *,
    default_day: datetime | None = None,
) -> datetime:
    try:
        date_text = row.get(date_column)
        if not date_text and default_day is not None:
            day = default_day.date()
        else:
            day = parse_date(date_text, order)
        return local_moment(day, parse_clock(row.get(time_column)), tz)
    except (BadDateOrTime, SkippedWallTime) as exc:
        raise _RowError(f"{which}: {exc}") from None


def _iso(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).isoformat(sep=" ", timespec="minutes")


def required_columns(columns: Columns, *others: str) -> Sequence[str]:
    """The columns a file must have: ``others`` (what names the format) then the times."""
    return (*others, columns.start_date, columns.start_time, columns.end_date, columns.end_time)
