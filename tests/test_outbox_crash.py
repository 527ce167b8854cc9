"""SIGKILL during replay, restart: every entry in Notion exactly once, the outbox empty."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from notionkit import T0, TOKEN, entry_id, prop_date, prop_text, timesheet_notion

from notion_client.fake import FakeNotion
from timesheet.entries.model import TimeEntry
from timesheet.entries.schema import END, ENTRY_ID, START
from timesheet.tracking.ledger import Outbox

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")

CHILD = Path(__file__).with_name("outbox_replay_child.py")
N = 120


async def _spawn(env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        str(CHILD),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def _kill_after_creates(
    proc: asyncio.subprocess.Process, fake: FakeNotion, creates: int
) -> None:
    """SIGKILL the child once Notion has seen ``creates`` create requests in all."""
    while fake.requests["create_page"] < creates:
        assert proc.returncode is None, "the child finished before it could be killed"
        await asyncio.sleep(0.002)
    proc.send_signal(signal.SIGKILL)
    await proc.wait()


async def test_sigkill_during_replay_then_restart_converges(tmp_path: Path) -> None:
    fake, db_id, ds_id = timesheet_notion(("Acme",))

    outbox_path = tmp_path / "outbox.sqlite3"
    entries = [
        TimeEntry(
            entry_id=entry_id(n),
            user_id=str(100 + n % 7),
            client="Acme",
            name=f"task {n}",
            start=T0 + timedelta(minutes=10 * n),
        )
        for n in range(N)
    ]
    ends: dict[str, datetime] = {}
    with Outbox(outbox_path) as outbox:
        for n, e in enumerate(entries):
            outbox.enqueue_start(e)
            if n % 3 == 1:  # end the previous entry by id
                prev = entries[n - 1]
                ends.setdefault(prev.entry_id, e.start)
                outbox.enqueue_end(prev.entry_id, e.start)
            if n % 5 == 3:  # /end while Notion could not say which timer runs
                at = e.start + timedelta(minutes=3)
                outbox.enqueue_end_running(e.user_id, at)
                for done in entries[: n + 1]:
                    if done.user_id == e.user_id:
                        ends.setdefault(done.entry_id, at)
        total_ops = len(outbox)

    # Requests take a moment, so the kill lands mid-replay (sometimes mid-request).
    fake.faults.latency = 0.002
    async with fake.serve(host="127.0.0.1", port=0) as base_url:
        env = {
            **os.environ,
            "NOTION_TOKEN": TOKEN,
            "NOTION_BASE_URL": base_url,
            "NOTION_DATABASE_ID": db_id,
            "OUTBOX_PATH": str(outbox_path),
        }
        for kill_at in (15, 45, 80):
            proc = await _spawn(env)
            await asyncio.wait_for(_kill_after_creates(proc, fake, kill_at), timeout=30)
            assert proc.returncode == -signal.SIGKILL
            with Outbox(outbox_path) as outbox:
                left = len(outbox)
            assert 0 < left < total_ops, "the kill did not land mid-replay"

        proc = await _spawn(env)
        out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
        assert proc.returncode == 0, err.decode()[-2000:]
        assert out.decode().strip().endswith("0 failed, 0 pending")

    pages = fake.pages(ds_id)
    by_id: dict[str, list[dict[str, Any]]] = {}
    for page in pages:
        by_id.setdefault(prop_text(page, ENTRY_ID), []).append(page)
    assert sorted(by_id) == sorted(e.entry_id for e in entries)
    doubled = [k for k, v in by_id.items() if len(v) != 1]
    assert doubled == []
    for e in entries:
        (page,) = by_id[e.entry_id]
        assert prop_date(page, START) == e.start
        assert prop_date(page, END) == ends.get(e.entry_id)
    with Outbox(outbox_path) as outbox:
        assert len(outbox) == 0 and outbox.failed() == []
