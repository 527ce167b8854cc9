"""What the ``timetrack`` commands share: exit codes, the one-line failure, printing, opening
the model as TIMETRACK_USER. Imports are lazy (no hikari for ``--help`` or ``demo``)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import sys
import threading
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, Final, TextIO, TypeVar

from timesheet.config import Settings
from timesheet.reports.week import PERIOD_CHOICES

if TYPE_CHECKING:
    from datetime import datetime

    from bot.model import Model
    from timesheet.reports.week import Period

__all__ = [
    "EXIT_CONFIG",
    "EXIT_FAILED",
    "EXIT_OK",
    "PERIOD_HELP",
    "CommandFailed",
    "Handler",
    "as_handler",
    "end_now",
    "explained",
    "named_period_of",
    "open_model",
    "period_of",
    "run",
    "say",
    "user_of",
    "week_of",
]

EXIT_OK: Final = 0
EXIT_FAILED: Final = 1
EXIT_CONFIG: Final = 2
#: The help of every ``--period`` option.
PERIOD_HELP: Final = f"{PERIOD_CHOICES} (instead of --week)"

Handler = Callable[[argparse.Namespace, Settings], int]
T = TypeVar("T")


class CommandFailed(Exception):
    """A command that could not do its job; ``str()`` is the one line to print."""


def end_now(code: int) -> int:
    """End the process with ``code`` at once, skipping the interpreter's teardown (freeing
    pandas' and numpy's objects one by one takes a tenth of a second after a report).

    Only for a command that has finished: its files are written and closed, its Notion client
    and ledger closed by their ``async with``, ``asyncio.run`` has stopped its loop and worker
    threads. What is still buffered (stdout, stderr, log handlers) is flushed here. If another
    thread is still alive, nothing is skipped: ``code`` is returned for a normal exit.
    """
    if any(t is not threading.main_thread() and not t.daemon for t in threading.enumerate()):
        return code
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing more to say
            stream.flush()
    os._exit(code)


def say(text: str, out: TextIO | None = None) -> None:
    print(text, file=out if out is not None else sys.stdout)


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def as_handler(
    handler: Callable[[argparse.Namespace, Settings], Coroutine[Any, Any, int]],
) -> Handler:
    """An async command as a parser handler."""

    def handle(args: argparse.Namespace, settings: Settings) -> int:
        return run(handler(args, settings))

    return handle


def user_of(settings: Settings) -> str:
    settings.require("TIMETRACK_USER")
    assert settings.timetrack_user is not None
    return settings.timetrack_user


def open_model(settings: Settings) -> Model:
    from bot.model import Model

    return Model(settings)


async def explained(model: Model, exc: Exception) -> CommandFailed:
    """A write Notion refused as invalid, as one line naming what the database lacks."""
    from bot.errors import explain_error

    reply = await explain_error(
        exc, model.notion, model.settings.notion_database_id, tz=model.settings.timezone
    )
    return CommandFailed(reply.line)


def week_of(spec: str, settings: Settings, now: datetime) -> Period:
    """The local week ``--week`` names (in TIMEZONE); a bad one is one line."""
    from timesheet.reports.week import InvalidWeek, week_period

    try:
        return week_period(spec, settings.timezone, settings.week_start, now)
    except InvalidWeek as exc:
        raise CommandFailed(exc.answer(f"--week {spec}: expected")) from None


def period_of(args: argparse.Namespace, settings: Settings, now: datetime) -> Period:
    """What ``--week W`` or ``--period P`` of the command ``args`` names (this week when
    neither); both, or a bad one, is one line."""
    week, period = args.week, args.period
    if week is not None and period is not None:
        raise CommandFailed(f"{args.command} takes --week or --period, not both")
    if period is None:
        return week_of(week or "this", settings, now)
    return named_period_of(period, settings, now)


def named_period_of(spec: str, settings: Settings, now: datetime) -> Period:
    """The period ``--period spec`` names; a bad one is one line."""
    from timesheet.reports.week import InvalidPeriod, named_period

    try:
        return named_period(spec, settings.timezone, settings.week_start, now)
    except InvalidPeriod as exc:
        raise CommandFailed(exc.answer(f"--period {spec}: expected")) from None
