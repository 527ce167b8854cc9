"""The lines targets and budgets add to a report's notes (the weekly post, /timesheet):
"Acme 14.50 / 20 h this week (72%)" per target of the table's user, and a burn-down line per
client with a Budget that has time in the table."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from timesheet.clients.model import ClientInfo
from timesheet.entries.store import EntryStore
from timesheet.reports.aggregate import WeekTable
from timesheet.reports.buckets import is_week
from timesheet.reports.report import ReportOptions, build_timesheets
from timesheet.reports.week import Period
from timesheet.targets.progress import (
    budget_burn,
    burn_line,
    client_totals,
    month_period,
    target_line,
    target_lines,
)
from timesheet.targets.resolve import week_targets
from timesheet.targets.schema import TargetRow
from timesheet.targets.store import TargetStore

__all__ = ["NotesFor", "ReportExtras", "load_report_extras", "week_of_period"]

#: Extra note lines for a table: called with the table's user (None: everyone) and the table.
NotesFor = Callable[[str | None, WeekTable], Sequence[str]]


def week_of_period(period: Period, tz: ZoneInfo, week_start: int) -> date | None:
    """The first day of ``period`` when it is one whole week (per WEEK_START), else None:
    targets are weekly, so other periods get no target lines."""
    return period.start.astimezone(tz).date() if is_week(period, tz, week_start) else None


@dataclass(frozen=True)
class ReportExtras:
    """What the notes need, read once for all of a report's tables: the Targets rows of the
    week (every user's), the clients' facts, and everyone's hours per client this month."""

    week: date | None
    tz: ZoneInfo
    now: datetime
    rows: Sequence[TargetRow] = ()
    clients: Sequence[ClientInfo] = ()
    month_used: Mapping[str, float] = field(default_factory=dict)

    def notes(self, user_id: str | None, table: WeekTable) -> list[str]:
        """Target lines for ``user_id``'s table (none for everyone's), then budget lines for
        the clients of the table that have a Budget."""
        lines: list[str] = []
        if user_id is not None and self.week is not None:
            targets = week_targets(self.rows, user_id, self.week, self.clients)
            found = target_lines(targets, client_totals(table), fallback_if_tracked=True)
            lines += [target_line(line) for line in found]
            lines += targets.notes
        in_table = {client.casefold() for client in table.clients}
        used = _folded(self.month_used)
        for info in self.clients:
            name = info.name.strip()
            if info.archived or not info.budget or info.budget <= 0:
                continue
            if name.casefold() in in_table:
                hours = used.get(name.casefold(), 0.0)
                burn = budget_burn(name, info.budget, hours, self.now, self.tz, now=self.now)
                lines.append(burn_line(burn))
        return lines


def _folded(hours: Mapping[str, float]) -> dict[str, float]:
    folded: dict[str, float] = {}
    for client, value in hours.items():
        folded[client.casefold()] = round(folded.get(client.casefold(), 0.0) + value, 2)
    return folded


async def load_report_extras(
    entries: EntryStore,
    targets: TargetStore | None,
    period: Period,
    opts: ReportOptions,
    now: datetime,
    *,
    clients: Sequence[ClientInfo] = (),
    user_id: str | None = None,
) -> ReportExtras:
    """Read what `ReportExtras.notes` needs: one query of the Targets database for the
    report's week (``user_id``'s rows only when given), and, only when a client has a
    Budget, the month of ``now`` through the report pipeline (everyone's entries)."""
    week = week_of_period(period, opts.tz, opts.week_start)
    rows: list[TargetRow] = []
    if targets is not None and week is not None:
        rows = await targets.rows_for_week(week, user_id)
    used: dict[str, float] = {}
    if any(c.budget and not c.archived for c in clients):
        (month,) = await build_timesheets(entries, month_period(now, opts.tz), opts, now)
        used = client_totals(month.table)
    return ReportExtras(week, opts.tz, now, rows, clients, used)
