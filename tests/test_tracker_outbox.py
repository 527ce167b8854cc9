"""Tracker with the outbox: queue when Notion is down, never overtake, replay to exactly once."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from notionkit import T0, TOKEN
from trackerkit import DOWN, TrackerEnv, tracker_env

from notion_client import ServerError
from timesheet.entries.model import TimeEntry
from timesheet.tracking.ledger import EndOp, EndRunningOp, Outbox, StartOp
from timesheet.tracking.sync import SYNC_FAILED, SYNC_OK, run_sync
from timesheet.tracking.tracker import (
    EndQueued,
    NothingRunning,
    NotYourEntry,
    TrackerError,
)

PRESETS = ("Acme", "Globex")
ALICE, BOB, MANAGER = "100000000000000001", "100000000000000002", "100000000000000009"


@dataclass
class Env(TrackerEnv):
    def page_of(self, entry_id: str) -> TimeEntry:
        found = [e for e in self.pages() if e.entry_id == entry_id]
        assert len(found) == 1, f"{len(found)} pages carry Entry ID {entry_id}"
        return found[0]


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    async with tracker_env(Env, tmp_path, PRESETS) as env:
        yield env


# -- the story of an outage ------------------------------------------------------------------


async def test_outage_start_active_end_then_replay_writes_one_page(env: Env) -> None:
    env.down()
    started = await env.tracker.start(ALICE, "Acme", note="on the train")
    assert started.queued and started.entry.page_id is None
    assert started.entry.start == T0 and started.stopped is None
    assert env.writes() == 0 and env.notified

    # Durable before the method returned: a new process sees it on disk.
    on_disk = env.reopened()
    assert [type(op) for op in on_disk] == [EndRunningOp, StartOp]
    start_op = on_disk[1]
    assert isinstance(start_op, StartOp) and start_op.entry == started.entry

    view = await env.tracker.active_view(ALICE)
    assert not view.notion_reachable
    assert view.entries == [started.entry] and view.pending == [started.entry]
    with pytest.raises(ServerError):  # active() keeps its contract: Notion's error
        await env.tracker.active(ALICE)

    stop = env.clock.advance(hours=1, minutes=12)
    ended = await env.tracker.end(ALICE)
    assert ended.queued and not ended.already_ended
    assert ended.entry.entry_id == started.entry.entry_id and ended.entry.end == stop
    assert (await env.tracker.active_view(ALICE)).entries == []
    again = await env.tracker.end(ALICE, started.entry.entry_id)
    assert again.already_ended and again.entry.end == stop and not again.queued
    assert env.writes() == 0

    env.up()
    await env.replay()
    page = env.page_of(started.entry.entry_id)
    assert (page.start, page.end, page.client, page.note) == (T0, stop, "Acme", "on the train")
    assert len(env.pages()) == 1 and len(env.outbox) == 0
    assert env.reopened() == []


async def test_queued_start_stops_the_timer_running_in_notion_at_its_start(env: Env) -> None:
    first = (await env.tracker.start(ALICE, "Acme")).entry
    assert first.page_id is not None
    env.down()
    switch = env.clock.advance(minutes=40)
    second = await env.tracker.start(ALICE, "Globex")
    assert second.queued and second.stopped is None  # Notion could not say what ran
    env.up()
    # Notion is back before the replay: the view already shows the switch.
    assert [e.entry_id for e in await env.tracker.active(ALICE)] == [second.entry.entry_id]
    await env.replay()
    assert env.page_of(first.entry_id).end == switch
    assert env.page_of(second.entry.entry_id).start == switch
    assert env.page_of(second.entry.entry_id).end is None


async def test_a_queued_start_is_committed_whole_or_not_at_all(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    await env.tracker.start(ALICE, "Acme")
    env.down()

    def crash(self: Outbox, entry: TimeEntry) -> StartOp:
        raise KeyboardInterrupt  # the process dies between the stop and the start

    monkeypatch.setattr(Outbox, "enqueue_start", crash)
    with pytest.raises(KeyboardInterrupt):
        await env.tracker.start(ALICE, "Globex")
    assert env.reopened() == []  # not the stop of the old timer alone


async def test_queued_starts_stop_each_other_in_order(env: Env) -> None:
    env.down()
    a = (await env.tracker.start(ALICE, "Acme")).entry
    t1 = env.clock.advance(minutes=10)
    b = await env.tracker.start(ALICE, "Globex")
    assert b.queued and b.stopped == a.ended(t1)  # the pending one is known to stop
    t2 = env.clock.advance(minutes=5)
    await env.tracker.end(ALICE)
    env.up()
    await env.replay()
    assert (env.page_of(a.entry_id).start, env.page_of(a.entry_id).end) == (T0, t1)
    assert (env.page_of(b.entry.entry_id).start, env.page_of(b.entry.entry_id).end) == (t1, t2)


# -- never overtaking queued operations ------------------------------------------------------


async def test_while_a_user_has_queued_ops_their_commands_queue_even_with_notion_up(
    env: Env,
) -> None:
    env.down()
    a = (await env.tracker.start(ALICE, "Acme")).entry
    env.up()
    before = Counter(env.fake.requests)
    t1 = env.clock.advance(minutes=30)
    b = await env.tracker.start(ALICE, "Globex")
    assert b.queued and Counter(env.fake.requests) == before  # not even a query
    bob = await env.tracker.start(BOB, "Acme")  # Bob has nothing queued: straight to Notion
    assert not bob.queued and bob.entry.page_id is not None

    t2 = env.clock.advance(minutes=30)
    ended = await env.tracker.end(ALICE)  # Notion answers, but Alice still has queued ops
    assert ended.queued and ended.entry.entry_id == b.entry.entry_id and ended.entry.end == t2
    assert env.fake.requests["update_page"] == 0

    await env.replay()
    assert (env.page_of(a.entry_id).end, env.page_of(b.entry.entry_id).end) == (t1, t2)
    # Drained: the next command goes straight to Notion again.
    again = await env.tracker.start(ALICE, "Acme")
    assert not again.queued and again.entry.page_id is not None


# -- a direct write that fails half-way ------------------------------------------------------


async def test_stop_of_the_old_timer_failing_after_the_create_queues_only_that_end(
    env: Env,
) -> None:
    old = (await env.tracker.start(ALICE, "Acme")).entry
    env.fake.faults.fail_next(503, count=DOWN, endpoint="update_page")
    switch = env.clock.advance(minutes=20)
    result = await env.tracker.start(ALICE, "Globex")
    assert result.queued and result.entry.page_id is not None  # the page is written
    assert result.stopped == old.ended(switch)
    pending = env.outbox.pending()
    assert len(pending) == 1 and isinstance(pending[0], EndOp)
    assert (pending[0].entry_id, pending[0].page_id, pending[0].at) == (
        old.entry_id,
        old.page_id,
        switch,
    )
    env.up()
    await env.replay()
    assert env.page_of(old.entry_id).end == switch
    assert env.page_of(result.entry.entry_id).end is None  # the new timer keeps running


async def test_create_applied_but_unconfirmed_is_queued_and_replayed_once(env: Env) -> None:
    old = (await env.tracker.start(ALICE, "Acme")).entry
    faults = env.fake.faults

    def after_the_query(endpoint: str) -> float:
        # Notion applies the create and drops the answer, then stops answering queries,
        # so the store can't find out whether the page exists.
        if endpoint == "create_page" and faults.latency_fn is not None:
            faults.latency_fn = None
            faults.fail_next(503, count=DOWN, endpoint="query_data_source")
        return 0.0

    faults.drop_response_next("create_page")
    faults.latency_fn = after_the_query
    switch = env.clock.advance(minutes=20)
    result = await env.tracker.start(ALICE, "Globex")
    assert result.queued and result.entry.page_id is None
    assert [type(op) for op in env.outbox.pending()] == [EndOp, StartOp]
    env.up()
    await env.replay()
    assert env.page_of(result.entry.entry_id).start == switch  # exactly one page
    assert env.page_of(result.entry.entry_id).end is None  # not stopped at its own start
    assert env.page_of(old.entry_id).end == switch


async def test_end_failing_on_the_write_is_queued_with_the_page_id(env: Env) -> None:
    started = (await env.tracker.start(ALICE, "Acme")).entry
    env.fake.faults.fail_next(503, count=DOWN, endpoint="update_page")
    stop = env.clock.advance(hours=2)
    ended = await env.tracker.end(ALICE)
    assert ended.queued and ended.entry.end == stop
    [op] = env.outbox.pending()
    assert isinstance(op, EndOp) and (op.page_id, op.user_id) == (started.page_id, ALICE)
    env.up()
    await env.replay()
    assert env.page_of(started.entry_id).end == stop


# -- /end when Notion can't be asked ---------------------------------------------------------


async def test_end_with_notion_down_and_nothing_pending_is_saved_for_later(env: Env) -> None:
    started = (await env.tracker.start(ALICE, "Acme")).entry
    env.down()
    stop = env.clock.advance(minutes=50)
    with pytest.raises(EndQueued) as caught:
        await env.tracker.end(ALICE)
    assert isinstance(caught.value, TrackerError)  # the bot's error path shows it as is
    assert caught.value.at == stop and "Saved" in str(caught.value)
    assert "2026-11-16 09:50 UTC" in str(caught.value)
    [op] = env.reopened()
    assert isinstance(op, EndRunningOp) and (op.user_id, op.at) == (ALICE, stop)
    env.up()
    await env.replay()
    assert env.page_of(started.entry_id).end == stop


async def test_nothing_running_only_when_neither_notion_nor_the_outbox_has_a_timer(
    env: Env,
) -> None:
    with pytest.raises(NothingRunning):
        await env.tracker.end(ALICE)
    assert len(env.outbox) == 0 and not env.notified


# -- /end by reference -----------------------------------------------------------------------


async def test_pending_entry_can_be_ended_by_its_entry_id_ownership_still_holds(
    env: Env,
) -> None:
    env.down()
    pending = (await env.tracker.start(ALICE, "Acme")).entry
    ref = pending.entry_id.replace("-", "").upper()  # any spelling of the id
    with pytest.raises(NotYourEntry):
        await env.tracker.end(BOB, ref)
    stop = env.clock.advance(minutes=25)
    result = await env.tracker.end(MANAGER, ref, can_manage=True)
    assert result.queued and result.ended_by_other and result.entry.end == stop
    op = env.outbox.pending()[-1]
    assert isinstance(op, EndOp) and (op.ended_by, op.user_id, op.page_id) == (
        MANAGER,
        ALICE,
        None,
    )
    again = await env.tracker.end(ALICE, pending.entry_id)
    assert again.already_ended and again.entry.end == stop  # the first End wins
    env.up()
    await env.replay()
    assert env.page_of(pending.entry_id).end == stop


async def test_end_by_ref_queues_behind_the_owners_pending_ops(env: Env) -> None:
    first = (await env.tracker.start(ALICE, "Acme")).entry
    env.fake.faults.fail_next(503, count=DOWN, endpoint="update_page")
    switch = env.clock.advance(minutes=10)
    second = (await env.tracker.start(ALICE, "Globex")).entry  # stop of `first` queued
    env.up()
    stop = env.clock.advance(minutes=10)
    assert second.page_id is not None
    result = await env.tracker.end(ALICE, second.page_id)
    assert result.queued and result.entry.end == stop
    assert env.fake.requests["update_page"] == 3  # the failed attempts only
    await env.replay()
    assert env.page_of(first.entry_id).end == switch
    assert env.page_of(second.entry_id).end == stop


async def test_end_by_ref_reads_the_page_again_once_it_holds_the_owners_lock(
    env: Env,
) -> None:
    started = (await env.tracker.start(ALICE, "Acme")).entry
    assert started.page_id is not None
    first_stop = T0 + timedelta(minutes=3)
    env.clock.advance(minutes=5)
    lock = env.tracker._lock(ALICE)  # the owner is busy (a command, the replayer's start)
    await lock.acquire()
    read = asyncio.Event()

    def on_request(endpoint: str) -> float:
        if endpoint == "retrieve_page":
            read.set()  # the fake answers in the same step: the page is read by then
        return 0.0

    env.fake.faults.latency_fn = on_request
    task = asyncio.create_task(env.tracker.end(MANAGER, started.page_id, can_manage=True))
    await asyncio.wait_for(read.wait(), 10)
    env.fake.faults.latency_fn = None
    await env.store.end(started, first_stop)  # ...and ends the timer meanwhile
    lock.release()
    result = await asyncio.wait_for(task, 10)
    assert result.already_ended and result.entry.end == first_stop
    assert env.page_of(started.entry_id).end == first_stop  # not moved


async def test_direct_paths_are_unchanged_when_notion_answers(env: Env) -> None:
    started = await env.tracker.start(ALICE, "Acme")
    assert not started.queued and started.entry.page_id is not None
    assert await env.tracker.active(ALICE) == [started.entry]
    assert (await env.tracker.active_view(ALICE)).notion_reachable
    stop = env.clock.advance(minutes=5)
    ended = await env.tracker.end(ALICE)
    assert not ended.queued and ended.entry.end == stop
    assert env.page_of(started.entry.entry_id).end == stop
    assert len(env.outbox) == 0 and not env.notified


# -- the replayer and the per-user lock ------------------------------------------------------


async def test_start_entry_takes_the_users_lock(env: Env) -> None:
    env.fake.faults.latency = 0.002  # let the two writes interleave if they could
    a = env.tracker.plan_start(ALICE, "Acme")
    b = env.tracker.plan_start(ALICE, "Globex", at=T0 + timedelta(minutes=1))
    await asyncio.wait_for(
        asyncio.gather(env.tracker.start_entry(a), env.tracker.start_entry(b)), 10
    )
    running = [e for e in env.pages() if e.end is None]
    assert [e.entry_id for e in running] == [b.entry_id]
    assert env.page_of(a.entry_id).end == b.start


async def test_replay_and_commands_of_the_same_user_interleave_without_deadlock(
    env: Env,
) -> None:
    env.down()
    for minutes in range(0, 50, 10):
        env.clock.now = T0 + timedelta(minutes=minutes)
        await env.tracker.start(ALICE, "Acme")
    env.up()
    env.fake.faults.latency = 0.001

    async def commands() -> None:
        for minutes in range(50, 100, 10):
            env.clock.now = T0 + timedelta(minutes=minutes)
            await env.tracker.start(ALICE, "Globex")
            await asyncio.sleep(0)

    await asyncio.wait_for(asyncio.gather(env.replay(), commands()), 20)
    await env.replay()
    pages = sorted(env.pages(), key=lambda e: e.start)
    assert [p.start for p in pages] == [T0 + timedelta(minutes=m) for m in range(0, 100, 10)]
    assert [p.end for p in pages[:-1]] == [p.start for p in pages[1:]]
    assert pages[-1].end is None


# -- timetrack sync --------------------------------------------------------------------------


async def test_run_sync_reports_waiting_then_done(env: Env) -> None:
    assert await run_sync(env.outbox, env.store, env.tracker) == (
        SYNC_OK,
        ["outbox: nothing to sync"],
    )
    env.down()
    started = (await env.tracker.start(ALICE, "Acme")).entry
    code, lines = await run_sync(env.outbox, env.store, env.tracker)
    assert code == SYNC_FAILED
    assert lines[0] == "outbox: 2 operation(s) to sync"
    assert any("Notion is unavailable: 2 operation(s) kept" in line for line in lines)
    assert lines[-1].startswith("outbox: 0 replayed, 0 failed, 2 pending (stopped: Notion")
    assert TOKEN not in "\n".join(lines)

    env.up()
    code, lines = await run_sync(env.outbox, env.store, env.tracker)
    assert code == SYNC_OK and lines[-1] == "outbox: 2 replayed, 0 failed, 0 pending"
    assert any(line.startswith("done: start 'Acme'") for line in lines)
    assert env.page_of(started.entry_id).start == T0


async def test_run_sync_lists_operations_notion_refused_for_good(env: Env) -> None:
    env.outbox.enqueue_end("00000000-0000-4000-8000-000000000999", T0, user_id=ALICE)
    code, lines = await run_sync(env.outbox, env.store)
    assert code == SYNC_FAILED and any(line.startswith("failed: end entry") for line in lines)
    code, lines = await run_sync(env.outbox, env.store)
    assert code == SYNC_FAILED
    assert "1 operation(s) set aside earlier (Notion refused them):" in lines
