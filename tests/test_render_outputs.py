"""Rendering a WeekTable: the pinned CSV, Discord-sized messages that never cut, and the PNG."""

from __future__ import annotations

import csv
import io
import struct
import subprocess
import sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from timesheet.entries.model import TimeEntry
from timesheet.reports.aggregate import WeekTable, aggregate
from timesheet.reports.render import (
    MESSAGE_LIMIT,
    csv_text,
    render_csv,
    render_messages,
    render_png,
    render_table,
    render_text,
)
from timesheet.reports.week import week_period

LONDON = ZoneInfo("Europe/London")
W47 = week_period("2026-W47", LONDON)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
QUOTED = 'Smith, "Jones" & Co'


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=LONDON)


def small_table(**kwargs: object) -> WeekTable:
    entries = [
        TimeEntry("e1", "u1", QUOTED, "x", at(16, 9), at(16, 10, 30)),  # Mon 1.5
        TimeEntry("e2", "u1", "Acme", "x", at(17, 22, 30), at(18, 1, 15)),  # Tue 1.5, Wed 1.25
    ]
    return aggregate(entries, W47, LONDON, at(18, 12), **kwargs)  # type: ignore[arg-type]


def many_clients(count: int, *, name: str = "Client {i:03d} Consulting Ltd") -> WeekTable:
    entries = []
    for i in range(count):
        for day in range(7):
            start = at(16 + day, 8) + timedelta(minutes=(i * 37 + day * 11) % 600)
            minutes = 15 + (i * 53 + day * 29) % 400
            entries.append(
                TimeEntry(
                    f"e{i}-{day}",
                    f"u{i}",
                    name.format(i=i),
                    "x",
                    start,
                    start + timedelta(minutes=minutes),
                )
            )
    return aggregate(entries, W47, LONDON, at(23, 0), round_minutes=6)


def test_csv_exact_string() -> None:
    assert render_csv(small_table()) == (
        'day,Acme,"Smith, ""Jones"" & Co",Total\n'
        "2026-11-16,0.00,1.50,1.50\n"
        "2026-11-17,1.50,0.00,1.50\n"
        "2026-11-18,1.25,0.00,1.25\n"
        "2026-11-19,0.00,0.00,0.00\n"
        "2026-11-20,0.00,0.00,0.00\n"
        "2026-11-21,0.00,0.00,0.00\n"
        "2026-11-22,0.00,0.00,0.00\n"
        "Total,2.75,1.50,4.25\n"
    )


def test_csv_round_trips_through_a_csv_reader() -> None:
    rows = list(csv.reader(io.StringIO(render_csv(small_table()))))
    assert rows[0] == ["day", "Acme", QUOTED, "Total"]
    assert [r[0] for r in rows[1:]] == [f"2026-11-{d}" for d in range(16, 23)] + ["Total"]


def test_csv_of_an_empty_week_and_of_a_sunday_first_week() -> None:
    empty = aggregate([], W47, LONDON, at(18, 12))
    days = [f"2026-11-{d},0.00\n" for d in range(16, 23)]
    assert render_csv(empty) == "day,Total\n" + "".join(days) + "Total,0.00\n"
    sunday_first = aggregate([], week_period("2026-W47", LONDON, 6), LONDON, at(18, 12))
    assert render_csv(sunday_first).splitlines()[1] == "2026-11-15,0.00"


def test_csv_two_decimals_for_rounded_values() -> None:
    entries = [TimeEntry("e", "u", "A", "x", at(16, 9), at(16, 9, 18))]  # 18 min = 0.3 h
    table = aggregate(entries, W47, LONDON, at(18, 12), round_minutes=6)
    assert render_csv(table).splitlines()[1] == "2026-11-16,0.30,0.30"


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://evil.example")', '\'=HYPERLINK("http://evil.example")'),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Acme", "Acme"),
        ("a=b", "a=b"),  # only a leading character starts a formula
        ("Ac\rme", "Ac\rme"),  # quoted: a CR inside never splits the row
        ('Say "hi", Bob', 'Say "hi", Bob'),
        ("", ""),
        # numbers stay numbers
        ("1.50", "1.50"),
        ("0.00", "0.00"),
        ("-1.50", "-1.50"),
        ("+3", "+3"),
        ("2026-11-16", "2026-11-16"),
    ],
)
def test_csv_cells_that_start_a_formula_are_neutralised(cell: str, written: str) -> None:
    [row] = list(csv.reader(io.StringIO(csv_text([[cell, "1.50"]]), newline="")))
    assert row == [written, "1.50"]


def test_the_week_csv_neutralises_client_names_but_not_hours() -> None:
    entries = [
        TimeEntry("e1", "u1", '=HYPERLINK("http://evil.example")', "x", at(16, 9), at(16, 10)),
        TimeEntry("e2", "u1", "@SUM(A1:A9)", "x", at(16, 11), at(16, 11, 30)),
    ]
    table = aggregate(entries, W47, LONDON, at(18, 12))
    rows = list(csv.reader(io.StringIO(render_csv(table))))
    assert rows[0] == ["day", '\'=HYPERLINK("http://evil.example")', "'@SUM(A1:A9)", "Total"]
    assert rows[1] == ["2026-11-16", "1.00", "0.50", "1.50"]


def test_table_text_for_a_small_week() -> None:
    assert render_table(small_table()) == "\n".join(
        [
            'Day         Acme  Smith, "Jones" & Co  Total',
            "--------------------------------------------",
            "Mon 16 Nov     -                 1.50   1.50",
            "Tue 17 Nov  1.50                    -   1.50",
            "Wed 18 Nov  1.25                    -   1.25",
            "Thu 19 Nov     -                    -      -",
            "Fri 20 Nov     -                    -      -",
            "Sat 21 Nov     -                    -      -",
            "Sun 22 Nov     -                    -      -",
            "--------------------------------------------",
            "Total       2.75                 1.50   4.25",
        ]
    )


def test_small_week_is_one_message_with_heading_and_code_block() -> None:
    messages = render_messages(small_table())
    assert messages == [
        "**Week 2026-W47 (16–22 Nov 2026)** · Europe/London · 4.25 h from 2 entries\n```\n"
        + render_table(small_table())
        + "\n```"
    ]
    titled = render_messages(small_table(), title="Week 2026-W47 — user_1")
    assert titled[0].startswith("**Week 2026-W47 — user\\_1** · Europe/London · 4.25 h")
    assert render_text(small_table(), title="Mine").startswith("Mine · Europe/London")


def test_running_clients_marked_and_rounding_explained() -> None:
    entries = [TimeEntry("e", "u", "Acme", "x", at(18, 9), None)]
    table = aggregate(entries, W47, LONDON, at(18, 12, 7), round_minutes=15, rounding="up")
    text = render_text(table)
    assert "Acme*" in text
    assert "Marked *: still running, counted up to Wed 18 Nov 12:07." in text
    assert "Each cell rounded up to 15 min; totals add up the shown cells." in text
    message = "\n".join(render_messages(table))
    assert "Marked \\*: still running" in message  # escaped outside the code block
    assert "Acme*" in message  # inside the code block: literal


def test_notes_follow_the_table_with_markdown_escaped() -> None:
    entries = [
        TimeEntry("e1", "u", "snake_case", "x", at(16, 9), at(16, 11)),
        TimeEntry("e2", "u", "snake_case", "x", at(16, 10), at(16, 12)),
    ]
    table = aggregate(entries, W47, LONDON, at(18, 12))
    (message,) = render_messages(table)
    assert message.endswith(
        "• snake\\_case (Mon 16 Nov 09:00–11:00) and snake\\_case (Mon 16 Nov 10:00–12:00) overlap "
        "by 1 h 00 min; both are counted as recorded."
    )
    assert "• snake_case (Mon 16 Nov 09:00–11:00)" in render_text(table)


def assert_fits_and_keeps_everything(table: WeekTable, messages: list[str]) -> None:
    assert all(len(m) <= MESSAGE_LIMIT for m in messages)
    assert all(m.count("```") % 2 == 0 for m in messages)  # no code block left open
    joined = "\n".join(messages)
    for client in table.clients:
        assert client in joined
    assert joined.count("\nTotal ") == 1
    assert f"{table.total_hours:.2f}" in joined


def test_thirty_clients_fit_discord_messages_and_nothing_is_cut() -> None:
    table = many_clients(30)
    messages = render_messages(table)
    assert len(messages) >= 2
    assert_fits_and_keeps_everything(table, messages)
    assert "Client " in messages[1]  # transposed: clients are rows, the header repeats
    assert "```\nClient" in messages[-1] or "```\nClient" in messages[-2]
    # Every cell value of the table is shown somewhere.
    joined = "\n".join(messages)
    for client in table.clients:
        line = next(line for line in joined.splitlines() if line.startswith(client))
        cells = [f"{v:.2f}" if v else "-" for v in table.hours[client].tolist()]
        assert line.split()[-8:] == cells


def test_hundreds_of_clients_and_absurd_names_still_fit() -> None:
    table = many_clients(200)
    assert_fits_and_keeps_everything(table, render_messages(table))
    long_names = many_clients(3, name="{i} " + "x" * 1500)  # far beyond Notion's 100 characters
    assert_fits_and_keeps_everything(long_names, render_messages(long_names))
    # A name longer than a message is split over lines and messages, but every character is kept.
    absurd = many_clients(1, name="Ω" * 5000)
    messages = render_messages(absurd)
    assert all(len(m) <= MESSAGE_LIMIT for m in messages)
    assert all(m.count("```") % 2 == 0 for m in messages)
    assert sum(m.count("Ω") for m in messages) == 5000


def test_render_text_has_heading_table_and_footnotes() -> None:
    text = render_text(small_table())
    assert text.startswith(
        "Week 2026-W47 (16–22 Nov 2026) · Europe/London · 4.25 h from 2 entries\n\n"
    )
    assert render_table(small_table()) in text
    assert text.endswith("\n")


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.parametrize(
    "table",
    [
        pytest.param(small_table(), id="small"),
        pytest.param(aggregate([], W47, LONDON, at(18, 12)), id="empty"),
        pytest.param(many_clients(30), id="30-clients"),
    ],
)
def test_png_bytes(table: WeekTable) -> None:
    data = render_png(table)
    assert data.startswith(PNG_SIGNATURE)
    width, height = png_size(data)
    assert width >= 1000 and height >= 500


def test_render_module_does_not_import_matplotlib() -> None:
    code = "import sys, timesheet.reports.render; assert 'matplotlib' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_printed_rows_and_columns_add_up_to_the_printed_totals() -> None:
    """Unrounded cells are shown to 0.01 h; totals are sums of what is shown, not of exact time."""
    tz = ZoneInfo("Europe/London")
    period = week_period("2026-W47", tz, 0, datetime(2026, 11, 18, tzinfo=tz))
    monday = period.start
    entries = [  # 95 min = 1.5833 h (shown 1.58), 200 min = 3.3333 h (shown 3.33) on Monday
        TimeEntry("a", "1", "Globex", "Globex", monday + timedelta(hours=9), None),
        TimeEntry("b", "1", "Initech", "Initech", monday + timedelta(hours=14), None),
    ]
    entries = [
        entries[0].ended(monday + timedelta(hours=9, minutes=95)),
        entries[1].ended(monday + timedelta(hours=14, minutes=200)),
    ]
    table = aggregate(entries, period, tz, period.end)
    rows = {r["day"]: r for r in csv.DictReader(io.StringIO(render_csv(table)))}
    assert rows["2026-11-16"] == {
        "day": "2026-11-16",
        "Globex": "1.58",
        "Initech": "3.33",
        "Total": "4.91",
    }
    assert rows["Total"]["Total"] == "4.91"  # the exact total, 4.9167 h, would print 4.92
    assert abs(table.total_hours - 295 / 60) < 1e-9  # the exact figures are kept
