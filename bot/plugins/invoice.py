"""/invoice: a client's entries of a period (the caller's own) with amounts, as CSV and PDF,
just for the caller."""

from __future__ import annotations

import asyncio

import crescent
import hikari

from bot.autocomplete import autocomplete_client
from bot.command_run import current_run, model_of, new_plugin
from bot.periods import PERIOD_HELP, autocomplete_period
from timesheet.reports.invoice import NoRate, UnknownClient, fetch_invoice, invoice_csv
from timesheet.reports.invoice_pdf import render_invoice_pdf
from timesheet.reports.report import ReportOptions
from timesheet.reports.week import InvalidPeriod, named_period
from timesheet.tracking.tracker import MAX_CLIENT_LENGTH

__all__ = ["plugin"]

plugin = new_plugin()


@plugin.include
@crescent.command(name="invoice", description="A client's invoice of your time (CSV and PDF)")
class Invoice:
    client = crescent.option(
        str, "Client", autocomplete=autocomplete_client, max_length=MAX_CLIENT_LENGTH
    )
    period = crescent.option(str, PERIOD_HELP, autocomplete=autocomplete_period, max_length=40)

    async def callback(self, ctx: crescent.Context) -> None:
        run, model = current_run(), model_of(ctx)
        settings = model.settings
        now = model.now()
        try:
            period = named_period(str(self.period), settings.timezone, settings.week_start, now)
            invoice = await fetch_invoice(
                model.store,
                model.clients,
                str(self.client),
                period,
                ReportOptions.from_settings(settings),
                now,
                user_id=run.caller.user_id,
                presets=settings.preset_clients,
            )
        except InvalidPeriod as exc:
            run.record.outcome = "refused"
            await run.reply(exc.answer("The period must be") + ".")
            return
        except (UnknownClient, NoRate) as exc:
            run.record.outcome = "refused"
            await run.reply(str(exc))
            return
        pdf = await asyncio.to_thread(render_invoice_pdf, invoice)  # matplotlib: off the loop
        files = [
            hikari.Bytes(
                invoice_csv(invoice).encode(), f"{invoice.file_stem}.csv", mimetype="text/csv"
            ),
            hikari.Bytes(pdf, f"{invoice.file_stem}.pdf", mimetype="application/pdf"),
        ]
        await run.reply(invoice.summary(), attachments=files)
