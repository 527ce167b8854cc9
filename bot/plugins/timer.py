"""/start timer, /start custom, /end timer and /active (their replies carry timer buttons)."""

from __future__ import annotations

from typing import Final

import crescent

from bot.autocomplete import autocomplete_client, autocomplete_running, match_choices
from bot.command_run import current_run, model_of, new_plugin
from bot.timer_replies import TimerReply, active_reply, end_reply, start_reply
from bot.typed import read_optional_time
from timesheet.tracking.tracker import MAX_CLIENT_LENGTH, MAX_TEXT_LENGTH

__all__ = ["AT_HELP", "match_choices", "plugin"]

#: What the ``at`` option takes (the bot's TIMEZONE; the reply says how an ambiguous one was
#: read).
AT_HELP: Final = "When, in the bot's time zone: 17:30, 2026-11-30 17:30, 15m ago (default: now)"

plugin = new_plugin()
start = crescent.Group("start", "Start a timer")
end = crescent.Group("end", "Stop a timer")


async def _start_timer(
    ctx: crescent.Context, client: str, note: str, at: str, *, name: str | None = None
) -> None:
    """Start the caller's timer (/start timer, /start custom) and answer with what started."""
    run, model = current_run(), model_of(ctx)
    tz = model.settings.timezone
    reads = read_optional_time(at, tz, model.now())
    result = await model.tracker.start(
        run.caller.user_id, client, name=name, note=note, at=reads[0].moment if reads else None
    )
    await _reply(start_reply(result, tz, model.now(), run.record, reads))


async def _reply(reply: TimerReply) -> None:
    await current_run().reply(reply.text, components=reply.components)


@plugin.include
@start.child
@crescent.command(name="timer", description="Start a timer for a client")
class StartTimer:
    client = crescent.option(
        str, "Client", autocomplete=autocomplete_client, max_length=MAX_CLIENT_LENGTH
    )
    note = crescent.option(str, "Optional note", default="", max_length=MAX_TEXT_LENGTH)
    at = crescent.option(str, AT_HELP, default="", max_length=40)

    async def callback(self, ctx: crescent.Context) -> None:
        await _start_timer(ctx, self.client, str(self.note), str(self.at))


@plugin.include
@start.child
@crescent.command(name="custom", description="Start a timer with a name of your own")
class StartCustom:
    name = crescent.option(str, "What you are working on", max_length=MAX_TEXT_LENGTH)
    client = crescent.option(
        str,
        "Client (optional)",
        default="",
        autocomplete=autocomplete_client,
        max_length=MAX_CLIENT_LENGTH,
    )
    note = crescent.option(str, "Optional note", default="", max_length=MAX_TEXT_LENGTH)
    at = crescent.option(str, AT_HELP, default="", max_length=40)

    async def callback(self, ctx: crescent.Context) -> None:
        await _start_timer(ctx, str(self.client), str(self.note), str(self.at), name=self.name)


@plugin.include
@end.child
@crescent.command(name="timer", description="Stop your running timer, or the entry you pick")
class EndTimer:
    entry = crescent.option(
        str,
        "Entry: pick one, or paste a Notion page id or URL (default: your running timer)",
        default="",
        autocomplete=autocomplete_running,
    )
    at = crescent.option(str, AT_HELP, default="", max_length=40)

    async def callback(self, ctx: crescent.Context) -> None:
        run, model = current_run(), model_of(ctx)
        tz = model.settings.timezone
        reads = read_optional_time(str(self.at), tz, model.now())
        result = await model.tracker.end(
            run.caller.user_id,
            str(self.entry) or None,
            can_manage=run.caller.manages_server,
            at=reads[0].moment if reads else None,
        )
        await _reply(end_reply(result, tz, model.now(), run.record, reads))


@plugin.include
@crescent.command(name="active", description="Your running timer")
class Active:
    async def callback(self, ctx: crescent.Context) -> None:
        run, model = current_run(), model_of(ctx)
        view = await model.tracker.active_view(run.caller.user_id, tz=model.settings.timezone)
        await _reply(active_reply(view, model.settings.timezone, model.now(), run.record))
