"""The ``week`` option shared by /timesheet and /check: its autocomplete and its refusal."""

from __future__ import annotations

from datetime import timedelta
from typing import Final

import crescent
import hikari

from bot.command_run import model_of
from timesheet.reports.week import week_label, week_period

__all__ = ["BAD_WEEK", "PAST_WEEKS", "WEEK_HELP", "autocomplete_week"]

#: How many past ISO weeks the week option suggests after "this" and "last".
PAST_WEEKS: Final = 8
WEEK_HELP: Final = "this, last or an ISO week such as 2026-W47"
BAD_WEEK: Final = "The week must be this, last or an ISO week such as 2026-W47."


async def autocomplete_week(
    ctx: crescent.AutocompleteContext, option: hikari.AutocompleteInteractionOption
) -> list[tuple[str, str]]:
    """``this``, ``last`` and the ISO labels of the weeks before, filtered by what was typed."""
    try:
        model = model_of(ctx)
        tz, start = model.settings.timezone, model.settings.week_start
        now = model.now()
        labels = ["this", "last"]
        for weeks_back in range(PAST_WEEKS):
            period = week_period("this", tz, start, now - timedelta(weeks=weeks_back))
            labels.append(week_label(period, tz))
    except Exception:  # an autocomplete that raises leaves Discord waiting
        return [("this", "this"), ("last", "last")]
    typed = str(option.value or "").strip().casefold()
    return [(label, label) for label in dict.fromkeys(labels) if typed in label.casefold()][:25]
