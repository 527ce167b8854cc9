"""An invoice for one client and period: one row per entry, hours rounded per entry, amounts.

An entry belongs to the period its Start falls in (an entry crossing the period's end counts
whole in the period it started in). Running entries are left out (they have no amount yet) and
counted in ``Invoice.running``. Hours: each entry's elapsed time rounded by ROUND_MINUTES /
ROUNDING (`round_cells`, as the report rounds its cells), then to 2 decimals; amount = shown
hours × rate, 2 decimals, halves up; totals add up the shown rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Final
from zoneinfo import ZoneInfo

import numpy as np

from timesheet.clients.model import ClientInfo, client_key
from timesheet.clients.notion import ClientBook
from timesheet.entries.duplicates import collapse_duplicates
from timesheet.entries.model import TimeEntry
from timesheet.entries.store import EntryStore
from timesheet.reports.aggregate import TOTAL, round_cells
from timesheet.reports.micros import US_PER_HOUR, to_microseconds
from timesheet.reports.render import csv_text
from timesheet.reports.report import ReportOptions
from timesheet.reports.week import Period, day_span, period_days

__all__ = [
    "CSV_HEADER",
    "Invoice",
    "InvoiceLine",
    "NoRate",
    "UnknownClient",
    "build_invoice",
    "fetch_invoice",
    "invoice_csv",
    "period_span",
]

CSV_HEADER: Final = ("date", "start", "end", "description", "hours", "rate", "amount")
_CENT: Final = Decimal("0.01")


class UnknownClient(LookupError):
    """No client of that name: not in the Clients database, RATES or PRESET_CLIENTS, and no
    entry of the period is for it."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"No client called {name!r}: it is not in the Clients database, RATES or "
            "PRESET_CLIENTS, and no entry of the period is for it."
        )
        self.name = name


class NoRate(LookupError):
    """The client has no rate anywhere: no invoice (an invoice without amounts helps nobody)."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"{name} has no rate: set its Rate in the Clients database "
            f"(NOTION_CLIENTS_DATABASE_ID), or add {name}:RATE to RATES in .env."
        )
        self.name = name


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    """One entry on the invoice, times local."""

    day: date
    start: datetime
    end: datetime
    description: str
    hours: Decimal
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Invoice:
    client: str
    period: Period
    tz: ZoneInfo
    rate: Decimal
    currency: str | None
    lines: tuple[InvoiceLine, ...]
    as_of: datetime
    running: int = 0
    round_minutes: int = 0
    rounding: str = "nearest"

    @property
    def total_hours(self) -> Decimal:
        return sum((line.hours for line in self.lines), Decimal("0.00"))

    @property
    def total_amount(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))

    @property
    def span(self) -> str:
        """The period's local days, e.g. ``"16–22 Nov 2026"``."""
        return period_span(self.period, self.tz)

    @property
    def file_stem(self) -> str:
        days = period_days(self.period, self.tz)
        safe = "".join(c if c.isascii() and c.isalnum() else "-" for c in self.client)
        safe = re.sub("-+", "-", safe).strip("-").lower()
        return f"invoice-{safe or 'client'}-{days[0].isoformat()}-{days[-1].isoformat()}"

    def summary(self) -> str:
        """One line: ``"Acme, 16–22 Nov 2026: 10.50 h × 120.00 = 1260.00 EUR (4 entries)"``."""
        money = f"{self.total_amount:.2f}" + (f" {self.currency}" if self.currency else "")
        count = len(self.lines)
        entries = "entry" if count == 1 else "entries"
        text = (
            f"{self.client}, {self.span}: {self.total_hours:.2f} h × {self.rate:.2f} = {money} "
            f"({count} {entries})"
        )
        if self.running:
            text += f"; {self.running} running left out (end it to bill it)"
        return text


def period_span(period: Period, tz: ZoneInfo) -> str:
    """``"16–22 Nov 2026"``, ``"28 Nov – 4 Dec 2026"``, ``"28 Dec 2026 – 3 Jan 2027"``."""
    days = period_days(period, tz)
    return day_span(days[0], days[-1])


def _description(entry: TimeEntry) -> str:
    named = entry.name.strip() if entry.name.strip() != entry.client.strip() else ""
    return " — ".join(part for part in (named, entry.note.strip()) if part)


def _cents(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def build_invoice(
    entries: Iterable[TimeEntry],
    client: ClientInfo,
    period: Period,
    opts: ReportOptions,
    now: datetime,
) -> Invoice:
    """The invoice of ``client`` (whose ``rate`` must be set) from ``entries``: those of that
    client (case-insensitive) whose Start is in ``period``, ended, each page once."""
    if client.rate is None:
        raise NoRate(client.name)
    key = client_key(client.name)
    unique, _ = collapse_duplicates(e for e in entries if client_key(e.client) == key)
    mine = sorted((e for e in unique if e.start in period), key=lambda e: e.start.astimezone(UTC))
    ended = [e for e in mine if e.end is not None]
    elapsed = np.array(
        [to_microseconds(e.end) - to_microseconds(e.start) for e in ended if e.end], np.int64
    )
    rounded = round_cells(elapsed, opts.round_minutes, opts.rounding).tolist()
    lines = []
    for entry, micros in zip(ended, rounded, strict=True):
        assert entry.end is not None
        hours = _cents(Decimal(int(micros)) / US_PER_HOUR)
        start = entry.start.astimezone(opts.tz)
        lines.append(
            InvoiceLine(
                day=start.date(),
                start=start,
                end=entry.end.astimezone(opts.tz),
                description=_description(entry),
                hours=hours,
                amount=_cents(hours * client.rate),
            )
        )
    return Invoice(
        client=client.name,
        period=period,
        tz=opts.tz,
        rate=_cents(client.rate),
        currency=client.currency,
        lines=tuple(lines),
        as_of=now,
        running=len(mine) - len(ended),
        round_minutes=opts.round_minutes,
        rounding=opts.rounding,
    )


def invoice_csv(invoice: Invoice) -> str:
    """The pinned CSV: ``date,start,end,description,hours,rate,amount``, a row per entry by
    Start, then ``Total`` with the summed hours and amount. Cells never start a formula."""
    rate = f"{invoice.rate:.2f}"
    rows: list[Sequence[str]] = [CSV_HEADER]
    for line in invoice.lines:
        rows.append(
            (
                line.day.isoformat(),
                f"{line.start:%H:%M}",
                f"{line.end:%H:%M}",
                line.description,
                f"{line.hours:.2f}",
                rate,
                f"{line.amount:.2f}",
            )
        )
    hours, amount = f"{invoice.total_hours:.2f}", f"{invoice.total_amount:.2f}"
    rows.append((TOTAL, "", "", "", hours, "", amount))
    return csv_text(rows)


async def fetch_invoice(
    store: EntryStore,
    book: ClientBook,
    name: str,
    period: Period,
    opts: ReportOptions,
    now: datetime,
    *,
    user_id: str | None = None,
    presets: Sequence[str] = (),
) -> Invoice:
    """Read the client's rate (the Clients database read fresh) and the period's entries (of
    ``user_id``, or everyone's), and build the invoice. Raises UnknownClient, NoRate,
    NotionError."""
    info = await book.find(name, fresh=True)
    scanned = await store.scan_overlapping(period.start, period.end, user_id=user_id)
    if info is None:
        key = client_key(name)
        named = [*presets, *(e.client for e in scanned.entries)]
        spelled = next((n for n in named if client_key(n) == key), None)
        if spelled is None:
            raise UnknownClient(name.strip())
        raise NoRate(spelled)
    return build_invoice(scanned.entries, info, period, opts, now)
