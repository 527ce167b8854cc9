"""The ``period`` option of /timesheet: its autocomplete, and reading it beside ``week``."""

from __future__ import annotations

from datetime import datetime
from typing import Final

import crescent
import hikari

from bot.autocomplete import MAX_CHOICE_LENGTH, MAX_CHOICES
from bot.command_run import model_of
from timesheet.config import Settings
from timesheet.reports.buckets import period_title
from timesheet.reports.week import (
    NAMED_PERIODS,
    InvalidPeriod,
    InvalidWeek,
    Period,
    named_period,
    week_period,
)
from timesheet.text import clip

__all__ = ["BOTH_GIVEN", "PERIOD_HELP", "autocomplete_period", "chosen_period"]

PERIOD_HELP: Final = (
    "this-month, last-year, 2026-W47, 2026-11, 2026, 2026-11-01..2026-11-30 (not with week)"
)
BOTH_GIVEN: Final = "Give a week or a period, not both."


def _choice(spec: str, settings: Settings, now: datetime) -> tuple[str, str]:
    """``(name, value)``: the spec and the days it names, e.g. ``this-month · November 2026``."""
    tz, start = settings.timezone, settings.week_start
    title = period_title(named_period(spec, tz, start, now), tz, start)
    return clip(f"{spec} · {title}", MAX_CHOICE_LENGTH), spec


async def autocomplete_period(
    ctx: crescent.AutocompleteContext, option: hikari.AutocompleteInteractionOption
) -> list[tuple[str, str]]:
    """The named periods containing what was typed; anything else that names a period (a
    month, a year, a range of days) is offered first, as typed."""
    typed = str(option.value or "").strip()
    needle = typed.casefold()
    try:
        model = model_of(ctx)
        settings, now = model.settings, model.now()
        specs = [spec for spec in NAMED_PERIODS if needle in spec]
        if typed and needle not in specs and len(typed) <= MAX_CHOICE_LENGTH:
            try:
                return [_choice(typed, settings, now), *(_choice(s, settings, now) for s in specs)]
            except InvalidPeriod:
                pass
        return [_choice(spec, settings, now) for spec in specs][:MAX_CHOICES]
    except Exception:  # an autocomplete that raises leaves Discord waiting
        return [(spec, spec) for spec in NAMED_PERIODS if needle in spec]


def chosen_period(
    week: str | None, period: str | None, settings: Settings, now: datetime
) -> Period | str:
    """The period a ``week`` or ``period`` option names (this week when neither), or the one
    line to answer when both are given or the one given names nothing."""
    tz, start = settings.timezone, settings.week_start
    if week is not None and period is not None:
        return BOTH_GIVEN
    try:
        if period is not None:
            return named_period(period, tz, start, now)
        return week_period(week or "this", tz, start, now)
    except InvalidPeriod as exc:
        return exc.answer("The period must be") + "."
    except InvalidWeek as exc:
        return exc.answer("The week must be") + "."
