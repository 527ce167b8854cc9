"""/log, /pause, /resume and /delete entry: fixing time after the fact."""

from __future__ import annotations

from typing import Final

import crescent

from bot.autocomplete import autocomplete_client, autocomplete_recent
from bot.click_actions import own_entry, pause_now, resume_now
from bot.command_run import current_run, model_of, new_plugin
from bot.timer_replies import (
    TimerReply,
    delete_prompt_reply,
    log_reply,
)
from bot.typed import read_duration, read_optional_time
from timesheet.tracking.tracker import MAX_CLIENT_LENGTH, MAX_TEXT_LENGTH

__all__ = ["ENTRY_HELP", "plugin"]

#: What the entry option of /delete (and /edit) takes.
ENTRY_HELP: Final = "Entry: pick one, or give its short ref (from /entries), page id or URL"

plugin = new_plugin()
delete = crescent.Group("delete", "Delete an entry (its page goes to Notion's trash)")


async def _reply(reply: TimerReply) -> None:
    await current_run().reply(reply.text, components=reply.components)


@plugin.include
@crescent.command(name="log", description="Log time you worked without a timer")
class Log:
    client = crescent.option(
        str, "Client", autocomplete=autocomplete_client, max_length=MAX_CLIENT_LENGTH
    )
    duration = crescent.option(str, "How long: 1h 20m, 80m, 1:20, 1.5h", max_length=40)
    end = crescent.option(
        str, "When it ended: 17:30, 2026-11-30 17:30, 15m ago (default: now)", default=""
    )
    start = crescent.option(
        str, "Or when it started (instead of the end): 09:00, 2026-11-30 09:00", default=""
    )
    note = crescent.option(str, "Optional note", default="", max_length=MAX_TEXT_LENGTH)

    async def callback(self, ctx: crescent.Context) -> None:
        run, model = current_run(), model_of(ctx)
        tz, now = model.settings.timezone, model.now()
        duration = read_duration(self.duration)
        ends = read_optional_time(str(self.end), tz, now)
        starts = read_optional_time(str(self.start), tz, now)
        result = await model.tracker.log(
            run.caller.user_id,
            self.client,
            duration,
            start=starts[0].moment if starts else None,
            end=ends[0].moment if ends else None,
            note=str(self.note),
        )
        await _reply(log_reply(result, tz, model.now(), run.record, [*starts, *ends]))


@plugin.include
@crescent.command(name="pause", description="Pause your running timer (Resume goes on with it)")
class Pause:
    async def callback(self, ctx: crescent.Context) -> None:
        await _reply(await pause_now(current_run(), model_of(ctx)))


@plugin.include
@crescent.command(name="resume", description="Go on with your paused timer (or your latest)")
class Resume:
    async def callback(self, ctx: crescent.Context) -> None:
        await _reply(await resume_now(current_run(), model_of(ctx)))


@plugin.include
@delete.child
@crescent.command(name="entry", description="Delete one of your entries (you confirm first)")
class DeleteEntry:
    entry = crescent.option(str, ENTRY_HELP, autocomplete=autocomplete_recent)

    async def callback(self, ctx: crescent.Context) -> None:
        run, model = current_run(), model_of(ctx)
        entry = await own_entry(model, run.caller, self.entry, action="delete")
        tz = model.settings.timezone
        await _reply(delete_prompt_reply(entry, tz, model.now(), run.record))
