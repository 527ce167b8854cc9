"""Clockify's detailed CSV export as imported entries.

The header is like ``Project, Client, Description, Task, User, Group, Email, Tags, Billable,
Start Date, Start Time, End Date, End Time, Duration (h), Duration (decimal), Billable Rate
(USD), Billable Amount (USD)``. Dates follow the account's locale, ``MM/DD/YYYY`` or
``DD/MM/YYYY`` (``.`` or ``-`` between the numbers too; ISO dates need no order), and times
are 12-hour (``01:30 PM``) or 24-hour (``13:30``), read in ``tz``.

The order is told from the file: a first number over 12 anywhere means day first, a second
number over 12 means month first. A file with both is refused, and so is a file where every
date reads both ways (`AmbiguousDates`) unless ``date_order`` says which. With
``date_order`` given, a date that does not read that way is its row's problem.
The mapping and the rows' keys are `tracker_csv`'s.
"""

from __future__ import annotations

from typing import Final
from zoneinfo import ZoneInfo

from timesheet.transfer.csv_table import CsvRow, CsvTable, read_table
from timesheet.transfer.records import AmbiguousDates, DateOrder, NotThisFormat, ParsedFile
from timesheet.transfer.tracker_csv import Columns, read_rows, required_columns
from timesheet.transfer.wall_clock import numeric_date_parts

__all__ = ["detect_date_order", "read"]

_WHAT: Final = "a Clockify detailed CSV"
_COLUMNS: Final = Columns(
    start_date="Start Date",
    start_time="Start Time",
    end_date="End Date",
    end_time="End Time",
    duration="Duration (h)",
)
_REQUIRED: Final = required_columns(_COLUMNS, "Project", "Description")
#: Either tells a Clockify file from a Toggl one (which has a plain ``Duration``).
_DURATIONS: Final = ("Duration (h)", "Duration (decimal)")


def read(data: bytes, *, tz: ZoneInfo, date_order: DateOrder | None = None) -> ParsedFile:
    """The entries of a Clockify detailed CSV, its dates read in ``date_order`` if given,
    else in the order the file shows."""
    table = read_table(data, what=_WHAT, required=_REQUIRED)
    if not any(table.has(name) for name in _DURATIONS):
        raise NotThisFormat(f"not {_WHAT}: no {_DURATIONS[0]!r} column")
    order = date_order if date_order is not None else detect_date_order(table)
    return read_rows(table, _COLUMNS, tz=tz, order=order)


def detect_date_order(table: CsvTable) -> DateOrder | None:
    """``"dmy"`` or ``"mdy"`` as the numeric dates of ``table`` show, None when it has none.

    Raises `NotThisFormat` when some dates are day-first and others month-first, and
    `AmbiguousDates` when every numeric date reads both ways.
    """
    day_first = month_first = 0
    dates = 0
    for row in table.rows:
        if not isinstance(row, CsvRow):
            continue
        for column in (_COLUMNS.start_date, _COLUMNS.end_date):
            parts = numeric_date_parts(row.get(column))
            if parts is None:
                continue
            dates += 1
            first, second = parts
            day_first = day_first or (row.line if first > 12 else 0)
            month_first = month_first or (row.line if second > 12 else 0)
    if day_first and month_first:
        raise NotThisFormat(
            f"not {_WHAT}: dates are day first on line {day_first} "
            f"but month first on line {month_first}"
        )
    if day_first:
        return "dmy"
    if month_first:
        return "mdy"
    if dates:
        raise AmbiguousDates(
            f"every date in this {_WHAT[2:]} reads as MM/DD/YYYY and as DD/MM/YYYY: "
            "say which with --date-order mdy or --date-order dmy"
        )
    return None
