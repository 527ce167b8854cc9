"""/entries: your entries of a week, with a menu to pick one to edit."""

from __future__ import annotations

import crescent

from bot.command_run import current_run, model_of, new_plugin
from bot.timer_replies import entries_reply
from bot.weeks import WEEK_HELP, autocomplete_week
from timesheet.reports.week import InvalidWeek, week_period, week_title

__all__ = ["plugin"]

plugin = new_plugin()


@plugin.include
@crescent.command(name="entries", description="Your entries of a week, to check and fix them")
class Entries:
    week = crescent.option(str, WEEK_HELP, default="this", autocomplete=autocomplete_week)

    async def callback(self, ctx: crescent.Context) -> None:
        run, model = current_run(), model_of(ctx)
        settings = model.settings
        tz = settings.timezone
        try:
            period = week_period(str(self.week), tz, settings.week_start, model.now())
        except InvalidWeek as exc:
            run.record.outcome = "refused"
            await run.reply(exc.answer("The week must be") + ".")
            return
        listed = await model.tracker.entries(run.caller.user_id, period.start, period.end)
        reply = entries_reply(listed, week_title(period, tz), tz, model.now(), run.record)
        await run.reply(reply.text, components=reply.components)
