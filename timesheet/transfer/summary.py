"""What an import says: the summary after it ran, and the preview of ``--dry-run``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from timesheet.entries.model import TimeEntry
from timesheet.reports.week import week_label, week_period
from timesheet.reports.wording import NO_CLIENT
from timesheet.text import clip, one_line
from timesheet.transfer.convert import Planned
from timesheet.transfer.importer import ImportPlan, ImportResult
from timesheet.transfer.records import RowProblem

__all__ = ["dry_run_lines", "problem_lines", "summary_lines"]

_SHOWN = 40


def _entries(n: int) -> str:
    return f"{n} {'entry' if n == 1 else 'entries'}"


def problem_lines(problems: Iterable[RowProblem]) -> list[str]:
    return [f"  line {p.line}: {one_line(p.reason)}" for p in problems]


def _when(entry: TimeEntry, tz: ZoneInfo) -> str:
    start = entry.start.astimezone(tz)
    if entry.end is None:
        return f"{start:%Y-%m-%d %H:%M}–running"
    end = entry.end.astimezone(tz)
    same_day = end.date() == start.date()
    return (
        f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"
        if same_day
        else f"{start:%Y-%m-%d %H:%M}–{end:%Y-%m-%d %H:%M}"
    )


def _hours(entry: TimeEntry, now: datetime) -> float:
    return entry.duration(now).total_seconds() / 3600


def _entry_line(entry: TimeEntry, tz: ZoneInfo, now: datetime) -> str:
    name = clip(one_line(entry.name), _SHOWN)
    client = clip(one_line(entry.client), _SHOWN) or NO_CLIENT
    note = f" — {clip(one_line(entry.note), _SHOWN)}" if entry.note else ""
    hours = f"{_hours(entry, now):5.2f} h"
    return f"  {_when(entry, tz)}  {hours}  {client}: {name}{note}  (user {entry.user_id})"


def summary_lines(plan: ImportPlan, result: ImportResult, tz: ZoneInfo) -> list[str]:
    """``12 imported, 3 already present, 1 skipped`` and a line per skipped row, the timer
    started, and what is left in the ledger."""
    lines = [
        f"{result.imported} imported, {len(plan.present)} already present, "
        f"{len(plan.problems)} skipped"
    ]
    lines += problem_lines(plan.problems)
    for entry in result.started:
        since = entry.start.astimezone(tz)
        lines.append(
            f"Running timer started: {entry.client or entry.name} since {since:%Y-%m-%d %H:%M}"
        )
    lines += [f"  {line}" for line in result.failed]
    if result.remaining:
        why = f" ({result.stopped})" if result.stopped else ""
        lines.append(
            f"{_entries(result.remaining)} saved in the ledger, not written yet{why}: "
            "run the same import again, or `timetrack sync`"
        )
    return lines


def _week_of(moment: datetime, tz: ZoneInfo, week_start: int) -> str:
    return week_label(week_period("this", tz, week_start, moment), tz)


def dry_run_lines(plan: ImportPlan, tz: ZoneInfo, now: datetime, week_start: int = 0) -> list[str]:
    """What the import would write, nothing written: the entries, hours per client per week
    (each entry in the week it starts), overlaps with entries already in Notion, and the
    rows it would skip."""
    todo: list[Planned] = [*plan.pending, *plan.new]
    lines = [
        f"Dry run, nothing written: {len(todo)} to import, {len(plan.present)} already present, "
        f"{len(plan.problems)} skipped"
    ]
    if plan.refusal:
        lines.append(f"Would stop: {plan.refusal}")
    lines += [_entry_line(p.entry, tz, now) for p in sorted(todo, key=lambda p: p.entry.start)]
    hours: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for p in todo:
        week = _week_of(p.entry.start, tz, week_start)
        hours[week][p.entry.client or NO_CLIENT] += _hours(p.entry, now)
    if hours:
        lines.append("Hours per client per week:")
        for week in sorted(hours):
            cells = ", ".join(f"{c} {h:.2f}" for c, h in sorted(hours[week].items()))
            lines.append(f"  {week}: {cells}")
    overlaps = plan.overlaps()
    if overlaps:
        lines.append(f"Overlaps with entries already there ({len(overlaps)}):")
        for p, other in overlaps:
            lines.append(
                f"  line {p.line} ({_when(p.entry, tz)}) overlaps "
                f"{other.client or other.name} {_when(other, tz)}"
            )
    if plan.problems:
        lines.append("Rows skipped:")
        lines += problem_lines(plan.problems)
    return lines
