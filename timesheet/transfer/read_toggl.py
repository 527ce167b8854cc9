"""Toggl Track's detailed CSV export as imported entries.

The file (UTF-8 with a byte order mark) has a header such as ``User, Email, Client, Project,
Task, Description, Billable, Start date, Start time, End date, End time, Duration, Tags,
Amount (USD)`` (the amount's header carries the currency; it is not read). Dates are ISO
(``2026-03-02``), times ``09:00:00`` in the account's zone: they are read in ``tz``.
The mapping and the rows' keys are `tracker_csv`'s.
"""

from __future__ import annotations

from typing import Final
from zoneinfo import ZoneInfo

from timesheet.transfer.csv_table import read_table
from timesheet.transfer.records import DateOrder, ParsedFile
from timesheet.transfer.tracker_csv import Columns, read_rows, required_columns

__all__ = ["read"]

_WHAT: Final = "a Toggl detailed CSV"
_COLUMNS: Final = Columns(
    start_date="Start date",
    start_time="Start time",
    end_date="End date",
    end_time="End time",
    duration="Duration",
)
#: ``Duration`` (not Clockify's ``Duration (h)``) tells a Toggl file from a Clockify one.
_REQUIRED: Final = (*required_columns(_COLUMNS, "Project", "Description"), "Duration")


def read(data: bytes, *, tz: ZoneInfo, date_order: DateOrder | None = None) -> ParsedFile:
    """The entries of a Toggl detailed CSV; ``date_order`` is not needed (dates are ISO) but
    reads numeric dates if a file has them."""
    table = read_table(data, what=_WHAT, required=_REQUIRED)
    return read_rows(table, _COLUMNS, tz=tz, order=date_order)
