"""A row duplicated in Notion (Duplicate copies every property, Entry ID included) and moved to
another day is an entry of its own: /timesheet, /active and /end count and show it in full.

Only pages with the same Entry ID *and* the same Start are a doubled create (counted once).
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from botkit import BotHarness, Clock, slash
from botworld import World, new_world

from timesheet.entries.model import TimeEntry
from timesheet.entries.schema import to_properties

ALICE = "100000000000000001"
TOKEN = "secret_duplicated_rows"
MONDAY = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)  # 09:00 in London (GMT)
ENTRY_ID = "5b0c1d7e-2f3a-4b5c-8d9e-0f1a2b3c4d5e"


@pytest.fixture
def world() -> World:
    return new_world(("Acme",), TOKEN)


@pytest.fixture
async def bot(world: World) -> AsyncIterator[BotHarness]:
    async with world.harness(clock=Clock(MONDAY + timedelta(days=2))) as harness:
        yield harness


def put(world: World, entry: TimeEntry) -> None:
    """A page as Notion holds it (what the app's Duplicate makes, then a move of its Start)."""
    properties = {k: v.to_json() for k, v in to_properties(entry).items()}
    world.fake.add_page(world.data_source_id, properties)


def csv_rows(text: str) -> dict[str, dict[str, str]]:
    return {row["day"]: row for row in csv.DictReader(io.StringIO(text))}


ORIGINAL = TimeEntry(ENTRY_ID, ALICE, "Acme", "Acme", MONDAY, MONDAY + timedelta(hours=3))
#: Duplicated in Notion, then moved to Tuesday and made 8 hours long.
COPY = replace(ORIGINAL, start=MONDAY + timedelta(days=1), end=MONDAY + timedelta(days=1, hours=8))


async def test_a_copy_moved_to_another_day_counts_in_full(world: World, bot: BotHarness) -> None:
    put(world, ORIGINAL)
    put(world, COPY)

    reply = await bot.send(slash("timesheet", user_id=ALICE))

    assert reply.final is not None
    sheet = next(v for k, v in reply.final.files.items() if k.endswith(".csv")).decode()
    rows = csv_rows(sheet)
    assert rows["2026-11-16"]["Acme"] == "3.00"
    assert rows["2026-11-17"]["Acme"] == "8.00"
    assert rows["Total"]["Total"] == "11.00"
    assert "trash" not in reply.content and "share Entry ID" not in reply.content


async def test_a_doubled_create_same_start_still_counts_once(world: World, bot: BotHarness) -> None:
    put(world, ORIGINAL)
    put(world, ORIGINAL)  # the retry Notion's lagging index did not stop: same Start

    reply = await bot.send(slash("timesheet", user_id=ALICE))

    assert reply.final is not None
    sheet = next(v for k, v in reply.final.files.items() if k.endswith(".csv")).decode()
    assert csv_rows(sheet)["Total"]["Total"] == "3.00"
    assert "share Entry ID" in reply.content


def put_running(world: World) -> None:
    """The running original, its running copy moved to Tuesday, and a doubled create of the
    original (same Start: one timer with it)."""
    put(world, replace(ORIGINAL, end=None))
    put(world, replace(COPY, end=None))
    put(world, replace(ORIGINAL, end=None))


async def test_end_stops_a_running_copy_too(world: World, bot: BotHarness) -> None:
    put_running(world)

    ended = await bot.send(slash("end", "timer", user_id=ALICE))

    assert [e.end for e in world.entries()] == [bot.clock.now] * 3
    # Two timers stopped (the doubled create's pages are one): both named in the reply.
    assert "**Acme** stopped: started Tue 17 Nov 09:00" in ended.content
    assert "Stopped **Acme** (started Mon 16 Nov 09:00" in ended.content


async def test_end_entry_stops_its_doubled_create_but_not_a_copy(
    world: World, bot: BotHarness
) -> None:
    put_running(world)
    copy = next(e for e in world.entries() if e.start == COPY.start)

    await bot.send(slash("end", "timer", user_id=ALICE, entry=str(copy.page_id)))

    ends = [(e.start, e.end) for e in world.entries()]
    assert ends == [(ORIGINAL.start, None), (ORIGINAL.start, None), (COPY.start, bot.clock.now)]


async def test_active_shows_a_running_copy_as_a_timer_of_its_own(
    world: World, bot: BotHarness
) -> None:
    put_running(world)

    active = await bot.send(slash("active", user_id=ALICE))

    assert active.content.count("Running: **Acme** since") == 2
    assert "Mon 16 Nov 09:00" in active.content and "Tue 17 Nov 09:00" in active.content
    assert len(active.buttons) == 2
