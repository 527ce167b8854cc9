"""The rows of a Toggl or Clockify detailed CSV as imported entries (their shared mapping).

- Client = ``Client``, else ``Project``, else none; Name = ``Description``, else the client;
  Note = ``Tags`` (as the file lists them).
- Start and end (in UTC) are the wall times of the date and time columns in the zone given. A wall
  time the clocks skip (DST gap) makes the row a problem naming it. For one that happens twice
  (DST fold) the duration column decides (01:30 → 02:30 that night is one hour or two); without
  one, it is the first of the two, except an end whose first occurrence would fall before the
  start, which takes the second (01:50 → 01:10 across the fold is 20 minutes).
- An empty end, or an end before the start, makes the row a problem.
- The key (the row's identity for idempotence) is its content, normalised: user, email,
  client, project, task, description, tags (sorted) and the start and end as UTC instants,
  so the same entry has the same key whatever the file's date format, delimiter or column
  order. A row repeating an earlier row exactly gets ``#2``, ``#3``… after its key, so both
  are kept and a second read of the file gives the same keys.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from timesheet.entries.checks import normalise
from timesheet.entries.when import is_ambiguous
from timesheet.transfer.csv_table import CsvRow, CsvTable
from timesheet.transfer.local_time import NonexistentTime, OutOfRange, aware
from timesheet.transfer.records import DateOrder, ImportedEntry, ParsedFile, RowProblem
from timesheet.transfer.wall_clock import BadDateOrTime, parse_clock, parse_date

__all__ = ["Columns", "read_rows", "required_columns"]


@dataclass(frozen=True, slots=True)
class Columns:
    """The names a tracker gives its date and time columns."""

    start_date: str
    start_time: str
    end_date: str
    end_time: str
    #: ``H:MM:SS``, which tells apart the two readings of a time the clocks show twice.
    duration: str


#: The columns whose text makes the entry and its key (absent ones count as empty).
_TEXT_COLUMNS: Final = ("User", "Email", "Client", "Project", "Task", "Description", "Tags")
_DURATION: Final = re.compile(r"(\d+):(\d{2})(?::(\d{2}))?")


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
    start, end = _instants(start, end, _duration(row.get(columns.duration)))
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
        return aware(datetime.combine(day, parse_clock(row.get(time_column))), tz)
    except (BadDateOrTime, NonexistentTime, OutOfRange) as exc:
        raise _RowError(f"{which}: {exc}") from None


def _instants(
    start: datetime, end: datetime, duration: timedelta | None
) -> tuple[datetime, datetime]:
    """The UTC instants of wall times ``start`` and ``end``. When either happens twice (DST
    fold), the readings whose span is nearest ``duration`` win; without a duration (or on a
    tie), the first of each, unless that puts the end before the start and the end's second
    reading does not."""
    starts = [start, start.replace(fold=1)] if is_ambiguous(start) else [start]
    ends = [end, end.replace(fold=1)] if is_ambiguous(end) else [end]
    # In UTC: datetimes sharing a tzinfo compare and subtract by wall time, blind to the fold.
    pairs = [(s.astimezone(UTC), e.astimezone(UTC)) for s in starts for e in ends]

    def badness(pair: tuple[datetime, datetime]) -> tuple[bool, timedelta]:
        span = pair[1] - pair[0]
        return span < timedelta(0), abs(span - duration) if duration else timedelta(0)

    return min(pairs, key=badness)  # min keeps the first of equals: first readings first


def _duration(text: str) -> timedelta | None:
    """``1:30:00`` (hours may pass 24), or None when absent or in another form."""
    match = _DURATION.fullmatch(text)
    if match is None:
        return None
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return timedelta(hours=hours, minutes=minutes, seconds=seconds)


def _iso(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).isoformat(sep=" ", timespec="minutes")


def required_columns(columns: Columns, *others: str) -> Sequence[str]:
    """The columns a file must have: ``others`` (what names the format) then the times."""
    return (*others, columns.start_date, columns.start_time, columns.end_date, columns.end_time)
