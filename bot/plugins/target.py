"""/target set and /target show: the caller's weekly targets per client (Targets database)."""

from __future__ import annotations

from typing import Final

import crescent
import hikari

from bot.autocomplete import autocomplete_client
from bot.command_run import current_run, model_of, new_plugin
from bot.target_replies import set_target, show_targets
from bot.weeks import autocomplete_week
from timesheet.reports.render import MESSAGE_LIMIT
from timesheet.targets.errors import TargetsError
from timesheet.targets.show import render_targets_csv, render_targets_text
from timesheet.targets.spec import EVERY_WEEK
from timesheet.text import pack_lines
from timesheet.tracking.tracker import MAX_CLIENT_LENGTH

__all__ = ["plugin"]

SET_WEEK_HELP: Final = "every (default), this, last or an ISO week such as 2026-W47"
SHOW_WEEK_HELP: Final = "this (default), last or an ISO week such as 2026-W47"

plugin = new_plugin()
target = crescent.Group("target", "Your weekly targets per client")


async def autocomplete_target_week(
    ctx: crescent.AutocompleteContext, option: hikari.AutocompleteInteractionOption
) -> list[tuple[str, str]]:
    """``every``, then the weeks /timesheet offers."""
    typed = str(option.value or "").strip().casefold()
    weeks = await autocomplete_week(ctx, option)
    every = [("every week", EVERY_WEEK)] if typed in "every week" else []
    return (every + weeks)[:25]


async def _refused(exc: TargetsError) -> None:
    run = current_run()
    run.record.outcome = "refused"
    text = str(exc)
    await run.reply(text[:1].upper() + text[1:] + ("" if text.endswith(".") else "."))


@plugin.include
@target.child
@crescent.command(name="set", description="Set your target for a client (hours 0 removes it)")
class TargetSet:
    client = crescent.option(
        str, "Client", autocomplete=autocomplete_client, max_length=MAX_CLIENT_LENGTH
    )
    hours = crescent.option(str, "Hours, above 0 and at most 168 (0 removes it)", max_length=20)
    week = crescent.option(
        str, SET_WEEK_HELP, default="", autocomplete=autocomplete_target_week, max_length=20
    )

    async def callback(self, ctx: crescent.Context) -> None:
        run, model = current_run(), model_of(ctx)
        week = str(self.week).strip() or None
        try:
            line = await set_target(
                model, run.caller.user_id, self.client, str(self.hours), week, every=False
            )
        except TargetsError as exc:
            await _refused(exc)
            return
        await run.reply(line)


@plugin.include
@target.child
@crescent.command(name="show", description="Your targets of a week against the hours tracked")
class TargetShow:
    week = crescent.option(str, SHOW_WEEK_HELP, default="this", autocomplete=autocomplete_week)

    async def callback(self, ctx: crescent.Context) -> None:
        run, model = current_run(), model_of(ctx)
        try:
            shown = await show_targets(model, run.caller.user_id, str(self.week))
        except TargetsError as exc:
            await _refused(exc)
            return
        title, *table = render_targets_text(shown.lines, shown.title).split("\n")
        body = ["```", *table, "```"] if shown.lines else table
        first, *more = pack_lines(
            [f"**{title}**", *body, *(f"• {n}" for n in shown.notes)], MESSAGE_LIMIT
        )
        csv = render_targets_csv(shown.lines).encode()
        await run.reply(first, attachments=[hikari.Bytes(csv, "targets.csv", mimetype="text/csv")])
        for message in more:
            await run.reply(message)
