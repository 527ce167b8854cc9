"""Tracker rules against the in-memory Notion: one timer per user, ending, ownership, input."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from notionkit import T0, Clock, NotionEnv, notion_env, sequential_ids

from notion_client import Date
from timesheet.entries.schema import END, START
from timesheet.tracking.ledger import Ledger
from timesheet.tracking.tracker import (
    EndResult,
    EntryNotFound,
    InvalidEntryRef,
    InvalidInput,
    NothingRunning,
    NotYourEntry,
    Tracker,
    TrackerError,
    UnknownClient,
)

PRESETS = ("Acme", "Globex", "Initech")
ALICE, BOB = "100000000000000001", "100000000000000002"
WRITES = ("create_page", "update_page", "update_data_source", "create_database")


@dataclass
class Env(NotionEnv):
    clock: Clock
    ledger: Ledger

    def tracker(self, *, presets_only: bool = False) -> Tracker:
        return Tracker(
            self.store,
            ledger=self.ledger,
            clock=self.clock,
            presets=PRESETS,
            presets_only=presets_only,
            new_id=sequential_ids(),
        )

    def writes(self) -> int:
        return sum(self.fake.requests[w] for w in WRITES)


@pytest.fixture
async def env(ledger: Ledger) -> AsyncIterator[Env]:
    async with notion_env(PRESETS) as notion:
        yield Env.extend(notion, clock=Clock(T0), ledger=ledger)


async def test_start_with_nothing_running_is_one_query_and_one_write(env: Env) -> None:
    tracker = env.tracker()
    before = env.snapshot()
    result = await tracker.start(ALICE, "Acme", note="planning")
    # plus the one-time data source lookup
    assert env.since(before) == Counter(
        {"retrieve_database": 1, "query_data_source": 1, "create_page": 1}
    )
    assert result.stopped is None and result.also_stopped == ()
    entry = result.entry
    assert (entry.user_id, entry.client, entry.name) == (ALICE, "Acme", "Acme")
    assert entry.note == "planning"
    assert entry.start == T0 and entry.end is None and entry.page_id is not None
    before = env.snapshot()
    await tracker.start(BOB, "Globex")
    assert env.since(before) == Counter({"query_data_source": 1, "create_page": 1})


async def test_start_takes_the_time_before_any_request(env: Env) -> None:
    tracker = env.tracker()
    env.fake.faults.latency = 0.05  # the clock must not be read after Notion answers
    result = await tracker.start(ALICE, "Acme")
    assert result.entry.start == T0
    assert env.clock.readings == 1


async def test_switching_timers_ends_the_old_one_at_the_same_instant(env: Env) -> None:
    tracker = env.tracker()
    first = (await tracker.start(ALICE, "Acme")).entry
    later = env.clock.advance(minutes=95, seconds=7)
    before = env.snapshot()
    result = await tracker.start(ALICE, "Globex", name="Design review")
    assert env.since(before) == Counter(
        {"query_data_source": 1, "create_page": 1, "update_page": 1}
    )
    assert result.stopped is not None and result.stopped.entry_id == first.entry_id
    assert result.stopped.end == later == result.entry.start
    assert (result.entry.client, result.entry.name) == ("Globex", "Design review")
    running = await tracker.active(ALICE)
    assert [e.entry_id for e in running] == [result.entry.entry_id]
    assert (await env.store.get(first.page_id or "")).end == later


async def test_start_stops_every_stray_running_timer(env: Env) -> None:
    tracker = env.tracker()
    a = await tracker.start_entry(tracker.plan_start(ALICE, "Acme"))
    env.clock.advance(minutes=1)
    # a second running timer written behind the tracker's back (e.g. a race)
    b = await env.store.create(tracker.plan_start(ALICE, "Globex"))
    env.clock.advance(minutes=1)
    result = await tracker.start(ALICE, "Initech")
    assert result.stopped is not None and result.stopped.entry_id == b.entry_id
    assert [e.entry_id for e in result.also_stopped] == [a.entry.entry_id]
    assert {e.end for e in (result.stopped, *result.also_stopped)} == {env.clock.now}
    assert [e.client for e in await tracker.active(ALICE)] == ["Initech"]


async def test_concurrent_starts_of_one_user_leave_one_timer(env: Env) -> None:
    tracker = env.tracker()
    env.fake.faults.latency = 0.01

    async def start(client: str, minutes: int) -> None:
        env.clock.now = T0 + timedelta(minutes=minutes)
        await tracker.start(ALICE, client)

    await asyncio.wait_for(
        asyncio.gather(start("Acme", 0), start("Globex", 1), start("Initech", 2)), timeout=10
    )
    running = await tracker.active(ALICE)
    assert [e.client for e in running] == ["Initech"]
    entries = await env.store.list_overlapping(T0, T0 + timedelta(days=1))
    assert [(e.client, e.end) for e in entries] == [
        ("Acme", T0 + timedelta(minutes=1)),
        ("Globex", T0 + timedelta(minutes=2)),
        ("Initech", None),
    ]


async def test_users_timers_are_independent(env: Env) -> None:
    tracker = env.tracker()
    await tracker.start(ALICE, "Acme")
    result = await tracker.start(BOB, "Acme")
    assert result.stopped is None
    assert len(await tracker.active(ALICE)) == 1 and len(await tracker.active(BOB)) == 1


async def test_end_current_is_one_query_and_one_write(env: Env) -> None:
    tracker = env.tracker()
    started = (await tracker.start(ALICE, "Acme")).entry
    stop = env.clock.advance(hours=2)
    before = env.snapshot()
    result = await tracker.end(ALICE)
    assert env.since(before) == Counter({"query_data_source": 1, "update_page": 1})
    assert isinstance(result, EndResult)
    assert result.entry.entry_id == started.entry_id and result.entry.end == stop
    assert not result.ended_by_other and not result.already_ended
    assert await tracker.active(ALICE) == []


async def test_end_with_nothing_running(env: Env) -> None:
    tracker = env.tracker()
    before = env.writes()
    with pytest.raises(NothingRunning) as caught:
        await tracker.end(ALICE)
    assert str(caught.value) == "You have no running timer."
    assert env.writes() == before


@pytest.mark.parametrize("shape", ["dashed", "hex", "url", "url-query", "upper"])
async def test_end_by_page_id_or_url(env: Env, shape: str) -> None:
    tracker = env.tracker()
    started = (await tracker.start(ALICE, "Acme")).entry
    await tracker.start(BOB, "Globex")  # another running timer that must stay
    assert started.page_id is not None
    page_id, hex32 = started.page_id, started.page_id.replace("-", "")
    ref = {
        "dashed": page_id,
        "hex": hex32,
        "url": f"https://www.notion.so/Acme-{hex32}",
        "url-query": f"https://www.notion.so/team/Acme-{hex32}?pvs=4",
        "upper": hex32.upper(),
    }[shape]
    stop = env.clock.advance(minutes=30)
    before = env.snapshot()
    result = await tracker.end(ALICE, ref)
    # The query is the owner's running pages: a doubled start's twin would stop with it.
    assert env.since(before) == Counter(
        {"retrieve_page": 1, "query_data_source": 1, "update_page": 1}
    )
    assert result.entry.page_id == page_id and result.entry.end == stop
    assert len(await tracker.active(BOB)) == 1


async def test_end_by_id_twice_keeps_the_first_end(env: Env) -> None:
    tracker = env.tracker()
    started = (await tracker.start(ALICE, "Acme")).entry
    first_end = env.clock.advance(minutes=30)
    await tracker.end(ALICE, started.page_id)
    env.clock.advance(hours=3)
    before = env.snapshot()
    again = await tracker.end(ALICE, started.page_id)
    assert again.already_ended and again.entry.end == first_end
    assert env.since(before) == Counter({"retrieve_page": 1})


async def test_end_by_entry_id_when_people_paste_it(env: Env) -> None:
    tracker = env.tracker()
    started = (await tracker.start(ALICE, "Acme")).entry
    result = await tracker.end(ALICE, started.entry_id)
    assert result.entry.page_id == started.page_id and result.entry.end is not None


async def test_malformed_ref_is_refused_before_any_request(env: Env) -> None:
    tracker = env.tracker()
    await tracker.start(ALICE, "Acme")
    before = env.snapshot()
    for ref in ("not-an-id", "https://example.com/x-" + "a" * 32, "1234"):
        with pytest.raises(InvalidEntryRef):
            await tracker.end(ALICE, ref)
    assert env.since(before) == Counter()


async def test_unknown_page_id(env: Env) -> None:
    tracker = env.tracker()
    await env.store.data_source_id()
    before = env.writes()
    with pytest.raises(EntryNotFound):
        await tracker.end(ALICE, "f" * 32)
    assert env.writes() == before


async def test_someone_elses_entry_is_refused(env: Env) -> None:
    tracker = env.tracker()
    bobs = (await tracker.start(BOB, "Globex")).entry
    before = env.writes()
    with pytest.raises(NotYourEntry) as caught:
        await tracker.end(ALICE, bobs.page_id)
    assert "someone else" in str(caught.value)
    assert env.writes() == before
    assert (await env.store.get(bobs.page_id or "")).end is None


async def test_manager_may_end_someone_elses_timer(env: Env) -> None:
    tracker = env.tracker()
    bobs = (await tracker.start(BOB, "Globex")).entry
    stop = env.clock.advance(hours=1)
    result = await tracker.end(ALICE, bobs.page_id, can_manage=True)
    assert result.ended_by_other and result.entry.user_id == BOB and result.entry.end == stop
    own = (await tracker.start(ALICE, "Acme")).entry
    assert not (await tracker.end(ALICE, own.page_id, can_manage=True)).ended_by_other


async def test_end_never_records_an_end_before_the_start(env: Env) -> None:
    tracker = env.tracker()
    started = (await tracker.start(ALICE, "Acme")).entry
    assert started.page_id is not None
    # Start corrected in Notion to later than the bot's clock
    await env.client.update_page(started.page_id, {START: Date(T0 + timedelta(hours=1))})
    result = await tracker.end(ALICE)
    assert result.entry.end == T0 + timedelta(hours=1)


async def test_presets_only_refuses_unknown_clients_and_lists_presets(env: Env) -> None:
    tracker = env.tracker(presets_only=True)
    before = env.snapshot()
    with pytest.raises(UnknownClient) as caught:
        await tracker.start(ALICE, "Umbrella")
    assert str(caught.value) == 'Unknown client "Umbrella". Choose one of: Acme, Globex, Initech.'
    with pytest.raises(UnknownClient):
        await tracker.start(ALICE, None, name="Custom work")
    assert env.since(before) == Counter()
    # case-insensitive match takes the preset's spelling
    assert (await tracker.start(ALICE, " acme ")).entry.client == "Acme"


async def test_free_clients_allowed_without_presets_only(env: Env) -> None:
    tracker = env.tracker()
    entry = (await tracker.start(ALICE, "Umbrella Corp")).entry
    assert entry.client == entry.name == "Umbrella Corp"
    custom = (await tracker.start(ALICE, None, name="Reading papers")).entry
    assert (custom.client, custom.name) == ("", "Reading papers")


@pytest.mark.parametrize(
    ("client", "kwargs", "field"),
    [
        ("", {}, "client"),
        ("   ", {}, "client"),
        ("x" * 101, {}, "client"),
        ("A, B", {}, "client"),
        ("Acme", {"name": ""}, "name"),
        ("Acme", {"name": " \t "}, "name"),
        ("Acme", {"name": "n" * 2001}, "name"),
        ("Acme", {"name": "😀" * 1001}, "name"),  # 2,002 UTF-16 units, as Notion counts
        ("Acme", {"note": "  "}, "note"),
        ("Acme", {"note": "n" * 2001}, "note"),
    ],
)
async def test_bad_input_writes_nothing(
    env: Env, client: str, kwargs: dict[str, str], field: str
) -> None:
    tracker = env.tracker()
    await tracker.start(ALICE, "Acme")
    before = env.snapshot()
    with pytest.raises(InvalidInput) as caught:
        await tracker.start(ALICE, client, **kwargs)
    assert caught.value.field == field
    assert "\n" not in str(caught.value) and len(str(caught.value)) < 120
    assert env.since(before) == Counter()
    assert len(await tracker.active(ALICE)) == 1


async def test_longest_valid_inputs_are_stored_whole(env: Env) -> None:
    tracker = env.tracker()
    entry = (await tracker.start(ALICE, "c" * 100, name="n" * 2000, note="😀" * 1000)).entry
    got = await env.store.get(entry.page_id or "")
    assert (len(got.client), len(got.name), got.note) == (100, 2000, "😀" * 1000)


async def test_errors_share_a_base_with_one_line_messages() -> None:
    for exc in (
        NothingRunning(),
        InvalidEntryRef("x\ny"),
        EntryNotFound("abc"),
        UnknownClient("Umbrella", PRESETS),
        InvalidInput("note", "is blank"),
    ):
        assert isinstance(exc, TrackerError)
        assert str(exc).count("\n") <= 1


async def test_replayed_start_is_idempotent(env: Env) -> None:
    tracker = env.tracker()
    old = (await tracker.start(ALICE, "Acme")).entry
    env.clock.advance(minutes=10)
    planned = tracker.plan_start(ALICE, "Globex")
    env.fake.faults.drop_response_next("create_page")
    first = await tracker.start_entry(planned)  # create dropped: found by its Entry ID
    again = await tracker.start_entry(planned)  # the same start recorded again
    assert first.entry.page_id == again.entry.page_id
    assert first.stopped is not None and first.stopped.entry_id == old.entry_id
    pages = env.fake.pages(env.ds_id)
    assert len(pages) == 2
    assert (await env.store.get(old.page_id or "")).end == planned.start


async def test_a_running_page_starting_in_the_future_ends_at_its_own_start(env: Env) -> None:
    """A laptop clock 3 minutes ahead (or a hand edit) wrote a Start after this command's
    time: that page ends at its own Start (zero length) and the new timer runs."""
    tracker = env.tracker()
    env.clock.advance(minutes=3)
    ahead = (await tracker.start(ALICE, "Acme")).entry
    env.clock.advance(minutes=-3)
    result = await tracker.start(ALICE, "Globex")
    assert result.entry.end is None and result.entry.start == T0
    assert result.stopped is not None and result.stopped.end == ahead.start
    assert (await env.store.get(ahead.page_id or "")).end == ahead.start
    assert [e.client for e in await tracker.active(ALICE)] == ["Globex"]


async def test_end_time_corrected_in_notion_is_read_back(env: Env) -> None:
    tracker = env.tracker()
    started = (await tracker.start(ALICE, "Acme")).entry
    await tracker.end(ALICE)
    assert started.page_id is not None
    await env.client.update_page(started.page_id, {END: Date(T0 + timedelta(minutes=5))})
    again = await tracker.end(ALICE, started.page_id)
    assert again.already_ended and again.entry.end == T0 + timedelta(minutes=5)
