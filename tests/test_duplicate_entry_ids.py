"""Pages sharing an Entry ID (a create doubled behind Notion's lagging index) count once."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from notionkit import T0, NotionEnv, make_entry, notion_env

from timesheet.entries.duplicates import collapse_duplicates, one_per_entry_id, preference
from timesheet.entries.model import TimeEntry
from timesheet.reports.aggregate import aggregate
from timesheet.reports.render import render_text
from timesheet.reports.report import ReportOptions, build_timesheets
from timesheet.reports.week import week_period

TZ = ZoneInfo("Europe/London")
OPTS = ReportOptions(tz=TZ)
PERIOD = week_period("2026-W47", TZ, 0, T0)
SUNDAY = datetime(2026, 11, 22, 18, 0, tzinfo=TZ)
ADA, BOB = "100000000000000001", "100000000000000002"


def _rows(text: str) -> dict[str, dict[str, str]]:
    return {row["day"]: row for row in csv.DictReader(io.StringIO(text))}


@pytest.fixture
async def env() -> AsyncIterator[NotionEnv]:
    async with notion_env(("Acme", "Globex")) as notion:
        notion.fake.clock = lambda: T0  # every page edited at once: ties go to the page id
        yield notion


# -- the report --------------------------------------------------------------------------------


async def test_a_doubled_page_is_counted_once_and_named_in_the_notes(env: NotionEnv) -> None:
    await env.store.create(make_entry(1, minutes=90))
    doubled = make_entry(2, client="Globex", start=T0 + timedelta(hours=3), minutes=45)
    first = await env.store.create(doubled)
    second = await env.store.create(doubled)  # the retry the lagging index did not stop
    assert first.page_id != second.page_id
    before = env.snapshot()

    [sheet] = await build_timesheets(env.store, PERIOD, OPTS, SUNDAY)

    assert env.since(before)["query_data_source"] == 1
    monday = _rows(sheet.csv)["2026-11-16"]
    assert (monday["Acme"], monday["Globex"], monday["Total"]) == ("1.50", "0.75", "2.25")
    assert sheet.table.entry_count == 2
    [note] = [n for n in sheet.table.notes if "share Entry ID" in n]
    assert note.startswith(f"2 Notion pages share Entry ID {doubled.entry_id}; counted once")
    assert "trash the extra page in Notion" in note
    # identical pages edited at the same instant: the greatest page id counts
    kept, extra = sorted((first, second), key=lambda e: (e.page_id or "").replace("-", ""))[::-1]
    assert kept.url and extra.url
    assert note.index(kept.url) < note.index("trash") < note.index(extra.url)
    assert any("share Entry ID" in line for line in render_text(sheet.table).splitlines())


async def test_per_user_tables_each_count_their_doubles_once(env: NotionEnv) -> None:
    ada = make_entry(1, user=ADA, minutes=60)
    bob = make_entry(2, user=BOB, start=T0 + timedelta(hours=1), minutes=30)
    for entry in (ada, ada, ada, bob):
        await env.store.create(entry)

    sheets = await build_timesheets(env.store, PERIOD, OPTS, SUNDAY, per_user=True)

    assert [s.user_id for s in sheets] == [ADA, BOB]
    ada_sheet, bob_sheet = sheets
    assert _rows(ada_sheet.csv)["Total"]["Total"] == "1.00"
    assert _rows(bob_sheet.csv)["Total"]["Total"] == "0.50"
    [note] = [n for n in ada_sheet.table.notes if "share Entry ID" in n]
    assert note.startswith(f"3 Notion pages share Entry ID {ada.entry_id}")
    assert "trash the extra pages in Notion" in note
    assert not any("share Entry ID" in n for n in bob_sheet.table.notes)


async def test_an_ended_page_beats_its_running_twin(env: NotionEnv) -> None:
    """The doubled start of a timer ended through one page only: no hours up to "now"."""
    ended = make_entry(3, minutes=120)
    await env.store.create(replace(ended, end=None))
    await env.store.create(ended)

    [sheet] = await build_timesheets(env.store, PERIOD, OPTS, SUNDAY)

    assert _rows(sheet.csv)["Total"]["Total"] == "2.00"
    assert sheet.table.running == frozenset()
    assert any("share Entry ID" in n for n in sheet.table.notes)


async def test_a_phantom_twin_stopped_later_does_not_over_bill(env: NotionEnv) -> None:
    """One page ended at 10:00 by the user; its twin ran on until a /start stopped it at 14:00
    (the gap before /end entry: stopped twins). The client is billed 1 h, not 5 h."""
    entry = make_entry(9)
    real = await env.store.create(entry)
    phantom = await env.store.create(entry)
    env.fake.clock = lambda: T0 + timedelta(hours=1)
    await env.store.end(real, T0 + timedelta(hours=1))
    env.fake.clock = lambda: T0 + timedelta(hours=5)
    await env.store.end(phantom, T0 + timedelta(hours=5))

    [sheet] = await build_timesheets(env.store, PERIOD, OPTS, SUNDAY)

    assert _rows(sheet.csv)["Total"]["Total"] == "1.00"
    [note] = [n for n in sheet.table.notes if "share Entry ID" in n]
    assert "as Acme (Mon 16 Nov 09:00–10:00)" in note
    assert real.url is not None and phantom.url is not None
    assert note.index(real.url) < note.index("trash") < note.index(phantom.url)


async def test_the_last_edited_of_two_equal_pages_counts(env: NotionEnv) -> None:
    """Same End: the page edited later in Notion wins (edited_at read from last_edited_time)."""
    entry = make_entry(4, minutes=60)
    env.fake.clock = lambda: T0
    old = await env.store.create(replace(entry, client="Globex", name="Globex"))
    env.fake.clock = lambda: T0 + timedelta(hours=5)
    new = await env.store.create(entry)
    assert old.edited_at is not None and new.edited_at is not None
    assert new.edited_at > old.edited_at

    [sheet] = await build_timesheets(env.store, PERIOD, OPTS, SUNDAY)

    assert sheet.table.clients == ["Acme"]
    [note] = [n for n in sheet.table.notes if "share Entry ID" in n]
    assert new.url is not None and old.url is not None
    assert note.index(new.url) < note.index("trash") < note.index(old.url)


async def test_pages_without_an_entry_id_are_never_merged(env: NotionEnv) -> None:
    """Pages typed into Notion by hand have a blank Entry ID: each is its own entry."""
    blank = make_entry(5, minutes=60, entry_id="")
    await env.store.create(blank)
    await env.store.create(blank)

    [sheet] = await build_timesheets(env.store, PERIOD, OPTS, SUNDAY)

    assert _rows(sheet.csv)["Total"]["Total"] == "2.00"
    assert not any("share Entry ID" in n for n in sheet.table.notes)


def test_aggregate_itself_counts_a_doubled_entry_once() -> None:
    entry = make_entry(6, minutes=60)
    pages = [replace(entry, page_id="page-a"), replace(entry, page_id="page-b")]
    table = aggregate(pages, PERIOD, TZ, SUNDAY)
    assert table.total_hours == 1.0
    assert table.entry_count == 1
    [note] = [n for n in table.notes if "share Entry ID" in n]
    assert "counted once, as Acme (Mon 16 Nov 09:00–10:00) on page page-b" in note
    assert note.endswith("trash the extra page in Notion: page page-a.")


def test_a_copy_with_another_start_is_an_entry_of_its_own() -> None:
    """Notion's Duplicate copies the Entry ID too; the copy moved to Tuesday counts in full."""
    entry = make_entry(13, minutes=180)
    copy = replace(entry, start=entry.start + timedelta(days=1), page_id="page-b")
    copy = replace(copy, end=copy.start + timedelta(hours=8))
    table = aggregate([replace(entry, page_id="page-a"), copy], PERIOD, TZ, SUNDAY)
    assert table.total_hours == 11.0
    assert table.entry_count == 2
    assert not any("share Entry ID" in n for n in table.notes)
    assert collapse_duplicates([entry, copy]) == ([entry, copy], [])


def test_a_double_outside_the_period_gets_no_note() -> None:
    entry = make_entry(7, start=T0 - timedelta(days=7), minutes=60)  # the week before
    pages = [replace(entry, page_id="page-a"), replace(entry, page_id="page-b")]
    table = aggregate(pages, PERIOD, TZ, SUNDAY)
    assert table.total_hours == 0.0
    assert not any("share Entry ID" in n for n in table.notes)


# -- the winner rule ---------------------------------------------------------------------------

BASE = make_entry(8, minutes=60)
AT = T0 + timedelta(hours=3)


def _winner(*pages: TimeEntry) -> str | None:
    """The page kept, checked to be the same whatever the order Notion returned them in."""
    kept = set()
    for order in itertools.permutations(pages):
        unique, [group] = collapse_duplicates(order)
        assert unique == [group.kept] and len(group.extra) == len(pages) - 1
        kept.add(group.kept.page_id)
    assert len(kept) == 1
    return kept.pop()


def test_an_ended_page_wins_over_a_running_one_even_if_edited_later() -> None:
    running = replace(BASE, end=None, page_id="ffff", edited_at=AT + timedelta(days=1))
    ended = replace(BASE, page_id="0000", edited_at=AT)
    assert _winner(running, ended) == "0000"


def test_the_earliest_end_wins_among_ended_pages_a_phantom_twin_ends_later() -> None:
    """The twin left running when the timer was ended through one page is stopped later (by
    the next /start): its End, edit and page id all come later, and it must not be billed."""
    real = replace(BASE, page_id="0000", edited_at=AT)
    phantom = replace(
        BASE, end=BASE.start + timedelta(hours=5), page_id="ffff", edited_at=AT + timedelta(hours=4)
    )
    assert _winner(real, phantom) == "0000"
    # the same rule for a correction in Notion: the shorter page counts, the note says so
    corrected = replace(BASE, end=BASE.start + timedelta(minutes=40), page_id="0000")
    assert _winner(corrected, replace(BASE, page_id="ffff", edited_at=AT)) == "0000"


def test_with_equal_ends_the_last_edited_wins_then_the_greatest_page_id() -> None:
    earlier = replace(BASE, page_id="ffff", edited_at=AT)
    later = replace(BASE, page_id="0000", edited_at=AT + timedelta(minutes=1))
    assert _winner(earlier, later) == "0000"
    assert _winner(replace(BASE, page_id="aaaa"), replace(BASE, page_id="BBBB")) == "BBBB"
    assert preference(replace(BASE, page_id="b-b")) == preference(replace(BASE, page_id="BB"))


def test_collapsing_keeps_order_and_is_a_no_op_without_doubles() -> None:
    a, b, c = (
        make_entry(n, start=T0 + timedelta(hours=n), minutes=30, page_id=f"p{n}")
        for n in (10, 11, 12)
    )
    assert collapse_duplicates([c, a, b]) == ([c, a, b], [])
    b_twin = replace(b, page_id="p11-twin")
    unique, [group] = collapse_duplicates([b, c, b_twin, a])
    assert [e.entry_id for e in unique] == [b.entry_id, c.entry_id, a.entry_id]
    assert group.entry_id == b.entry_id and group.page_count == 2
    # The same page listed twice is one page, not a double to report.
    assert collapse_duplicates([a, a]) == ([a], [])
    assert one_per_entry_id([b_twin, b]) == [group.kept]
