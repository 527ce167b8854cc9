"""Invoices: the pinned CSV to the byte (rounding per entry, a DST day, formulas neutralised),
the one-page PDF, and `timetrack invoice` end to end against the in-memory Notion."""

from __future__ import annotations

import re
import struct
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from clikit import USER, Notion
from notionkit import BOB, make_entry, seed_entry

from bot.cli import main
from timesheet.clients.model import ClientInfo
from timesheet.config import Rounding
from timesheet.entries.model import TimeEntry
from timesheet.reports.invoice import Invoice, NoRate, build_invoice, invoice_csv
from timesheet.reports.invoice_pdf import (
    MAX_ROWS,
    PREVIEW_DPI,
    render_invoice_pdf,
    render_invoice_png,
)
from timesheet.reports.report import ReportOptions
from timesheet.reports.week import PERIOD_CHOICES, named_period

LONDON = ZoneInfo("Europe/London")
#: Mon 26 Oct 2026 17:00 GMT; the clocks went back the day before (Sun 25 Oct, 02:00 BST).
NOW = datetime(2026, 10, 26, 17, 0, tzinfo=UTC)
PERIOD = "2026-10-24..2026-10-26"


def _utc(day: int, hour: int, minute: int = 0, month: int = 10) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def dst_weekend(user: str = USER) -> list[TimeEntry]:
    """Hand-computed: rows, local times and hours (ROUND_MINUTES=15, nearest)."""
    return [
        # Sat 24 Oct 09:00–10:07 BST: 67 min -> 60 min = 1.00 h
        make_entry(
            1, user=user, name="Security review", note="phase 2",
            start=_utc(24, 8), end=_utc(24, 9, 7),
        ),
        # Sun 25 Oct 00:30 BST – 03:30 GMT: 3 h on the wall, 4 h elapsed = 4.00 h
        make_entry(2, user=user, start=_utc(24, 23, 30), end=_utc(25, 3, 30)),
        # Mon 26 Oct 14:00–14:08 GMT: 8 min -> 15 min = 0.25 h; a note like a formula
        make_entry(3, user=user, note="=SUM(A1,A2)", start=_utc(26, 14), end=_utc(26, 14, 8)),
        # Mon 26 Oct 23:30 – Tue 01:00: starts in the period, so all of it counts: 1.50 h
        make_entry(4, user=user, start=_utc(26, 23, 30), end=_utc(27, 1)),
        # Fri 23 Oct 23:00 BST – Sat 01:00: started before the period, not on this invoice
        make_entry(5, user=user, start=_utc(23, 22), end=_utc(24, 0)),
        # another client
        make_entry(6, user=user, client="Globex", start=_utc(24, 12), minutes=60),
        # running since 16:00: left out, counted as running
        make_entry(7, user=user, start=_utc(26, 16)),
    ]  # fmt: skip


EXPECTED = (
    "date,start,end,description,hours,rate,amount\n"
    "2026-10-24,09:00,10:07,Security review — phase 2,1.00,97.50,97.50\n"
    "2026-10-25,00:30,03:30,,4.00,97.50,390.00\n"
    '2026-10-26,14:00,14:08,"\'=SUM(A1,A2)",0.25,97.50,24.38\n'
    "2026-10-26,23:30,01:00,,1.50,97.50,146.25\n"
    "Total,,,,6.75,,658.13\n"
)


def _invoice(
    entries: list[TimeEntry],
    rate: str | None = "97.5",
    *,
    round_minutes: int = 15,
    rounding: Rounding = "nearest",
) -> Invoice:
    period = named_period(PERIOD, LONDON, 0, NOW)
    options = ReportOptions(LONDON, round_minutes=round_minutes, rounding=rounding)
    info = ClientInfo("Acme", None if rate is None else Decimal(rate), "EUR")
    return build_invoice(entries, info, period, options, NOW)


def test_csv_bytes_with_rounding_a_dst_day_and_a_formula() -> None:
    invoice = _invoice(list(reversed(dst_weekend())))
    assert invoice_csv(invoice).encode() == EXPECTED.encode()
    assert invoice.running == 1
    assert invoice.summary() == (
        "Acme, 24–26 Oct 2026: 6.75 h × 97.50 = 658.13 EUR (4 entries); "
        "1 running left out (end it to bill it)"
    )


@pytest.mark.parametrize(
    ("rounding", "hours"),
    [("up", ["1.25", "4.00", "0.25", "1.50"]), ("down", ["1.00", "4.00", "0.00", "1.50"])],
)
def test_each_entry_is_rounded_on_its_own(rounding: Rounding, hours: list[str]) -> None:
    invoice = _invoice(dst_weekend(), round_minutes=15, rounding=rounding)
    assert [f"{line.hours:.2f}" for line in invoice.lines] == hours
    assert invoice.total_hours == sum(Decimal(h) for h in hours)


def test_no_rounding_keeps_two_decimals_half_up() -> None:
    # 67 min = 1.11666 h -> 1.12; 8 min = 0.1333 h -> 0.13; 0.13 × 97.50 = 12.675 -> 12.68
    invoice = _invoice(dst_weekend(), round_minutes=0)
    assert [f"{line.hours:.2f}" for line in invoice.lines] == ["1.12", "4.00", "0.13", "1.50"]
    assert [f"{line.amount:.2f}" for line in invoice.lines] == [
        "109.20", "390.00", "12.68", "146.25",
    ]  # fmt: skip


def test_a_client_without_a_rate_gets_no_invoice() -> None:
    with pytest.raises(NoRate, match=r"^Acme has no rate: set its Rate in the Clients database"):
        _invoice(dst_weekend(), rate=None)


def _page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


@pytest.mark.parametrize("count", [0, 4, MAX_ROWS + 1, 400])
def test_pdf_is_one_page_however_many_rows(count: int) -> None:
    entries = [
        make_entry(n + 1, start=_utc(1 + n % 30, 8 + n % 10, month=11), minutes=30)
        for n in range(count)
    ]
    period = named_period("2026-11-01..2026-11-30", LONDON, 0, NOW)
    info = ClientInfo("Acme", Decimal(120), "EUR")
    pdf = render_invoice_pdf(build_invoice(entries, info, period, ReportOptions(LONDON), NOW))
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert _page_count(pdf) == 1


def test_png_preview_is_the_a4_page_at_preview_dpi() -> None:
    png = render_invoice_png(_invoice(dst_weekend()))
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    assert PREVIEW_DPI == 120
    assert (width, height) == (992, 1402)  # 8.27 × 11.69 in (A4) at 120 dpi, truncated
    assert 20_000 < len(png) < 1_000_000  # drawn on, and still small enough for a README


# --- timetrack invoice ------------------------------------------------------------------------


def _seed(notion: Notion, entries: list[TimeEntry]) -> None:
    for entry in entries:
        seed_entry(notion.fake, notion.data_source_id, entry)


def _env(notion: Notion, **extra: str) -> dict[str, str]:
    return notion.env(ROUND_MINUTES="15", RATES="Acme:97.5", CURRENCY="EUR", **extra)


def test_cli_prints_the_csv_exactly(
    notion: Notion, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _seed(notion, [*dst_weekend(), make_entry(20, user=BOB, start=_utc(24, 15), minutes=45)])
    pdf = tmp_path / "out" / "acme.pdf"
    code = main(
        ["invoice", "acme", "--period", PERIOD, "--csv", "-", "--pdf", str(pdf), "--user", "me"],
        _env(notion),
    )
    assert code == 0
    assert capsys.readouterr().out == EXPECTED
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and _page_count(data) == 1


def test_cli_without_user_bills_everyone(
    notion: Notion, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _seed(notion, [*dst_weekend(), make_entry(20, user=BOB, start=_utc(24, 15), minutes=45)])
    csv_file = tmp_path / "acme.csv"
    assert main(["invoice", "Acme", "--period", PERIOD, "--csv", str(csv_file)], _env(notion)) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-2:] == [
        "Acme, 24–26 Oct 2026: 7.50 h × 97.50 = 731.26 EUR (5 entries); "
        "1 running left out (end it to bill it)",
        f"Wrote {csv_file}",
    ]
    assert "2026-10-24,16:00,16:45,,0.75,97.50,73.13" in csv_file.read_text()


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (
            ["invoice", "Nobody", "--period", PERIOD],
            "timetrack: No client called 'Nobody': it is not in the Clients database, RATES or "
            "PRESET_CLIENTS, and no entry of the period is for it.",
        ),
        (
            ["invoice", "globex", "--period", PERIOD],
            "timetrack: Globex has no rate: set its Rate in the Clients database "
            "(NOTION_CLIENTS_DATABASE_ID), or add Globex:RATE to RATES in .env.",
        ),
        (
            ["invoice", "Acme", "--period", "someday"],
            f"timetrack: --period someday: expected {PERIOD_CHOICES}",
        ),
    ],
)
def test_cli_refusals_are_one_line(
    notion: Notion,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    argv: list[str],
    line: str,
) -> None:
    _seed(notion, dst_weekend())
    csv_file = tmp_path / "never.csv"
    assert main([*argv, "--csv", str(csv_file)], _env(notion)) == 1
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [line]
    assert captured.out == ""
    assert not csv_file.exists()
