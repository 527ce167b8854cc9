"""What `target set` is told: the hours (a number in (0, 168], or 0 to remove) and which week
(one named like ``--week`` elsewhere, or every week). Bad input is one line, nothing written."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final
from zoneinfo import ZoneInfo

from timesheet.reports.week import InvalidWeek, Period, week_label, week_period
from timesheet.targets.errors import InvalidTarget
from timesheet.targets.resolve import MAX_HOURS

__all__ = [
    "EVERY_WEEK",
    "HOURS_HELP",
    "TargetWeek",
    "parse_hours",
    "target_week",
]

#: What a hours argument takes, for the answer to a bad one.
HOURS_HELP: Final = f"hours above 0 and at most {MAX_HOURS:g} (0 removes the target)"
#: The week word meaning "every week" in /target set.
EVERY_WEEK: Final = "every"


@dataclass(frozen=True, slots=True)
class TargetWeek:
    """A week a target is for: ``first_day`` per WEEK_START, its ISO label and its local
    ``period``; or every week (``first_day`` and ``period`` None)."""

    first_day: date | None
    label: str
    period: Period | None = None

    @property
    def every(self) -> bool:
        return self.first_day is None


def parse_hours(text: str) -> float:
    """Hours as typed (``20``, ``7.5``, ``7,5``): 0 (remove) or in (0, 168], two decimals."""
    cleaned = text.strip().replace(",", ".").removesuffix("h").strip()
    try:
        hours = float(cleaned)
    except ValueError:
        raise InvalidTarget(f"{text.strip() or '(empty)'!s}: expected {HOURS_HELP}") from None
    if not math.isfinite(hours) or hours < 0 or hours > MAX_HOURS:
        raise InvalidTarget(f"{text.strip()}: expected {HOURS_HELP}")
    rounded = round(hours, 2)
    if hours > 0 and rounded == 0:
        raise InvalidTarget(f"{text.strip()}: expected {HOURS_HELP} (at least 0.01)")
    return rounded


def target_week(
    spec: str | None, tz: ZoneInfo, week_start: int, now: datetime, *, every: bool = False
) -> TargetWeek:
    """The week ``spec`` names (``this``, ``last``, ``2026-W47``; default ``this``), or every
    week when ``every`` (or ``spec`` is ``every``). Raises InvalidTarget."""
    text = (spec or "").strip()
    if every or text.casefold() in (EVERY_WEEK, "every-week", "every week"):
        if every and text:
            raise InvalidTarget("give a week or every week, not both")
        return TargetWeek(None, "every week")
    try:
        period = week_period(text or "this", tz, week_start, now)
    except InvalidWeek as exc:
        raise InvalidTarget(exc.answer("the week must be") + ", or every week") from None
    return TargetWeek(period.start.astimezone(tz).date(), week_label(period, tz), period)
