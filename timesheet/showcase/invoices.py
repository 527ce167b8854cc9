"""Demo step: a Clients database with rates, and Acme's invoice of the demo week (CSV, PDF, and
a PNG preview of the PDF)."""

from __future__ import annotations

from decimal import Decimal

from timesheet.clients.notion import ClientBook
from timesheet.clients.schema import ARCHIVED, CURRENCY, NAME, RATE
from timesheet.clients.setup import create_clients_database
from timesheet.entries.store import EntryStore
from timesheet.reports.invoice import fetch_invoice, invoice_csv
from timesheet.reports.invoice_pdf import render_invoice_pdf, render_invoice_png
from timesheet.reports.report import ReportOptions
from timesheet.reports.week import named_period
from timesheet.showcase.context import ShowcaseContext

__all__ = ["DEMO_RATES", "showcase"]

#: The rates typed into the demo's Clients database (Wayne's comes from RATES).
DEMO_RATES = (("Acme", 120), ("Globex", 95.5), ("Initech", 80), ("Umbrella", 110))


async def showcase(ctx: ShowcaseContext) -> None:
    """Create the Clients database as `timetrack setup` does, type rates in it, and bill Acme
    for the demo week (a 15-minute rounding per entry, as ROUND_MINUTES=15 would)."""
    out = ctx.stdout
    database_id, data_source_id = await create_clients_database(
        ctx.client, ctx.parent_page_id, currency="EUR"
    )
    for name, rate in DEMO_RATES:  # typed by hand in Notion: in the index at once
        ctx.fake.add_page(
            data_source_id,
            {
                NAME: {"title": [{"text": {"content": name}}]},
                RATE: {"number": rate},
                CURRENCY: {"select": {"name": "EUR"}},
                ARCHIVED: {"checkbox": False},
            },
        )
    book = ClientBook(ctx.client, database_id, rates={"Wayne": Decimal(100)}, currency="EUR")
    clients = await book.clients()
    rates = ", ".join(f"{c.name} {c.rate:.2f}" for c in clients if c.rate is not None)
    print(f"Clients database created (NOTION_CLIENTS_DATABASE_ID); rates: {rates} EUR/h.", file=out)

    period = named_period("this-week", ctx.tz, 0, ctx.now)
    opts = ReportOptions(ctx.tz, round_minutes=15, rounding="nearest")
    store = EntryStore(ctx.client, ctx.database_id)
    invoice = await fetch_invoice(store, book, "Acme", period, opts, ctx.now)
    ctx.out_dir.mkdir(parents=True, exist_ok=True)
    csv_path = ctx.out_dir / "invoice-acme.csv"
    pdf_path = ctx.out_dir / "invoice-acme.pdf"
    csv_path.write_text(invoice_csv(invoice), encoding="utf-8")
    pdf_path.write_bytes(render_invoice_pdf(invoice))
    png_path = ctx.out_dir / "invoice-acme.png"
    png_path.write_bytes(render_invoice_png(invoice))
    print(f"Invoice: {invoice.summary()}", file=out)
    print(
        f"Wrote {csv_path} and {pdf_path} (a one-page statement; preview {png_path.name}).",
        file=out,
    )
