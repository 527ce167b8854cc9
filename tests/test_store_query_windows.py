"""A period past Notion's row cap: the store splits its query by Start windows and loses nothing.

The in-memory Notion cuts a query off after `result_limit` rows, as Notion does at 10,000;
these tests lower the cap and compare what the report, the check and the store return with
what an uncapped Notion gives for the same pages, counting the requests.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from notionkit import NotionEnv, make_entry, notion_env, seed_entry

from notion_client import IncompleteQueryError, prop
from timesheet.entries.model import TimeEntry
from timesheet.entries.schema import START
from timesheet.entries.windows import (
    MAX_PIECES,
    MIN_WIDTH,
    StartWindow,
    WindowedScan,
    scan_by_start,
    split_window,
)
from timesheet.reports.check import check_period
from timesheet.reports.report import ReportOptions, build_timesheets
from timesheet.reports.week import Period, week_period

TZ = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 22, 23, 0, tzinfo=TZ)  # Sunday night, the week nearly over
PERIOD = week_period("2026-W47", TZ, 0, NOW)
OPTS = ReportOptions(tz=TZ)
USERS = ("111111111111111111", "222222222222222222", "333333333333333333")
CLIENTS = ("Acme", "Globex", "Initech")


@pytest.fixture
async def env() -> AsyncIterator[NotionEnv]:
    async with notion_env(CLIENTS) as env:
        yield env


def seed_busy_week(env: NotionEnv, count: int = 1000) -> dict[str, TimeEntry]:
    """``count`` entries inside the week (some over midnight, many sharing a Start), long and
    running ones started before it, some outside it, and one unusable page: by page id, the
    ones the week's query must return."""
    rng = random.Random(12)
    inside: list[TimeEntry] = []
    for n in range(count):
        start = PERIOD.start + timedelta(minutes=5 * rng.randrange(7 * 24 * 12 - 120))
        minutes = rng.choice((15, 30, 45, 90, 240, 600))
        user, client = rng.choice(USERS), rng.choice(CLIENTS)
        inside.append(make_entry(n + 1, user=user, client=client, start=start, minutes=minutes))
    before = PERIOD.start - timedelta(days=9)
    overlapping = [
        make_entry(5001, user=USERS[0], start=before),  # running since last week
        make_entry(5002, user=USERS[1], start=PERIOD.start - timedelta(hours=2), minutes=300),
        make_entry(5003, user=USERS[2], start=PERIOD.start - timedelta(days=2), minutes=2900),
        make_entry(5004, user=USERS[0], start=PERIOD.end - timedelta(minutes=1)),  # running
    ]
    outside = [
        make_entry(6001, start=PERIOD.start - timedelta(hours=3), minutes=60),
        make_entry(6002, start=PERIOD.end, minutes=60),
        make_entry(6003, start=PERIOD.end + timedelta(days=1)),
    ]
    expected: dict[str, TimeEntry] = {}
    for entry in [*inside, *overlapping]:
        expected[seed_entry(env.fake, env.ds_id, entry)] = entry
    for entry in outside:
        seed_entry(env.fake, env.ds_id, entry)
    broken = make_entry(
        7001, user=USERS[0], start=PERIOD.start + timedelta(days=3), end=PERIOD.start
    )
    seed_entry(env.fake, env.ds_id, broken)  # End before Start: skipped, and named
    return expected


async def week_csvs(env: NotionEnv) -> list[str]:
    sheets = await build_timesheets(env.store, PERIOD, OPTS, NOW, per_user=True)
    return [sheet.csv for sheet in sheets]


def query_count(env: NotionEnv) -> int:
    return env.fake.requests["query_data_source"]


async def test_a_normal_week_is_still_one_query_and_its_pages(env: NotionEnv) -> None:
    expected = seed_busy_week(env, 1000)
    await env.store.data_source_id()
    env.fake.requests.clear()
    scanned = await env.store.scan_overlapping(PERIOD.start, PERIOD.end)
    assert {e.page_id for e in scanned.entries} == expected.keys()
    assert query_count(env) == -(-(len(expected) + 1) // 100)  # the skipped page is a row too
    assert sum(env.fake.requests.values()) == query_count(env)


@pytest.mark.parametrize("cap", [50, 150, 999])
async def test_a_week_over_the_cap_gives_the_same_tables_as_an_uncapped_one(
    env: NotionEnv, cap: int
) -> None:
    expected = seed_busy_week(env, 1000)
    uncapped_csvs = await week_csvs(env)
    uncapped = await env.store.scan_overlapping(PERIOD.start, PERIOD.end)
    uncapped_check = await check_period(env.store, PERIOD, now=NOW, tz=TZ)
    env.fake.result_limit = cap
    env.fake.requests.clear()

    capped_csvs = await week_csvs(env)
    pages = query_count(env)
    capped = await env.store.scan_overlapping(PERIOD.start, PERIOD.end)

    assert capped_csvs == uncapped_csvs
    assert len(capped_csvs) == len(USERS)
    ids = [e.page_id for e in capped.entries]
    assert len(ids) == len(set(ids)) == len(expected)  # each entry once
    assert set(ids) == expected.keys()
    assert capped.entries == uncapped.entries  # same order: by Start
    assert [s.page_id for s in capped.skipped] == [s.page_id for s in uncapped.skipped]
    assert len(capped.skipped) == 1
    assert await check_period(env.store, PERIOD, now=NOW, tz=TZ) == uncapped_check
    # Each window answers at most `cap` rows: about 1,000 / cap windows, a few cut off again.
    assert 1000 / cap < pages < 6 * (1000 / cap) + 20


async def test_more_entries_started_before_the_period_than_the_cap(env: NotionEnv) -> None:
    """Long and running entries started in earlier weeks are found however many they are."""
    ongoing = {
        seed_entry(
            env.fake,
            env.ds_id,
            make_entry(n, start=PERIOD.start - timedelta(hours=7 * n), minutes=60 * 7 * n + 30),
        )
        for n in range(1, 121)
    }
    done = make_entry(500, start=PERIOD.start - timedelta(days=40), minutes=60)
    seed_entry(env.fake, env.ds_id, done)
    env.fake.result_limit = 50
    found = await env.store.list_overlapping(PERIOD.start, PERIOD.end)
    assert {e.page_id for e in found} == ongoing


async def test_one_users_report_over_the_cap_keeps_the_user_filter(env: NotionEnv) -> None:
    expected = seed_busy_week(env, 400)
    env.fake.result_limit = 40
    mine = await env.store.list_overlapping(PERIOD.start, PERIOD.end, user_id=USERS[1])
    assert {e.page_id for e in mine} == {
        page for page, e in expected.items() if e.user_id == USERS[1]
    }


async def test_more_entries_starting_in_one_minute_than_the_cap_is_refused(
    env: NotionEnv,
) -> None:
    start = PERIOD.start + timedelta(days=2, hours=9)
    for n in range(1, 61):
        seed_entry(env.fake, env.ds_id, make_entry(n, start=start, minutes=30))
    env.fake.result_limit = 50
    with pytest.raises(IncompleteQueryError):
        await env.store.scan_overlapping(PERIOD.start, PERIOD.end)


async def test_an_entry_seen_by_two_windows_counts_once_in_its_latest_version() -> None:
    """An entry whose Start was moved on while the windows were read appears in two answers."""
    period_start = datetime(2026, 11, 16, tzinfo=UTC)
    end = period_start + timedelta(days=7)
    moved = make_entry(1, page_id="p-moved", start=period_start + timedelta(hours=1), minutes=30)
    later = make_entry(1, page_id="p-moved", start=period_start + timedelta(days=5), minutes=45)
    other = make_entry(2, page_id="p-other", start=period_start + timedelta(days=6), minutes=60)
    answers = [None, [moved], [later, other]]  # the whole week cut off, then two windows
    asked: list[str] = []

    async def fetch(query: object, into: WindowedScan) -> None:
        asked.append(repr(query))
        answer = answers.pop(0) if answers else []
        if answer is None:
            into.entries.append(moved)
            raise IncompleteQueryError("ds", "query_result_limit_reached", 2)
        into.entries.extend(answer)

    rest = prop(START).date.is_not_empty()
    scan = await scan_by_start(fetch, rest, period_start, end)
    assert scan.entries == [later, other]
    assert len(asked) >= 3


def test_split_windows_cover_the_window_in_order() -> None:
    lo = datetime(2026, 11, 16, tzinfo=UTC)
    window = StartWindow(lo, lo + timedelta(days=7))
    starts = [lo + timedelta(minutes=10 * i) for i in range(100)]
    pieces = split_window(window, starts, 100, floor=lo)
    assert pieces[0].lo == lo and pieces[-1].hi == window.hi
    assert all(a.hi == b.lo for a, b in itertools.pairwise(pieces))
    assert all(p.lo is not None and p.hi - p.lo >= MIN_WIDTH for p in pieces)
    # Every 50 Starts seen, then the rest at the pace they arrived (at most MAX_PIECES).
    assert pieces[1].lo == starts[50]
    assert len(pieces) <= 2 + MAX_PIECES


def test_an_open_window_is_cut_below_the_period_then_further_down() -> None:
    floor = datetime(2026, 11, 16, tzinfo=UTC)
    first = split_window(StartWindow(None, floor + timedelta(days=7)), [], 50, floor=floor)
    assert first[0] == StartWindow(None, floor)
    below = split_window(StartWindow(None, floor), [], 50, floor=floor)
    assert below[0] == StartWindow(None, floor - timedelta(days=1))
    further = split_window(below[0], [], 50, floor=floor)
    assert further[0] == StartWindow(None, floor - timedelta(days=3))


def test_a_window_narrower_than_two_minutes_is_not_cut() -> None:
    lo = datetime(2026, 11, 16, tzinfo=UTC)
    assert split_window(StartWindow(lo, lo + MIN_WIDTH), [lo], 50, floor=lo) == []


async def test_a_month_with_a_clock_change_over_the_cap_loses_nothing(env: NotionEnv) -> None:
    """October 2026 in London has 745 hours (the clocks go back on the 25th): the windows are
    cut in UTC, so none overlaps or leaves a gap around the repeated hour."""
    month = Period(datetime(2026, 10, 1, tzinfo=TZ), datetime(2026, 11, 1, tzinfo=TZ))
    first = month.start.astimezone(UTC)
    repeated = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 01:30 BST, then 01:30 GMT an hour on
    expected = set()
    for n in range(1, 300):  # every 149 minutes, from the first hour to the last
        start = first + timedelta(minutes=149 * n)
        expected.add(seed_entry(env.fake, env.ds_id, make_entry(n, start=start, minutes=50)))
    for n, start in enumerate((repeated, repeated + timedelta(hours=1)), start=1001):
        expected.add(seed_entry(env.fake, env.ds_id, make_entry(n, start=start, minutes=20)))
    assert first + timedelta(minutes=149 * 299) < month.end
    env.fake.result_limit = 30
    found = await env.store.list_overlapping(month.start, month.end)
    assert {e.page_id for e in found} == expected and len(found) == len(expected)
    assert found == sorted(found, key=lambda e: e.start.astimezone(UTC))
