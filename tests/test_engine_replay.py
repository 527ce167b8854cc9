"""Applying ledger operations to the in-memory Notion through the real client and store:
``Engine.drain``/``Engine.replay`` and the one ``apply`` behind them."""

from __future__ import annotations

import asyncio
import sqlite3
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import pytest
from ledgerkit import ALICE, BOB, CAROL, MANAGER, FakeClock, Sleeper, planned, until
from notionkit import T0, entry_id
from trackerkit import DOWN, TrackerEnv

from notion_client import Date
from timesheet.entries.model import TimeEntry
from timesheet.entries.schema import END
from timesheet.tracking.engine import LEASE_POLL, Engine
from timesheet.tracking.ledger import Ledger
from timesheet.tracking.operations import (
    EndOp,
    EndRunningOp,
    StartOp,
    entry_from_json,
    project,
)

MINUTE = timedelta(minutes=1)


def pages_of(env: TrackerEnv, entry_id: str) -> list[TimeEntry]:
    return [e for e in env.pages() if e.entry_id == entry_id]


def page(env: TrackerEnv, page_id: str | None) -> TimeEntry:
    (found,) = [e for e in env.pages() if e.page_id == page_id]
    return found


def result(env: TrackerEnv, op_id: int) -> dict[str, Any]:
    rec = env.ledger.get(op_id)
    assert rec is not None and rec.state == "done" and rec.result is not None
    return rec.result


def writes(counts: Counter[str]) -> tuple[int, int]:
    return counts["create_page"], counts["update_page"]


async def doubled(env: TrackerEnv, entry: TimeEntry) -> tuple[TimeEntry, TimeEntry]:
    """Two running pages with ``entry``'s Entry ID: a create doubled behind the lagging index."""
    return await env.store.create(entry), await env.store.create(entry)


# -- order, outages, once each ---------------------------------------------------------------


async def test_an_empty_ledger_is_a_quiet_no_op(ledger_env: TrackerEnv) -> None:
    env = ledger_env
    before = env.snapshot()
    report = await env.engine.replay()
    assert report.ok and report.replayed == 0 and report.lines == [] and not report.busy
    assert report.summary() == "ledger: 0 applied, 0 failed, 0 pending"
    assert env.since(before) == Counter()


async def test_notion_down_keeps_everything_then_applies_each_once_in_order(
    ledger_env: TrackerEnv,
) -> None:
    env = ledger_env
    e1, e2, e3 = planned(1), planned(2), planned(3)
    ids = env.ledger.record(
        StartOp(e1), EndOp(e1.entry_id, e1.start + 5 * MINUTE, ALICE), StartOp(e2), StartOp(e3)
    )

    env.down()
    report = await env.engine.replay()
    assert report.retry_later and not report.blocked and not report.ok
    assert report.replayed == 0 and report.remaining == 4
    assert report.stopped is not None
    assert report.stopped.startswith("Notion unavailable (ServerError: 503")
    pending = env.ledger.pending()
    assert [r.op_id for r in pending] == ids
    assert pending[0].failures == 1 and "503" in (pending[0].last_error or "")
    assert [r.failures for r in pending[1:]] == [0, 0, 0]
    assert env.pages() == []

    env.up()
    before = env.snapshot()
    report = await env.replay()
    assert report.replayed == 4
    assert writes(env.since(before)) == (3, 2)  # e2 stopped by e3's start
    assert [e.entry_id for e in env.pages()] == [e1.entry_id, e2.entry_id, e3.entry_id]
    assert [e.end for e in env.pages()] == [e1.start + 5 * MINUTE, e3.start, None]
    assert report.lines[0] == f"done: {StartOp(e1).describe()}"
    assert report.summary() == "ledger: 4 applied, 0 failed, 0 pending"

    # Nothing left: another pass sends nothing.
    before = env.snapshot()
    assert (await env.engine.replay()).replayed == 0
    assert env.since(before) == Counter()


async def test_an_outage_in_the_middle_stops_the_lane_at_that_op(ledger_env: TrackerEnv) -> None:
    env = ledger_env
    first, second = planned(1), planned(2)
    env.ledger.record(
        StartOp(first), EndOp(first.entry_id, T0 + timedelta(hours=2), ALICE), StartOp(second)
    )
    env.fake.faults.fail_next(503, count=DOWN, endpoint="update_page")
    report = await env.engine.replay()
    assert report.replayed == 1 and report.remaining == 2 and report.retry_later
    assert [r.op.kind for r in env.ledger.pending()] == ["end", "start"]
    assert [e.entry_id for e in env.pages()] == [first.entry_id]  # the second waits
    assert report.lines[-1].startswith(f"waiting: end entry {first.entry_id}")

    env.up()
    env.fake.faults.rate_limit_next(retry_after=0, count=DOWN)
    report = await env.engine.replay()
    assert report.retry_later and report.replayed == 0
    assert "RateLimitedError" in (report.stopped or "")

    env.up()
    report = await env.replay()
    assert report.replayed == 2
    assert pages_of(env, first.entry_id)[0].end == T0 + timedelta(hours=2)
    assert len(pages_of(env, second.entry_id)) == 1


OUTCOMES = [
    *((status, "retry") for status in (500, 502, 503, 504, 529, 429, 409)),
    *((status, "blocked") for status in (401, 403, 404)),
    (400, "failed"),
]


@pytest.mark.parametrize(("status", "outcome"), OUTCOMES)
async def test_what_notion_answers_decides_what_becomes_of_the_op(
    ledger_env: TrackerEnv, status: int, outcome: str
) -> None:
    env = ledger_env
    ids = env.ledger.record(StartOp(planned(1)), StartOp(planned(2)))
    env.fake.faults.fail_next(status, count=DOWN, endpoint="create_page")
    report = await env.engine.replay()
    assert (report.retry_later, report.blocked) == (outcome == "retry", outcome == "blocked")
    assert env.pages() == []
    if outcome == "failed":
        # Set aside with the reason, so the lane goes on: the next op meets it too.
        assert (report.failed, report.remaining, report.stopped) == (2, 0, None)
        assert [r.op_id for r in env.ledger.failed()] == ids
        assert all("ValidationError" in (r.last_error or "") for r in env.ledger.failed())
        return
    # Kept at the head of its lane; the op behind it is not tried.
    assert (report.failed, report.remaining) == (0, 2)
    head, behind = env.ledger.pending()
    assert (head.op_id, head.attempts, head.failures) == (ids[0], 1, 1)
    assert (behind.attempts, behind.failures) == (0, 0)
    assert env.ledger.failed() == []
    prefix = "Notion unavailable (" if outcome == "retry" else "Notion refused ("
    assert (report.stopped or "").startswith(prefix)


async def test_a_refused_token_blocks_without_losing_anything(ledger_env: TrackerEnv) -> None:
    env = ledger_env
    env.ledger.record(StartOp(planned(1)), StartOp(planned(2)))
    env.fake.faults.fail_next(401, count=DOWN)
    report = await env.engine.replay()
    assert report.blocked and not report.retry_later
    assert report.failed == 0 and report.remaining == 2
    assert "UnauthorizedError" in (report.stopped or "")
    assert env.ledger.failed() == []
    env.up()
    assert (await env.replay()).replayed == 2


async def test_permanent_failures_are_set_aside_and_do_not_block(ledger_env: TrackerEnv) -> None:
    env = ledger_env
    refused, fine = planned(1), planned(3)
    orphan = "00000000-0000-4000-8000-00000000dead"
    refused_op, orphan_op, _ = env.ledger.record(
        StartOp(refused), EndOp(orphan, T0 + timedelta(hours=5), ALICE), StartOp(fine)
    )
    env.fake.faults.fail_next(400, endpoint="create_page")
    report = await env.engine.replay()
    assert (report.replayed, report.failed, report.remaining) == (2, 1, 0)
    assert not report.ok and report.stopped is None
    assert [e.entry_id for e in env.pages()] == [fine.entry_id]
    (failed,) = env.ledger.failed()
    assert failed.op_id == refused_op and "ValidationError" in (failed.last_error or "")
    assert report.lines[0].startswith("failed: start 'task 1'")
    # An end of an entry nobody can find is a refusal applying makes: done, nothing written.
    assert result(env, orphan_op) == {
        "refused": "not_found",
        "ref": orphan,
        "reason": "not found, or not shared with the integration",
    }
    assert report.lines[1].endswith(": refused (not_found), nothing written")
    assert report.summary() == "ledger: 2 applied, 1 failed, 0 pending"

    # Once the cause is fixed it can be put back and applied.
    assert env.ledger.requeue_failed() == 1
    assert (await env.replay()).replayed == 1
    assert len(pages_of(env, refused.entry_id)) == 1


async def test_an_unexpected_error_is_raised_and_leaves_the_op_and_the_lane_free(
    ledger_env: TrackerEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = ledger_env

    async def broken(
        entry: TimeEntry, *, maybe_exists: bool = False, settle: float = 0.0
    ) -> TimeEntry:
        raise RuntimeError("a bug")

    monkeypatch.setattr(env.store, "create", broken)
    (op,) = env.ledger.record(StartOp(planned(1)))
    with pytest.raises(RuntimeError, match="a bug"):
        await env.engine.drain(ALICE)
    (rec,) = env.ledger.pending()
    assert rec.op_id == op and rec.failures == 1 and rec.last_error == "RuntimeError: a bug"
    with Ledger(env.path) as another_process:
        assert another_process.try_lease(ALICE)


async def test_an_unreadable_op_is_set_aside_and_its_lane_goes_on(ledger_env: TrackerEnv) -> None:
    env = ledger_env
    bad, _ = env.ledger.record(StartOp(planned(1)), StartOp(planned(2)))
    with sqlite3.connect(env.path) as db:
        db.execute("UPDATE ops SET payload = '{not json' WHERE id = ?", (bad,))
    report = await env.engine.drain(ALICE)
    assert report.replayed == 1 and report.remaining == 0
    assert [e.entry_id for e in env.pages()] == [entry_id(2)]
    assert [op_id for op_id, _ in env.ledger.failed_reasons()] == [bad]


# -- starts: created once, stopping what runs ------------------------------------------------


async def test_a_dropped_create_response_leaves_exactly_one_page(ledger_env: TrackerEnv) -> None:
    env = ledger_env
    e = planned(1)
    (op,) = env.ledger.record(StartOp(e))
    env.fake.faults.drop_response_next("create_page")
    await env.replay()
    (written,) = pages_of(env, e.entry_id)
    assert env.fake.requests["create_page"] == 1
    assert entry_from_json(result(env, op)["entry"]).page_id == written.page_id


async def test_a_start_applied_twice_writes_its_page_once(ledger_env: TrackerEnv) -> None:
    env = ledger_env
    running = await env.store.create(planned(1))
    b = planned(2)
    (first,) = env.ledger.record(StartOp(b))
    await env.replay()
    assert page(env, running.page_id).end == b.start
    assert [e.end for e in pages_of(env, b.entry_id)] == [None]
    assert [entry_from_json(x) for x in result(env, first)["stopped"]] == [
        page(env, running.page_id)
    ]

    # The same start recorded again (a retried command): nothing is written.
    before = env.snapshot()
    (again,) = env.ledger.record(StartOp(b))
    await env.replay()
    assert writes(env.since(before)) == (0, 0)
    assert len(pages_of(env, b.entry_id)) == 1
    assert result(env, again)["entry"]["page_id"] == pages_of(env, b.entry_id)[0].page_id


@pytest.mark.parametrize("effects", ["none recorded", "all recorded"])
async def test_an_attempt_that_died_after_its_writes_is_finished_without_writing_again(
    ledger_env: TrackerEnv, effects: str
) -> None:
    env = ledger_env
    before_outage = await env.store.create(planned(1))
    e = planned(2)
    (op,) = env.ledger.record(StartOp(e))
    # The attempt that died: it stopped the running timer and created the page, and maybe
    # recorded both writes, but never marked the op done.
    env.ledger.begin_attempt(op)
    stopped = await env.store.end(before_outage, e.start, fresh=True)
    created = await env.store.create(e)
    if effects == "all recorded":
        env.ledger.add_effect(op, "ended", stopped)
        env.ledger.add_effect(op, "created", created)

    before = env.snapshot()
    await env.replay()
    assert writes(env.since(before)) == (0, 0)
    assert pages_of(env, e.entry_id) == [created]
    assert page(env, before_outage.page_id).end == e.start
    assert result(env, op)["entry"]["page_id"] == created.page_id


async def test_a_start_stops_both_pages_of_a_doubled_timer(ledger_env: TrackerEnv) -> None:
    env = ledger_env
    one, two = await doubled(env, planned(1))
    e = planned(2)
    (op,) = env.ledger.record(StartOp(e))
    await env.replay()
    assert page(env, one.page_id).end == page(env, two.page_id).end == e.start
    assert len(result(env, op)["stopped"]) == 2
    assert [x.entry_id for x in env.running_pages()] == [e.entry_id]


async def test_a_page_the_index_does_not_list_yet_is_stopped_by_the_next_start(
    ledger_env: TrackerEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = ledger_env
    e1, e2 = planned(1), planned(2)
    env.ledger.record(StartOp(e1))
    await env.replay()
    (created,) = env.pages()

    async def lagging_index(user_id: str) -> list[TimeEntry]:
        return []  # Notion's query does not list the fresh page yet

    monkeypatch.setattr(env.store, "find_running", lagging_index)
    before = env.snapshot()
    env.ledger.record(StartOp(e2))
    await env.replay()
    # The ledger's effect names it: read fresh (it may have been ended by hand), then stopped.
    assert env.since(before) == Counter({"retrieve_page": 1, "update_page": 1, "create_page": 1})
    assert page(env, created.page_id).end == e2.start


async def test_an_end_set_by_hand_behind_the_lagging_index_is_kept(
    ledger_env: TrackerEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = ledger_env
    e1, e2 = planned(1), planned(2)
    env.ledger.record(StartOp(e1))
    await env.replay()
    (created,) = env.pages()
    assert created.page_id is not None
    by_hand = e1.start + 3 * MINUTE
    await env.client.update_page(created.page_id, {END: Date(by_hand)})

    async def lagging_index(user_id: str) -> list[TimeEntry]:
        return []

    monkeypatch.setattr(env.store, "find_running", lagging_index)
    before = env.snapshot()
    (op,) = env.ledger.record(StartOp(e2))
    await env.replay()
    assert writes(env.since(before)) == (1, 0)
    assert page(env, created.page_id).end == by_hand
    assert [x["end"] for x in result(env, op)["stopped"]] == [by_hand.isoformat()]


async def test_a_page_trashed_by_hand_does_not_fail_the_next_start(
    ledger_env: TrackerEnv,
) -> None:
    env = ledger_env
    env.ledger.record(StartOp(planned(1)))
    await env.replay()
    (created,) = env.pages()
    assert created.page_id is not None
    await env.client.trash_page(created.page_id)
    env.ledger.record(StartOp(planned(2)))
    report = await env.engine.replay()
    assert report.ok, report.lines
    assert [e.entry_id for e in env.running_pages()] == [entry_id(2)]


# -- ends: by ref, by Entry ID, of whatever runs ---------------------------------------------


@pytest.mark.parametrize("asker", [ALICE, MANAGER])
async def test_an_end_of_an_entry_whose_start_is_pending(
    ledger_env: TrackerEnv, asker: str
) -> None:
    env = ledger_env
    e = planned(1)
    at = e.start + 45 * MINUTE
    # Whoever asks, the end waits behind its owner's start (its owner is known: the start is
    # in the ledger).
    _, end = env.ledger.record(
        StartOp(e), EndOp(e.entry_id, at, asker, can_manage=asker == MANAGER, owner=ALICE)
    )
    assert project([r.op for r in env.ledger.pending(ALICE)], ALICE) == [e.ended(at)]
    env.down()
    assert (await env.engine.replay()).replayed == 0

    env.up()
    report = await env.replay()
    assert report.replayed == 2
    (written,) = pages_of(env, e.entry_id)
    assert (written.start, written.end) == (e.start, at)
    assert result(env, end)["by_other"] is (asker == MANAGER)


async def test_an_end_by_page_id_and_an_end_already_set_is_kept(ledger_env: TrackerEnv) -> None:
    env = ledger_env
    running = await env.store.create(planned(1))
    done = await env.store.create(planned(2, end=T0 + timedelta(hours=2, minutes=10)))
    assert running.page_id and done.page_id
    at = T0 + timedelta(hours=3)
    before = env.snapshot()
    _, by_manager = env.ledger.record(
        EndOp(running.page_id, at, ALICE), EndOp(done.page_id, at, MANAGER, can_manage=True)
    )
    report = await env.replay()
    assert report.replayed == 2
    assert page(env, running.page_id).end == at
    assert page(env, done.page_id).end == T0 + timedelta(hours=2, minutes=10)
    assert writes(env.since(before)) == (0, 1)
    assert result(env, by_manager)["already_ended"] is True
    assert result(env, by_manager)["by_other"] is True
    assert report.lines[1] == (
        f"done: end entry {done.page_id} at {at.isoformat()} by {MANAGER} (manager)"
    )


@pytest.mark.parametrize("ref", ["entry id", "first page", "second page"])
async def test_an_end_stops_every_running_page_of_a_doubled_create(
    ledger_env: TrackerEnv, ref: str
) -> None:
    env = ledger_env
    one, two = await doubled(env, planned(1))
    refs = {"entry id": entry_id(1), "first page": one.page_id, "second page": two.page_id}
    at = T0 + timedelta(hours=1)
    before = env.snapshot()
    (op,) = env.ledger.record(EndOp(refs[ref] or "", at, ALICE))
    await env.replay()
    assert page(env, one.page_id).end == page(env, two.page_id).end == at
    assert writes(env.since(before)) == (0, 2)
    assert len(result(env, op)["ended"]) == 2


async def test_an_end_cut_short_between_the_pages_of_a_doubled_create_stops_the_twin(
    ledger_env: TrackerEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = ledger_env
    one, two = await doubled(env, planned(1))
    at = T0 + timedelta(hours=1)
    real_end = env.store.end

    async def end_then_outage(
        entry: TimeEntry, when: datetime, *, fresh: bool = False
    ) -> TimeEntry:
        ended = await real_end(entry, when, fresh=fresh)
        env.down()  # Notion fails right after the first page's End was written
        return ended

    monkeypatch.setattr(env.store, "end", end_then_outage)
    env.ledger.record(EndOp(entry_id(1), at, ALICE))
    assert (await env.engine.replay()).retry_later
    monkeypatch.setattr(env.store, "end", real_end)
    env.up()
    await env.replay()
    assert page(env, one.page_id).end == page(env, two.page_id).end == at


async def test_an_end_by_ref_of_someone_elses_entry_is_refused_and_writes_nothing(
    ledger_env: TrackerEnv,
) -> None:
    env = ledger_env
    bobs = await env.store.create(planned(1, BOB))
    assert bobs.page_id is not None
    at = T0 + timedelta(hours=1)
    before = env.snapshot()
    (op,) = env.ledger.record(EndOp(bobs.page_id, at, ALICE))
    report = await env.replay()
    refusal = result(env, op)
    assert refusal.keys() == {"refused", "entry"} and refusal["refused"] == "not_yours"
    assert entry_from_json(refusal["entry"]) == bobs
    assert env.ledger.effects_of_op(op) == []
    assert writes(env.since(before)) == (0, 0)
    assert page(env, bobs.page_id).end is None
    assert report.lines == [
        f"done: {EndOp(bobs.page_id, at, ALICE).describe()}: refused (not_yours), nothing written"
    ]

    # A manager may.
    (op,) = env.ledger.record(EndOp(bobs.page_id, at, MANAGER, can_manage=True))
    await env.replay()
    assert page(env, bobs.page_id).end == at
    assert result(env, op)["by_other"] is True


async def test_end_running_stops_every_running_timer_of_its_user(ledger_env: TrackerEnv) -> None:
    env = ledger_env
    a = await env.store.create(planned(1))
    at = a.start + 15 * MINUTE
    later = await env.store.create(planned(5))  # a clock ahead, or a hand edit
    bobs = await env.store.create(planned(3, BOB))
    (op,) = env.ledger.record(EndRunningOp(ALICE, at))
    report = await env.replay()
    assert page(env, a.page_id).end == at
    assert page(env, later.page_id).end == later.start  # never before its start
    assert page(env, bobs.page_id).end is None
    assert len(result(env, op)["ended"]) == 2
    assert report.lines == [f"done: {EndRunningOp(ALICE, at).describe()}"]

    # Applied again (a retried command): nothing runs, nothing is written.
    before = env.snapshot()
    (op,) = env.ledger.record(EndRunningOp(ALICE, at))
    report = await env.replay()
    assert result(env, op) == {"refused": "nothing_running"}
    assert report.lines[0].endswith(": refused (nothing_running), nothing written")
    assert writes(env.since(before)) == (0, 0)


async def test_a_start_then_end_running_saved_while_down(ledger_env: TrackerEnv) -> None:
    env = ledger_env
    e = planned(1)
    at = e.start + 5 * MINUTE
    env.ledger.record(StartOp(e), EndRunningOp(ALICE, at))
    assert project([r.op for r in env.ledger.pending(ALICE)], ALICE) == [e.ended(at)]
    assert (await env.replay()).replayed == 2
    assert pages_of(env, e.entry_id)[0].end == at


# -- lanes: in order, one process at a time, independent of each other -----------------------


async def test_a_lane_stops_at_the_first_op_notion_cannot_take_and_other_lanes_go_on(
    ledger_env: TrackerEnv,
) -> None:
    env = ledger_env
    alice0 = await env.store.create(planned(1))
    alice = [planned(2), planned(3)]
    alice_ops = env.ledger.record(*(StartOp(e) for e in alice))  # the first must stop alice0
    env.ledger.record(StartOp(planned(4, BOB)), StartOp(planned(5, CAROL)))  # creates only
    env.fake.faults.fail_next(503, count=DOWN, endpoint="update_page")

    report = await env.engine.drain(ALICE)
    assert report.retry_later and (report.replayed, report.remaining) == (0, 2)
    assert [r.op_id for r in env.ledger.pending(ALICE)] == alice_ops
    report = await env.engine.drain(BOB)  # Bob's lane does not wait for Alice's
    assert report.ok and report.replayed == 1
    # A pass over every lane stops at the lane Notion can't take now, the longest waiting.
    report = await env.engine.replay()
    assert report.retry_later and report.replayed == 0 and report.remaining == 3
    assert env.ledger.pending(CAROL)[0].attempts == 0

    env.up()
    await env.replay()
    assert page(env, alice0.page_id).end == alice[0].start
    assert [e.end for e in pages_of(env, alice[0].entry_id)] == [alice[1].start]
    assert {e.user_id for e in env.running_pages()} == {ALICE, BOB, CAROL}
    assert len(env.running_pages()) == 3


async def test_a_lane_another_process_holds_is_left_to_it(ledger_env: TrackerEnv) -> None:
    env = ledger_env
    env.ledger.record(StartOp(planned(1)), StartOp(planned(2, BOB)))
    with Ledger(env.path) as another_process:
        assert another_process.try_lease(ALICE)
        report = await env.engine.replay()
        assert report.busy and report.replayed == 1 and report.remaining == 1
        assert report.stopped == "another process is applying this user's operations"
        assert [e.user_id for e in env.pages()] == [BOB]
        assert (await env.engine.drain(ALICE)).busy
        another_process.release_lease(ALICE)
    await env.replay()
    assert len(env.pages()) == 2


async def test_a_drain_waits_for_the_lane_another_process_holds(ledger_env: TrackerEnv) -> None:
    env = ledger_env
    sleep = Sleeper()
    engine = Engine(env.store, env.ledger, sleep=sleep)
    env.ledger.record(StartOp(planned(1)))
    with Ledger(env.path) as another_process:
        assert another_process.try_lease(ALICE)
        task = asyncio.create_task(engine.drain(ALICE, wait=30))
        await until(lambda: sleep.delays == [LEASE_POLL])  # it looks again later
        assert len(env.ledger) == 1 and env.pages() == []
        another_process.release_lease(ALICE)
        sleep.release()
        report = await asyncio.wait_for(task, 10)
    assert report.ok and report.replayed == 1 and not report.busy
    assert len(env.pages()) == 1


async def test_a_process_whose_lease_was_taken_over_stops_before_its_next_op(
    ledger_env: TrackerEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = ledger_env
    clock = FakeClock()
    first, second = planned(1), planned(2)
    with (
        Ledger(env.path, lease_seconds=60, clock=clock) as one,
        Ledger(env.path, lease_seconds=60, clock=clock) as two,
    ):
        one.record(StartOp(first), StartOp(second))
        real_create = env.store.create

        async def slow_create(
            entry: TimeEntry, *, maybe_exists: bool = False, settle: float = 0.0
        ) -> TimeEntry:
            created = await real_create(entry, maybe_exists=maybe_exists, settle=settle)
            if entry.entry_id == first.entry_id:
                clock.now += 61  # this write outlasted the lease ...
                assert two.try_lease(ALICE)  # ... and another process took the lane over
            return created

        monkeypatch.setattr(env.store, "create", slow_create)
        report = await Engine(env.store, one).drain(ALICE)
        assert report.replayed == 1 and report.busy
        assert [e.entry_id for e in env.pages()] == [first.entry_id]
        assert [r.op.entry.entry_id for r in one.pending() if isinstance(r.op, StartOp)] == [
            second.entry_id
        ]
        assert one.leased_elsewhere(ALICE)  # still the other process's


async def test_two_engines_on_one_file_apply_each_op_once_in_order(
    ledger_env: TrackerEnv,
) -> None:
    env = ledger_env
    users = (ALICE, BOB, CAROL)
    entries = {user: [planned(n, user) for n in range(1, 5)] for user in users}
    for n in range(4):
        env.ledger.record(*(StartOp(entries[user][n]) for user in users))
    env.fake.faults.latency = 0.002  # keep both in flight together
    with Ledger(env.path) as other:
        one, two = await asyncio.wait_for(
            asyncio.gather(env.engine.replay(), Engine(env.store, other).replay()), 20
        )
    assert one.replayed + two.replayed == 12
    assert one.busy or two.busy
    assert writes(env.fake.requests) == (12, 9)
    for user in users:
        mine = [e for e in env.pages() if e.user_id == user]
        assert [e.entry_id for e in mine] == [e.entry_id for e in entries[user]]
        assert [e.end for e in mine] == [*(e.start for e in entries[user][1:]), None]
    assert len(env.ledger) == 0


async def test_a_cancelled_drain_leaves_its_op_pending_and_its_lane_free(
    ledger_env: TrackerEnv,
) -> None:
    env = ledger_env
    (op,) = env.ledger.record(StartOp(planned(1)))
    env.fake.faults.latency = 5.0
    task = asyncio.create_task(env.engine.drain(ALICE))

    def attempted() -> bool:
        rec = env.ledger.get(op)
        return rec is not None and rec.attempts == 1

    await until(attempted)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert [r.op_id for r in env.ledger.pending()] == [op]
    with Ledger(env.path) as another_process:
        assert another_process.try_lease(ALICE)
