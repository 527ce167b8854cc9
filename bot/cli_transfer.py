"""The ``timetrack`` commands that move entries in and out: import, export, backup.

``import`` prints its progress on stderr (a bar on a terminal, else a line every few
seconds) and its summary on stdout; ``export`` without ``--out`` writes the file to stdout.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Final, TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.cli_base import (
    EXIT_FAILED,
    EXIT_OK,
    CommandFailed,
    as_handler,
    open_model,
    run,
    say,
    week_of,
)
from timesheet.config import Settings
from timesheet.reports.week import PERIOD_CHOICES

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from bot.model import Model
    from timesheet.reports.week import Period
    from timesheet.transfer.convert import Converted

__all__ = ["LineProgress", "add_transfer_commands"]

#: Seconds between two progress lines when stderr is not a terminal.
PROGRESS_LINE_EVERY: Final = 5.0
_EXIT_INTERRUPTED: Final = 130


def _zone(name: str | None, settings: Settings) -> ZoneInfo:
    if name is None:
        return settings.timezone
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise CommandFailed(
            f"--timezone {name}: not an IANA time zone such as Europe/London"
        ) from None


def _read_input(name: str) -> bytes:
    from timesheet.transfer.formats import decompressed

    try:
        data = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
    except OSError as exc:
        raise CommandFailed(f"cannot read {name}: {exc.strerror or type(exc).__name__}") from None
    try:
        return decompressed(data)
    except (OSError, EOFError):
        raise CommandFailed(f"cannot read {name}: a broken gzip file") from None


def _converted(args: argparse.Namespace, settings: Settings) -> Converted:
    """The file read and checked: every refusal of the whole file before Notion is asked."""
    from timesheet.transfer.convert import convert
    from timesheet.transfer.formats import FormatUnavailable, reader
    from timesheet.transfer.records import NotThisFormat

    try:
        read = reader(args.format)
    except FormatUnavailable as exc:
        raise CommandFailed(str(exc)) from None
    if args.user is not None and not args.user.strip().isdigit():
        raise CommandFailed(f"--user {args.user}: expected a Discord user id (digits)")
    tz = _zone(args.timezone, settings)
    data = _read_input(args.file)
    shown = "stdin" if args.file == "-" else args.file
    try:
        parsed = read(data, tz=tz, date_order=args.date_order)
    except NotThisFormat as exc:
        raise CommandFailed(f"{shown}: {exc}") from None
    user = args.user.strip() if args.user else None
    unowned = any(e.user_id is None for e in parsed.entries)
    if unowned and user is None and settings.timetrack_user is None:
        raise CommandFailed(
            f"whose entries are these? set TIMETRACK_USER or give --user ID ({shown} does not say)"
        )
    return convert(
        parsed,
        fmt=args.format.strip().lower(),
        default_user=settings.timetrack_user or "",
        user=user,
        presets=settings.preset_clients,
    )


class LineProgress:
    """Progress as a line every ``every`` seconds (and at the end), for a log or a pipe."""

    def __init__(
        self,
        out: TextIO,
        *,
        every: float = PROGRESS_LINE_EVERY,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._out = out
        self._every = every
        self._monotonic = monotonic
        self._began = monotonic()
        self._last: float | None = None
        self._finished = False

    def __call__(self, done: int, total: int) -> None:
        now = self._monotonic()
        if self._finished or not total:
            return
        if done < total and self._last is not None and now - self._last < self._every:
            return
        self._last = now
        self._finished = done >= total
        elapsed = now - self._began
        left = ""
        if 0 < done < total:
            seconds = round(elapsed / done * (total - done))
            left = f", about {seconds // 60}m {seconds % 60:02d}s left"
        say(f"import: {done}/{total} written ({done * 100 // total}%){left}", self._out)


def _bar() -> tuple[AbstractContextManager[object], Callable[[int, int], None]]:
    """A progress bar on stderr with the count and the time left (rich, loaded only here)."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    bar = Progress(
        TextColumn("importing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    task = bar.add_task("import", total=None)

    def update(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    return bar, update


async def _import(args: argparse.Namespace, settings: Settings) -> int:
    from timesheet.transfer.importer import plan_import, run_import
    from timesheet.transfer.summary import dry_run_lines, summary_lines

    converted = _converted(args, settings)
    async with open_model(settings) as model:
        plan = await plan_import(model.store, model.ledger, converted)
        if args.dry_run:
            lines = dry_run_lines(plan, settings.timezone, model.now(), settings.week_start)
            say("\n".join(lines))
            return EXIT_FAILED if plan.refusal else EXIT_OK
        if plan.refusal is not None:
            raise CommandFailed(plan.refusal)
        if sys.stderr.isatty():
            bar, update = _bar()
            with bar:
                result = await run_import(plan, model.engine, update)
        else:
            result = await run_import(plan, model.engine, LineProgress(sys.stderr))
    say("\n".join(summary_lines(plan, result, settings.timezone)))
    return EXIT_FAILED if plan.problems or result.remaining or result.failed else EXIT_OK


def _cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    try:
        return run(_import(args, settings))
    except KeyboardInterrupt:
        say(
            "timetrack: import interrupted; what is not written yet stays in the ledger: "
            "run the same import again (or `timetrack sync`) to finish it",
            sys.stderr,
        )
        return _EXIT_INTERRUPTED


def _period(args: argparse.Namespace, settings: Settings, now: datetime) -> Period:
    from timesheet.reports.week import InvalidPeriod, named_period

    if args.week is not None and args.period is not None:
        raise CommandFailed("export takes --week or --period, not both")
    if args.period is None:
        return week_of(args.week or "this", settings, now)
    try:
        return named_period(args.period, settings.timezone, settings.week_start, now)
    except InvalidPeriod as exc:
        raise CommandFailed(exc.answer(f"--period {args.period}: expected")) from None


def _unsynced(model: Model) -> str | None:
    waiting = len(model.ledger)
    if not waiting:
        return None
    return (
        f"note: {waiting} operation(s) still in the ledger are not in Notion yet, nor in this "
        "file (`timetrack sync` writes them)"
    )


async def _export(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli import _output, _write
    from timesheet.transfer.exporter import export_period
    from timesheet.transfer.formats import FormatUnavailable, writer

    try:
        writer(args.format)
    except FormatUnavailable as exc:
        raise CommandFailed(str(exc)) from None
    out = _output(args.out) if args.out else None
    async with open_model(settings) as model:
        period = _period(args, settings, model.now())
        text, count = await export_period(
            model.store, period, args.format, settings.timezone, args.user
        )
        note = _unsynced(model)
    if out is None:
        sys.stdout.write(text)
    else:
        _write(out, text.encode("utf-8"))
        say(f"Wrote {count} entries to {args.out}")
    if note:
        say(note, sys.stderr)
    return EXIT_OK


async def _backup(args: argparse.Namespace, settings: Settings) -> int:
    from timesheet.transfer.backup import backup_database

    async with open_model(settings) as model:
        backup = await backup_database(
            model.store,
            settings.data_dir,
            tz=settings.timezone,
            now=model.now(),
            keep=settings.backup_keep,
        )
        note = _unsynced(model)
    say(f"Backed up {backup.entries} entries to {backup.path}")
    if backup.removed:
        say(f"Removed {len(backup.removed)} older backup(s) (BACKUP_KEEP={settings.backup_keep})")
    if backup.skipped:
        say(
            f"Not in the backup: {len(backup.skipped)} page(s) that are not usable entries "
            "(fix them in Notion; `timetrack check` lists them):"
        )
        say("\n".join(f"  {page}" for page in backup.skipped))
    if note:
        say(note, sys.stderr)
    return EXIT_OK


def add_transfer_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``import``, ``export`` and ``backup``."""
    from timesheet.transfer.formats import READ_FORMATS, WRITE_FORMATS

    imp = sub.add_parser(
        "import",
        help="import entries from a file (timew, watson, toggl, clockify, json, csv)",
        description="Import entries; importing the same file again adds nothing. Restore a "
        "backup with `timetrack import json DATA_DIR/backups/DAY.json.gz`.",
    )
    imp.add_argument("format", metavar="FORMAT", help=" | ".join(READ_FORMATS))
    imp.add_argument("file", metavar="FILE", help="the file (.gz accepted), or - for stdin")
    imp.add_argument("--dry-run", action="store_true", help="write nothing, show what would be")
    imp.add_argument(
        "--user",
        metavar="ID",
        help="whose entries (default TIMETRACK_USER; json and csv keep their own users)",
    )
    imp.add_argument("--timezone", metavar="TZ", help="local times in the file (default TIMEZONE)")
    imp.add_argument(
        "--date-order", choices=("mdy", "dmy"), help="dates of a clockify file that can't tell"
    )
    imp.set_defaults(handler=_cmd_import)

    exp = sub.add_parser("export", help="write a period's entries (json, csv, timew, ics)")
    exp.add_argument("--format", required=True, metavar="F", help=" | ".join(WRITE_FORMATS))
    exp.add_argument(
        "--period", metavar="P", help=PERIOD_CHOICES
    )
    exp.add_argument("--week", metavar="W", help="this | last | 2026-W47 (default this)")
    exp.add_argument("--user", metavar="ID", help="only this Discord user's entries")
    exp.add_argument("--out", metavar="FILE", help="write FILE (default: stdout)")
    exp.set_defaults(handler=as_handler(_export))

    backup = sub.add_parser(
        "backup", help="write the whole database to DATA_DIR/backups/YYYY-MM-DD.json.gz"
    )
    backup.set_defaults(handler=as_handler(_backup))
