"""The background OutboxReplayer: wakes on enqueue, backs off while Notion is down, stops."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from notionkit import T0, NotionEnv, entry_id, notion_env

from timesheet.entries.model import TimeEntry
from timesheet.tracking.ledger import Outbox
from timesheet.tracking.replay import OutboxReplayer, ReplayReport


@dataclass
class Sleeper:
    """Injected sleep: records delays; returns at once for the first ``free`` calls, then
    blocks until ``release()``."""

    free: int = 0
    delays: list[float] = field(default_factory=list)
    _gate: asyncio.Event = field(default_factory=asyncio.Event)

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        if len(self.delays) > self.free:
            await self._gate.wait()
            self._gate.clear()

    def release(self) -> None:
        self._gate.set()


@dataclass
class Env(NotionEnv):
    outbox: Outbox


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    async with notion_env(("Acme",), max_attempts=2) as notion:
        with Outbox(tmp_path / "outbox.sqlite3") as outbox:
            yield Env.extend(notion, outbox=outbox)


def entry(n: int) -> TimeEntry:
    return TimeEntry(
        entry_id=entry_id(n),
        user_id="111",
        client="Acme",
        name="Acme",
        start=T0 + timedelta(hours=n),
    )


async def _until(condition: Callable[[], bool]) -> None:
    """Let the loop run until ``condition`` holds (at most ~10 s)."""
    for _ in range(10_000):
        if condition():
            return
        await asyncio.sleep(0.001)
    raise AssertionError("condition never became true")


async def test_idle_replayer_wakes_when_something_is_enqueued(env: Env) -> None:
    sleep = Sleeper()
    reports: list[ReplayReport] = []
    replayer = OutboxReplayer(
        env.outbox, env.store, interval=3600, sleep=sleep, on_report=reports.append
    )
    replayer.start()
    await _until(lambda: sleep.delays == [3600])  # first pass: nothing to do, idle
    env.outbox.enqueue_start(entry(1))
    replayer.notify()
    await _until(lambda: len(env.outbox) == 0)
    await _until(lambda: len(sleep.delays) == 2)
    assert len(env.fake.pages(env.ds_id)) == 1
    assert sleep.delays == [3600, 3600]  # woken, not by the clock
    assert reports[-1].replayed == 1 and replayer.last_report is reports[-1]
    await asyncio.wait_for(replayer.stop(), timeout=5)


async def test_interval_alone_picks_up_work_queued_elsewhere(env: Env) -> None:
    sleep = Sleeper()
    replayer = OutboxReplayer(env.outbox, env.store, interval=30, sleep=sleep)
    replayer.start()
    await _until(lambda: len(sleep.delays) == 1)
    env.outbox.enqueue_start(entry(1))  # e.g. by another process: no notify
    await asyncio.sleep(0.01)
    assert len(env.outbox) == 1
    sleep.release()  # the 30 s are up
    await _until(lambda: len(env.outbox) == 0)
    await asyncio.wait_for(replayer.stop(), timeout=5)


async def test_backs_off_exponentially_while_down_then_resets(env: Env) -> None:
    env.outbox.enqueue_start(entry(1))
    env.fake.faults.fail_next(503, count=10_000)
    sleep = Sleeper(free=6)
    replayer = OutboxReplayer(
        env.outbox,
        env.store,
        interval=60,
        initial_backoff=2,
        max_backoff=20,
        sleep=sleep,
        random=lambda: 1.0,  # no jitter: exact delays
    )
    replayer.start()
    await _until(lambda: len(sleep.delays) == 7)
    assert sleep.delays == [2, 4, 8, 16, 20, 20, 20]
    assert len(env.outbox) == 1
    replayer.notify()  # an enqueue during the outage does not cut the backoff short
    await asyncio.sleep(0.01)
    assert len(sleep.delays) == 7

    env.fake.faults.clear()
    sleep.release()
    await _until(lambda: len(sleep.delays) == 8)
    assert sleep.delays[-1] == 60  # back to the idle interval
    assert len(env.outbox) == 0 and len(env.fake.pages(env.ds_id)) == 1
    await asyncio.wait_for(replayer.stop(), timeout=5)


async def test_jitter_keeps_delay_between_half_and_full(env: Env) -> None:
    replayer = OutboxReplayer(
        env.outbox, env.store, initial_backoff=2, max_backoff=300, random=lambda: 0.0
    )
    assert [replayer.backoff(n) for n in (1, 2, 3, 10)] == [1.0, 2.0, 4.0, 150.0]


async def test_stop_during_a_request_leaves_the_op_pending_and_free(
    env: Env, tmp_path: Path
) -> None:
    env.outbox.enqueue_start(entry(1))
    env.fake.faults.latency = 10.0
    replayer = OutboxReplayer(env.outbox, env.store, sleep=Sleeper())
    task = replayer.start()
    assert replayer.start() is task  # idempotent
    await asyncio.sleep(0.05)
    await asyncio.wait_for(replayer.stop(), timeout=5)
    assert task.done()
    await replayer.stop()  # twice is fine
    assert len(env.outbox) == 1
    with Outbox(tmp_path / "outbox.sqlite3") as other:
        assert other.claim_next() is not None


async def test_a_crashing_pass_is_logged_and_retried(
    env: Env, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    env.outbox.enqueue_start(entry(1))
    calls = 0
    real_create = env.store.create

    async def flaky_create(e: TimeEntry, *, maybe_exists: bool = False) -> TimeEntry:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("a bug")
        return await real_create(e, maybe_exists=maybe_exists)

    monkeypatch.setattr(env.store, "create", flaky_create)
    sleep = Sleeper(free=1)
    replayer = OutboxReplayer(env.outbox, env.store, initial_backoff=1, sleep=sleep)
    replayer.start()
    await _until(lambda: len(env.outbox) == 0)
    assert "outbox replay failed" in caplog.text and "a bug" in caplog.text
    assert sleep.delays[0] <= 1
    await asyncio.wait_for(replayer.stop(), timeout=5)
