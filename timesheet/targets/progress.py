"""Tracked against target, and a budget's burn-down (pure): the lines reports and
`target show` print.

Burn-down, defined: a client's Budget is hours per calendar month in TIMEZONE. At a moment
``m`` the month's elapsed days ``e`` are the whole local days before ``m``'s day plus the part
of that day gone (by its real length: 23 h or 25 h on a DST day). The pace is ``used / e``
hours a day; at that pace the budget is spent after ``e × budget / used`` days of the month.
If that point is at or past the month's last day's end (or nothing is used yet) the budget is
"on track"; otherwise it runs out on the local day holding that point. At or over the budget
it says so instead. Arithmetic is exact (fractions), so a table computed by hand agrees.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from typing import Literal
from zoneinfo import ZoneInfo

from timesheet.reports.aggregate import TOTAL, WeekTable
from timesheet.reports.week import Period, local_midnight
from timesheet.targets.resolve import WeekTargets

__all__ = [
    "BudgetBurn",
    "TargetLine",
    "budget_burn",
    "burn_line",
    "client_totals",
    "compact_hours",
    "elapsed_days",
    "month_period",
    "target_line",
    "target_lines",
]


def compact_hours(hours: float) -> str:
    """``20``, ``7.5``, ``14.25``: at most two decimals, no trailing zeros."""
    return f"{hours:.2f}".rstrip("0").rstrip(".")


def client_totals(table: WeekTable) -> dict[str, float]:
    """Each client's shown total in ``table`` (the sum of its shown cells)."""
    if not len(table.shown) or table.shown.index[-1] != TOTAL:
        return {}
    last = table.shown.to_numpy(dtype=float)[-1]
    return {client: float(hours) for client, hours in zip(table.clients, last, strict=False)}


@dataclass(frozen=True, slots=True)
class TargetLine:
    """One client's target for a week against the hours tracked (2-decimal values)."""

    client: str
    target: float
    tracked: float
    source: str

    @property
    def remaining(self) -> float:
        """Target minus tracked; negative when over."""
        return round(self.target - self.tracked, 2)

    @property
    def percent(self) -> int:
        """Tracked as a whole percentage of the target, rounded down."""
        return math.floor(Fraction(str(self.tracked)) * 100 / Fraction(str(self.target)))


def target_lines(
    targets: WeekTargets, tracked: Mapping[str, float], *, fallback_if_tracked: bool = False
) -> list[TargetLine]:
    """A line per target, tracked matched to clients case-insensitively. With
    ``fallback_if_tracked`` a Clients Weekly target shows only where time was tracked (a
    report then names only the clients a user works for)."""
    by_fold: dict[str, float] = {}
    for client, hours in tracked.items():
        by_fold[client.casefold()] = by_fold.get(client.casefold(), 0.0) + hours
    lines = []
    for t in targets.targets:
        done = round(by_fold.get(t.client.casefold(), 0.0), 2)
        if fallback_if_tracked and t.source == "clients" and not done:
            continue
        lines.append(TargetLine(t.client, round(t.hours, 2), done, t.source))
    return lines


def target_line(line: TargetLine) -> str:
    """E.g. ``"Acme 14.50 / 20 h this week (72%)"``."""
    return (
        f"{line.client} {line.tracked:.2f} / {compact_hours(line.target)} h this week "
        f"({line.percent}%)"
    )


# --- budget burn-down ----------------------------------------------------------------------


def month_period(moment: datetime, tz: ZoneInfo) -> Period:
    """The local calendar month holding ``moment``."""
    day = moment.astimezone(tz).date()
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return Period(local_midnight(first, tz), local_midnight(following, tz))


def elapsed_days(moment: datetime, tz: ZoneInfo) -> Fraction:
    """Local days of the month gone by ``moment``: whole days, plus the part of the current
    day by its real length (exact)."""
    local = moment.astimezone(tz)
    today = local.date()
    start = local_midnight(today, tz).astimezone(UTC)
    end = local_midnight(today + timedelta(days=1), tz).astimezone(UTC)
    into = moment.astimezone(UTC) - start
    return (today.day - 1) + Fraction(_us(into), _us(end - start))


def _us(span: timedelta) -> int:
    return (span.days * 86_400 + span.seconds) * 1_000_000 + span.microseconds


Status = Literal["runs out", "on track", "used up", "over"]


@dataclass(frozen=True, slots=True)
class BudgetBurn:
    """A client's month against its Budget: ``run_out`` is the local day the budget runs out
    at the present pace (status "runs out"), ``over_by`` the hours past it (status "over")."""

    client: str
    budget: float
    used: float
    month: date
    this_month: bool
    status: Status
    run_out: date | None = None

    @property
    def over_by(self) -> float:
        return round(max(self.used - self.budget, 0.0), 2)


def budget_burn(
    client: str, budget: float, used: float, moment: datetime, tz: ZoneInfo, *, now: datetime
) -> BudgetBurn:
    """The burn-down of ``budget`` hours of ``moment``'s month, ``used`` of them by then (see
    the module's docstring); ``now`` only decides whether to say "this month"."""
    first = moment.astimezone(tz).date().replace(day=1)
    this_month = now.astimezone(tz).date().replace(day=1) == first
    spent, allowed = Fraction(str(round(used, 2))), Fraction(str(round(budget, 2)))

    def burn(status: Status, run_out: date | None = None) -> BudgetBurn:
        return BudgetBurn(client, budget, used, first, this_month, status, run_out)

    if spent > allowed:
        return burn("over")
    if spent == allowed:
        return burn("used up")
    elapsed = elapsed_days(moment, tz)
    days = (month_period(moment, tz).end.astimezone(tz).date() - first).days
    if spent == 0 or elapsed == 0:
        return burn("on track")
    point = elapsed * allowed / spent
    if point >= days:
        return burn("on track")
    return burn("runs out", first + timedelta(days=math.ceil(point) - 1))


def burn_line(b: BudgetBurn) -> str:
    """E.g. ``"Acme: 14.5 of 20 h this month; at this pace it runs out Thu 26 Nov"``."""
    when = "this month" if b.this_month else f"in {b.month:%b %Y}"
    head = f"{b.client}: {compact_hours(b.used)} of {compact_hours(b.budget)} h {when}"
    if b.status == "over":
        return f"{head}; over budget by {compact_hours(b.over_by)} h"
    if b.status == "used up":
        return f"{head}; budget used up"
    if b.status == "on track" or b.run_out is None:
        return f"{head}; on track"
    return f"{head}; at this pace it runs out {b.run_out:%a} {b.run_out.day} {b.run_out:%b}"
