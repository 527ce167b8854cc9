"""The ``timetrack`` command: run the bot, set up Notion, track time and report from a terminal.

Imports are lazy so that ``timetrack demo`` (and ``--help``) never import hikari.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Mapping, Sequence
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli_base import (
    EXIT_CONFIG,
    EXIT_FAILED,
    EXIT_OK,
    PERIOD_HELP,
    CommandFailed,
    Handler,
    as_handler,
    end_now,
    open_model,
    period_of,
    run,
    say,
)
from bot.cli_billing import add_billing_commands
from bot.cli_ops import add_ops_commands
from bot.cli_targets import add_target_commands
from bot.cli_timers import add_timer_commands, glue_times
from bot.cli_transfer import add_transfer_commands
from timesheet.config import ConfigError, Settings, load_dotenv_file

if TYPE_CHECKING:
    from notion_client import NotionClient
    from timesheet.reports.report import Timesheet

__all__ = ["build_parser", "main"]


def _fail(text: str) -> None:
    print(f"timetrack: {text}", file=sys.stderr)


def _expected(exc: Exception, tz: tzinfo | None) -> str | None:
    """The one line for an error a user can meet (Notion, tracker rules), else None; its
    times in ``tz`` (TIMEZONE) once settings are read."""
    from bot.errors import describe_error
    from notion_client import NotionError
    from timesheet.entries.store_errors import NoDataSourceError, NotAnEntryError
    from timesheet.tracking.tracker import TrackerError

    if isinstance(exc, CommandFailed):
        return str(exc)
    if isinstance(exc, NotionError | TrackerError | NotAnEntryError | NoDataSourceError):
        return describe_error(exc, tz=tz).line
    return None


def _notion(settings: Settings) -> NotionClient:
    from notion_client import NotionClient

    settings.require("NOTION_TOKEN")
    assert settings.notion_token is not None
    return NotionClient(settings.notion_token, base_url=settings.notion_base_url)


# --- bot --------------------------------------------------------------------------------------


def _cmd_bot(args: argparse.Namespace, settings: Settings) -> int:
    if args.http:
        settings.require("DISCORD_PUBLIC_KEY", "DISCORD_TOKEN")
    else:
        settings.require("DISCORD_TOKEN")
    model = open_model(settings)
    import hikari

    from bot.app import build_gateway_bot, build_rest_bot, serve_http

    try:
        if args.http:
            rest_bot, _ = build_rest_bot(settings, model)
            asyncio.run(serve_http(rest_bot, host=args.host, port=args.port))
        else:
            gateway_bot, _ = build_gateway_bot(settings, model)
            gateway_bot.run()
    except hikari.UnauthorizedError:
        raise ConfigError("DISCORD_TOKEN", "Discord rejected the token") from None
    except hikari.HTTPError as exc:
        raise CommandFailed(f"cannot reach Discord ({type(exc).__name__})") from None
    except OSError as exc:
        where = f"{args.host}:{args.port}" if args.http else "Discord"
        raise CommandFailed(f"cannot use {where}: {exc.strerror or type(exc).__name__}") from None
    return EXIT_OK


# --- setup ------------------------------------------------------------------------------------


async def _setup(args: argparse.Namespace, settings: Settings) -> int:
    from notion_client import ObjectNotFoundError
    from timesheet.clients.setup import setup_clients
    from timesheet.entries.setup import check_database, create_database, fix_database
    from timesheet.targets.setup import setup_targets

    async with _notion(settings) as client:
        await setup_clients(client, settings, fix=args.fix, say=say)
        for line in await setup_targets(client, settings):  # the Targets database
            say(line)
        if settings.notion_database_id is None:
            if settings.notion_parent_page_id is None:
                raise ConfigError(
                    "NOTION_DATABASE_ID",
                    "is not set (set it to check a database, or set NOTION_PARENT_PAGE_ID "
                    "to create one)",
                )
            try:
                database_id, _ = await create_database(
                    client, settings.notion_parent_page_id, settings.preset_clients
                )
            except ObjectNotFoundError:
                raise CommandFailed(
                    "Notion can't find NOTION_PARENT_PAGE_ID: share that page with the "
                    "integration (⋯ → Connections)"
                ) from None
            say("Created the time-entries database. Add this line to .env:")
            say(f"NOTION_DATABASE_ID={database_id}")
            return EXIT_OK
        database_id = settings.notion_database_id
        if args.fix:
            for line in await fix_database(client, database_id, settings.preset_clients):
                say(line)
        problems = await check_database(client, database_id)
    if not problems:
        say("The database has every property timetrack needs.")
        return EXIT_OK
    say("The database is not ready:")
    for problem in problems:
        say(f"  - {problem}")
    if any(p.fixable for p in problems) and not args.fix:
        say("Run `timetrack setup --fix` to add the missing properties.")
    return EXIT_FAILED


# --- sync -----------------------------------------------------------------------------------


async def _sync(args: argparse.Namespace, settings: Settings) -> int:
    from timesheet.tracking.sync import run_sync

    async with open_model(settings) as model:
        code, lines = await run_sync(model.engine)
    for line in lines:
        say(line)
    return code


# --- report and check -------------------------------------------------------------------------


async def _fetch_report(args: argparse.Namespace, settings: Settings) -> Timesheet:
    from timesheet.reports.report import ReportOptions, build_timesheets

    async with open_model(settings) as model:
        now = model.now()
        period = period_of(args, settings, now)
        (sheet,) = await build_timesheets(
            model.store,
            period,
            ReportOptions.from_settings(settings),
            now,
            user_id=args.user,
            clients=await model.clients.clients(fresh=True) if args.amounts else None,
        )
    return sheet


def _output(name: str) -> Path:
    """A file a command will write: its folder is made now if missing, so a path that can't be
    written is one line before anything is read or written."""
    path = Path(name)
    try:
        if path.is_dir():
            raise CommandFailed(f"cannot write {name}: it is a folder")
        blocking = next((p for p in path.parents if p.exists()), None)
        if blocking is not None and not blocking.is_dir():
            raise CommandFailed(f"cannot write {name}: {blocking} is a file, not a folder")
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CommandFailed(f"cannot write {name}: {exc.strerror or type(exc).__name__}") from None
    return path


def _write(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise CommandFailed(f"cannot write {path}: {exc.strerror or type(exc).__name__}") from None


def _cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    if args.post:
        settings.require("TIMESHEET_WEBHOOK_URL")
    quiet = args.csv == "-"
    csv_file = _output(args.csv) if args.csv and not quiet else None
    png_file = _output(args.png) if args.png else None
    sheet = run(_fetch_report(args, settings))
    from timesheet.reports.render import render_text  # pandas: imported during the fetch

    if quiet:
        sys.stdout.write(sheet.csv)
    else:
        say(render_text(sheet.table, amounts=sheet.amounts))
    if csv_file is not None:
        _write(csv_file, sheet.csv.encode("utf-8"))
        say(f"Wrote {args.csv}")
    if png_file is not None:
        _write(png_file, sheet.png())
        if not quiet:
            say(f"Wrote {args.png}")
    if args.post:
        from timesheet.reports.report import post_timesheets

        assert settings.timesheet_webhook_url is not None
        run(post_timesheets(settings.timesheet_webhook_url, [sheet]))
        if not quiet:
            say("Posted to the timesheet webhook.")
    return EXIT_OK


async def _check(args: argparse.Namespace, settings: Settings) -> int:
    from timesheet.reports.buckets import period_title
    from timesheet.reports.check import check_period
    from timesheet.reports.wording import page_ref

    tz = settings.timezone
    async with open_model(settings) as model:
        now = model.now()
        period = period_of(args, settings, now)
        result = await check_period(model.store, period, now=now, tz=tz, fix=args.fix)
    for page in result.fixed:
        say(f"fixed: {page_ref(page)} now has Entry ID {page.entry_id}")
    for line in result.lines(period_title(period, tz, settings.week_start)):
        say(line)
    return EXIT_FAILED if result.findings else EXIT_OK


# --- demo -------------------------------------------------------------------------------------


def _cmd_demo(args: argparse.Namespace, settings: Settings | None) -> int:
    """Needs no settings at all: it must run on a fresh clone with nothing configured."""
    from timesheet.demo import run_demo

    out = Path(args.out)
    _output(str(out / "timesheet.csv"))
    return asyncio.run(run_demo(out, sys.stdout))


# --- parser -----------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="timetrack",
        description="Track billable time from Discord into Notion; weekly timesheets.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    bot = sub.add_parser("bot", help="run the Discord bot (gateway, or --http interactions)")
    bot.add_argument("--http", action="store_true", help="serve HTTP interactions")
    bot.add_argument("--host", default="127.0.0.1", help="--http: address (default 127.0.0.1)")
    bot.add_argument("--port", type=int, default=8080, help="--http: port (default 8080)")
    bot.set_defaults(handler=_cmd_bot)

    setup = sub.add_parser("setup", help="create the Notion database, or check its schema")
    setup.add_argument("--fix", action="store_true", help="add the missing properties")
    setup.set_defaults(handler=as_handler(_setup), uses_data_dir=False)

    add_timer_commands(sub)
    add_target_commands(sub)
    add_billing_commands(sub)
    add_transfer_commands(sub)

    sync = sub.add_parser("sync", help="apply every operation saved while Notion was unreachable")
    sync.set_defaults(handler=as_handler(_sync))

    report = sub.add_parser("report", help="print a period's timesheet (and write/post it)")
    report.add_argument("--week", metavar="W", help="this | last | 2026-W47 (default this)")
    report.add_argument("--period", metavar="P", help=PERIOD_HELP)
    report.add_argument("--user", metavar="ID", help="only this Discord user's entries")
    report.add_argument("--csv", metavar="FILE", help="write the CSV (- prints only the CSV)")
    report.add_argument("--png", metavar="FILE", help="write the chart")
    report.add_argument("--post", action="store_true", help="post to TIMESHEET_WEBHOOK_URL")
    report.add_argument("--amounts", action="store_true", help="add hours × rate per client")
    report.set_defaults(handler=_cmd_report, fast_exit=True)

    check = sub.add_parser("check", help="list what a report would stumble on (exit 1 if anything)")
    check.add_argument("--week", metavar="W", help="this | last | 2026-W47 (default this)")
    check.add_argument("--period", metavar="P", help=PERIOD_HELP)
    check.add_argument(
        "--fix", action="store_true", help="give copied entries a fresh Entry ID (only that)"
    )
    check.set_defaults(handler=as_handler(_check))

    add_ops_commands(sub)

    demo = sub.add_parser("demo", help="the whole pipeline on an in-memory Notion, offline")
    demo.add_argument("--out", metavar="DIR", default="demo-output", help="(default demo-output)")
    demo.set_defaults(handler=_cmd_demo, needs_settings=False)
    return parser


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    """Entry point of the ``timetrack`` console script; returns the exit code.

    ``environ`` replaces the process environment (and `.env`) — for tests.
    """
    args = build_parser().parse_args(glue_times(sys.argv[1:] if argv is None else argv))
    tz: tzinfo | None = None
    try:
        if not getattr(args, "needs_settings", True):
            return int(args.handler(args, None))
        if environ is None:
            load_dotenv_file()
        settings = Settings.from_env(environ)
        tz = settings.timezone
        if getattr(args, "uses_data_dir", True):
            settings.check_data_dir()
        handler: Handler = args.handler
        code = handler(args, settings)
        if argv is None and getattr(args, "fast_exit", False):  # the console script
            return end_now(code)
        return code
    except ConfigError as exc:
        _fail(str(exc))
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        line = _expected(exc, tz)
        if line is None:
            raise
        _fail(line)
        return EXIT_FAILED
