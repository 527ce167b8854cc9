"""Invoice cost: building the invoice and its CSV, and drawing the one-page PDF, for a month of
20 and of 2,000 entries (median of several runs; the first PDF pays matplotlib's import).

Run: ``uv run python -m benchmarks.invoice_bench [--runs 5]``
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial
from zoneinfo import ZoneInfo

from timesheet.clients.model import ClientInfo
from timesheet.entries.model import TimeEntry
from timesheet.reports.invoice import Invoice, build_invoice, invoice_csv
from timesheet.reports.invoice_pdf import render_invoice_pdf
from timesheet.reports.report import ReportOptions
from timesheet.reports.week import named_period

TZ = ZoneInfo("Europe/London")
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=TZ)
ACME = ClientInfo("Acme", Decimal("120"), "EUR")


def _entries(count: int) -> list[TimeEntry]:
    first = datetime(2026, 11, 1, 8, 0, tzinfo=TZ)
    step = timedelta(days=29) / count
    return [
        TimeEntry(
            entry_id=f"e{i}",
            user_id="1",
            client="Acme",
            name="Acme",
            start=first + step * i,
            end=first + step * i + timedelta(minutes=25 + i % 90),
            note=f"task {i}",
        )
        for i in range(count)
    ]


def _invoice(entries: list[TimeEntry]) -> Invoice:
    period = named_period("2026-11-01..2026-11-30", TZ, 0, NOW)
    return build_invoice(entries, ACME, period, ReportOptions(TZ, round_minutes=15), NOW)


def _csv(entries: list[TimeEntry]) -> str:
    return invoice_csv(_invoice(entries))


def _median_ms(call: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    start = time.perf_counter()
    render_invoice_pdf(_invoice(_entries(1)))
    print(f"first PDF (imports matplotlib): {(time.perf_counter() - start) * 1000:.0f} ms")
    for count in (20, 2000):
        entries = _entries(count)
        invoice = _invoice(entries)
        build = _median_ms(partial(_csv, entries), args.runs)
        pdf = _median_ms(partial(render_invoice_pdf, invoice), args.runs)
        size = len(render_invoice_pdf(invoice))
        print(f"{count:>5} entries: invoice + CSV {build:.1f} ms, PDF {pdf:.0f} ms ({size:,} B)")


if __name__ == "__main__":
    main()
