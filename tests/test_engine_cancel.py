"""The engine under cancellation: a drain cancelled while it waits for its user's lane stops."""

from __future__ import annotations

import asyncio

from notionkit import T0, entry_id

from notion_client import NotionClient, NotionTransportError
from timesheet.entries.model import TimeEntry
from timesheet.entries.store import EntryStore
from timesheet.tracking.engine import Engine
from timesheet.tracking.ledger import Ledger
from timesheet.tracking.operations import StartOp

USER = "100000000000000001"


class GatedStore(EntryStore):
    """Its first read of running timers waits for ``first`` and then fails as an outage would;
    every later one waits for ever (the test cancels it)."""

    def __init__(self, client: NotionClient) -> None:
        super().__init__(client, "db")
        self.first = asyncio.Event()
        self.reads = 0

    async def find_running(self, user_id: str) -> list[TimeEntry]:
        self.reads += 1
        if self.reads == 1:
            await self.first.wait()
            raise NotionTransportError("connection refused", ambiguous=False)
        await asyncio.Event().wait()
        return []


async def _until(condition: object) -> None:
    assert callable(condition)
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("never happened")


async def test_a_drain_cancelled_as_the_lane_frees_stays_cancelled(ledger: Ledger) -> None:
    """Regression (Python 3.11): ``asyncio.wait_for(lock.acquire())`` returns the lock to a
    drain cancelled in the very step the lock is granted, losing the cancellation; the
    replayer's drain then ran on and ``Replayer.stop()`` waited for ever (the fault soak hung
    in its teardown)."""
    entry = TimeEntry(entry_id(1), USER, "Acme", "Acme", T0)
    async with NotionClient("secret_test") as client:
        store = GatedStore(client)
        engine = Engine(store, ledger)
        ledger.record(StartOp(entry))
        holder = asyncio.create_task(engine.drain(USER))
        await _until(lambda: store.reads == 1)
        waiter = asyncio.create_task(engine.drain(USER, wait=5.0))
        for _ in range(5):  # the waiter queues for the lane
            await asyncio.sleep(0)
        store.first.set()
        report = await holder  # Notion unavailable: the lane is released, the op kept
        assert report.retry_later and not waiter.done()
        waiter.cancel()
        done, _ = await asyncio.wait({waiter}, timeout=1)
        assert waiter in done and waiter.cancelled()
        assert not ledger.leased_elsewhere(USER) and len(ledger.pending(USER)) == 1
