"""`target show`: a user's targets of a week against the hours tracked, as CSV and as text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from timesheet.reports.render import csv_text
from timesheet.targets.progress import TargetLine, compact_hours

__all__ = ["CSV_HEADER", "render_targets_csv", "render_targets_text"]

#: The pinned CSV columns.
CSV_HEADER: Final = ("client", "target", "tracked", "remaining")

_SOURCES: Final = {"week": "this week", "every week": "every week", "clients": "Clients"}


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
