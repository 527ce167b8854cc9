"""SIGKILL a process mid-apply, then drain again: every Entry ID in Notion exactly once, the
right Ends, never two running timers for a user, the ledger empty."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from ledgerkit import ALICE, BOB, planned
from notionkit import TOKEN, fast_client, timesheet_notion

from notion_client import Page
from notion_client.fake import FakeNotion
from timesheet.entries.schema import from_page
from timesheet.entries.store import EntryStore
from timesheet.tracking.engine import Engine
from timesheet.tracking.ledger import LEDGER_FILENAME, Ledger
from timesheet.tracking.operations import EndOp, EndRunningOp, Operation, StartOp

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")

CHILD = Path(__file__).with_name("ledger_crash_child.py")
MINUTE = timedelta(minutes=1)


@dataclass
class World:
    """An in-memory Notion served over HTTP, a store on it, and a ledger file for children."""

    fake: FakeNotion
    ds_id: str
    store: EntryStore
    path: Path
    child_env: Mapping[str, str]

    async def spawn(self, halt: str | None = None) -> asyncio.subprocess.Process:
        """A child applying the ledger (``halt``: see ledger_crash_child)."""
        env = {**self.child_env, "HALT": halt or ""}
        return await asyncio.create_subprocess_exec(
            sys.executable,
            str(CHILD),
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )

    def assert_converged(self, ends: Mapping[str, datetime | None]) -> None:
        """One page per Entry ID of ``ends`` (and no other), each with its End; at most one
        running page per user; nothing left in the ledger."""
        pages = [from_page(Page.from_json(raw)) for raw in self.fake.pages(self.ds_id)]
        per_id = Counter(e.entry_id for e in pages)
        assert sorted(per_id) == sorted(ends)
        assert [i for i, count in per_id.items() if count > 1] == []
        assert {e.entry_id: e.end for e in pages} == ends
        running = Counter(e.user_id for e in pages if e.end is None)
        assert all(count == 1 for count in running.values()), running
        with Ledger(self.path) as ledger:
            assert len(ledger) == 0 and ledger.failed_reasons() == []


@asynccontextmanager
async def world(tmp_path: Path) -> AsyncIterator[World]:
    fake, db_id, ds_id = timesheet_notion(("Acme",))
    async with (
        fake.serve(host="127.0.0.1", port=0) as base_url,
        fast_client(fake.transport()) as client,
    ):
        path = tmp_path / "data" / LEDGER_FILENAME
        child_env = {
            **os.environ,
            "NOTION_TOKEN": TOKEN,
            "NOTION_BASE_URL": base_url,
            "NOTION_DATABASE_ID": db_id,
            "LEDGER_PATH": str(path),
        }
        yield World(fake, ds_id, EntryStore(client, db_id), path, child_env)


async def _kill(proc: asyncio.subprocess.Process) -> None:
    proc.send_signal(signal.SIGKILL)
    await proc.wait()
    assert proc.returncode == -signal.SIGKILL


@pytest.mark.parametrize("point", ["stopped", "created", "unmarked"])
async def test_a_start_killed_mid_apply_is_finished_by_the_next_drain(
    tmp_path: Path, point: str
) -> None:
    async with world(tmp_path) as w:
        alice0 = await w.store.create(planned(1))
        alice = [planned(2), planned(3), planned(4)]
        bob = planned(5, BOB)
        with Ledger(w.path) as ledger:
            ledger.record(StartOp(alice[0]), StartOp(bob), StartOp(alice[1]), StartOp(alice[2]))

        # Killed while applying alice[1]'s start: alice[0] to stop, alice[1] to create.
        proc = await w.spawn(halt=f"{point}:{alice[1].entry_id}")
        assert proc.stdout is not None and proc.stderr is not None
        line = await asyncio.wait_for(proc.stdout.readline(), 30)
        assert line == b"halted\n", (await proc.stderr.read()).decode()[-2000:]
        await _kill(proc)

        written = {
            e.entry_id: e
            for e in await w.store.list_overlapping(alice0.start, alice[2].start + MINUTE)
        }
        assert written[alice[0].entry_id].end == alice[1].start  # stopped in Notion
        assert (alice[1].entry_id in written) is (point != "stopped")
        with Ledger(w.path) as ledger:
            cut_short, behind = ledger.pending(ALICE)
            assert (cut_short.op, behind.op) == (StartOp(alice[1]), StartOp(alice[2]))
            recorded = [x.kind for x in ledger.effects_of_op(cut_short.op_id)]
            assert (
                recorded
                == {"stopped": [], "created": ["ended"], "unmarked": ["ended", "created"]}[point]
            )

            # The test drains now: the dead process's lease does not hold the lane.
            report = await Engine(w.store, ledger).replay()
        assert report.ok and not report.busy and report.replayed == 3, report.lines
        assert w.fake.requests["create_page"] == 5  # none written twice
        w.assert_converged(
            {
                alice0.entry_id: alice[0].start,
                alice[0].entry_id: alice[1].start,
                alice[1].entry_id: alice[2].start,
                alice[2].entry_id: None,
                bob.entry_id: None,
            }
        )


def _plan(count: int, users: list[str]) -> tuple[list[Operation], dict[str, datetime | None]]:
    """``count`` starts taking turns among ``users``, some ended by Entry ID, some by an end of
    whatever runs; and the End each entry must get."""
    ops: list[Operation] = []
    ends: dict[str, datetime | None] = {}
    running: dict[str, list[str]] = {user: [] for user in users}
    for n in range(count):
        user = users[n % len(users)]
        e = planned(n, user)
        ops.append(StartOp(e))
        for stopped in running[user]:
            ends[stopped] = e.start
        running[user], ends[e.entry_id] = [e.entry_id], None
        if n % 3 == 1:
            at = e.start + 3 * MINUTE
            ops.append(EndOp(e.entry_id, at, user))
            ends[e.entry_id], running[user] = at, []
        if n % 4 == 3:
            at = e.start + 4 * MINUTE
            ops.append(EndRunningOp(user, at))
            for stopped in running[user]:
                ends[stopped] = at
            running[user] = []
    return ops, ends


async def test_killed_at_any_point_then_another_process_converges(tmp_path: Path) -> None:
    users = [f"2000000000000000{k:02d}" for k in range(5)]
    ops, ends = _plan(20, users)
    async with world(tmp_path) as w:
        with Ledger(w.path) as ledger:
            ledger.record(*ops)
        # Requests take a moment, so the kills land mid-apply (sometimes mid-request).
        w.fake.faults.latency = 0.002

        async def kill_after_creates(proc: asyncio.subprocess.Process, creates: int) -> None:
            while w.fake.requests["create_page"] < creates:
                assert proc.returncode is None, "the child finished before it could be killed"
                await asyncio.sleep(0.002)
            await _kill(proc)

        for creates in (4, 10):
            await asyncio.wait_for(kill_after_creates(await w.spawn(), creates), 30)
            with Ledger(w.path) as ledger:
                assert 0 < len(ledger) < len(ops), "the kill did not land mid-apply"

        proc = await w.spawn()
        out, err = await asyncio.wait_for(proc.communicate(), 60)
        assert proc.returncode == 0, err.decode()[-2000:]
        assert out.decode().strip().endswith("0 failed, 0 pending")
        w.assert_converged(ends)
