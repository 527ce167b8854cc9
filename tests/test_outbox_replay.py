"""Replaying the outbox into the in-memory Notion through the real client and store."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from notionkit import T0, NotionEnv, entry_id, notion_env, prop_date, prop_text

from timesheet.entries.model import TimeEntry
from timesheet.entries.schema import END, ENTRY_ID, START
from timesheet.tracking.ledger import Outbox
from timesheet.tracking.replay import replay
from timesheet.tracking.tracker import Tracker


@dataclass
class Env(NotionEnv):
    outbox: Outbox

    def pages(self) -> list[dict[str, Any]]:
        return self.fake.pages(self.ds_id)

    def pages_of(self, entry_id: str) -> list[dict[str, Any]]:
        return [p for p in self.pages() if prop_text(p, ENTRY_ID) == entry_id]


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    async with notion_env(("Acme", "Globex"), max_attempts=3) as notion:
        outbox = Outbox(tmp_path / "outbox.sqlite3")
        yield Env.extend(notion, outbox=outbox)
        outbox.close()


def entry(n: int, user: str = "111", **kw: Any) -> TimeEntry:
    fields: dict[str, Any] = {
        "entry_id": entry_id(n),
        "user_id": user,
        "client": "Acme" if n % 2 else "Globex",
        "name": f"task {n}",
        "start": T0 + timedelta(hours=n),
        "note": f"note {n}",
    }
    fields.update(kw)
    return TimeEntry(**fields)


async def test_empty_outbox_is_a_quiet_no_op(env: Env) -> None:
    report = await replay(env.outbox, env.store)
    assert report.ok and report.replayed == 0 and report.lines == []
    assert report.summary() == "outbox: 0 replayed, 0 failed, 0 pending"
    assert sum(env.fake.requests.values()) == 0


async def test_notion_down_keeps_everything_then_replays_once_each_in_order(env: Env) -> None:
    entries = [entry(n) for n in range(1, 6)]
    for e in entries:
        env.outbox.enqueue_start(e)
    env.outbox.enqueue_end(entries[0].entry_id, T0 + timedelta(hours=1, minutes=30))
    before = [op.op_id for op in env.outbox.pending()]

    env.fake.faults.fail_next(503, count=1000)
    report = await replay(env.outbox, env.store)
    assert report.retry_later and not report.ok
    assert report.replayed == 0 and report.remaining == 6
    assert report.stopped is not None and "Notion unavailable (ServerError: 503" in report.stopped
    assert [op.op_id for op in env.outbox.pending()] == before
    head = env.outbox.pending()[0]
    assert head.failures == 1 and head.last_error is not None and "503" in head.last_error
    assert env.pages() == []

    env.fake.faults.clear()
    report = await replay(env.outbox, env.store)
    assert report.ok and report.replayed == 6 and len(env.outbox) == 0
    assert env.fake.requests["create_page"] == 5
    assert env.fake.requests["update_page"] == 1
    # created in queue order
    assert [prop_text(p, ENTRY_ID) for p in env.pages()] == [e.entry_id for e in entries]
    for e in entries:
        (page,) = env.pages_of(e.entry_id)
        assert prop_date(page, START) == e.start
    first_end = prop_date(env.pages_of(entries[0].entry_id)[0], END)
    assert first_end == T0 + timedelta(hours=1, minutes=30)
    assert report.lines[0].startswith("done: start 'task 1' (Acme)")
    assert report.summary() == "outbox: 6 replayed, 0 failed, 0 pending"

    # Nothing left: another pass sends nothing.
    sent = sum(env.fake.requests.values())
    assert (await replay(env.outbox, env.store)).replayed == 0
    assert sum(env.fake.requests.values()) == sent


async def test_outage_in_the_middle_stops_at_that_op(env: Env) -> None:
    first, second = entry(1), entry(2)
    env.outbox.enqueue_start(first)
    env.outbox.enqueue_end(first.entry_id, T0 + timedelta(hours=2))
    env.outbox.enqueue_start(second)
    env.fake.faults.fail_next(503, count=1000, endpoint="update_page")
    report = await replay(env.outbox, env.store)
    assert report.replayed == 1 and report.remaining == 2 and report.retry_later
    assert [op.kind for op in env.outbox.pending()] == ["end", "start"]
    assert [prop_text(p, ENTRY_ID) for p in env.pages()] == [first.entry_id]  # second waits
    assert report.lines[-1].startswith(f"waiting: end entry {first.entry_id}")

    env.fake.faults.clear()
    env.fake.faults.rate_limit_next(retry_after=0, count=1000)
    report = await replay(env.outbox, env.store)
    assert report.retry_later and report.replayed == 0
    assert "RateLimitedError" in (report.stopped or "")

    env.fake.faults.clear()
    report = await replay(env.outbox, env.store)
    assert report.ok and report.replayed == 2
    assert prop_date(env.pages_of(first.entry_id)[0], END) == T0 + timedelta(hours=2)
    assert len(env.pages_of(second.entry_id)) == 1


async def test_dropped_create_response_leaves_exactly_one_page(env: Env) -> None:
    e = entry(1)
    env.outbox.enqueue_start(e)
    env.fake.faults.drop_response_next("create_page")
    report = await replay(env.outbox, env.store)
    assert report.ok and report.replayed == 1
    assert len(env.pages_of(e.entry_id)) == 1
    assert env.fake.requests["create_page"] == 1


async def test_start_already_applied_before_it_was_queued_is_not_doubled(env: Env) -> None:
    # The bot's create reached Notion, the answer did not: it queued the start anyway.
    e = entry(1)
    await env.store.create(e)
    env.outbox.enqueue_start(e)
    report = await replay(env.outbox, env.store)
    assert report.ok and len(env.pages_of(e.entry_id)) == 1
    assert env.fake.requests["create_page"] == 1


async def test_replay_dying_after_the_create_is_not_doubled(env: Env) -> None:
    e = entry(1)
    env.outbox.enqueue_start(e)
    claimed = env.outbox.claim_next()
    assert claimed is not None
    await env.store.create(e)  # applied, then the replayer "died" before mark_done
    env.outbox.release(claimed.op_id)
    report = await replay(env.outbox, env.store)
    assert report.ok and len(env.pages_of(e.entry_id)) == 1


async def test_end_of_an_entry_whose_start_is_pending(env: Env) -> None:
    e = entry(1)
    at = e.start + timedelta(minutes=45)
    env.fake.faults.fail_next(503, count=1000)
    env.outbox.enqueue_start(e)
    env.outbox.enqueue_end(e.entry_id, at, page_id=None, by=None)
    assert env.outbox.pending_for_user(e.user_id) == [e.ended(at)]
    assert not (await replay(env.outbox, env.store)).replayed

    env.fake.faults.clear()
    report = await replay(env.outbox, env.store)
    assert report.ok and report.replayed == 2
    (page,) = env.pages_of(e.entry_id)
    assert prop_date(page, START) == e.start and prop_date(page, END) == at
    assert env.outbox.pending_for_user(e.user_id) == []


async def test_end_by_page_id_and_an_existing_end_is_kept(env: Env) -> None:
    running = await env.store.create(entry(1))
    done = await env.store.create(entry(2, end=T0 + timedelta(hours=2, minutes=10)))
    at = T0 + timedelta(hours=3)
    env.outbox.enqueue_end(running.entry_id, at, page_id=running.page_id)
    env.outbox.enqueue_end(done.entry_id, at, page_id=done.page_id, by="42")
    report = await replay(env.outbox, env.store)
    assert report.ok and report.replayed == 2
    assert prop_date(env.pages_of(running.entry_id)[0], END) == at
    assert prop_date(env.pages_of(done.entry_id)[0], END) == T0 + timedelta(hours=2, minutes=10)
    assert "already ended at" in report.lines[1] and "kept" in report.lines[1]
    assert "by 42" in report.lines[1]
    assert env.fake.requests["update_page"] == 1


async def test_end_with_an_unknown_page_id_falls_back_to_the_entry_id(env: Env) -> None:
    e = await env.store.create(entry(1))
    at = T0 + timedelta(hours=2)
    env.outbox.enqueue_end(e.entry_id, at, page_id="0" * 32)
    report = await replay(env.outbox, env.store)
    assert report.ok
    assert prop_date(env.pages_of(e.entry_id)[0], END) == at


async def test_permanent_failures_are_set_aside_and_do_not_block(env: Env) -> None:
    refused, orphan_end, fine = entry(1), "00000000-0000-4000-8000-00000000dead", entry(3)
    env.outbox.enqueue_start(refused)
    env.outbox.enqueue_end(orphan_end, T0 + timedelta(hours=5))
    env.outbox.enqueue_start(fine)
    env.fake.faults.fail_next(400, endpoint="create_page")
    report = await replay(env.outbox, env.store)
    assert report.replayed == 1 and report.failed == 2 and report.remaining == 0
    assert not report.ok and report.stopped is None
    assert [prop_text(p, ENTRY_ID) for p in env.pages()] == [fine.entry_id]
    failed = env.outbox.failed()
    assert [op.entry_id for op in failed] == [refused.entry_id, orphan_end]
    assert failed[0].last_error is not None and "ValidationError" in failed[0].last_error
    assert failed[1].last_error is not None and "no page has this Entry ID" in failed[1].last_error
    assert report.lines[0].startswith("failed: start 'task 1'")
    assert report.summary() == "outbox: 1 replayed, 2 failed, 0 pending"

    # Once the cause is fixed they can be requeued and replayed.
    assert env.outbox.requeue_failed() == 2
    report = await replay(env.outbox, env.store)
    assert report.replayed == 1 and report.failed == 1
    assert len(env.pages_of(refused.entry_id)) == 1


async def test_a_refused_token_blocks_without_losing_anything(env: Env) -> None:
    env.outbox.enqueue_start(entry(1))
    env.outbox.enqueue_start(entry(2))
    env.fake.faults.fail_next(401, count=1000)
    report = await replay(env.outbox, env.store)
    assert report.blocked and not report.retry_later
    assert report.failed == 0 and report.remaining == 2
    assert "UnauthorizedError" in (report.stopped or "")
    assert env.outbox.failed() == []
    env.fake.faults.clear()
    assert (await replay(env.outbox, env.store)).replayed == 2


async def test_two_replayers_on_one_file_send_each_op_once(env: Env, tmp_path: Path) -> None:
    other = Outbox(tmp_path / "outbox.sqlite3")
    entries = [entry(n) for n in range(1, 9)]
    for e in entries:
        env.outbox.enqueue_start(e)
    env.fake.faults.latency = 0.002  # keep both in flight together
    one, two = await asyncio.wait_for(
        asyncio.gather(replay(env.outbox, env.store), replay(other, env.store)), timeout=20
    )
    assert one.replayed + two.replayed == 8
    assert one.busy or two.busy
    assert env.fake.requests["create_page"] == 8
    assert [prop_text(p, ENTRY_ID) for p in env.pages()] == [e.entry_id for e in entries]
    assert len(env.outbox) == 0
    other.close()


async def test_cancelled_replay_releases_its_claim(env: Env, tmp_path: Path) -> None:
    e = entry(1)
    env.outbox.enqueue_start(e)
    env.fake.faults.latency = 5.0
    task = asyncio.create_task(replay(env.outbox, env.store))
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    other = Outbox(tmp_path / "outbox.sqlite3")
    assert other.claim_next() is not None  # not held by the cancelled replay
    other.close()


async def test_with_the_tracker_a_queued_start_stops_the_timer_running_in_notion(
    env: Env,
) -> None:
    # A runs in Notion; Notion goes down; the user starts B: only "start B" could be queued.
    a = await env.store.create(entry(1))
    b = entry(2)
    env.outbox.enqueue_start(b)
    tracker = Tracker(env.store, clock=lambda: T0, presets=("Acme", "Globex"))
    report = await replay(env.outbox, env.store, tracker=tracker)
    assert report.ok and report.replayed == 1
    assert prop_date(env.pages_of(a.entry_id)[0], END) == b.start
    assert prop_date(env.pages_of(b.entry_id)[0], END) is None
    assert f"stopped entry {a.entry_id} at {b.start.isoformat()}" in report.lines[0]

    # Replayed again (a crash before mark_done): still one page each, nothing moves.
    env.outbox.enqueue_start(b)
    assert (await replay(env.outbox, env.store, tracker=tracker)).ok
    assert len(env.pages_of(b.entry_id)) == 1
    assert prop_date(env.pages_of(a.entry_id)[0], END) == b.start


async def test_without_the_tracker_replay_only_writes_the_queued_ops(env: Env) -> None:
    a = await env.store.create(entry(1))
    env.outbox.enqueue_start(entry(2))
    assert (await replay(env.outbox, env.store)).ok
    assert prop_date(env.pages_of(a.entry_id)[0], END) is None


async def test_end_running_ends_what_ran_at_that_instant(env: Env) -> None:
    a = await env.store.create(entry(1))
    at = a.start + timedelta(minutes=30)
    later = await env.store.create(entry(3))  # started after the command: keeps running
    other_user = await env.store.create(entry(5, user="222"))
    env.outbox.enqueue_end_running("111", at, by="999")
    report = await replay(env.outbox, env.store)
    assert report.ok and report.replayed == 1
    assert prop_date(env.pages_of(a.entry_id)[0], END) == at
    assert prop_date(env.pages_of(later.entry_id)[0], END) is None
    assert prop_date(env.pages_of(other_user.entry_id)[0], END) is None
    assert report.lines == [
        f"done: end running timers of user 111 at {at.isoformat()} by 999: ended entry {a.entry_id}"
    ]
    # replayed again (a crash before mark_done): nothing moves
    env.outbox.enqueue_end_running("111", at)
    report = await replay(env.outbox, env.store)
    assert report.lines[0].endswith("nothing was running")
    assert prop_date(env.pages_of(a.entry_id)[0], END) == at


async def test_queued_start_then_end_running_while_down(env: Env) -> None:
    e = entry(1)
    at = e.start + timedelta(minutes=5)
    env.outbox.enqueue_start(e)
    env.outbox.enqueue_end_running(e.user_id, at)
    assert env.outbox.pending_view(e.user_id) == [e.ended(at)]
    report = await replay(env.outbox, env.store)
    assert report.ok and report.replayed == 2
    assert prop_date(env.pages_of(e.entry_id)[0], END) == at
