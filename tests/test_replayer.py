"""The background Replayer: wakes when notified and every interval, backs off while Notion is
down or refusing (deaf to wake-ups meanwhile), starts once, stops leaving the op pending."""

from __future__ import annotations

import asyncio

import pytest
from ledgerkit import ALICE, Sleeper, planned, until
from trackerkit import DOWN, TrackerEnv

from timesheet.entries.model import TimeEntry
from timesheet.tracking.engine import DrainReport
from timesheet.tracking.ledger import Ledger
from timesheet.tracking.operations import StartOp
from timesheet.tracking.replay import Replayer


async def _let_the_loop_run() -> None:
    """Give every ready task its turns (a wake-up, if one were pending, would be handled)."""
    for _ in range(20):
        await asyncio.sleep(0)


async def test_an_idle_replayer_wakes_when_notified(ledger_env: TrackerEnv) -> None:
    env = ledger_env
    sleep = Sleeper()
    reports: list[DrainReport] = []
    replayer = Replayer(env.engine, interval=3600, sleep=sleep, on_report=reports.append)
    replayer.start()
    await until(lambda: sleep.delays == [3600])  # first pass: nothing to do, idle
    assert reports[0].replayed == 0
    env.ledger.record(StartOp(planned(1)))
    replayer.notify()
    await until(lambda: len(sleep.delays) == 2)
    assert len(env.ledger) == 0 and len(env.pages()) == 1
    assert sleep.delays == [3600, 3600]  # woken, not by the clock
    assert reports[-1].replayed == 1 and replayer.last_report is reports[-1]
    await asyncio.wait_for(replayer.stop(), 5)


async def test_the_interval_alone_picks_up_work_recorded_elsewhere(
    ledger_env: TrackerEnv,
) -> None:
    env = ledger_env
    sleep = Sleeper()
    replayer = Replayer(env.engine, interval=30, sleep=sleep)
    replayer.start()
    await until(lambda: len(sleep.delays) == 1)
    with Ledger(env.path) as another_process:  # no notify
        another_process.record(StartOp(planned(1)))
    await _let_the_loop_run()
    assert len(sleep.delays) == 1 and len(env.ledger) == 1
    sleep.release()  # the 30 s are up
    await until(lambda: len(env.ledger) == 0)
    assert len(env.pages()) == 1
    await asyncio.wait_for(replayer.stop(), 5)


@pytest.mark.parametrize("status", [503, 401], ids=["unavailable", "refusing"])
async def test_backs_off_exponentially_deaf_to_notify_then_resets(
    ledger_env: TrackerEnv, status: int
) -> None:
    env = ledger_env
    env.ledger.record(StartOp(planned(1)))
    env.fake.faults.fail_next(status, count=DOWN)
    sleep = Sleeper(free=6)
    replayer = Replayer(
        env.engine,
        interval=60,
        initial_backoff=2,
        max_backoff=20,
        sleep=sleep,
        random=lambda: 1.0,  # no jitter: exact delays
    )
    replayer.start()
    await until(lambda: len(sleep.delays) == 7)
    assert sleep.delays == [2, 4, 8, 16, 20, 20, 20]
    assert len(env.ledger) == 1
    replayer.notify()  # a new pending op during the outage does not cut the backoff short
    await _let_the_loop_run()
    assert len(sleep.delays) == 7

    env.up()
    sleep.release()
    await until(lambda: len(sleep.delays) == 8)
    assert sleep.delays[-1] == 60  # back to the idle interval
    assert len(env.ledger) == 0 and len(env.pages()) == 1
    await asyncio.wait_for(replayer.stop(), 5)


async def test_a_lane_held_by_another_process_is_no_outage(ledger_env: TrackerEnv) -> None:
    env = ledger_env
    env.ledger.record(StartOp(planned(1)))
    sleep = Sleeper()
    replayer = Replayer(env.engine, interval=60, initial_backoff=2, sleep=sleep)
    with Ledger(env.path) as another_process:
        assert another_process.try_lease(ALICE)
        replayer.start()
        await until(lambda: len(sleep.delays) == 1)
    assert sleep.delays == [60]  # the interval, no backoff
    assert replayer.last_report is not None and replayer.last_report.busy
    assert len(env.ledger) == 1
    await asyncio.wait_for(replayer.stop(), 5)


def test_jitter_keeps_the_delay_between_half_and_full(ledger_env: TrackerEnv) -> None:
    def backoffs(jitter: float) -> list[float]:
        replayer = Replayer(
            ledger_env.engine, initial_backoff=2, max_backoff=300, random=lambda: jitter
        )
        return [replayer.backoff(n) for n in (1, 2, 3, 10)]

    assert backoffs(0.0) == [1.0, 2.0, 4.0, 150.0]
    assert backoffs(1.0) == [2.0, 4.0, 8.0, 300.0]


async def test_stop_during_a_request_leaves_the_op_pending_and_its_lane_free(
    ledger_env: TrackerEnv,
) -> None:
    env = ledger_env
    (op,) = env.ledger.record(StartOp(planned(1)))
    env.fake.faults.latency = 10.0
    replayer = Replayer(env.engine, sleep=Sleeper())
    task = replayer.start()
    assert replayer.start() is task  # idempotent

    def in_flight() -> bool:
        rec = env.ledger.get(op)
        return rec is not None and rec.attempts == 1

    await until(in_flight)
    await asyncio.wait_for(replayer.stop(), 5)
    assert task.done()
    await replayer.stop()  # twice is fine
    assert [r.op_id for r in env.ledger.pending()] == [op]
    with Ledger(env.path) as another_process:
        assert another_process.try_lease(ALICE)
        another_process.release_lease(ALICE)
    env.up()
    restarted = replayer.start()  # a stopped replayer starts again
    assert restarted is not task
    await until(lambda: len(env.ledger) == 0)
    await asyncio.wait_for(replayer.stop(), 5)


async def test_a_crashing_pass_is_logged_and_retried(
    ledger_env: TrackerEnv, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = ledger_env
    env.ledger.record(StartOp(planned(1)))
    calls = 0
    real_create = env.store.create

    async def flaky_create(
        entry: TimeEntry, *, maybe_exists: bool = False, settle: float = 0.0
    ) -> TimeEntry:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("a bug")
        return await real_create(entry, maybe_exists=maybe_exists, settle=settle)

    monkeypatch.setattr(env.store, "create", flaky_create)
    sleep = Sleeper(free=1)
    replayer = Replayer(env.engine, initial_backoff=1, sleep=sleep)
    replayer.start()
    await until(lambda: len(env.ledger) == 0)
    assert "ledger replay failed" in caplog.text and "a bug" in caplog.text
    assert sleep.delays[0] <= 1  # backed off, not the idle interval
    assert len(env.pages()) == 1
    await asyncio.wait_for(replayer.stop(), 5)
