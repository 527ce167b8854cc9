"""/check: what a week's report would stumble on, for members with Manage Server."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import crescent
import hikari

from bot.command_run import current_run, model_of, new_plugin
from bot.weeks import BAD_WEEK, WEEK_HELP, autocomplete_week
from timesheet.reports.check import check_period
from timesheet.reports.render import MESSAGE_LIMIT
from timesheet.reports.week import week_period, week_title

__all__ = ["MANAGERS_ONLY", "clip_lines", "plugin"]

MANAGERS_ONLY: Final = "Only members with Manage Server can run /check."

plugin = new_plugin()


def clip_lines(lines: Sequence[str], limit: int = MESSAGE_LIMIT) -> str:
    """The lines, one a line, within ``limit`` characters: when they don't all fit, as many as
    do and then ``… and N more``. A line too long on its own is cut with an ellipsis."""
    whole = "\n".join(lines)
    if len(whole) <= limit:
        return whole
    room = limit - len(f"\n… and {len(lines)} more")
    kept: list[str] = []
    used = 0
    for line in lines:
        shown = line if len(line) <= room else line[: room - 1] + "…"
        cost = len(shown) + (1 if kept else 0)
        if used + cost > room:
            break
        kept.append(shown)
        used += cost
    rest = len(lines) - len(kept)
    return "\n".join([*kept, f"… and {rest} more"] if rest else kept)


@plugin.include
@crescent.command(
    name="check",
    description="What a week's report would stumble on, page by page (Manage Server)",
    default_member_permissions=hikari.Permissions.MANAGE_GUILD,
)
class Check:
    week = crescent.option(str, WEEK_HELP, default="this", autocomplete=autocomplete_week)

    async def callback(self, ctx: crescent.Context) -> None:
        run, model = current_run(), model_of(ctx)
        if await run.refused_unless_manager(MANAGERS_ONLY):
            return
        tz, now = model.settings.timezone, model.now()
        try:
            period = week_period(str(self.week), tz, model.settings.week_start, now)
        except ValueError:
            run.record.outcome = "refused"
            await run.reply(BAD_WEEK)
            return
        result = await check_period(model.store, period, now=now, tz=tz)
        run.record.extra["findings"] = str(len(result.findings))
        await run.reply(clip_lines(result.lines(week_title(period, tz))))
