"""``timetrack target set`` and ``timetrack target show``, as TIMETRACK_USER: weekly targets
per client in the Targets database, and how the week's tracked hours stand against them."""

from __future__ import annotations

import argparse
import sys

from bot.cli_base import EXIT_OK, CommandFailed, as_handler, open_model, say, user_of
from timesheet.config import Settings

__all__ = ["add_target_commands"]

_WEEK_HELP = "this | last | 2026-W47"


async def _set(args: argparse.Namespace, settings: Settings) -> int:
    from bot.target_replies import set_target
    from timesheet.targets.errors import TargetsError

    user = user_of(settings)
    async with open_model(settings) as model:
        try:
            line = await set_target(
                model, user, args.client, args.hours, args.week, every=args.every_week
            )
        except TargetsError as exc:
            raise CommandFailed(str(exc)) from None
    say(line)
    return EXIT_OK


async def _show(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli import _output, _write
    from bot.target_replies import show_targets
    from timesheet.targets.errors import TargetsError
    from timesheet.targets.show import render_targets_csv, render_targets_text

    user = user_of(settings)
    quiet = args.csv == "-"
    csv_file = _output(args.csv) if args.csv and not quiet else None
    async with open_model(settings) as model:
        try:
            shown = await show_targets(model, user, args.week)
        except TargetsError as exc:
            raise CommandFailed(str(exc)) from None
    csv = render_targets_csv(shown.lines)
    if quiet:
        sys.stdout.write(csv)
        return EXIT_OK
    say(render_targets_text(shown.lines, shown.title))
    for note in shown.notes:
        say(f"• {note}")
    if csv_file is not None:
        _write(csv_file, csv.encode("utf-8"))
        say(f"Wrote {args.csv}")
    return EXIT_OK


def add_target_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``target set`` and ``target show`` (one line in `bot.cli.build_parser`)."""
    target = sub.add_parser("target", help="weekly targets per client (the Targets database)")
    actions = target.add_subparsers(dest="target_command", required=True, metavar="ACTION")

    set_ = actions.add_parser(
        "set",
        help="set your target for a client (every week unless --week; HOURS 0 removes it)",
    )
    set_.add_argument("client", metavar="CLIENT")
    set_.add_argument("hours", metavar="HOURS", help="above 0, at most 168; 0 removes the target")
    which = set_.add_mutually_exclusive_group()
    which.add_argument("--week", help=f"only that week: {_WEEK_HELP}")
    which.add_argument(
        "--every-week", action="store_true", help="every week (the default without --week)"
    )
    set_.set_defaults(handler=as_handler(_set))

    show = actions.add_parser("show", help="your targets of a week against the hours tracked")
    show.add_argument("--week", default="this", help=f"{_WEEK_HELP} (default this)")
    show.add_argument("--csv", metavar="FILE", help="write the CSV (- prints only the CSV)")
    show.set_defaults(handler=as_handler(_show))
