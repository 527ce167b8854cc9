"""A doubled start (two running pages with one Entry ID) is one timer: shown once, ended whole
(by /end, /start, and /end entry:<page>), saved ends included."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from notionkit import T0, entry_id
from trackerkit import ALICE, BOB, DOWN, TrackerEnv

from timesheet.reports.aggregate import TOTAL
from timesheet.reports.report import ReportOptions, build_timesheets
from timesheet.reports.week import week_period
from timesheet.tracking.operations import EndOp, EndRunningOp, StartOp
from timesheet.tracking.results import EndResult, EndSaved
from timesheet.tracking.tracker import NothingRunning, NotYourEntry

OPTS = ReportOptions(tz=ZoneInfo("UTC"))
PERIOD = week_period("2026-W47", OPTS.tz, 0, T0)


async def replay_stops_both(env: TrackerEnv, entry_id: str, stop: datetime) -> None:
    """Notion answers again: the replay ends both pages of ``entry_id`` at ``stop``."""
    env.up()
    await env.replay()
    assert [e.end for e in env.pages_of(entry_id)] == [stop, stop]
    assert await env.tracker.active(ALICE) == []


async def test_the_normal_path_keeps_its_request_counts(ledger_env: TrackerEnv) -> None:
    before = ledger_env.snapshot()
    started = await ledger_env.tracker.start(ALICE, "Acme")
    assert ledger_env.since(before) == Counter({"query_data_source": 1, "create_page": 1})
    ledger_env.clock.advance(minutes=30)
    before = ledger_env.snapshot()
    ended = await ledger_env.tracker.end(ALICE)
    assert ledger_env.since(before) == Counter({"query_data_source": 1, "update_page": 1})
    assert isinstance(ended, EndResult)
    assert ended.entry.entry_id == started.entry.entry_id and ended.also_ended == ()


async def test_active_shows_a_doubled_start_once(ledger_env: TrackerEnv) -> None:
    planned = await ledger_env.doubled_start(ALICE)
    other = await ledger_env.tracker.start(BOB, "Globex")  # another user's timer is not touched

    before = ledger_env.snapshot()
    active = await ledger_env.tracker.active(ALICE)
    assert ledger_env.since(before) == Counter({"query_data_source": 1})
    assert [e.entry_id for e in active] == [planned.entry_id]
    assert active[0].page_id in {e.page_id for e in ledger_env.pages_of(planned.entry_id)}
    view = await ledger_env.tracker.active_view(ALICE)
    assert [e.entry_id for e in view.entries] == [planned.entry_id] and view.notion_reachable
    assert [e.entry_id for e in await ledger_env.tracker.active(BOB)] == [other.entry.entry_id]


async def test_active_picks_the_same_page_whatever_notion_returns_first(
    ledger_env: TrackerEnv,
) -> None:
    planned = await ledger_env.doubled_start(ALICE)
    pages = ledger_env.pages_of(planned.entry_id)
    kept = max(pages, key=lambda e: (e.edited_at, (e.page_id or "").replace("-", "")))
    for _ in range(3):
        [shown] = await ledger_env.tracker.active(ALICE)
        assert shown.page_id == kept.page_id


async def test_end_stops_both_pages_at_the_same_instant(ledger_env: TrackerEnv) -> None:
    planned = await ledger_env.doubled_start(ALICE)
    stop = ledger_env.clock.advance(hours=1, minutes=5)
    before = ledger_env.snapshot()

    result = await ledger_env.tracker.end(ALICE)

    # The doubled case alone pays one more update.
    assert ledger_env.since(before) == Counter({"query_data_source": 1, "update_page": 2})
    assert isinstance(result, EndResult) and not result.queued
    assert result.entry.entry_id == planned.entry_id and result.entry.end == stop
    assert result.also_ended == ()  # one timer to the user, not two
    assert [e.end for e in ledger_env.pages_of(planned.entry_id)] == [stop, stop]
    assert await ledger_env.tracker.active(ALICE) == []
    with pytest.raises(NothingRunning):
        await ledger_env.tracker.end(ALICE)


async def test_start_stops_both_pages_of_a_doubled_timer(ledger_env: TrackerEnv) -> None:
    planned = await ledger_env.doubled_start(ALICE)
    switch = ledger_env.clock.advance(minutes=40)
    before = ledger_env.snapshot()

    result = await ledger_env.tracker.start(ALICE, "Globex")

    assert ledger_env.since(before) == Counter(
        {"query_data_source": 1, "create_page": 1, "update_page": 2}
    )
    assert result.stopped is not None and result.stopped.entry_id == planned.entry_id
    assert result.stopped.end == switch and result.also_stopped == ()
    assert [e.end for e in ledger_env.pages_of(planned.entry_id)] == [switch, switch]
    assert [e.client for e in await ledger_env.tracker.active(ALICE)] == ["Globex"]


async def test_a_saved_end_of_a_doubled_start_stops_both_pages_on_replay(
    ledger_env: TrackerEnv,
) -> None:
    planned = await ledger_env.doubled_start(ALICE)
    stop = ledger_env.clock.advance(hours=2)
    ledger_env.fake.faults.fail_next(503, count=DOWN, endpoint="update_page")

    result = await ledger_env.tracker.end(ALICE)

    # The ledger did not write these pages, and Notion did not take the stop: saved as "the
    # timer running at 11:00", which replaying applies to every running page of Alice.
    assert isinstance(result, EndSaved) and (result.at, result.ref) == (stop, None)
    [rec] = ledger_env.ledger.pending(ALICE)
    assert rec.op == EndRunningOp(ALICE, stop)
    assert [e.end for e in ledger_env.pages_of(planned.entry_id)] == [None, None]

    await replay_stops_both(ledger_env, planned.entry_id, stop)


async def test_an_end_behind_a_pending_start_stops_both_of_its_pages(
    ledger_env: TrackerEnv,
) -> None:
    """A replayer wrote the start twice, then died before marking it done: /end applies that
    start first (it writes no third page), then ends every page of the Entry ID."""
    planned = await ledger_env.doubled_start(ALICE)
    ledger_env.ledger.record(StartOp(planned))
    stop = ledger_env.clock.advance(minutes=50)
    before = ledger_env.snapshot()

    result = await ledger_env.tracker.end(ALICE)

    # The start: 1 query (its pages are there); the end: 1 query + 2 updates.
    assert ledger_env.since(before) == Counter({"query_data_source": 2, "update_page": 2})
    assert isinstance(result, EndResult) and not result.queued
    assert result.entry.end == stop and result.also_ended == ()
    assert ledger_env.ledger.pending() == []
    assert len(ledger_env.pages_of(planned.entry_id)) == 2  # the pending start wrote no third page
    assert [e.end for e in ledger_env.pages_of(planned.entry_id)] == [stop, stop]
    assert await ledger_env.tracker.active(ALICE) == []


# -- /end entry:<page> ------------------------------------------------------------------------


async def test_end_by_ref_costs_three_requests(ledger_env: TrackerEnv) -> None:
    """1 retrieve, 1 query of the owner's running pages (which names a twin, if any), 1
    update."""
    started = await ledger_env.running_page(ALICE)
    stop = ledger_env.clock.advance(minutes=30)
    before = ledger_env.snapshot()

    result = await ledger_env.tracker.end(ALICE, str(started.page_id))

    assert ledger_env.since(before) == Counter(
        {"retrieve_page": 1, "query_data_source": 1, "update_page": 1}
    )
    assert isinstance(result, EndResult)
    assert result.entry.page_id == started.page_id and result.entry.end == stop


async def test_a_page_made_by_hand_has_no_twin_to_look_for(ledger_env: TrackerEnv) -> None:
    """A page without Entry ID can't be doubled: ending it by ref is 1 retrieve + 1 update."""
    planned = replace(ledger_env.tracker.plan_start(ALICE, "Acme"), entry_id="")
    page = await ledger_env.store.create(planned)
    assert page.page_id is not None
    stop = ledger_env.clock.advance(minutes=30)
    before = ledger_env.snapshot()

    result = await ledger_env.tracker.end(ALICE, page.page_id)

    assert ledger_env.since(before) == Counter({"retrieve_page": 1, "update_page": 1})
    assert isinstance(result, EndResult) and result.entry.end == stop


@pytest.mark.parametrize("ref", ["first page", "second page", "entry id"])
async def test_end_by_ref_stops_the_twin_at_the_same_instant(
    ledger_env: TrackerEnv, ref: str
) -> None:
    planned = await ledger_env.doubled_start(ALICE)
    pages = ledger_env.pages_of(planned.entry_id)
    await ledger_env.tracker.start(BOB, "Globex")  # another user's timer is not touched
    stop = ledger_env.clock.advance(hours=1)
    named = {"first page": pages[0].url, "second page": pages[1].url}.get(ref)
    before = ledger_env.snapshot()

    result = await ledger_env.tracker.end(ALICE, named or planned.entry_id)

    # A page: its retrieve, then the owner's running pages name the twin. A pasted Entry ID:
    # the retrieve is Notion's 404, and the query of its pages lists the twin.
    assert ledger_env.since(before) == Counter(
        {"retrieve_page": 1, "query_data_source": 1, "update_page": 2}
    )
    assert isinstance(result, EndResult)
    assert not result.queued and not result.already_ended and result.also_ended == ()
    assert result.entry.end == stop
    if named is not None:
        assert result.entry.url == named  # the page named is the one answered with
    assert [e.end for e in ledger_env.pages_of(planned.entry_id)] == [stop, stop]
    assert await ledger_env.tracker.active(ALICE) == []
    assert len(await ledger_env.tracker.active(BOB)) == 1


async def test_a_timer_ended_by_ref_is_billed_up_to_that_end(ledger_env: TrackerEnv) -> None:
    """The over-billing the twin caused: ended by ref at 10:00, its twin ran on until the next
    /start at 14:00, and the later End counted. Billed 1 h now, on both counts."""
    planned = await ledger_env.doubled_start(ALICE)
    first = ledger_env.pages_of(planned.entry_id)[0]
    assert first.url is not None
    ledger_env.clock.advance(hours=1)
    await ledger_env.tracker.end(ALICE, first.url)
    ledger_env.clock.advance(hours=4)
    await ledger_env.tracker.start(ALICE, "Globex")
    ledger_env.clock.advance(hours=1)

    [sheet] = await build_timesheets(ledger_env.store, PERIOD, OPTS, ledger_env.clock.now)

    assert sheet.table.hours.loc[TOTAL, "Acme"] == 1.0
    assert sheet.table.hours.loc[TOTAL, "Globex"] == 1.0


async def test_ending_a_doubled_start_by_ref_checks_the_owner_first(
    ledger_env: TrackerEnv,
) -> None:
    planned = await ledger_env.doubled_start(ALICE)
    first = ledger_env.pages_of(planned.entry_id)[0]
    assert first.page_id is not None
    writes = ledger_env.fake.requests["update_page"]
    with pytest.raises(NotYourEntry):
        await ledger_env.tracker.end(BOB, first.page_id)
    assert ledger_env.fake.requests["update_page"] == writes
    assert [e.end for e in ledger_env.pages_of(planned.entry_id)] == [None, None]
    assert len(ledger_env.ledger) == 0 and ledger_env.ledger.failed() == []

    stop = ledger_env.clock.advance(minutes=20)
    result = await ledger_env.tracker.end(BOB, first.page_id, can_manage=True)
    assert isinstance(result, EndResult)
    assert result.ended_by_other and result.entry.user_id == ALICE
    assert [e.end for e in ledger_env.pages_of(planned.entry_id)] == [stop, stop]


@pytest.mark.parametrize("failing", ["update_page", "query_data_source"])
async def test_a_saved_end_by_ref_stops_both_pages_on_replay(
    ledger_env: TrackerEnv, failing: str
) -> None:
    """Saved by the page named; replaying it ends every running page of its Entry ID, the
    twin Notion was not (or could not be) asked about included."""
    planned = await ledger_env.doubled_start(ALICE)
    first = ledger_env.pages_of(planned.entry_id)[0]
    assert first.page_id is not None
    stop = ledger_env.clock.advance(hours=1)
    ledger_env.fake.faults.fail_next(503, count=DOWN, endpoint=failing)

    result = await ledger_env.tracker.end(ALICE, first.page_id)

    assert isinstance(result, EndSaved) and (result.at, result.ref) == (stop, first.page_id)
    [rec] = ledger_env.ledger.pending(ALICE)
    assert rec.op == EndOp(first.page_id, stop, ALICE)
    assert [e.end for e in ledger_env.pages_of(planned.entry_id)] == [None, None]
    await replay_stops_both(ledger_env, planned.entry_id, stop)


async def test_an_end_by_ref_behind_the_owners_pending_end_stops_both_pages(
    ledger_env: TrackerEnv,
) -> None:
    """An earlier timer's end still waits in Alice's lane: her end by ref applies it first,
    then stops both pages of the doubled start."""
    planned = await ledger_env.doubled_start(ALICE)
    first = ledger_env.pages_of(planned.entry_id)[0]
    assert first.page_id is not None
    done = await ledger_env.store.create(replace(planned, entry_id=entry_id(99), end=T0))
    assert done.page_id is not None
    ledger_env.ledger.record(EndOp(done.page_id, T0, ALICE))
    stop = ledger_env.clock.advance(hours=1)
    before = ledger_env.snapshot()

    result = await ledger_env.tracker.end(ALICE, first.page_id)

    # The earlier end: 1 retrieve (already ended, no write); then 1 retrieve + 1 query + 2
    # updates.
    assert ledger_env.since(before) == Counter(
        {"retrieve_page": 2, "query_data_source": 1, "update_page": 2}
    )
    assert isinstance(result, EndResult) and not result.queued and result.entry.end == stop
    assert ledger_env.ledger.pending() == []
    assert [e.end for e in ledger_env.pages_of(planned.entry_id)] == [stop, stop]
    assert ledger_env.page(done.page_id).end == T0


async def test_a_saved_end_by_ref_of_a_page_made_by_hand_ends_that_page(
    ledger_env: TrackerEnv,
) -> None:
    page = await ledger_env.store.create(
        replace(ledger_env.tracker.plan_start(ALICE, "Acme"), entry_id="")
    )
    assert page.page_id is not None
    stop = ledger_env.clock.advance(minutes=15)
    ledger_env.fake.faults.fail_next(503, count=DOWN, endpoint="update_page")

    result = await ledger_env.tracker.end(ALICE, page.page_id)

    assert isinstance(result, EndSaved) and result.ref == page.page_id
    [rec] = ledger_env.ledger.pending()
    assert isinstance(rec.op, EndOp) and rec.op.ref == page.page_id
    ledger_env.up()
    await ledger_env.replay()
    assert ledger_env.page(page.page_id).end == stop
