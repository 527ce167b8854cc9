"""Reports of any period end to end: in-memory Notion -> query -> rows of days, weeks or months
-> CSV (exact bytes), text and chart."""

from __future__ import annotations

import struct
from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from notionkit import make_entry

from notion_client import NotionClient, RateLimit
from notion_client.fake import FakeNotion
from timesheet.entries.model import TimeEntry
from timesheet.entries.setup import create_database
from timesheet.entries.store import EntryStore
from timesheet.reports.render import MESSAGE_LIMIT, WIDE_TABLE_MAX, render_text
from timesheet.reports.report import ReportOptions, Timesheet, build_timesheets
from timesheet.reports.week import named_period, week_period

TZ = ZoneInfo("Europe/London")
NOW = datetime(2026, 12, 15, 12, 0, tzinfo=TZ)  # after every period below
ADA = "111111111111111111"


def local(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=TZ)


async def sheet_of(
    entries: Sequence[TimeEntry], spec: str, week_start: int = 0, *, now: datetime = NOW
) -> Timesheet:
    """The report of ``spec`` (a period spec) over ``entries`` written to the in-memory Notion."""
    fake = FakeNotion(token="secret_test")
    parent = fake.add_parent_page("Workspace")
    async with NotionClient(
        token="secret_test", transport=fake.transport(), rate_limit=RateLimit(rate=0)
    ) as client:
        database_id, _ = await create_database(client, parent, ("Acme", "Globex"))
        store = EntryStore(client, database_id)
        for entry in entries:
            await store.create(entry)
        period = named_period(spec, TZ, week_start, now)
        opts = ReportOptions(tz=TZ, week_start=week_start)
        (sheet,) = await build_timesheets(store, period, opts, now)
    return sheet


def csv_bytes(
    first: str, clients: Sequence[str], rows: Sequence[tuple[str, Sequence[str]]]
) -> bytes:
    lines = [",".join([first, *clients, "Total"])]
    lines += [",".join([label, *cells]) for label, cells in rows]
    return ("\n".join(lines) + "\n").encode()


def zero_rows(
    labels: Sequence[str], width: int, **cells: Sequence[str]
) -> list[tuple[str, Sequence[str]]]:
    """Each label with ``width`` zero cells, but those given (keyed by label, ``-`` as ``_``)."""
    return [(label, cells.get(label.replace("-", "_"), ["0.00"] * width)) for label in labels]


async def test_a_month_has_a_row_for_every_day() -> None:
    """October 2026 in London: 31 rows, the 25-hour Sunday, an entry over the month's end."""
    sheet = await sheet_of(
        [
            make_entry(1, user=ADA, start=local(2026, 10, 1, 9), minutes=90),
            # Sat 24 Oct 23:00 BST to Sun 25 Oct 02:00 GMT (4 h): 1 h on Saturday, 3 on Sunday.
            make_entry(
                2,
                user=ADA,
                client="Globex",
                start=local(2026, 10, 24, 23),
                end=local(2026, 10, 25, 2),
            ),
            # Sat 31 Oct 23:00 to Sun 1 Nov 01:00: only the first hour is October's.
            make_entry(3, user=ADA, start=local(2026, 10, 31, 23), minutes=120),
            make_entry(4, user=ADA, client="Initech", start=local(2026, 9, 30, 9), minutes=60),
        ],
        "2026-10",
    )
    days = [f"2026-10-{d:02d}" for d in range(1, 32)]
    expected = csv_bytes(
        "day",
        ["Acme", "Globex"],
        [
            *zero_rows(
                days,
                3,
                **{
                    "2026_10_01": ["1.50", "0.00", "1.50"],
                    "2026_10_24": ["0.00", "1.00", "1.00"],
                    "2026_10_25": ["0.00", "3.00", "3.00"],
                    "2026_10_31": ["1.00", "0.00", "1.00"],
                },
            ),
            ("Total", ["2.50", "4.00", "6.50"]),
        ],
    )
    assert sheet.csv.encode() == expected
    assert sheet.file_stem == "timesheet-2026-10"
    assert sheet.title == "October 2026"
    assert "Sun 25 Oct 2026 has 25 hours (clocks went back)." in sheet.table.notes

    text = render_text(sheet.table)
    assert "Sat 31 Oct" in text and "Thu  1 Oct" in text
    assert all(f"{d:>2} Oct" in text for d in range(1, 32))
    assert all(len(message) <= MESSAGE_LIMIT for message in sheet.messages)


async def test_26_weeks_have_a_row_per_week_clipped_at_the_edges() -> None:
    """Wed 3 Jun to Mon 30 Nov 2026 (181 days): weeks W23 (from Wednesday) to W49 (one day)."""
    sheet = await sheet_of(
        [
            make_entry(1, user=ADA, start=local(2026, 6, 2, 10), minutes=60),  # before: out
            make_entry(2, user=ADA, start=local(2026, 6, 3, 10), minutes=120),
            # Sun 7 Jun 23:30 to Mon 8 Jun 00:30: half in W23, half in W24.
            make_entry(3, user=ADA, client="Globex", start=local(2026, 6, 7, 23, 30), minutes=60),
            make_entry(4, user=ADA, start=local(2026, 11, 30, 9), minutes=75),
            make_entry(5, user=ADA, start=local(2026, 12, 1, 9), minutes=60),  # after: out
        ],
        "2026-06-03..2026-11-30",
    )
    weeks = [f"2026-W{n:02d}" for n in range(23, 50)]
    expected = csv_bytes(
        "week",
        ["Acme", "Globex"],
        [
            *zero_rows(
                weeks,
                3,
                **{
                    "2026_W23": ["2.00", "0.50", "2.50"],
                    "2026_W24": ["0.00", "0.50", "0.50"],
                    "2026_W49": ["1.25", "0.00", "1.25"],
                },
            ),
            ("Total", ["3.25", "1.00", "4.25"]),
        ],
    )
    assert sheet.csv.encode() == expected
    assert sheet.table.days[:2] == [date(2026, 6, 3), date(2026, 6, 8)]
    assert sheet.table.days[-1] == date(2026, 11, 30)
    text = render_text(sheet.table)
    assert "2026-W23  3 Jun" in text and "2026-W49 30 Nov" in text


async def test_weeks_start_on_week_start() -> None:
    """The same kind of period with Sunday weeks: the entry of Sun 7 Jun opens week W24."""
    sheet = await sheet_of(
        [make_entry(1, user=ADA, start=local(2026, 6, 7, 10), minutes=60)],
        "2026-06-03..2026-08-31",
        week_start=6,
    )
    rows = sheet.csv.splitlines()
    assert rows[:3] == ["week,Acme,Total", "2026-W23,0.00,0.00", "2026-W24,1.00,1.00"]
    assert sheet.table.days[:2] == [date(2026, 6, 3), date(2026, 6, 7)]


async def test_a_year_has_a_row_per_month() -> None:
    sheet = await sheet_of(
        [
            make_entry(1, user=ADA, start=local(2026, 1, 5, 9), minutes=120),
            # Tue 31 Mar 23:00 to Wed 1 Apr 01:00 BST: an hour in each month.
            make_entry(2, user=ADA, client="Globex", start=local(2026, 3, 31, 23), minutes=120),
            # New Year's Eve 23:00 to 01:00: only December's hour is 2026's.
            make_entry(3, user=ADA, start=local(2026, 12, 31, 23), minutes=120),
        ],
        "2026",
        now=datetime(2027, 1, 2, tzinfo=TZ),
    )
    months = [f"2026-{m:02d}" for m in range(1, 13)]
    expected = csv_bytes(
        "month",
        ["Acme", "Globex"],
        [
            *zero_rows(
                months,
                3,
                **{
                    "2026_01": ["2.00", "0.00", "2.00"],
                    "2026_03": ["0.00", "1.00", "1.00"],
                    "2026_04": ["0.00", "1.00", "1.00"],
                    "2026_12": ["1.00", "0.00", "1.00"],
                },
            ),
            ("Total", ["3.00", "2.00", "5.00"]),
        ],
    )
    assert sheet.csv.encode() == expected
    assert sheet.file_stem == "timesheet-2026"
    assert sheet.title == "Year 2026"
    notes = sheet.table.notes
    assert "Sun 29 Mar 2026 has 23 hours (clocks went forward)." in notes
    assert "Sun 25 Oct 2026 has 25 hours (clocks went back)." in notes
    text = render_text(sheet.table)
    assert "Month" in text and "Jan 2026" in text and "Dec 2026" in text


async def test_a_week_as_a_period_is_the_weekly_csv_byte_for_byte() -> None:
    entries = [
        make_entry(1, user=ADA, start=local(2026, 11, 16, 9), minutes=90),
        make_entry(2, user=ADA, client="Globex", start=local(2026, 11, 18, 14), minutes=45),
    ]
    by_period = await sheet_of(entries, "2026-W47")
    assert by_period.csv == (
        "day,Acme,Globex,Total\n"
        "2026-11-16,1.50,0.00,1.50\n"
        "2026-11-17,0.00,0.00,0.00\n"
        "2026-11-18,0.00,0.75,0.75\n"
        "2026-11-19,0.00,0.00,0.00\n"
        "2026-11-20,0.00,0.00,0.00\n"
        "2026-11-21,0.00,0.00,0.00\n"
        "2026-11-22,0.00,0.00,0.00\n"
        "Total,1.50,0.75,2.25\n"
    )
    assert by_period.title == "Week 2026-W47 (16–22 Nov 2026)"
    assert by_period.file_stem == "timesheet-2026-W47"
    assert by_period.table.period == week_period("2026-W47", TZ, 0)


def png_size(data: bytes) -> tuple[int, int]:
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


async def test_many_clients_over_a_month_split_into_column_groups_never_cut() -> None:
    """16 clients × 31 days: the text keeps every day as a row and every client as a column,
    in groups no wider than the limit; the chart is wider than a week's."""
    clients = [f"Client {n:02d}" for n in range(16)]
    entries = [
        make_entry(n + 1, user=ADA, client=name, start=local(2026, 10, 1 + n, 9), minutes=30)
        for n, name in enumerate(clients)
    ]
    sheet = await sheet_of(entries, "2026-10")
    text = render_text(sheet.table)
    table_lines = [line for line in text.splitlines() if line.startswith(("Day", "Thu  1 Oct"))]
    assert all(len(line) <= WIDE_TABLE_MAX for line in table_lines)
    heads = [line for line in text.splitlines() if line.startswith("Day")]
    assert len(heads) > 1
    assert sorted(name for head in heads for name in clients if name in head) == clients
    assert sum("Total" in head for head in heads) == 1
    assert text.count("Sat 31 Oct") == len(heads)
    assert all(len(message) <= MESSAGE_LIMIT for message in sheet.messages)
    assert all(name in "".join(sheet.messages) for name in clients)

    month_png = sheet.png()
    week_png = (await sheet_of(entries[:3], "2026-W40")).png()
    assert month_png.startswith(b"\x89PNG\r\n\x1a\n")
    assert png_size(month_png)[0] > png_size(week_png)[0]


@pytest.mark.parametrize("spec", ["this-month", "last-year", "this-fortnight"])
async def test_named_periods_report_through_the_store(spec: str) -> None:
    sheet = await sheet_of([make_entry(1, user=ADA, start=local(2026, 12, 1, 9), minutes=30)], spec)
    assert sheet.csv.splitlines()[-1].startswith("Total,")
    assert sheet.table.period == named_period(spec, TZ, 0, NOW)
