"""The tracker when Notion can't take a write: the operation stays in the ledger, later
commands of the user apply it first (in order), replay writes each exactly once."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, timedelta

import pytest
from notionkit import T0, TOKEN
from trackerkit import ALICE, BOB, DOWN, MANAGER, TrackerEnv

from notion_client import ServerError
from timesheet.entries.store import EntryStore
from timesheet.tracking.engine import Engine
from timesheet.tracking.ledger import Ledger
from timesheet.tracking.operations import EndOp, EndRunningOp, Operation, StartOp
from timesheet.tracking.results import EndSaved
from timesheet.tracking.sync import SYNC_FAILED, SYNC_OK, run_sync
from timesheet.tracking.tracker import NothingRunning, NotYourEntry, TrackerError


class Crash(BaseException):
    """The process dying mid-command (nothing catches it, as nothing catches a SIGKILL)."""


def on_record(monkeypatch: pytest.MonkeyPatch, ledger: Ledger) -> asyncio.Event:
    """An event set each time ``ledger`` records operations (once they are committed)."""
    recorded = asyncio.Event()
    record = ledger.record

    def recording(*ops: Operation) -> list[int]:
        ids = record(*ops)
        recorded.set()
        return ids

    monkeypatch.setattr(ledger, "record", recording)
    return recorded


# -- the story of an outage ------------------------------------------------------------------


async def test_outage_start_active_end_then_replay_writes_one_page(ledger_env: TrackerEnv) -> None:
    ledger_env.down()
    started = await ledger_env.tracker.start(ALICE, "Acme", note="on the train")
    assert started.queued and started.entry.page_id is None
    assert started.entry.start == T0 and started.stopped is None
    assert ledger_env.writes() == 0 and ledger_env.notified

    # Durable before the method returned: a new process sees it on disk, one operation that
    # carries the stop of whatever runs too.
    [on_disk] = ledger_env.reopened()
    assert isinstance(on_disk.op, StartOp) and on_disk.op.entry == started.entry

    view = await ledger_env.tracker.active_view(ALICE)
    assert not view.notion_reachable
    assert view.entries == [started.entry] and view.pending == [started.entry]
    with pytest.raises(ServerError):  # active() keeps its contract: Notion's error
        await ledger_env.tracker.active(ALICE)

    stop = ledger_env.clock.advance(hours=1, minutes=12)
    ended = await ledger_env.tracker.end(ALICE)
    assert not isinstance(ended, EndSaved)
    assert ended.queued and not ended.already_ended
    assert ended.entry.entry_id == started.entry.entry_id and ended.entry.end == stop
    assert (await ledger_env.tracker.active_view(ALICE)).entries == []
    again = await ledger_env.tracker.end(ALICE, started.entry.entry_id)
    assert not isinstance(again, EndSaved)
    assert again.already_ended and again.entry.end == stop and not again.queued
    assert ledger_env.writes() == 0

    ledger_env.up()
    await ledger_env.replay()
    page = ledger_env.page_of(started.entry.entry_id)
    assert (page.start, page.end, page.client, page.note) == (T0, stop, "Acme", "on the train")
    assert len(ledger_env.pages()) == 1 and len(ledger_env.ledger) == 0
    assert ledger_env.reopened() == []


async def test_a_saved_start_stops_the_timer_running_in_notion_at_its_start(
    ledger_env: TrackerEnv,
) -> None:
    first = await ledger_env.running_page(ALICE, "Acme")
    ledger_env.down()
    switch = ledger_env.clock.advance(minutes=40)
    second = await ledger_env.tracker.start(ALICE, "Globex")
    # The ledger wrote `first`: it knows that timer stops, though Notion could not say.
    assert second.queued and second.stopped == first.ended(switch)
    ledger_env.up()
    # Notion is back: the read applies the saved start first, then shows the switch.
    assert [e.entry_id for e in await ledger_env.tracker.active(ALICE)] == [second.entry.entry_id]
    assert ledger_env.ledger.pending(ALICE) == []
    assert ledger_env.page_of(first.entry_id).end == switch
    assert ledger_env.page_of(second.entry.entry_id).start == switch
    assert ledger_env.page_of(second.entry.entry_id).end is None


async def test_a_start_is_one_operation_and_a_crash_half_way_is_finished_once(
    ledger_env: TrackerEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stop of the old timer and the new page are one operation: the process dying between
    the two leaves that operation pending, and another process finishes it without writing
    either twice."""
    old = await ledger_env.running_page(ALICE, "Acme")
    switch = ledger_env.clock.advance(minutes=20)

    async def crash(self: EntryStore, *args: object, **kwargs: object) -> None:
        raise Crash

    with monkeypatch.context() as patched:
        patched.setattr(EntryStore, "create", crash)  # dies once the old timer is stopped
        with pytest.raises(Crash):
            await ledger_env.tracker.start(ALICE, "Globex")
    assert ledger_env.page(old.page_id).end == switch
    [left] = ledger_env.reopened()
    assert isinstance(left.op, StartOp) and left.op.entry.start == switch

    before = ledger_env.snapshot()
    with Ledger(ledger_env.path) as ledger:  # a restarted process
        report = await Engine(ledger_env.store, ledger).replay()
    assert report.ok and report.replayed == 1
    # The running pages, the Entry ID (the dead attempt might have written it), one create;
    # no second stop.
    assert ledger_env.since(before) == Counter(query_data_source=2, create_page=1)
    assert ledger_env.page(old.page_id).end == switch
    new = ledger_env.page_of(left.op.entry.entry_id)
    assert (new.client, new.start, new.end) == ("Globex", switch, None)


async def test_saved_starts_stop_each_other_in_order(ledger_env: TrackerEnv) -> None:
    ledger_env.down()
    a = (await ledger_env.tracker.start(ALICE, "Acme")).entry
    t1 = ledger_env.clock.advance(minutes=10)
    b = await ledger_env.tracker.start(ALICE, "Globex")
    assert b.queued and b.stopped == a.ended(t1)  # the pending one is known to stop
    t2 = ledger_env.clock.advance(minutes=5)
    await ledger_env.tracker.end(ALICE)
    assert [type(r.op) for r in ledger_env.ledger.pending(ALICE)] == [
        StartOp,
        StartOp,
        EndRunningOp,
    ]
    ledger_env.up()
    await ledger_env.replay()
    assert (ledger_env.page_of(a.entry_id).start, ledger_env.page_of(a.entry_id).end) == (T0, t1)
    assert (
        ledger_env.page_of(b.entry.entry_id).start,
        ledger_env.page_of(b.entry.entry_id).end,
    ) == (t1, t2)


# -- never overtaking saved operations -------------------------------------------------------


async def test_the_next_command_applies_the_users_saved_operations_first(
    ledger_env: TrackerEnv,
) -> None:
    ledger_env.down()
    a = (await ledger_env.tracker.start(ALICE, "Acme")).entry
    ledger_env.up()
    t1 = ledger_env.clock.advance(minutes=30)
    before = ledger_env.snapshot()
    b = await ledger_env.tracker.start(ALICE, "Globex")
    # Alice's saved start goes first (its running pages, its Entry ID looked up since an
    # earlier attempt might have written it, 1 create), then hers (1 query, the stop of the
    # saved one at t1, 1 create): both in Notion when the command answers.
    assert ledger_env.since(before) == Counter(query_data_source=3, create_page=2, update_page=1)
    assert not b.queued and b.entry.page_id is not None
    assert b.stopped is not None and (b.stopped.entry_id, b.stopped.end) == (a.entry_id, t1)
    assert ledger_env.ledger.pending(ALICE) == []
    bob = await ledger_env.tracker.start(BOB, "Acme")  # Bob's lane is his own
    assert not bob.queued and bob.entry.page_id is not None

    t2 = ledger_env.clock.advance(minutes=30)
    before = ledger_env.snapshot()
    ended = await ledger_env.tracker.end(ALICE)
    assert ledger_env.since(before) == Counter(query_data_source=1, update_page=1)
    assert not isinstance(ended, EndSaved) and not ended.queued
    assert (ended.entry.entry_id, ended.entry.end) == (b.entry.entry_id, t2)
    assert (ledger_env.page_of(a.entry_id).end, ledger_env.page_of(b.entry.entry_id).end) == (
        t1,
        t2,
    )
    assert (await ledger_env.engine.replay()).replayed == 0  # nothing was left for the replayer


# -- a write that fails half-way -------------------------------------------------------------


async def test_a_start_whose_stop_of_the_old_timer_fails_waits_whole(
    ledger_env: TrackerEnv,
) -> None:
    """The old timer is stopped before the new page is written: when that stop fails, the
    whole start waits (no second running page meanwhile) and is replayed in order."""
    old = await ledger_env.running_page(ALICE, "Acme")
    ledger_env.fake.faults.fail_next(503, count=DOWN, endpoint="update_page")
    switch = ledger_env.clock.advance(minutes=20)
    before = ledger_env.snapshot()
    result = await ledger_env.tracker.start(ALICE, "Globex")
    assert ledger_env.since(before) == Counter(query_data_source=1, update_page=3)  # 3 attempts
    assert result.queued and result.entry.page_id is None
    assert result.stopped == old.ended(switch)
    [rec] = ledger_env.ledger.pending(ALICE)
    assert isinstance(rec.op, StartOp) and rec.op.entry == result.entry
    assert rec.failures == 1 and "ServerError" in (rec.last_error or "")
    assert ledger_env.running_pages() == [ledger_env.page(old.page_id)]
    ledger_env.up()
    await ledger_env.replay()
    assert ledger_env.page(old.page_id).end == switch
    assert ledger_env.page_of(result.entry.entry_id).end is None  # the new timer keeps running


async def test_create_applied_but_unconfirmed_is_saved_and_replayed_once(
    ledger_env: TrackerEnv,
) -> None:
    old = await ledger_env.running_page(ALICE, "Acme")
    faults = ledger_env.fake.faults

    def after_the_create(endpoint: str) -> float:
        # Notion applies the create and drops the answer, then stops answering queries,
        # so the store can't find out whether the page exists.
        if endpoint == "create_page" and faults.latency_fn is not None:
            faults.latency_fn = None
            faults.fail_next(503, count=DOWN, endpoint="query_data_source")
        return 0.0

    faults.drop_response_next("create_page")
    faults.latency_fn = after_the_create
    switch = ledger_env.clock.advance(minutes=20)
    result = await ledger_env.tracker.start(ALICE, "Globex")
    assert result.queued and result.entry.page_id is None
    assert result.stopped is not None and result.stopped.end == switch
    assert ledger_env.page(old.page_id).end == switch  # stopped before the create: done, kept
    [rec] = ledger_env.ledger.pending(ALICE)
    assert isinstance(rec.op, StartOp)
    assert [x.kind for x in ledger_env.ledger.effects_of_op(rec.op_id)] == ["ended"]
    ledger_env.up()
    await ledger_env.replay()
    assert ledger_env.page_of(result.entry.entry_id).start == switch  # exactly one page
    assert ledger_env.page_of(result.entry.entry_id).end is None  # not stopped at its own start
    assert ledger_env.page(old.page_id).end == switch


async def test_an_end_failing_on_the_write_is_saved_at_the_command_time(
    ledger_env: TrackerEnv,
) -> None:
    started = await ledger_env.running_page(ALICE, "Acme")
    ledger_env.fake.faults.fail_next(503, count=DOWN, endpoint="update_page")
    stop = ledger_env.clock.advance(hours=2)
    ended = await ledger_env.tracker.end(ALICE)
    assert not isinstance(ended, EndSaved)
    assert ended.queued and ended.entry.end == stop and ended.entry.page_id == started.page_id
    [rec] = ledger_env.ledger.pending(ALICE)
    assert rec.op == EndRunningOp(ALICE, stop)
    ledger_env.up()
    ledger_env.clock.advance(hours=1)  # replayed later: the End is still the command's time
    await ledger_env.replay()
    assert ledger_env.page(started.page_id).end == stop


# -- /end when Notion can't be asked ---------------------------------------------------------


async def test_end_with_notion_down_ends_the_timer_the_ledger_wrote(
    ledger_env: TrackerEnv,
) -> None:
    started = await ledger_env.running_page(ALICE, "Acme")
    ledger_env.down()
    stop = ledger_env.clock.advance(minutes=50)
    ended = await ledger_env.tracker.end(ALICE)
    assert not isinstance(ended, EndSaved)
    assert ended.queued and ended.entry == started.ended(stop)
    ledger_env.up()
    await ledger_env.replay()
    assert ledger_env.page(started.page_id).end == stop


async def test_end_with_notion_down_and_no_known_timer_is_saved_for_later(
    ledger_env: TrackerEnv,
) -> None:
    started = await ledger_env.started_elsewhere(ALICE, "Acme")
    ledger_env.down()
    stop = ledger_env.clock.advance(minutes=50)
    saved = await ledger_env.tracker.end(ALICE)
    assert isinstance(saved, EndSaved) and not isinstance(saved, TrackerError)  # a value
    assert (saved.user_id, saved.at, saved.ref) == (ALICE, stop, None)
    assert saved.reply(UTC) == (
        "Notion can't be reached right now. Saved: your running timer will be stopped at "
        "2026-11-16 09:50 UTC once Notion answers."
    )
    [rec] = ledger_env.reopened()
    assert rec.op == EndRunningOp(ALICE, stop)
    assert ledger_env.notified
    ledger_env.up()
    await ledger_env.replay()
    assert ledger_env.page(started.page_id).end == stop


async def test_nothing_running_only_when_neither_notion_nor_the_ledger_has_a_timer(
    ledger_env: TrackerEnv,
) -> None:
    before = ledger_env.snapshot()
    with pytest.raises(NothingRunning):
        await ledger_env.tracker.end(ALICE)
    # What runs, then whether a paused session is to end.
    assert ledger_env.since(before) == Counter(query_data_source=2)
    assert (
        len(ledger_env.ledger) == 0 and ledger_env.ledger.failed() == [] and not ledger_env.notified
    )


# -- /end by reference -----------------------------------------------------------------------


async def test_pending_entry_can_be_ended_by_its_entry_id_ownership_still_holds(
    ledger_env: TrackerEnv,
) -> None:
    ledger_env.down()
    pending = (await ledger_env.tracker.start(ALICE, "Acme")).entry
    ref = pending.entry_id.replace("-", "").upper()  # any spelling of the id
    with pytest.raises(NotYourEntry):
        await ledger_env.tracker.end(BOB, ref)
    assert [type(r.op) for r in ledger_env.ledger.pending()] == [StartOp]  # Bob's refusal: no op
    stop = ledger_env.clock.advance(minutes=25)
    result = await ledger_env.tracker.end(MANAGER, ref, can_manage=True)
    assert not isinstance(result, EndSaved)
    assert result.queued and result.ended_by_other and result.entry.end == stop
    op = ledger_env.ledger.pending()[-1].op
    assert isinstance(op, EndOp) and (op.asked_by, op.owner, op.can_manage, op.lane) == (
        MANAGER,
        ALICE,
        True,
        ALICE,  # behind the owner's start
    )
    again = await ledger_env.tracker.end(ALICE, pending.entry_id)
    assert not isinstance(again, EndSaved)
    assert again.already_ended and again.entry.end == stop  # the first End wins
    ledger_env.up()
    await ledger_env.replay()
    assert ledger_env.page_of(pending.entry_id).end == stop


async def test_end_by_ref_goes_behind_the_owners_pending_operations(
    ledger_env: TrackerEnv,
) -> None:
    """The ledger wrote Alice's page, so a manager's stop of it waits behind her own saved
    stop, and the earlier stop wins."""
    started = await ledger_env.running_page(ALICE, "Acme")
    ledger_env.fake.faults.fail_next(503, count=DOWN, endpoint="update_page")
    first_stop = ledger_env.clock.advance(minutes=10)
    saved = await ledger_env.tracker.end(ALICE)
    assert not isinstance(saved, EndSaved) and saved.queued
    ledger_env.up()
    ledger_env.clock.advance(minutes=10)
    before = ledger_env.snapshot()
    result = await ledger_env.tracker.end(MANAGER, str(started.page_id), can_manage=True)
    # Alice's end (1 query + 1 update), then the manager's: 1 retrieve, already ended.
    assert ledger_env.since(before) == Counter(query_data_source=1, update_page=1, retrieve_page=1)
    assert not isinstance(result, EndSaved)
    assert not result.queued and result.already_ended and result.entry.end == first_stop
    assert ledger_env.page(started.page_id).end == first_stop
    assert len(ledger_env.ledger) == 0


async def test_end_by_ref_reads_the_page_only_once_it_holds_the_owners_lane(
    ledger_env: TrackerEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = await ledger_env.running_page(ALICE, "Acme")
    first_stop = T0 + timedelta(minutes=3)
    ledger_env.clock.advance(minutes=5)
    recorded = on_record(monkeypatch, ledger_env.ledger)
    with Ledger(ledger_env.path) as other:  # another process applies Alice's operations
        assert other.try_lease(ALICE)
        before = ledger_env.snapshot()
        task = asyncio.create_task(
            ledger_env.tracker.end(MANAGER, str(started.page_id), can_manage=True)
        )
        await asyncio.wait_for(recorded.wait(), 10)
        [rec] = ledger_env.ledger.pending(ALICE)  # in the owner's lane, waiting for it
        assert isinstance(rec.op, EndOp) and rec.op.asked_by == MANAGER
        assert ledger_env.since(before) == Counter()  # nothing read before the lane is ours
        await ledger_env.store.end(started, first_stop)  # ...and that process ends the timer
        other.release_lease(ALICE)
        result = await asyncio.wait_for(task, 10)
    assert not isinstance(result, EndSaved)
    assert result.already_ended and result.entry.end == first_stop
    assert ledger_env.page(started.page_id).end == first_stop  # not moved


async def test_direct_paths_are_unchanged_when_notion_answers(ledger_env: TrackerEnv) -> None:
    started = await ledger_env.tracker.start(ALICE, "Acme")
    assert not started.queued and started.entry.page_id is not None
    before = ledger_env.snapshot()
    assert await ledger_env.tracker.active(ALICE) == [started.entry]
    assert ledger_env.since(before) == Counter(query_data_source=1)
    assert (await ledger_env.tracker.active_view(ALICE)).notion_reachable
    stop = ledger_env.clock.advance(minutes=5)
    ended = await ledger_env.tracker.end(ALICE)
    assert not isinstance(ended, EndSaved)
    assert not ended.queued and ended.entry.end == stop
    assert ledger_env.page_of(started.entry.entry_id).end == stop
    assert len(ledger_env.ledger) == 0 and not ledger_env.notified


# -- one lane per user: concurrent commands and the replayer ---------------------------------


async def test_concurrent_starts_of_one_user_apply_one_after_the_other(
    ledger_env: TrackerEnv,
) -> None:
    ledger_env.fake.faults.latency = 0.002  # let the two writes interleave if they could
    a = ledger_env.tracker.plan_start(ALICE, "Acme")
    b = ledger_env.tracker.plan_start(ALICE, "Globex", at=T0 + timedelta(minutes=1))
    await asyncio.wait_for(
        asyncio.gather(ledger_env.tracker.start_entry(a), ledger_env.tracker.start_entry(b)), 10
    )
    assert [e.entry_id for e in ledger_env.running_pages()] == [b.entry_id]
    assert ledger_env.page_of(a.entry_id).end == b.start


async def test_replay_and_commands_of_the_same_user_interleave_without_deadlock(
    ledger_env: TrackerEnv,
) -> None:
    ledger_env.down()
    for minutes in range(0, 50, 10):
        ledger_env.clock.now = T0 + timedelta(minutes=minutes)
        await ledger_env.tracker.start(ALICE, "Acme")
    ledger_env.up()
    ledger_env.fake.faults.latency = 0.001

    async def commands() -> None:
        for minutes in range(50, 100, 10):
            ledger_env.clock.now = T0 + timedelta(minutes=minutes)
            await ledger_env.tracker.start(ALICE, "Globex")
            await asyncio.sleep(0)

    await asyncio.wait_for(asyncio.gather(ledger_env.engine.replay(), commands()), 20)
    await ledger_env.replay()
    pages = sorted(ledger_env.pages(), key=lambda e: e.start)
    assert [p.start for p in pages] == [T0 + timedelta(minutes=m) for m in range(0, 100, 10)]
    assert [p.end for p in pages[:-1]] == [p.start for p in pages[1:]]
    assert pages[-1].end is None


# -- timetrack sync --------------------------------------------------------------------------


async def test_run_sync_reports_waiting_then_done(ledger_env: TrackerEnv) -> None:
    assert await run_sync(ledger_env.engine) == (SYNC_OK, ["ledger: nothing to sync"])
    ledger_env.down()
    started = (await ledger_env.tracker.start(ALICE, "Acme")).entry
    code, lines = await run_sync(ledger_env.engine)
    assert code == SYNC_FAILED
    assert lines[0] == "ledger: 1 operation(s) to sync"
    assert any("Notion is unavailable: 1 operation(s) kept" in line for line in lines)
    assert lines[-1].startswith("ledger: 0 applied, 0 failed, 1 pending (stopped: Notion")
    assert TOKEN not in "\n".join(lines)

    ledger_env.up()
    code, lines = await run_sync(ledger_env.engine)
    assert code == SYNC_OK and lines[-1] == "ledger: 1 applied, 0 failed, 0 pending"
    assert any(line.startswith("done: start 'Acme'") for line in lines)
    assert ledger_env.page_of(started.entry_id).start == T0


async def test_run_sync_lists_operations_notion_refused_for_good(ledger_env: TrackerEnv) -> None:
    ledger_env.down()
    await ledger_env.tracker.start(ALICE, "Acme")
    ledger_env.up()
    ledger_env.fake.faults.fail_next(400, endpoint="create_page")  # this page can never be written
    code, lines = await run_sync(ledger_env.engine)
    assert code == SYNC_FAILED and any(line.startswith("failed: start 'Acme'") for line in lines)
    [failed] = ledger_env.ledger.failed()
    assert isinstance(failed.op, StartOp) and "ValidationError" in (failed.last_error or "")
    code, lines = await run_sync(ledger_env.engine)
    assert code == SYNC_FAILED
    assert "1 operation(s) set aside earlier (Notion refused them):" in lines
    assert ledger_env.pages() == []


async def test_an_end_of_an_unknown_entry_is_answered_not_set_aside(
    ledger_env: TrackerEnv,
) -> None:
    """A stop saved by ref for an entry Notion turns out not to have is refused on replay: a
    result (nothing written), not an operation set aside as failed."""
    ledger_env.down()
    missing = "00000000-0000-4000-8000-000000000999"
    saved = await ledger_env.tracker.end(ALICE, missing)
    assert isinstance(saved, EndSaved) and saved.ref == missing
    ledger_env.up()
    code, lines = await run_sync(ledger_env.engine)
    assert code == SYNC_OK
    assert any(
        line.startswith(f"done: end entry {missing}") and "refused (not_found)" in line
        for line in lines
    )
    assert ledger_env.ledger.failed() == [] and ledger_env.writes() == 0
