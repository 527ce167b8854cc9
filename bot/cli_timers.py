"""The ``timetrack`` timer commands, as TIMETRACK_USER: start, end, active, pause, resume, and
fixing time after the fact (log, edit, delete, entries).

Every typed time (WHEN) is read in TIMEZONE against the model's clock before anything is
written; a time that happens twice (a DST fold) gets a line saying which one was taken.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Final, TypeVar

from bot.cli_base import (
    EXIT_OK,
    PERIOD_HELP,
    as_handler,
    explained,
    open_model,
    period_of,
    say,
    user_of,
)
from timesheet.config import Settings

if TYPE_CHECKING:
    from bot.model import Model
    from timesheet.reports.week import Period

__all__ = ["add_timer_commands", "glue_times"]

T = TypeVar("T")
_WHEN = "WHEN"
_WHEN_OPTIONS: Final = frozenset({"--at", "--start", "--end"})
_WHEN_HELP = "now, 14:30, 2026-03-02 09:00, -15m or 15m ago (in TIMEZONE)"


class _Times:
    """Reads the WHEN options of one command, and keeps a line for each that is ambiguous."""

    def __init__(self, model: Model) -> None:
        self.tz = model.settings.timezone
        self.now = model.now()
        self.notes: list[str] = []

    def read(self, text: str | None) -> datetime | None:
        if text is None:
            return None
        from bot.format import format_read_as
        from timesheet.entries.when import parse_when

        when = parse_when(text, tz=self.tz, now=self.now)
        if when.ambiguous:
            self.notes.append(format_read_as(text, when.describe(), self.tz))
        return when.moment

    def reply(self, text: str) -> int:
        say("\n".join([text, *self.notes]))
        return EXIT_OK


async def _written(model: Model, call: Awaitable[T]) -> T:
    """``call``'s result; a write Notion refused as invalid names what the database lacks."""
    from notion_client import ValidationError

    try:
        return await call
    except ValidationError as exc:
        raise await explained(model, exc) from None


# --- timers -----------------------------------------------------------------------------------


async def _start(args: argparse.Namespace, settings: Settings) -> int:
    from bot.format import format_start

    user = user_of(settings)
    async with open_model(settings) as model:
        times = _Times(model)
        at = times.read(args.at)
        started = model.tracker.start(user, args.client, note=args.note or "", at=at)
        result = await _written(model, started)
        return times.reply(format_start(result, times.tz, model.now(), markdown=False))


async def _end(args: argparse.Namespace, settings: Settings) -> int:
    from bot.format import format_end

    user = user_of(settings)
    async with open_model(settings) as model:
        times = _Times(model)
        at = times.read(args.at)
        result = await _written(model, model.tracker.end(user, args.entry, at=at))
        return times.reply(format_end(result, times.tz, model.now(), markdown=False))


async def _active(args: argparse.Namespace, settings: Settings) -> int:
    from bot.format import format_active

    user = user_of(settings)
    async with open_model(settings) as model:
        view = await model.tracker.active_view(user, tz=settings.timezone)
        say(format_active(view, settings.timezone, model.now(), markdown=False))
    return EXIT_OK


async def _pause(args: argparse.Namespace, settings: Settings) -> int:
    from bot.format import format_pause

    user = user_of(settings)
    async with open_model(settings) as model:
        result = await _written(model, model.tracker.pause(user))
        say(format_pause(result, settings.timezone, model.now(), markdown=False))
    return EXIT_OK


async def _resume(args: argparse.Namespace, settings: Settings) -> int:
    from bot.format import format_resume

    user = user_of(settings)
    async with open_model(settings) as model:
        result = await _written(model, model.tracker.resume(user))
        say(format_resume(result, settings.timezone, model.now(), markdown=False))
    return EXIT_OK


# --- fixing time after the fact ---------------------------------------------------------------


async def _log(args: argparse.Namespace, settings: Settings) -> int:
    from bot.format import format_log
    from timesheet.entries.when import parse_duration

    user = user_of(settings)
    duration = parse_duration(args.duration)
    async with open_model(settings) as model:
        times = _Times(model)
        start, end = times.read(args.start), times.read(args.end)
        result = await _written(
            model,
            model.tracker.log(user, args.client, duration, start=start, end=end, note=args.note),
        )
        return times.reply(format_log(result, times.tz, model.now(), markdown=False))


async def _edit(args: argparse.Namespace, settings: Settings) -> int:
    from bot.format import format_edit
    from timesheet.entries.when import parse_duration
    from timesheet.tracking.operations import Changes

    user = user_of(settings)
    duration = None if args.duration is None else parse_duration(args.duration)
    async with open_model(settings) as model:
        times = _Times(model)
        changes = Changes(
            start=times.read(args.start),
            end=times.read(args.end),
            duration=duration,
            client=args.client,
            name=args.name,
            note=args.note,
        )
        result = await _written(model, model.tracker.edit(user, args.entry, changes))
        return times.reply(format_edit(result, times.tz, model.now(), markdown=False))


async def _delete(args: argparse.Namespace, settings: Settings) -> int:
    from bot.format import format_delete

    user = user_of(settings)
    async with open_model(settings) as model:
        result = await _written(model, model.tracker.delete(user, args.entry))
        say(format_delete(result, settings.timezone, model.now(), markdown=False))
    return EXIT_OK


def _title(period: Period, settings: Settings, by_week: bool) -> str:
    from timesheet.reports.week import period_days, week_title

    if by_week:
        return week_title(period, settings.timezone)
    days = period_days(period, settings.timezone)
    first, last = days[0], days[-1]
    if first == last:
        return f"{first:%a %d %b %Y}"
    return f"{first:%a %d %b} – {last:%a %d %b %Y}"


async def _entries(args: argparse.Namespace, settings: Settings) -> int:
    from bot.format import format_entries

    user = user_of(settings)
    async with open_model(settings) as model:
        now = model.now()
        period = period_of(args, settings, now)
        listed = await model.tracker.entries(user, period.start, period.end)
        title = _title(period, settings, by_week=args.period is None)
        say(format_entries(listed, title, settings.timezone, now, markdown=False))
    return EXIT_OK


# --- parser -----------------------------------------------------------------------------------


def glue_times(argv: Sequence[str]) -> list[str]:
    """``--at -15m`` as ``--at=-15m``: argparse would take ``-15m`` for an option."""
    glued: list[str] = []
    for arg in argv:
        if glued and glued[-1] in _WHEN_OPTIONS and arg.startswith("-") and arg[1:2].isdigit():
            glued[-1] = f"{glued[-1]}={arg}"
        else:
            glued.append(arg)
    return glued


def add_timer_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The timer commands, in the order ``--help`` lists them."""
    start = sub.add_parser("start", help="start a timer as TIMETRACK_USER")
    start.add_argument("client", metavar="CLIENT")
    start.add_argument("--note", metavar="TEXT", default="")
    start.add_argument("--at", metavar=_WHEN, help=f"started earlier: {_WHEN_HELP}")
    start.set_defaults(handler=as_handler(_start))

    end = sub.add_parser("end", help="stop your running timer, or ENTRY (short ref, id or URL)")
    end.add_argument("entry", metavar="ENTRY", nargs="?", default=None)
    end.add_argument("--at", metavar=_WHEN, help=f"stopped earlier: {_WHEN_HELP}")
    end.set_defaults(handler=as_handler(_end))

    active = sub.add_parser("active", help="show your running timer")
    active.set_defaults(handler=as_handler(_active))

    pause = sub.add_parser("pause", help="stop your running timer, to resume it later")
    pause.set_defaults(handler=as_handler(_pause))

    resume = sub.add_parser(
        "resume", help="a new timer like your paused entry (else your latest one)"
    )
    resume.set_defaults(handler=as_handler(_resume))

    log = sub.add_parser("log", help="add an ended entry (ending now unless told otherwise)")
    log.add_argument("client", metavar="CLIENT")
    log.add_argument("duration", metavar="DURATION", help="1h 20m, 80m, 1:20, 1.5h, 4800s, 90")
    log.add_argument("--end", metavar=_WHEN, help=f"when it ended: {_WHEN_HELP}")
    log.add_argument("--start", metavar=_WHEN, help=f"when it started: {_WHEN_HELP}")
    log.add_argument("--note", metavar="TEXT", default="")
    log.set_defaults(handler=as_handler(_log))

    edit = sub.add_parser("edit", help="change an entry (short ref, page id or URL)")
    edit.add_argument("entry", metavar="ENTRY")
    edit.add_argument("--start", metavar=_WHEN, help=_WHEN_HELP)
    edit.add_argument("--end", metavar=_WHEN, help=_WHEN_HELP)
    edit.add_argument("--duration", metavar="D", help="keeps Start and moves End")
    edit.add_argument("--client", metavar="C")
    edit.add_argument("--name", metavar="N")
    edit.add_argument("--note", metavar="N", help='"" clears it')
    edit.set_defaults(handler=as_handler(_edit))

    delete = sub.add_parser("delete", help="move an entry's page to Notion's trash")
    delete.add_argument("entry", metavar="ENTRY")
    delete.set_defaults(handler=as_handler(_delete))

    entries = sub.add_parser("entries", help="list your entries with their short refs")
    entries.add_argument("--week", metavar="W", help="this | last | 2026-W47 (default this)")
    entries.add_argument("--period", metavar="P", help=PERIOD_HELP)
    entries.set_defaults(handler=as_handler(_entries))
