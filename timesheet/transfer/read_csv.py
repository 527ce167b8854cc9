"""Reads timetrack's own CSV (``write_csv``); a time without an offset is read in ``tz``."""

from __future__ import annotations

from datetime import datetime
from typing import Final, Literal
from zoneinfo import ZoneInfo

from timesheet.reports.render import spreadsheet_safe
from timesheet.transfer.csv_table import CsvRow, column_key, read_table
from timesheet.transfer.local_time import NonexistentTime, OutOfRange, aware
from timesheet.transfer.records import ImportedEntry, NotThisFormat, ParsedFile, RowProblem

__all__ = ["read"]

_WHAT: Final = "timetrack CSV"
_REQUIRED: Final = ("start", "end", "client", "name")


def read(
    data: bytes, *, tz: ZoneInfo, date_order: Literal["mdy", "dmy"] | None = None
) -> ParsedFile:
    """Rows of ``entry_id,user,client,name,note,start,end,hours`` (any order; ``entry_id``,
    ``user``, ``note`` and ``hours`` optional), with the variants `csv_table` forgives (``;``
    or tab between fields, as a spreadsheet saves it in some locales). A row without
    ``entry_id`` is keyed by its content. The ``'`` written before a formula is taken off
    again. Lines count from 1, the header being line 1."""
    table = read_table(data, what=_WHAT, required=())
    missing = [c for c in _REQUIRED if not table.has(c)]
    if missing:
        raise NotThisFormat(f"not {_WHAT}: no column {', '.join(missing)}")
    parsed = ParsedFile()
    for row in table.rows:
        if isinstance(row, RowProblem):
            parsed.problems.append(row)
            continue
        try:
            parsed.entries.append(_entry(row, tz))
        except ValueError as exc:
            parsed.problems.append(RowProblem(row.line, str(exc)))
    return parsed


def _cell(row: CsvRow, column: str) -> str:
    value = row.fields.get(column_key(column), "")
    unquoted = value[1:] if value.startswith("'") else value
    # Only the quote ``write_csv`` adds: the cell it protected gives the same cell back.
    return unquoted if value and spreadsheet_safe(unquoted) == value else value


def _time(text: str, column: str, tz: ZoneInfo) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{column}: {text.strip()!r} is not an ISO time") from None
    try:
        return aware(moment, tz)
    except (NonexistentTime, OutOfRange) as exc:
        raise ValueError(f"{column}: {exc}") from None


def _entry(row: CsvRow, tz: ZoneInfo) -> ImportedEntry:
    start_text, end_text = _cell(row, "start"), _cell(row, "end")
    if not start_text.strip():
        raise ValueError("start is empty")
    start = _time(start_text, "start", tz)
    end = _time(end_text, "end", tz) if end_text.strip() else None
    client, name = _cell(row, "client"), _cell(row, "name")
    entry_id = _cell(row, "entry_id").strip() or None
    key = entry_id or "|".join((_cell(row, "user"), client, name, start.isoformat(), end_text))
    return ImportedEntry(
        key=key,
        line=row.line,
        start=start,
        end=end,
        client=client or None,
        name=name or client,
        note=_cell(row, "note"),
        entry_id=entry_id,
        user_id=_cell(row, "user").strip() or None,
    )
