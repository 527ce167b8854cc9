"""`target show`: a user's targets of a week against the hours tracked, as CSV and as text."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from timesheet.clients.model import ClientInfo
from timesheet.entries.store import EntryStore
from timesheet.reports.render import csv_text
from timesheet.reports.report import ReportOptions, build_timesheets
from timesheet.reports.week import week_title
from timesheet.targets.progress import TargetLine, client_totals, compact_hours, target_lines
from timesheet.targets.resolve import week_targets
from timesheet.targets.spec import TargetWeek
from timesheet.targets.store import TargetStore

__all__ = [
    "CSV_HEADER",
    "TargetsShown",
    "render_targets_csv",
    "render_targets_text",
    "week_against_targets",
]

#: The pinned CSV columns.
CSV_HEADER: Final = ("client", "target", "tracked", "remaining")

_SOURCES: Final = {"week": "that week", "every week": "every week", "clients": "Clients"}


def render_targets_csv(lines: Sequence[TargetLine]) -> str:
    """``client,target,tracked,remaining``: one row per target in client order, 2 decimals,
    remaining = target − tracked (negative when over)."""
    rows = [list(CSV_HEADER)]
    rows += [
        [line.client, f"{line.target:.2f}", f"{line.tracked:.2f}", f"{line.remaining:.2f}"]
        for line in lines
    ]
    return csv_text(rows)


def render_targets_text(lines: Sequence[TargetLine], title: str) -> str:
    """A small aligned table under ``title``; where each target comes from in the last column."""
    if not lines:
        return f"{title}\nNo targets. Set one with `target set CLIENT HOURS`."
    header = ("client", "target", "tracked", "remaining", "set for")
    rows = [
        (
            line.client,
            compact_hours(line.target),
            f"{line.tracked:.2f}",
            f"{line.remaining:.2f}",
            _SOURCES.get(line.source, line.source),
        )
        for line in lines
    ]
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]

    def fmt(row: Sequence[str]) -> str:
        cells = [row[0].ljust(widths[0])]
        cells += [cell.rjust(widths[i]) for i, cell in enumerate(row[1:4], start=1)]
        cells.append(row[4])
        return "  ".join(cells).rstrip()

    return "\n".join([title, fmt(header), *(fmt(r) for r in rows)])


@dataclass(frozen=True, slots=True)
class TargetsShown:
    """`target show`: the week's heading, a line per target, and notes on ignored rows."""

    title: str
    lines: list[TargetLine]
    notes: tuple[str, ...]


async def week_against_targets(
    entries: EntryStore,
    targets: TargetStore,
    user_id: str,
    week: TargetWeek,
    opts: ReportOptions,
    now: datetime,
    *,
    clients: Sequence[ClientInfo] = (),
) -> TargetsShown:
    """``user_id``'s targets of ``week`` against the hours tracked, through the report
    pipeline (the user's entries only): one query of each database (and, once per store, the
    lookup of its data source)."""
    if week.first_day is None or week.period is None:
        raise ValueError("target show needs a week, not every week")
    rows = await targets.rows_for_week(week.first_day, user_id)
    found = week_targets(rows, user_id, week.first_day, clients)
    (sheet,) = await build_timesheets(entries, week.period, opts, now, user_id=user_id)
    lines = target_lines(found, client_totals(sheet.table))
    return TargetsShown(f"Targets, {week_title(week.period, opts.tz)}", lines, found.notes)
