"""Fault-injection soak (benchmarks.fault_soak): users start, end and list timers while Notion's
index lags and Notion fails every way; every command is checked in Notion afterwards."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from trackerkit import TrackerEnv, tracker_env

from benchmarks.fault_soak import SoakConfig, SoakResult, run_soak
from timesheet.entries.model import TimeEntry
from timesheet.entries.store import CREATE_SETTLE, EntryStore
from timesheet.tracking import engine as engine_module
from timesheet.tracking import writes as writes_module
from timesheet.tracking.ledger import Effect, Ledger, Recorded
from timesheet.tracking.operations import EndRunningOp


@pytest.fixture(autouse=True)
def _quiet_retries(caplog: pytest.LogCaptureFixture) -> None:
    # Thousands of retry warnings would only slow the run down.
    caplog.set_level(logging.ERROR)


async def _soak(config: SoakConfig, tmp_path: Path, seconds: float = 60) -> SoakResult:
    async with asyncio.timeout(seconds):
        return await run_soak(config, tmp_path)


def _assert_all_correct(result: SoakResult, tmp_path: Path) -> None:
    v = result.verdict
    assert result.problems == []
    assert (v.lost, v.doubled, v.two_running, v.wrong_times, v.wrong_replies) == (0, 0, 0, 0, 0)
    assert v.entries == v.pages > 50
    with Ledger.in_dir(tmp_path) as ledger:
        assert len(ledger) == 0 and ledger.failed_reasons() == []


#: 20 users, 600 commands with pauses up to 0.1 s: about 2.5 s, more than twice the index lag,
#: so reads meet both pages the index does not list yet and stale versions of older ones.
SOAK = SoakConfig(
    users=20, operations=600, seed=5, think_seconds=0.1, index_lag=1.0, create_settle=2.0
)


async def test_every_command_lands_once_under_index_lag_and_failures(tmp_path: Path) -> None:
    config = SOAK
    result = await _soak(config, tmp_path)
    _assert_all_correct(result, tmp_path)
    assert len(result.commands) == 600
    # The run really went through every path it claims to test.
    injected = result.injected
    assert injected["outages"] == 3 and injected["429 bursts"] == 2
    assert injected["503 bursts"] == 1 and injected["dropped updates"] > 10
    assert injected["dropped creates"] > 10  # looked for until the lagging index lists them
    assert injected["latency spikes"] > 5
    assert result.lag_bites > 300  # reads the lagging index could not answer alone
    assert result.direct > 100 and result.queued > 50
    assert any(c.queued and c.retries for c in result.commands)  # queued after retries
    assert any(c.waited >= config.retry_after for c in result.commands)  # honoured Retry-After
    assert any(c.outcome == "active_local" for c in result.commands)  # /active while down
    assert result.replayed_during_run > 5  # by the background replayer
    assert result.replayed_after > 5  # left by the last outage for the final replay


async def test_dropped_creates_are_written_once_without_index_lag(tmp_path: Path) -> None:
    result = await _soak(replace(SOAK, index_lag=0.0, users=10, operations=300), tmp_path)
    _assert_all_correct(result, tmp_path)
    assert result.injected["dropped creates"] > 10 and result.injected["outages"] == 3


async def test_a_dropped_create_under_index_lag_is_written_once(tmp_path: Path) -> None:
    async with tracker_env(TrackerEnv, tmp_path, ["Acme"]) as env:
        env.fake.faults.index_lag = 3.0
        env.store.create_settle = CREATE_SETTLE  # as the bot's store has
        env.fake.faults.drop_response_next("create_page")
        started = await env.tracker.start("100000000000000001", "Acme")
        assert not started.queued
        await env.tracker.end("100000000000000001")
        (page,) = env.pages()
        assert page.end is not None


def _skip_replayed_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    """An engine that marks replayed stops done without writing them."""
    real = engine_module.apply

    async def apply(rec: Recorded, store: EntryStore, ledger: Ledger) -> dict[str, Any]:
        if isinstance(rec.op, EndRunningOp) and rec.attempts > 1:
            return {"ended": []}
        return await real(rec, store, ledger)

    monkeypatch.setattr(engine_module, "apply", apply)


def _ignore_the_ledgers_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Applying reads only what Notion's lagging index lists, not what the ledger wrote."""

    def notion_only(notion: Iterable[TimeEntry], effects: Iterable[Effect]) -> list[TimeEntry]:
        return sorted((e for e in notion if e.end is None), key=lambda e: e.start)

    monkeypatch.setattr(writes_module, "merge_effects", notion_only)


@pytest.mark.parametrize(
    ("sabotage", "found"),
    [
        (_skip_replayed_ends, ("lost", "wrong_times")),
        (_ignore_the_ledgers_writes, ("lost", "two_running")),
    ],
    ids=["replayed-ends-skipped", "index-lag-not-merged"],
)
async def test_the_soak_catches_a_broken_engine(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    sabotage: Callable[[pytest.MonkeyPatch], None],
    found: tuple[str, ...],
) -> None:
    """The check has teeth: each sabotage leaves Notion wrong, and the soak says how."""
    sabotage(monkeypatch)
    config = SoakConfig(
        users=5,
        operations=200,
        seed=2,
        think_seconds=0.02,
        create_settle=2.0,
    )
    result = await _soak(config, tmp_path)
    assert not result.ok
    assert sum(getattr(result.verdict, counter) for counter in found) > 0


async def test_two_processes_share_the_ledger_and_the_users(tmp_path: Path) -> None:
    """A second OS process runs every user too, on the same DATA_DIR and the same Notion
    (over loopback): each user's commands reach the engine from both at once."""
    config = SoakConfig(
        users=6,
        operations=240,
        seed=3,
        processes=2,
        think_seconds=0.05,
        index_lag=1.0,
        create_settle=2.0,
    )
    result = await _soak(config, tmp_path, seconds=90)
    _assert_all_correct(result, tmp_path)
    assert {c.process for c in result.commands} == {0, 1}
    assert len(result.commands) == 240
    assert result.overlaps > 20  # the same user's commands in flight in both processes
    assert result.lag_bites > 100 and result.queued > 10
    assert result.injected["outages"] == 3
