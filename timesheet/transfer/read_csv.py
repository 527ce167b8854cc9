"""Reads timetrack's own CSV (``write_csv``); a time without an offset is read in ``tz``."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Final, Literal
from zoneinfo import ZoneInfo

from timesheet.reports.render import spreadsheet_safe
from timesheet.transfer.local_time import NonexistentTime, OutOfRange, aware
from timesheet.transfer.records import ImportedEntry, NotThisFormat, ParsedFile, RowProblem

__all__ = ["read"]

_REQUIRED: Final = ("start", "end", "client", "name")


def read(
    data: bytes, *, tz: ZoneInfo, date_order: Literal["mdy", "dmy"] | None = None
) -> ParsedFile:
    """Rows of ``entry_id,user,client,name,note,start,end,hours`` (any order; ``entry_id``,
    ``user``, ``note`` and ``hours`` optional). A row without ``entry_id`` is keyed by its
    content. The ``'`` written before a formula is taken off again. Lines count from 1, the
    header being line 1."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise NotThisFormat("not timetrack CSV: not UTF-8 text") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in reader.fieldnames or ()]
    missing = [c for c in _REQUIRED if c not in header]
    if missing:
        raise NotThisFormat(f"not timetrack CSV: no column {', '.join(missing)}")
    reader.fieldnames = header
    parsed = ParsedFile()
    for row in reader:
        line = reader.line_num
        try:
            parsed.entries.append(_entry(line, row, tz))
        except ValueError as exc:
            parsed.problems.append(RowProblem(line, str(exc)))
    return parsed


def _cell(row: dict[str, str | None], key: str) -> str:
    value = row.get(key) or ""
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


def _entry(line: int, row: dict[str, str | None], tz: ZoneInfo) -> ImportedEntry:
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
        line=line,
        start=start,
        end=end,
        client=client or None,
        name=name or client,
        note=_cell(row, "note"),
        entry_id=entry_id,
        user_id=_cell(row, "user").strip() or None,
    )
