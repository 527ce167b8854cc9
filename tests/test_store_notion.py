"""EntryStore against the in-memory Notion, through our NotionClient: requests counted."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from notionkit import (
    T0,
    Clock,
    NotionEnv,
    fast_client,
    make_entry,
    notion_env,
    prop_text,
    timesheet_notion,
)

from notion_client import (
    Date,
    NotionAPIError,
    NotionClient,
    NotionError,
    ObjectNotFoundError,
    ServerError,
)
from timesheet.entries.schema import END, ENTRY_ID, START, USER, expected_schema
from timesheet.entries.store import EntryStore
from timesheet.entries.store_errors import NotAnEntryError

PRESETS = ("Acme", "Globex")


@pytest.fixture
async def env() -> AsyncIterator[NotionEnv]:
    async with notion_env(PRESETS) as env:
        yield env


async def test_data_source_lookup_is_cached(env: NotionEnv) -> None:
    before = env.snapshot()
    ids = await asyncio.gather(*(env.store.data_source_id() for _ in range(5)))
    assert set(ids) == {env.ds_id}
    assert await env.store.data_source_id() == env.ds_id
    assert env.since(before) == Counter({"retrieve_database": 1})


async def test_create_then_get_round_trips(env: NotionEnv) -> None:
    await env.store.data_source_id()
    local = ZoneInfo("Europe/London")
    entry = make_entry(
        user="111", note="kick-off ✨", start=datetime(2026, 7, 1, 9, 30, 15, 123000, tzinfo=local)
    )
    before = env.snapshot()
    created = await env.store.create(entry)
    assert env.since(before) == Counter({"create_page": 1})
    assert created.page_id is not None and created.url
    assert created.start == entry.start and created.end is None
    assert (created.entry_id, created.user_id, created.client, created.name, created.note) == (
        entry.entry_id, "111", "Acme", "Acme", "kick-off ✨",
    )  # fmt: skip
    got = await env.store.get(created.page_id)
    assert got == created
    assert await env.store.get(created.page_id.replace("-", "")) == created
    [raw] = env.fake.pages(env.ds_id)
    assert prop_text(raw, ENTRY_ID) == entry.entry_id
    assert prop_text(raw, USER) == "111"


async def test_create_after_dropped_response_leaves_exactly_one_page(env: NotionEnv) -> None:
    await env.store.data_source_id()
    env.fake.faults.drop_response_next("create_page")
    before = env.snapshot()
    created = await env.store.create(make_entry())
    assert len(env.fake.pages(env.ds_id)) == 1
    assert created.entry_id == make_entry().entry_id and created.page_id is not None
    # the dropped create, then a look for the Entry ID that finds it: no second create
    assert env.since(before) == Counter({"create_page": 1, "query_data_source": 1})


async def test_create_after_5xx_not_applied_creates_once(env: NotionEnv) -> None:
    await env.store.data_source_id()
    env.fake.faults.fail_next(status=500, endpoint="create_page")
    before = env.snapshot()
    created = await env.store.create(make_entry())
    assert len(env.fake.pages(env.ds_id)) == 1
    assert created.page_id == env.fake.pages(env.ds_id)[0]["id"]
    assert env.since(before) == Counter({"create_page": 2, "query_data_source": 1})


@pytest.mark.parametrize("status", [429, 503, 529])
async def test_a_create_notion_refused_is_not_looked_for(env: NotionEnv, status: int) -> None:
    """429, 503 and 529 say the create was not applied: no look, no second create."""
    await env.store.data_source_id()
    env.fake.faults.fail_next(status=status, count=10, endpoint="create_page")
    before = env.snapshot()
    with pytest.raises(NotionError):
        await env.store.create(make_entry())
    assert env.since(before)["query_data_source"] == 0
    assert env.fake.pages(env.ds_id) == []


async def test_a_lost_answer_is_looked_for_until_the_lagging_index_lists_the_page(
    env: NotionEnv,
) -> None:
    """The create was applied but its answer lost; the index lists the page only 1 s later:
    the store looks again (0.25 s, 0.5 s, 1 s ...) instead of writing it twice."""
    clock = Clock(T0)
    env.fake.clock = clock
    env.fake.faults.index_lag = 1.0
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.advance(seconds=seconds)

    store = EntryStore(env.client, env.db_id, create_settle=10.0, sleep=sleep)
    env.fake.faults.drop_response_next("create_page")
    created = await store.create(make_entry())
    assert len(env.fake.pages(env.ds_id)) == 1
    assert created.page_id == env.fake.pages(env.ds_id)[0]["id"]
    assert slept == [0.25, 0.5, 1.0]  # found at the fourth look, 1.75 s on


async def test_create_gives_up_after_bounded_attempts(env: NotionEnv) -> None:
    await env.store.data_source_id()
    env.fake.faults.fail_next(status=500, count=10, endpoint="create_page")
    before = env.snapshot()
    with pytest.raises(ServerError):
        await env.store.create(make_entry())
    # 3 creates, each later one preceded by a look for the Entry ID
    assert env.since(before) == Counter({"create_page": 3, "query_data_source": 2})
    assert env.fake.pages(env.ds_id) == []


async def test_create_does_not_retry_an_unambiguous_failure(env: NotionEnv) -> None:
    await env.store.data_source_id()
    env.fake.faults.fail_next(status=400, endpoint="create_page")
    before = env.snapshot()
    with pytest.raises(NotionAPIError):
        await env.store.create(make_entry())
    assert env.since(before) == Counter({"create_page": 1})


async def test_replayed_create_with_maybe_exists_does_not_double(env: NotionEnv) -> None:
    first = await env.store.create(make_entry())
    again = await env.store.create(make_entry(), maybe_exists=True)
    assert again.page_id == first.page_id
    assert len(env.fake.pages(env.ds_id)) == 1


async def test_find_running_is_one_query_and_only_that_users_open_entries(env: NotionEnv) -> None:
    await env.store.create(make_entry(1, user="111"))
    await env.store.create(make_entry(2, user="111", start=T0 - timedelta(hours=3), end=T0))
    await env.store.create(make_entry(3, user="222"))
    await env.store.create(make_entry(4, user="1111"))
    before = env.snapshot()
    running = await env.store.find_running("111")
    assert env.since(before) == Counter({"query_data_source": 1})
    assert [e.entry_id for e in running] == [make_entry(1).entry_id]
    assert await env.store.find_running("999") == []


async def test_end_is_one_write_and_idempotent(env: NotionEnv) -> None:
    created = await env.store.create(make_entry())
    before = env.snapshot()
    ended = await env.store.end(created, T0 + timedelta(hours=2), fresh=True)
    assert env.since(before) == Counter({"update_page": 1})
    assert ended.end == T0 + timedelta(hours=2)
    # A stale copy ended again (e.g. a replay): the first End stays.
    again = await env.store.end(created, T0 + timedelta(hours=5))
    assert again.end == T0 + timedelta(hours=2)
    assert (await env.store.get(created.page_id or "")).end == T0 + timedelta(hours=2)
    # An already ended copy is returned without writing.
    before = env.snapshot()
    assert (await env.store.end(ended, T0 + timedelta(hours=9), fresh=True)).end == ended.end
    assert env.since(before) == Counter()


async def test_end_keeps_an_end_corrected_in_notion(env: NotionEnv) -> None:
    created = await env.store.create(make_entry())
    assert created.page_id is not None
    await env.client.update_page(created.page_id, {END: Date(T0 + timedelta(minutes=45))})
    ended = await env.store.end(created, T0 + timedelta(hours=3))
    assert ended.end == T0 + timedelta(minutes=45)


async def test_end_without_page_id_finds_it_by_entry_id(env: NotionEnv) -> None:
    await env.store.create(make_entry())
    ended = await env.store.end(make_entry(), T0 + timedelta(hours=1))
    assert ended.end == T0 + timedelta(hours=1)
    with pytest.raises(NotAnEntryError):
        await env.store.end(make_entry(7), T0 + timedelta(hours=1))


async def test_get_refuses_trashed_foreign_and_broken_pages(env: NotionEnv) -> None:
    created = await env.store.create(make_entry())
    assert created.page_id is not None
    with pytest.raises(ObjectNotFoundError):
        await env.store.get("0" * 32)
    # a page of another database
    _, other_ds = env.fake.add_database(
        env.fake.add_parent_page("Other"), "Other", expected_schema(())
    )
    foreign = await env.client.create_page(other_ds, {START: Date(T0)})
    with pytest.raises(NotAnEntryError, match="not in the time-entry database"):
        await env.store.get(foreign.id)
    # Start emptied in Notion
    await env.client.update_page(created.page_id, {START: Date(None)})
    with pytest.raises(NotAnEntryError, match="Start is empty"):
        await env.store.get(created.page_id)
    await env.client.trash_page(created.page_id)
    with pytest.raises(NotAnEntryError, match="trash"):
        await env.store.get(created.page_id)


async def test_find_by_entry_id(env: NotionEnv) -> None:
    created = await env.store.create(make_entry(5))
    before = env.snapshot()
    assert await env.store.find_by_entry_id(make_entry(5).entry_id) == created
    assert await env.store.find_by_entry_id(make_entry(6).entry_id) is None
    assert env.since(before) == Counter({"query_data_source": 2})


async def test_list_overlapping_selects_by_period_and_user(env: NotionEnv) -> None:
    start, end = T0, T0 + timedelta(days=7)
    day = timedelta(days=1)
    inside = await env.store.create(make_entry(1, user="111", start=T0 + day, end=T0 + day * 1.5))
    crossing_in = await env.store.create(
        make_entry(2, user="111", start=T0 - timedelta(hours=2), end=T0 + timedelta(hours=1))
    )
    running = await env.store.create(make_entry(3, user="111", start=T0 + timedelta(days=6)))
    other_user = await env.store.create(
        make_entry(4, user="222", start=T0 + 2 * day, end=T0 + 3 * day)
    )
    await env.store.create(
        make_entry(5, user="111", start=T0 - timedelta(days=2), end=T0 - timedelta(days=1))
    )
    await env.store.create(make_entry(6, user="111", start=end, end=end + timedelta(hours=1)))
    ended_at_start = await env.store.create(
        make_entry(7, user="111", start=T0 - timedelta(hours=1), end=T0)
    )
    before = env.snapshot()
    everyone = await env.store.list_overlapping(start, end)
    assert env.since(before) == Counter({"query_data_source": 1})
    assert {e.entry_id for e in everyone} == {
        e.entry_id for e in (inside, crossing_in, running, other_user, ended_at_start)
    }
    assert [e.start for e in everyone] == sorted(e.start for e in everyone)
    mine = await env.store.list_overlapping(start, end, user_id="111")
    assert {e.entry_id for e in mine} == {
        e.entry_id for e in (inside, crossing_in, running, ended_at_start)
    }


async def test_list_overlapping_skips_and_reports_broken_pages(env: NotionEnv) -> None:
    good = await env.store.create(make_entry(1, start=T0 + timedelta(hours=1)))
    broken = await env.store.create(make_entry(2, start=T0 + timedelta(hours=2)))
    assert broken.page_id is not None
    # End before Start: still matches the query, cannot be used
    await env.client.update_page(broken.page_id, {END: Date(T0 + timedelta(hours=1))})
    scanned = await env.store.scan_overlapping(T0, T0 + timedelta(days=7))
    assert [e.entry_id for e in scanned.entries] == [good.entry_id]
    [skipped] = scanned.skipped
    assert (skipped.page_id, skipped.reason) == (broken.page_id, "End is before Start")
    assert skipped.url == broken.url and skipped.user_id == broken.user_id


async def test_list_overlapping_paginates_a_busy_week(env: NotionEnv) -> None:
    await env.store.data_source_id()
    week = T0
    for n in range(230):
        start = week + timedelta(minutes=40 * n)
        await env.store.create(
            make_entry(n, user=str(100 + n % 3), start=start, end=start + timedelta(minutes=30))
        )
    before = env.snapshot()
    entries = await env.store.list_overlapping(week, week + timedelta(days=7))
    assert len(entries) == 230
    assert len({e.entry_id for e in entries}) == 230
    assert env.since(before) == Counter({"query_data_source": 3})  # ceil(230 / 100)


async def test_client_options(env: NotionEnv) -> None:
    await env.store.create(make_entry(1, client="Initech", name="Initech"))
    options = await env.store.client_options()
    assert options[:2] == list(PRESETS) and "Initech" in options


async def test_store_over_real_http() -> None:
    fake, db_id, ds_id = timesheet_notion(PRESETS)
    async with fake.serve(host="127.0.0.1", port=0) as base_url:
        store = EntryStore(fast_client(base_url=base_url), db_id)

        async def scenario(client: NotionClient) -> None:
            async with client:
                created = await store.create(make_entry(user="111"))
                assert [e.page_id for e in await store.find_running("111")] == [created.page_id]
                ended = await store.end(created, T0 + timedelta(hours=1), fresh=True)
                assert ended.end == T0 + timedelta(hours=1)
                fake.faults.drop_response_next("create_page")
                await store.create(make_entry(2))
                week = await store.list_overlapping(T0, T0 + timedelta(days=7))
                assert len(week) == 2

        await asyncio.wait_for(scenario(store.client), timeout=15)
    assert len(fake.pages(ds_id)) == 2
    assert fake.requests["create_page"] == 2
