"""Fault-injection soak: 20 users, 1,000 start/end operations, Notion failing every way at once."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from benchmarks.fault_soak import SoakConfig, run_soak
from timesheet.tracking.ledger import Outbox


@pytest.fixture(autouse=True)
def _quiet_retries(caplog: pytest.LogCaptureFixture) -> None:
    # Thousands of retry warnings would only slow the run down.
    caplog.set_level(logging.ERROR)


async def test_every_operation_lands_in_notion_exactly_once(tmp_path: Path) -> None:
    # Pauses between commands up to 0.15 s: the background replayer drains most of the queue
    # during the run, some is left for the final replay (0.2 s in the benchmark: ~6 s).
    config = SoakConfig(users=20, operations=1000, seed=5, think_seconds=0.15)
    result = await asyncio.wait_for(run_soak(config, tmp_path), 120)
    assert result.problems == []
    assert len(result.commands) == 1000
    # Every start is a page with its Start and End, none doubled; the outbox is empty.
    assert result.entries == result.pages > 300
    with Outbox(tmp_path / "outbox.sqlite3") as outbox:
        assert len(outbox) == 0 and outbox.failed_reasons() == []

    # The run really went through every path it claims to test.
    assert result.injected["outages"] == 2 and result.injected["429 bursts"] == 2
    assert result.injected["dropped creates"] > 10 and result.injected["dropped updates"] > 10
    assert result.injected["latency spikes"] > 10
    assert result.direct > 100 and result.queued > 100
    assert any(c.queued and c.retries for c in result.commands)  # queued after retries
    assert any(c.waited >= config.retry_after for c in result.commands)  # honoured Retry-After
    assert result.replayed_during_run > 100


async def test_the_soak_catches_a_lost_operation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check has teeth: an outbox that forgets end-running ops leaves wrong Ends."""

    def forget(self: Outbox, *args: object, **kwargs: object) -> None:
        return None

    monkeypatch.setattr(Outbox, "enqueue_end_running", forget)
    config = SoakConfig(users=5, operations=200, seed=2, think_seconds=0.01)
    result = await asyncio.wait_for(run_soak(config, tmp_path), 60)
    assert not result.ok
    assert any("expected" in problem for problem in result.problems)
