"""``timetrack invoice``: a client's entries of a period with hours, rate and amount, as CSV
and a one-page PDF statement. Imports are lazy (no pandas or matplotlib for ``--help``)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from bot.cli_base import (
    EXIT_OK,
    CommandFailed,
    as_handler,
    named_period_of,
    open_model,
    say,
    user_of,
)
from timesheet.config import Settings
from timesheet.reports.week import PERIOD_CHOICES

if TYPE_CHECKING:
    from timesheet.reports.invoice import Invoice

__all__ = ["add_billing_commands"]


def _user(args: argparse.Namespace, settings: Settings) -> str | None:
    """``--user ID``; ``--user me`` is TIMETRACK_USER; none: everyone's entries."""
    if args.user is None:
        return None
    return user_of(settings) if args.user == "me" else str(args.user)


def _text(invoice: Invoice) -> list[str]:
    lines = [
        f"{line.day.isoformat()} {line.start:%H:%M}–{line.end:%H:%M} {line.hours:>7.2f} h "
        f"{line.amount:>10.2f}  {line.description}".rstrip()
        for line in invoice.lines
    ]
    return [*lines, invoice.summary()]


async def _invoice(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli import _output, _write
    from timesheet.reports.invoice import NoRate, UnknownClient, fetch_invoice, invoice_csv
    from timesheet.reports.report import ReportOptions

    quiet = args.csv == "-"
    csv_file = _output(args.csv) if args.csv and not quiet else None
    pdf_file = _output(args.pdf) if args.pdf else None
    user = _user(args, settings)
    async with open_model(settings) as model:
        now = model.now()
        period = named_period_of(args.period, settings, now)
        try:
            invoice = await fetch_invoice(
                model.store,
                model.clients,
                args.client,
                period,
                ReportOptions.from_settings(settings),
                now,
                user_id=user,
                presets=settings.preset_clients,
            )
        except (UnknownClient, NoRate) as exc:
            raise CommandFailed(str(exc)) from None
    csv = invoice_csv(invoice)
    if quiet:
        sys.stdout.write(csv)
    else:
        for line in _text(invoice):
            say(line)
    if csv_file is not None:
        _write(csv_file, csv.encode("utf-8"))
        say(f"Wrote {args.csv}", sys.stderr if quiet else None)
    if pdf_file is not None:
        from timesheet.reports.invoice_pdf import render_invoice_pdf

        _write(pdf_file, render_invoice_pdf(invoice))
        if not quiet:
            say(f"Wrote {args.pdf}")
    return EXIT_OK


def add_billing_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``timetrack invoice``."""
    invoice = sub.add_parser(
        "invoice", help="a client's entries of a period with amounts (CSV, PDF statement)"
    )
    invoice.add_argument("client", metavar="CLIENT")
    invoice.add_argument("--period", required=True, metavar="P", help=PERIOD_CHOICES)
    invoice.add_argument("--csv", metavar="FILE", help="write the CSV (- prints only the CSV)")
    invoice.add_argument("--pdf", metavar="FILE", help="write the one-page PDF statement")
    invoice.add_argument(
        "--user", metavar="ID", help="only this Discord user's entries (me: TIMETRACK_USER)"
    )
    invoice.set_defaults(handler=as_handler(_invoice))
