"""/start timer, /start custom, /end timer and /active (their replies carry timer buttons)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Final

import crescent
import hikari

from bot.auth import caller_from, is_allowed
from bot.command_run import current_run, model_of, new_plugin
from bot.format import format_duration, format_time
from bot.timer_replies import TimerReply, active_reply, end_reply, start_reply
from timesheet.text import clip
from timesheet.tracking.tracker import MAX_CLIENT_LENGTH, MAX_TEXT_LENGTH

__all__ = ["match_choices", "plugin"]

#: Discord shows at most 25 autocomplete choices, each name and value at most 100 characters.
MAX_CHOICES: Final = 25
MAX_CHOICE_LENGTH: Final = 100

_log = logging.getLogger("timetrack.bot")

plugin = new_plugin()
start = crescent.Group("start", "Start a timer")
end = crescent.Group("end", "Stop a timer")


def match_choices(choices: Iterable[str], typed: str) -> list[tuple[str, str]]:
    """Choices containing what was typed (case-insensitive), prefix matches first, at most 25."""
    needle = typed.strip().casefold()
    prefix: list[str] = []
    inside: list[str] = []
    for choice in dict.fromkeys(choices):
        folded = choice.casefold()
        if folded.startswith(needle):
            prefix.append(choice)
        elif needle in folded:
            inside.append(choice)
    # A choice's value is what the option receives: a longer name can't be offered at all.
    return [(c, c) for c in (prefix + inside) if len(c) <= MAX_CHOICE_LENGTH][:MAX_CHOICES]


def _allowed(ctx: crescent.AutocompleteContext) -> bool:
    settings = model_of(ctx).settings
    caller = caller_from(ctx.user, ctx.member)
    return is_allowed(caller, settings.allowed_user_ids, settings.allowed_role_ids)


async def autocomplete_client(
    ctx: crescent.AutocompleteContext, option: hikari.AutocompleteInteractionOption
) -> list[tuple[str, str]]:
    """Presets and the database's Client options matching what the user typed."""
    try:
        if not _allowed(ctx):
            return []
        choices = await model_of(ctx).client_choices()
    except Exception as exc:  # an autocomplete that raises leaves Discord waiting
        _log.warning("client autocomplete failed: %s", type(exc).__name__)
        return []
    return match_choices(choices, str(option.value or ""))


async def autocomplete_running(
    ctx: crescent.AutocompleteContext, option: hikari.AutocompleteInteractionOption
) -> list[tuple[str, str]]:
    """The caller's running entries; the value is the Notion page id."""
    try:
        if not _allowed(ctx):
            return []
        model = model_of(ctx)
        running = await model.tracker.active(str(ctx.user.id))
    except Exception as exc:
        _log.warning("entry autocomplete failed: %s", type(exc).__name__)
        return []
    tz, now = model.settings.timezone, model.now()
    typed = str(option.value or "").strip().casefold()
    found: list[tuple[str, str]] = []
    for entry in running:
        # A timer whose start is still in the outbox is named by its Entry ID.
        ref = entry.page_id or entry.entry_id
        elapsed = format_duration(entry.duration(now))
        facts = f" · since {format_time(entry.start, tz, now)} ({elapsed})"
        label = clip(entry.name or entry.client, MAX_CHOICE_LENGTH - len(facts)) + facts
        if typed in label.casefold() or typed in ref:
            found.append((label, ref))
    return found[:MAX_CHOICES]


async def _start_timer(
    ctx: crescent.Context, client: str, note: str, *, name: str | None = None
) -> None:
    """Start the caller's timer (/start timer, /start custom) and answer with what started."""
    run, model = current_run(), model_of(ctx)
    result = await model.tracker.start(run.caller.user_id, client, name=name, note=note)
    await _reply(start_reply(result, model.settings.timezone, model.now(), run.record))


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

    async def callback(self, ctx: crescent.Context) -> None:
        await _start_timer(ctx, self.client, str(self.note))


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

    async def callback(self, ctx: crescent.Context) -> None:
        await _start_timer(ctx, str(self.client), str(self.note), name=self.name)


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

    async def callback(self, ctx: crescent.Context) -> None:
        run, model = current_run(), model_of(ctx)
        result = await model.tracker.end(
            run.caller.user_id, str(self.entry) or None, can_manage=run.caller.manages_server
        )
        await _reply(end_reply(result, model.settings.timezone, model.now(), run.record))


@plugin.include
@crescent.command(name="active", description="Your running timer")
class Active:
    async def callback(self, ctx: crescent.Context) -> None:
        run, model = current_run(), model_of(ctx)
        view = await model.tracker.active_view(run.caller.user_id, tz=model.settings.timezone)
        await _reply(active_reply(view, model.settings.timezone, model.now(), run.record))
