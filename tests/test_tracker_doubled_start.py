"""A doubled start (two running pages with one Entry ID) is one timer: shown once, ended whole
(by /end, /start, and /end entry:<page>), queued ends included."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from notionkit import T0, Clock, NotionEnv, entry_id, notion_env, sequential_ids

from notion_client import Page
from timesheet.entries.model import TimeEntry
from timesheet.entries.schema import from_page
from timesheet.reports.aggregate import TOTAL
from timesheet.reports.report import ReportOptions, build_timesheets
from timesheet.reports.week import week_period
from timesheet.tracking.ledger import EndOp, Outbox, StartOp
from timesheet.tracking.replay import replay
from timesheet.tracking.tracker import NothingRunning, NotYourEntry, Tracker

PRESETS = ("Acme", "Globex")
ALICE, BOB = "100000000000000001", "100000000000000002"
DOWN = 10_000  # more failures than any test makes requests
OPTS = ReportOptions(tz=ZoneInfo("UTC"))
PERIOD = week_period("2026-W47", OPTS.tz, 0, T0)


@dataclass
class Env(NotionEnv):
    clock: Clock
    tracker: Tracker
    outbox: Outbox | None

    def pages_of(self, entry_id: str) -> list[TimeEntry]:
        raw = self.fake.pages(self.ds_id)
        return [e for e in (from_page(Page.from_json(p)) for p in raw) if e.entry_id == entry_id]

    async def doubled_start(self, user: str = ALICE, client: str = "Acme") -> TimeEntry:
        """Two pages of one planned start, as a create retried behind a lagging index leaves."""
        planned = self.tracker.plan_start(user, client)
        first = await self.store.create(planned)
        second = await self.store.create(planned)
        assert first.page_id != second.page_id
        assert len(self.pages_of(planned.entry_id)) == 2
        return planned


@pytest.fixture(params=["notion only", "with outbox"])
async def env(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Env]:
    async with notion_env(PRESETS, max_attempts=2) as notion:
        await notion.store.data_source_id()  # looked up once, while Notion is up
        with Outbox(tmp_path / "outbox.sqlite3") as outbox:
            box = outbox if request.param == "with outbox" else None
            clock = Clock(T0)
            tracker = Tracker(
                notion.store, clock=clock, presets=PRESETS, new_id=sequential_ids(), outbox=box
            )
            yield Env.extend(notion, clock=clock, tracker=tracker, outbox=box)


WITH_OUTBOX = pytest.mark.parametrize("env", ["with outbox"], indirect=True)


def _outbox(env: Env) -> Outbox:
    assert env.outbox is not None
    return env.outbox


async def _replay_stops_both(env: Env, entry_id: str, stop: datetime) -> None:
    """Notion answers again: the replay ends both pages of ``entry_id`` at ``stop``."""
    env.fake.faults.clear()
    report = await asyncio.wait_for(replay(_outbox(env), env.store, tracker=env.tracker), 10)
    assert report.ok, report.lines
    assert [e.end for e in env.pages_of(entry_id)] == [stop, stop]
    assert await env.tracker.active(ALICE) == []


async def test_the_normal_path_keeps_its_request_counts(env: Env) -> None:
    before = env.snapshot()
    started = await env.tracker.start(ALICE, "Acme")
    assert env.since(before) == Counter({"query_data_source": 1, "create_page": 1})
    env.clock.advance(minutes=30)
    before = env.snapshot()
    ended = await env.tracker.end(ALICE)
    assert env.since(before) == Counter({"query_data_source": 1, "update_page": 1})
    assert ended.entry.entry_id == started.entry.entry_id and ended.also_ended == ()


async def test_active_shows_a_doubled_start_once(env: Env) -> None:
    planned = await env.doubled_start()
    other = await env.tracker.start(BOB, "Globex")  # another user's timer is not touched

    active = await env.tracker.active(ALICE)
    assert [e.entry_id for e in active] == [planned.entry_id]
    assert active[0].page_id in {e.page_id for e in env.pages_of(planned.entry_id)}
    view = await env.tracker.active_view(ALICE)
    assert [e.entry_id for e in view.entries] == [planned.entry_id] and view.notion_reachable
    assert [e.entry_id for e in await env.tracker.active(BOB)] == [other.entry.entry_id]


async def test_active_picks_the_same_page_whatever_notion_returns_first(env: Env) -> None:
    planned = await env.doubled_start()
    pages = env.pages_of(planned.entry_id)
    kept = max(pages, key=lambda e: (e.edited_at, (e.page_id or "").replace("-", "")))
    for _ in range(3):
        [shown] = await env.tracker.active(ALICE)
        assert shown.page_id == kept.page_id


async def test_end_stops_both_pages_at_the_same_instant(env: Env) -> None:
    planned = await env.doubled_start()
    stop = env.clock.advance(hours=1, minutes=5)
    before = env.snapshot()

    result = await env.tracker.end(ALICE)

    # The doubled case alone pays one more update.
    assert env.since(before) == Counter({"query_data_source": 1, "update_page": 2})
    assert not result.queued
    assert result.entry.entry_id == planned.entry_id and result.entry.end == stop
    assert result.also_ended == ()  # one timer to the user, not two
    assert [e.end for e in env.pages_of(planned.entry_id)] == [stop, stop]
    assert await env.tracker.active(ALICE) == []
    with pytest.raises(NothingRunning):
        await env.tracker.end(ALICE)


async def test_start_stops_both_pages_of_a_doubled_timer(env: Env) -> None:
    planned = await env.doubled_start()
    switch = env.clock.advance(minutes=40)
    before = env.snapshot()

    result = await env.tracker.start(ALICE, "Globex")

    assert env.since(before) == Counter(
        {"query_data_source": 1, "create_page": 1, "update_page": 2}
    )
    assert result.stopped is not None and result.stopped.entry_id == planned.entry_id
    assert result.stopped.end == switch and result.also_stopped == ()
    assert [e.end for e in env.pages_of(planned.entry_id)] == [switch, switch]
    assert [e.client for e in await env.tracker.active(ALICE)] == ["Globex"]


@WITH_OUTBOX
async def test_a_queued_end_of_a_doubled_start_stops_both_pages_on_replay(env: Env) -> None:
    outbox = _outbox(env)
    planned = await env.doubled_start()
    stop = env.clock.advance(hours=2)
    env.fake.faults.fail_next(503, count=DOWN, endpoint="update_page")

    result = await env.tracker.end(ALICE)

    assert result.queued and result.entry.end == stop and result.also_ended == ()
    # One end by Entry ID: the outbox keeps one pending end per Entry ID, and replaying it
    # stops every running page that carries the ID.
    [op] = outbox.pending()
    assert isinstance(op, EndOp) and op.entry_id == planned.entry_id and op.page_id is None
    assert [e.end for e in env.pages_of(planned.entry_id)] == [None, None]

    await _replay_stops_both(env, planned.entry_id, stop)


@WITH_OUTBOX
async def test_an_end_behind_a_pending_start_stops_both_of_its_pages(env: Env) -> None:
    """A replayer wrote the start twice, then died before marking it done: /end queues
    behind that start, and the replay ends every page of the Entry ID."""
    outbox = _outbox(env)
    planned = await env.doubled_start()
    outbox.enqueue_start(planned)
    stop = env.clock.advance(minutes=50)
    before = env.snapshot()

    result = await env.tracker.end(ALICE)

    assert env.since(before) == Counter({"query_data_source": 1})
    assert result.queued and result.entry.end == stop and result.also_ended == ()
    assert [type(op) for op in outbox.pending()] == [StartOp, EndOp]
    report = await asyncio.wait_for(replay(outbox, env.store, tracker=env.tracker), 10)
    assert report.ok, report.lines
    assert len(env.pages_of(planned.entry_id)) == 2  # the replayed start wrote no third page
    assert [e.end for e in env.pages_of(planned.entry_id)] == [stop, stop]
    assert await env.tracker.active(ALICE) == []


# -- /end entry:<page> ------------------------------------------------------------------------


async def test_end_by_ref_costs_three_requests_with_or_without_an_outbox(env: Env) -> None:
    """Before twins were looked for: 1 retrieve + 1 update, and with an outbox 2 retrieves +
    1 update (the page read again under the owner's lock). That read is now the query of the
    owner's running pages, which names a twin: one query more without an outbox, none with."""
    started = (await env.tracker.start(ALICE, "Acme")).entry
    assert started.page_id is not None
    stop = env.clock.advance(minutes=30)
    before = env.snapshot()

    result = await env.tracker.end(ALICE, started.page_id)

    assert env.since(before) == Counter(
        {"retrieve_page": 1, "query_data_source": 1, "update_page": 1}
    )
    assert result.entry.page_id == started.page_id and result.entry.end == stop


async def test_a_page_made_by_hand_has_no_twin_to_look_for(env: Env) -> None:
    """A page without Entry ID can't be doubled: ending it by ref costs what it always did."""
    planned = replace(env.tracker.plan_start(ALICE, "Acme"), entry_id="")
    page = await env.store.create(planned)
    assert page.page_id is not None
    stop = env.clock.advance(minutes=30)
    before = env.snapshot()

    result = await env.tracker.end(ALICE, page.page_id)

    retrieves = 1 if env.outbox is None else 2
    assert env.since(before) == Counter({"retrieve_page": retrieves, "update_page": 1})
    assert result.entry.end == stop


@pytest.mark.parametrize("ref", ["first page", "second page", "entry id"])
async def test_end_by_ref_stops_the_twin_at_the_same_instant(env: Env, ref: str) -> None:
    planned = await env.doubled_start()
    pages = env.pages_of(planned.entry_id)
    await env.tracker.start(BOB, "Globex")  # another user's timer is not touched
    stop = env.clock.advance(hours=1)
    named = {"first page": pages[0].url, "second page": pages[1].url}.get(ref)
    before = env.snapshot()

    result = await env.tracker.end(ALICE, named or planned.entry_id)

    if named is not None:
        expected = {"retrieve_page": 1, "query_data_source": 1, "update_page": 2}
    else:  # a pasted Entry ID: its query lists the twin (the retrieve is Notion's 404)
        queries = 1 if env.outbox is None else 2  # + the read under the owner's lock
        expected = {"retrieve_page": 1, "query_data_source": queries, "update_page": 2}
    assert env.since(before) == Counter(expected)
    assert not result.queued and not result.already_ended and result.also_ended == ()
    assert result.entry.end == stop
    if named is not None:
        assert result.entry.url == named  # the page named is the one answered with
    assert [e.end for e in env.pages_of(planned.entry_id)] == [stop, stop]
    assert await env.tracker.active(ALICE) == []
    assert len(await env.tracker.active(BOB)) == 1


async def test_a_timer_ended_by_ref_is_billed_up_to_that_end(env: Env) -> None:
    """The over-billing the twin caused: ended by ref at 10:00, its twin ran on until the next
    /start at 14:00, and the later End counted. Billed 1 h now, on both counts."""
    planned = await env.doubled_start()
    first = env.pages_of(planned.entry_id)[0]
    assert first.url is not None
    env.clock.advance(hours=1)
    await env.tracker.end(ALICE, first.url)
    env.clock.advance(hours=4)
    await env.tracker.start(ALICE, "Globex")
    env.clock.advance(hours=1)

    [sheet] = await build_timesheets(env.store, PERIOD, OPTS, env.clock.now)

    assert sheet.table.hours.loc[TOTAL, "Acme"] == 1.0
    assert sheet.table.hours.loc[TOTAL, "Globex"] == 1.0


async def test_ending_a_doubled_start_by_ref_checks_the_owner_first(env: Env) -> None:
    planned = await env.doubled_start()
    first = env.pages_of(planned.entry_id)[0]
    assert first.page_id is not None
    writes = env.fake.requests["update_page"]
    with pytest.raises(NotYourEntry):
        await env.tracker.end(BOB, first.page_id)
    assert env.fake.requests["update_page"] == writes
    assert [e.end for e in env.pages_of(planned.entry_id)] == [None, None]

    stop = env.clock.advance(minutes=20)
    result = await env.tracker.end(BOB, first.page_id, can_manage=True)
    assert result.ended_by_other and result.entry.user_id == ALICE
    assert [e.end for e in env.pages_of(planned.entry_id)] == [stop, stop]


@WITH_OUTBOX
@pytest.mark.parametrize("why", ["update fails", "owner has queued ops", "query fails"])
async def test_a_queued_end_by_ref_stops_both_pages_on_replay(env: Env, why: str) -> None:
    """Saved by Entry ID, not by the page named: replaying it ends every running page of
    the ID, the twin Notion was not (or could not be) asked about included."""
    outbox = _outbox(env)
    planned = await env.doubled_start()
    first = env.pages_of(planned.entry_id)[0]
    assert first.page_id is not None
    if why == "owner has queued ops":  # an earlier timer's end still waits
        done = await env.store.create(replace(planned, entry_id=entry_id(99), end=T0))
        outbox.enqueue_end(done.entry_id, T0, page_id=done.page_id, user_id=ALICE)
    stop = env.clock.advance(hours=1)
    endpoint = {"update fails": "update_page", "query fails": "query_data_source"}.get(why)
    if endpoint is not None:
        env.fake.faults.fail_next(503, count=DOWN, endpoint=endpoint)

    result = await env.tracker.end(ALICE, first.page_id)

    assert result.queued and result.entry.end == stop
    [op] = [op for op in outbox.pending() if op.entry_id == planned.entry_id]
    assert isinstance(op, EndOp) and (op.page_id, op.at, op.user_id) == (None, stop, ALICE)
    assert [e.end for e in env.pages_of(planned.entry_id)] == [None, None]
    await _replay_stops_both(env, planned.entry_id, stop)


@WITH_OUTBOX
async def test_a_queued_end_by_ref_of_a_page_made_by_hand_keeps_its_page_id(env: Env) -> None:
    outbox = _outbox(env)
    page = await env.store.create(replace(env.tracker.plan_start(ALICE, "Acme"), entry_id=""))
    assert page.page_id is not None
    stop = env.clock.advance(minutes=15)
    env.fake.faults.fail_next(503, count=DOWN, endpoint="update_page")

    result = await env.tracker.end(ALICE, page.page_id)

    assert result.queued
    [op] = outbox.pending()
    assert isinstance(op, EndOp) and op.page_id == page.page_id
    env.fake.faults.clear()
    report = await asyncio.wait_for(replay(outbox, env.store, tracker=env.tracker), 10)
    assert report.ok, report.lines
    assert (await env.store.get(page.page_id)).end == stop
