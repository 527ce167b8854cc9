"""The invoice as a one-page PDF statement a client could receive (matplotlib's PDF backend),
and the same page as a PNG preview.

A4 portrait: who and what period, the rows, the totals in the currency. Up to `MAX_ROWS`
entries get a row each; more are summarised one row per day, and past `MAX_ROWS` days one row
per month, so the statement is always one page (the CSV keeps every entry).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Final

from timesheet.reports.invoice import Invoice, InvoiceLine
from timesheet.text import clip

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["MAX_ROWS", "PREVIEW_DPI", "render_invoice_pdf", "render_invoice_png"]

#: Rows the page holds; more entries are summarised per day (or per month).
MAX_ROWS: Final = 36
#: Resolution of the PNG preview: an A4 page at 120 dpi is 992 × 1402 pixels.
PREVIEW_DPI: Final = 120
_PAGE: Final = (8.27, 11.69)  # A4, inches
_LEFT: Final = 0.8
_RIGHT: Final = _PAGE[0] - 0.8
_ROW: Final = 0.215  # inches per row
_FONT: Final = 9.0
_DESCRIPTION_CHARS: Final = 52
_INK: Final = "#1f1f1f"
_MUTED: Final = "#6b6b6b"
_RULE: Final = "#c8c8c8"


@dataclass(frozen=True, slots=True)
class _Row:
    cells: tuple[str, str, str, str]  # when, time span, description, hours
    amount: Decimal


def _entry_rows(lines: Sequence[InvoiceLine]) -> list[_Row]:
    return [
        _Row(
            (
                f"{line.day:%a} {line.day.day} {line.day:%b}",
                f"{line.start:%H:%M}–{line.end:%H:%M}",
                clip(" ".join(line.description.split()), _DESCRIPTION_CHARS),
                f"{line.hours:.2f}",
            ),
            line.amount,
        )
        for line in lines
    ]


def _grouped_rows(lines: Sequence[InvoiceLine], *, monthly: bool) -> list[_Row]:
    groups: dict[str, list[InvoiceLine]] = {}
    for line in lines:
        label = f"{line.day:%B %Y}" if monthly else f"{line.day:%a} {line.day.day} {line.day:%b}"
        groups.setdefault(label, []).append(line)
    rows = []
    for label, group in groups.items():
        count = len(group)
        hours = sum((g.hours for g in group), Decimal("0.00"))
        amount = sum((g.amount for g in group), Decimal("0.00"))
        what = f"{count} {'entry' if count == 1 else 'entries'}"
        rows.append(_Row((label, "", what, f"{hours:.2f}"), amount))
    return rows


def _rows(invoice: Invoice) -> tuple[str, list[_Row]]:
    """The rows and a note saying how they were summarised (empty: one row per entry)."""
    if len(invoice.lines) <= MAX_ROWS:
        return "", _entry_rows(invoice.lines)
    daily = _grouped_rows(invoice.lines, monthly=False)
    if len(daily) <= MAX_ROWS:
        return f"{len(invoice.lines)} entries, one row per day (the CSV lists each).", daily
    monthly = _grouped_rows(invoice.lines, monthly=True)
    return f"{len(invoice.lines)} entries, one row per month (the CSV lists each).", monthly


def _money(value: Decimal, currency: str | None) -> str:
    return f"{value:,.2f}" + (f" {currency}" if currency else "")


def render_invoice_pdf(invoice: Invoice) -> bytes:
    """The statement as PDF bytes (one page). matplotlib is imported here, not at import, and
    drawn without pyplot's global state (safe in a worker thread)."""
    from matplotlib.backends.backend_pdf import FigureCanvasPdf

    fig = _statement(invoice)
    FigureCanvasPdf(fig)
    buffer = io.BytesIO()
    fig.savefig(
        buffer,
        format="pdf",
        metadata={"Title": f"Statement {invoice.client} {invoice.span}", "CreationDate": None},
    )
    return buffer.getvalue()


def render_invoice_png(invoice: Invoice) -> bytes:
    """The same statement as a PNG at `PREVIEW_DPI` (a preview of the PDF, e.g. for a README),
    drawn with the Agg backend, again without pyplot's global state."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = _statement(invoice)
    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=PREVIEW_DPI, facecolor="white")
    return buffer.getvalue()


def _statement(invoice: Invoice) -> Figure:
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    fig = Figure(figsize=_PAGE)
    inches = fig.dpi_scale_trans
    height = _PAGE[1]

    def text(x: float, y: float, s: str, **style: object) -> None:
        style.setdefault("fontsize", _FONT)
        style.setdefault("color", _INK)
        fig.text(x, height - y, s, transform=inches, parse_math=False, **style)  # type: ignore[arg-type]

    def rule(y: float, color: str = _RULE, width: float = 0.6) -> None:
        fig.add_artist(
            Line2D(
                [_LEFT, _RIGHT], [height - y] * 2, transform=inches, color=color, linewidth=width
            )
        )

    currency = invoice.currency
    local_as_of = invoice.as_of.astimezone(invoice.tz)
    text(_LEFT, 1.0, "Statement of work", fontsize=20, fontweight="bold")
    text(_RIGHT, 1.0, clip(invoice.client, 40), fontsize=14, ha="right", fontweight="bold")
    facts = [
        ("Client", invoice.client),
        ("Period", f"{invoice.span} ({invoice.tz.key})"),
        ("Rate", f"{_money(invoice.rate, currency)} per hour"),
        ("Issued", f"{local_as_of.day} {local_as_of:%b %Y}"),
    ]
    y = 1.5
    for label, value in facts:
        text(_LEFT, y, label, color=_MUTED)
        text(_LEFT + 0.9, y, clip(value, 80))
        y += 0.24

    columns = (_LEFT, _LEFT + 1.05, _LEFT + 2.05, _RIGHT - 1.45, _RIGHT)
    y += 0.35
    note, rows = _rows(invoice)
    heads = (
        "Date",
        "Time",
        "Description",
        "Hours",
        f"Amount{f' ({currency})' if currency else ''}",
    )
    for i, head in enumerate(heads):
        text(columns[i], y, head, fontweight="bold", ha="right" if i >= 3 else "left")
    y += 0.1
    rule(y, _INK, 0.8)
    y += _ROW
    if not rows:
        text(_LEFT, y, "No time recorded for this client in this period.", color=_MUTED)
        y += _ROW
    for row in rows:
        for i, cell in enumerate(row.cells):
            text(columns[i], y, cell, ha="right" if i == 3 else "left")
        text(columns[4], y, f"{row.amount:,.2f}", ha="right")
        y += _ROW
    y -= _ROW * 0.45
    rule(y, _INK, 0.8)
    y += _ROW + 0.05
    text(columns[2], y, "Total", fontweight="bold")
    text(columns[3], y, f"{invoice.total_hours:.2f} h", fontweight="bold", ha="right")
    text(columns[4], y, _money(invoice.total_amount, currency), fontweight="bold", ha="right")

    notes = [note] if note else []
    if invoice.round_minutes:
        how = "to the nearest" if invoice.rounding == "nearest" else f"{invoice.rounding} to"
        notes.append(f"Each entry's time rounded {how} {invoice.round_minutes} min.")
    notes.append(f"Times are local ({invoice.tz.key}); amounts are hours × rate, to the cent.")
    y = height - 0.9 - 0.2 * (len(notes) - 1)
    for line in notes:
        text(_LEFT, y, line, fontsize=8, color=_MUTED)
        y += 0.2

    return fig
