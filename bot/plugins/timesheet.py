"""/timesheet: a week's (or any period's) table, just for the caller, with the CSV and the PNG
attached."""

from __future__ import annotations

import asyncio

import crescent
import hikari

from bot.command_run import current_run, model_of, new_plugin
from bot.periods import PERIOD_HELP, autocomplete_period, chosen_period
from bot.target_replies import report_extra_notes
from bot.weeks import WEEK_HELP, autocomplete_week
from timesheet.reports.report import ReportOptions, build_timesheets

__all__ = ["plugin"]

plugin = new_plugin()


@plugin.include
@crescent.command(name="timesheet", description="A week's (or a period's) timesheet, just for you")
class Timesheet:
    week = crescent.option(
        str,
        WEEK_HELP,
        default="",
        autocomplete=autocomplete_week,
    )
    everyone = crescent.option(bool, "Everyone's entries, not only yours", default=False)
    period = crescent.option(str, PERIOD_HELP, default="", autocomplete=autocomplete_period)

    async def callback(self, ctx: crescent.Context) -> None:
        run, model = current_run(), model_of(ctx)
        settings = model.settings
        now = model.now()
        period = chosen_period(str(self.week) or None, str(self.period) or None, settings, now)
        if isinstance(period, str):
            run.record.outcome = "refused"
            await run.reply(period)
            return
        user_id = None if self.everyone else run.caller.user_id
        (sheet,) = await build_timesheets(
            model.store,
            period,
            ReportOptions.from_settings(settings),
            now,
            user_id=user_id,
            extra_notes=report_extra_notes(
                model, period, now, user_id, targets=user_id is not None
            ),
        )
        # matplotlib takes a moment: draw off the event loop so other commands go on.
        png = await asyncio.to_thread(sheet.png)
        files = [
            hikari.Bytes(sheet.csv.encode(), f"{sheet.file_stem}.csv", mimetype="text/csv"),
            hikari.Bytes(png, f"{sheet.file_stem}.png", mimetype="image/png"),
        ]
        first, *more = sheet.messages
        await run.reply(first, attachments=files)
        for message in more:
            await run.reply(message)
