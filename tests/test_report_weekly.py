"""The report pipeline end to end: in-memory Notion -> one query -> tables -> local webhook."""

from __future__ import annotations

import asyncio
import csv
import io
import threading
import time
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from notionkit import make_entry
from webhookkit import WEBHOOK_TOKEN, FakeDiscord, serve_discord

from notion_client import Date, NotionClient, RateLimit
from notion_client.fake import FakeNotion
from timesheet.demo import run_demo
from timesheet.entries.model import TimeEntry
from timesheet.entries.setup import create_database
from timesheet.entries.store import EntryStore
from timesheet.publishing.discord_webhook import PublishError
from timesheet.publishing.schedule import PostedLog, ScheduledRun
from timesheet.reports.notes import MAX_NOTES_PER_KIND
from timesheet.reports.report import ReportOptions, build_timesheets, post_scheduled, publish_sheet
from timesheet.reports.week import week_period

TZ = ZoneInfo("Europe/London")
ADA, BOB = "111111111111111111", "222222222222222222"
PERIOD = week_period("2026-W47", TZ, 0, datetime(2026, 11, 18, tzinfo=TZ))
SUNDAY_9AM = datetime(2026, 11, 22, 9, 0, tzinfo=TZ)


def at(day: int, hour: int) -> datetime:
    """``hour`` o'clock (London) on day ``day`` of the reported week (0: Monday)."""
    return PERIOD.start + timedelta(days=day, hours=hour)


@pytest.fixture
async def store() -> AsyncIterator[tuple[FakeNotion, EntryStore]]:
    fake = FakeNotion(token="secret_test")
    parent = fake.add_parent_page("Workspace")
    async with NotionClient(
        token="secret_test", transport=fake.transport(), rate_limit=RateLimit(rate=0)
    ) as client:
        database_id, _ = await create_database(client, parent, ("Acme", "Globex"))
        entry_store = EntryStore(client, database_id)
        for entry in [
            make_entry(1, user=ADA, start=at(0, 9), minutes=90),  # Mon 1.50 h
            make_entry(2, user=ADA, client="Globex", start=at(2, 14), minutes=45),  # Wed 0.75 h
            make_entry(3, user=BOB, start=at(0, 10), minutes=120),  # Mon 2.00 h
            make_entry(4, user=BOB, start=at(7, 10), minutes=60),  # next Monday: outside the week
        ]:
            await entry_store.create(entry)
        fake.requests.clear()
        yield fake, EntryStore(client, database_id)


def _rows(text: str) -> dict[str, dict[str, str]]:
    return {row["day"]: row for row in csv.DictReader(io.StringIO(text))}


async def test_one_query_gives_one_table_per_user(store: tuple[FakeNotion, EntryStore]) -> None:
    fake, entries = store
    sheets = await build_timesheets(
        entries, PERIOD, ReportOptions(tz=TZ), SUNDAY_9AM, per_user=True
    )
    assert [s.user_id for s in sheets] == [ADA, BOB]
    assert fake.requests["query_data_source"] == 1
    assert fake.requests["retrieve_database"] == 1
    ada, bob = (_rows(s.csv) for s in sheets)
    assert ada["2026-11-16"] == {
        "day": "2026-11-16",
        "Acme": "1.50",
        "Globex": "0.00",
        "Total": "1.50",
    }
    assert ada["Total"]["Total"] == "2.25"
    assert bob["Total"] == {"day": "Total", "Acme": "2.00", "Total": "2.00"}


async def test_user_filter_and_restriction(store: tuple[FakeNotion, EntryStore]) -> None:
    _, entries = store
    (only_bob,) = await build_timesheets(
        entries, PERIOD, ReportOptions(tz=TZ), SUNDAY_9AM, per_user=True, users=[BOB]
    )
    assert only_bob.user_id == BOB
    (mine,) = await build_timesheets(entries, PERIOD, ReportOptions(tz=TZ), SUNDAY_9AM, user_id=ADA)
    assert mine.user_id == ADA
    assert _rows(mine.csv)["Total"]["Total"] == "2.25"


async def test_empty_week_still_gives_a_table(store: tuple[FakeNotion, EntryStore]) -> None:
    _, entries = store
    empty = week_period("2026-W40", TZ, 0, SUNDAY_9AM)
    (sheet,) = await build_timesheets(
        entries, empty, ReportOptions(tz=TZ), SUNDAY_9AM, per_user=True
    )
    assert sheet.csv.splitlines()[0] == "day,Total"
    assert sheet.csv.splitlines()[-1] == "Total,0.00"


async def _broken(entries: EntryStore, n: int, user: str, day: int, **props: Date) -> TimeEntry:
    """A page of the week that the store can't use once ``props`` are written to it."""
    page = await entries.create(make_entry(n, user=user, start=at(day, 11), minutes=30))
    assert page.page_id is not None
    await entries.client.update_page(page.page_id, dict(props))
    return page


async def test_pages_the_store_skips_are_named_in_the_notes(
    store: tuple[FakeNotion, EntryStore],
) -> None:
    """Not counted, so the report says so: one line per page, with its link and why."""
    fake, entries = store
    end_first = await _broken(entries, 20, ADA, 1, End=Date(PERIOD.start))
    no_time = await _broken(entries, 21, BOB, 3, Start=Date(PERIOD.start.date() + timedelta(3)))
    fake.requests.clear()

    (sheet,) = await build_timesheets(entries, PERIOD, ReportOptions(tz=TZ), SUNDAY_9AM)

    assert fake.requests["query_data_source"] == 1
    assert _rows(sheet.csv)["Total"]["Total"] == "4.25"  # the good entries only
    skipped = [n for n in sheet.table.notes if n.startswith("Skipped a Notion page")]
    assert skipped == [
        f"Skipped a Notion page (End is before Start), not counted: {end_first.url} — "
        "fix it in Notion to count it.",
        f"Skipped a Notion page (Start has a date but no time), not counted: {no_time.url} — "
        "fix it in Notion to count it.",
    ]
    assert f"• {skipped[0]}" in "\n".join(sheet.messages)


async def test_skipped_pages_go_to_their_users_table_and_are_capped(
    store: tuple[FakeNotion, EntryStore],
) -> None:
    _, entries = store
    carol = "333333333333333333"  # nothing usable this week: a table for the note all the same
    await _broken(entries, 30, carol, 2, End=Date(PERIOD.start))
    for n in range(MAX_NOTES_PER_KIND + 2):
        await _broken(entries, 40 + n, BOB, 4, End=Date(PERIOD.start))

    sheets = await build_timesheets(
        entries, PERIOD, ReportOptions(tz=TZ), SUNDAY_9AM, per_user=True
    )

    assert [s.user_id for s in sheets] == [ADA, BOB, carol]
    ada, bob, carol_sheet = ([n for n in s.table.notes if "skipped" in n.lower()] for s in sheets)
    assert ada == []
    assert len(bob) == MAX_NOTES_PER_KIND + 1 and bob[-1] == "… and 2 more skipped pages."
    assert len(carol_sheet) == 1 and "(End is before Start)" in carol_sheet[0]
    assert _rows(sheets[2].csv)["Total"]["Total"] == "0.00"
    (only_ada,) = await build_timesheets(
        entries, PERIOD, ReportOptions(tz=TZ), SUNDAY_9AM, per_user=True, users=[ADA]
    )
    assert not any("skipped" in n.lower() for n in only_ada.table.notes)


async def test_scheduled_post_sends_each_user_once_even_across_a_retry(
    store: tuple[FakeNotion, EntryStore], tmp_path: Path
) -> None:
    _, entries = store
    log = PostedLog(tmp_path)
    run = ScheduledRun(at=SUNDAY_9AM, key="2026-W47", log=log, period=PERIOD)
    async with serve_discord() as discord:
        discord.script.extend(["ok", web.json_response({"message": "Unknown"}, status=404)])
        with pytest.raises(PublishError, match="404") as failure:
            await asyncio.wait_for(
                post_scheduled(
                    run, entries, ReportOptions(tz=TZ), discord.url, now=lambda: SUNDAY_9AM
                ),
                timeout=20,
            )
        assert WEBHOOK_TOKEN not in str(failure.value)
        await asyncio.wait_for(
            post_scheduled(run, entries, ReportOptions(tz=TZ), discord.url, now=lambda: SUNDAY_9AM),
            timeout=20,
        )
        await post_scheduled(
            run, entries, ReportOptions(tz=TZ), discord.url, now=lambda: SUNDAY_9AM
        )
    sent = _sent_users(discord)
    assert sent == [
        ADA,
        BOB,
        BOB,
    ]  # Ada once; Bob failed once, then once more; a third run: nothing
    last = discord.requests[-1]
    names = sorted(f[0] for f in last.files.values())
    assert names == [f"timesheet-2026-W47-{BOB}.csv", f"timesheet-2026-W47-{BOB}.png"]
    csv_bytes = next(f[2] for f in last.files.values() if f[0].endswith(".csv"))
    assert _rows(csv_bytes.decode())["Total"]["Acme"] == "2.00"
    png = next(f[2] for f in last.files.values() if f[0].endswith(".png"))
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    embed = last.payload["embeds"][0]
    assert "2026-W47" in embed["title"] and BOB in embed["title"]
    assert "2.00" in embed["description"]
    assert log.was_posted(f"2026-W47:{ADA}") and log.was_posted(f"2026-W47:{BOB}")


async def test_the_chart_is_drawn_off_the_event_loop(
    store: tuple[FakeNotion, EntryStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A slow chart must not stall the bot: the loop keeps ticking while the PNG is drawn."""
    _, entries = store
    (sheet,) = await build_timesheets(entries, PERIOD, ReportOptions(tz=TZ), SUNDAY_9AM)
    drawing = threading.Event()

    def slow_png(table: object) -> bytes:
        drawing.set()
        time.sleep(0.3)  # stands in for matplotlib's drawing
        return b"\x89PNG\r\n\x1a\n"

    monkeypatch.setattr("timesheet.reports.render.render_png", slow_png)
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            if drawing.is_set():
                ticks += 1

    ticker = asyncio.create_task(tick())
    async with serve_discord() as discord:
        await asyncio.wait_for(publish_sheet(discord.url, sheet), timeout=20)
    ticker.cancel()
    assert ticks >= 10, f"the event loop ran {ticks} times while the chart was drawn"
    assert len(discord.requests) == 1


def _sent_users(discord: FakeDiscord) -> list[str]:
    users = []
    for request in discord.requests:
        title = request.payload["embeds"][0]["title"]
        users.append(ADA if ADA in title else BOB)
    return users


async def test_demo_runs_the_pipeline_and_writes_outputs(tmp_path: Path) -> None:
    out = io.StringIO()
    assert await run_demo(tmp_path, out) == 0
    text = out.getvalue()
    assert "The report took 2 Notion requests" in text
    assert "query index lags writes by 3 s" in text
    # The start made while Notion was down was written later, at its own time (2 h, Wed).
    assert "Notion was down for Wed 09:30 Wayne's start: saved in the ledger" in text
    assert "1 timer runs" in text
    # Fixed after the fact, the hours still those worked: a pause, a log, an adjusted stop.
    assert "paused 20 min for lunch, then resumed Initech" in text
    assert "logged Security audit call from memory: 1h 15m" in text
    assert "stopped Wayne an hour late; adjusted to 3h 50m" in text
    rows = _rows((tmp_path / "timesheet.csv").read_text())
    assert list(rows["2026-11-16"]) == [
        "day",
        "Acme",
        "Globex",
        "Initech",
        "Umbrella",
        "Wayne",
        "Total",
    ]
    # The release-night deploy, Wed 22:30 -> Thu 01:15, is split at local midnight.
    assert rows["2026-11-18"]["Initech"] == "1.50"
    assert rows["2026-11-19"]["Initech"] == "1.25"
    assert rows["2026-11-18"]["Wayne"] == "2.00"
    # Globex still runs on Friday from 15:10; the demo's clock says 17:30 -> 2h20 = 2.33 h.
    assert rows["2026-11-20"]["Globex"] == "2.33"
    # Cells are shown to 0.01 h and totals add up the shown cells: Mon 2.50 + 1.58 + 3.33.
    assert rows["2026-11-16"]["Total"] == "7.41"
    assert rows["Total"]["Total"] == "34.48"
    assert (tmp_path / "timesheet.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
