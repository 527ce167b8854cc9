"""The SQLite outbox: durability, order, merging pending ends, claims across objects."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from timesheet.entries.model import TimeEntry
from timesheet.tracking.ledger import OUTBOX_FILENAME, EndOp, EndRunningOp, Outbox, StartOp

CET = timezone(timedelta(hours=1))
T0 = datetime(2026, 11, 16, 9, 0, tzinfo=CET)


def entry(n: int, user: str = "111", **kw: object) -> TimeEntry:
    fields: dict[str, object] = {
        "entry_id": f"00000000-0000-4000-8000-{n:012d}",
        "user_id": user,
        "client": "Acme",
        "name": f"task {n}",
        "start": T0 + timedelta(minutes=n),
        "note": f"note {n}",
    }
    fields.update(kw)
    return TimeEntry(**fields)  # type: ignore[arg-type]


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "data" / OUTBOX_FILENAME


def test_enqueued_ops_survive_reopening_in_order(path: Path) -> None:
    box = Outbox(path)
    e1, e2 = entry(1), entry(2, user="222")
    box.enqueue_start(e1)
    box.enqueue_end(e1.entry_id, T0 + timedelta(hours=1), page_id=None, by="999")
    box.enqueue_start(e2)
    box.close()

    reopened = Outbox(path)
    ops = reopened.pending()
    assert [op.kind for op in ops] == ["start", "end", "start"]
    assert [op.op_id for op in ops] == sorted(op.op_id for op in ops)
    first, second, third = ops
    assert isinstance(first, StartOp) and isinstance(second, EndOp) and isinstance(third, StartOp)
    assert first.entry == e1
    assert first.entry.start.utcoffset() == timedelta(hours=1)  # the offset survives
    assert first.entry.note == "note 1"
    assert second.entry_id == e1.entry_id
    assert second.at == T0 + timedelta(hours=1)
    assert second.page_id is None and second.ended_by == "999"
    assert third.entry == e2
    assert len(reopened) == 3


def test_enqueue_is_committed_before_returning(path: Path) -> None:
    box = Outbox(path)
    box.enqueue_start(entry(1))
    # A separate connection (as another process would) sees the row at once.
    with sqlite3.connect(path) as other:
        assert other.execute("SELECT COUNT(*) FROM ops").fetchone()[0] == 1
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_enqueue_then_kill_process_keeps_op(path: Path) -> None:
    code = (
        "import os, sys\n"
        "from datetime import datetime, timezone\n"
        "from timesheet.entries.model import TimeEntry\n"
        "from timesheet.tracking.ledger import Outbox\n"
        "box = Outbox(sys.argv[1])\n"
        "box.enqueue_start(TimeEntry('e-1', '1', 'Acme', 'Acme',"
        " datetime(2026, 1, 1, tzinfo=timezone.utc)))\n"
        "os._exit(0)  # no close, no cleanup\n"
    )
    subprocess.run([sys.executable, "-c", code, str(path)], check=True, timeout=30)
    assert [op.entry_id for op in Outbox(path).pending()] == ["e-1"]


def test_in_dir_uses_the_pinned_file_name(tmp_path: Path) -> None:
    box = Outbox.in_dir(tmp_path / "d")
    assert box.path == tmp_path / "d" / "outbox.sqlite3"
    assert box.path.exists()


def test_naive_end_is_refused(path: Path) -> None:
    box = Outbox(path)
    with pytest.raises(ValueError, match="aware"):
        box.enqueue_end("e", datetime(2026, 1, 1))
    assert len(box) == 0


def test_same_operation_enqueued_twice_is_kept_once(path: Path) -> None:
    box = Outbox(path)
    e = entry(1)
    a = box.enqueue_start(e)
    b = box.enqueue_start(e)
    first_end = box.enqueue_end(e.entry_id, T0 + timedelta(hours=1))
    second_end = box.enqueue_end(e.entry_id, T0 + timedelta(hours=2))
    assert a.op_id == b.op_id
    assert first_end.op_id == second_end.op_id
    assert second_end.at == T0 + timedelta(hours=1)  # the first End wins, as in Notion
    assert len(box) == 2


def test_pending_for_user_merges_a_pending_end(path: Path) -> None:
    box = Outbox(path)
    running, ended, other = entry(1), entry(2), entry(3, user="222")
    for e in (running, ended, other):
        box.enqueue_start(e)
    at = T0 + timedelta(hours=3)
    box.enqueue_end(ended.entry_id, at)
    box.enqueue_end("not-pending-start", at, page_id="p1")

    mine = box.pending_for_user("111")
    assert [e.entry_id for e in mine] == [running.entry_id, ended.entry_id]
    assert mine[0].running and mine[0].page_id is None
    assert mine[1].end == at and not mine[1].running
    assert [e.entry_id for e in box.pending_for_user("222")] == [other.entry_id]
    assert box.pending_for_user("333") == []
    assert box.pending_ends() == {ended.entry_id: at, "not-pending-start": at}
    assert box.has_pending(running.entry_id)
    assert box.has_pending("not-pending-start")
    assert not box.has_pending("nothing")


def test_done_and_failed_ops_leave_the_queue(path: Path) -> None:
    box = Outbox(path)
    a, b, c = (box.enqueue_start(entry(n)) for n in (1, 2, 3))
    claimed = box.claim_next()
    assert claimed is not None and claimed.op_id == a.op_id and claimed.claims == 1
    box.mark_done(a.op_id)
    claimed = box.claim_next()
    assert claimed is not None and claimed.op_id == b.op_id
    box.mark_failed(b.op_id, "ValidationError: bad name")
    assert [op.op_id for op in box.pending()] == [c.op_id]
    assert len(box) == 1
    (failed,) = box.failed()
    assert failed.op_id == b.op_id and failed.last_error == "ValidationError: bad name"
    assert box.pending_for_user("111") == [c.entry]

    assert box.requeue_failed() == 1
    assert [op.op_id for op in box.pending()] == [b.op_id, c.op_id]  # back at its place


def test_transient_failure_keeps_place_and_counts(path: Path) -> None:
    box = Outbox(path)
    a = box.enqueue_start(entry(1))
    box.enqueue_start(entry(2))
    op = box.claim_next()
    assert op is not None
    box.record_failure(op.op_id, "ServerError: 503")
    again = box.claim_next()
    assert again is not None and again.op_id == a.op_id
    assert again.failures == 1 and again.claims == 2
    assert again.last_error == "ServerError: 503"


def test_two_outboxes_on_one_file_never_hold_the_queue_together(path: Path) -> None:
    one, two = Outbox(path), Outbox(path)
    one.enqueue_start(entry(1))
    two.enqueue_start(entry(2))

    got = one.claim_next()
    assert got is not None
    assert two.claim_next() is None  # the head is claimed by a live replayer
    assert two.claimed_elsewhere() and not one.claimed_elsewhere()
    one.mark_done(got.op_id)
    nxt = two.claim_next()  # the head moved on: now two owns it
    assert nxt is not None and nxt.entry_id == entry(2).entry_id
    assert one.claim_next() is None
    two.release(nxt.op_id)
    assert one.claim_next() is not None


def test_claims_race_between_threads_grant_each_op_once(path: Path) -> None:
    boxes = [Outbox(path) for _ in range(4)]
    for n in range(30):
        boxes[0].enqueue_start(entry(n))
    done: list[list[str]] = [[] for _ in boxes]
    barrier = threading.Barrier(len(boxes))

    def worker(i: int) -> None:
        barrier.wait()
        box = boxes[i]
        while len(box):
            op = box.claim_next()
            if op is not None:
                done[i].append(op.entry_id)
                box.mark_done(op.op_id)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(boxes))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    everything = [e for d in done for e in d]
    assert sorted(everything) == sorted(entry(n).entry_id for n in range(30))
    assert len(everything) == len(set(everything))


def test_expired_lease_is_taken_over(path: Path) -> None:
    now = [1000.0]
    one = Outbox(path, lease_seconds=60, clock=lambda: now[0])
    two = Outbox(path, lease_seconds=60, clock=lambda: now[0])
    one.enqueue_start(entry(1))
    assert one.claim_next() is not None
    now[0] += 59
    assert two.claim_next() is None
    now[0] += 2
    assert two.claim_next() is not None


def test_claim_of_a_dead_process_is_taken_over(path: Path) -> None:
    Outbox(path).enqueue_start(entry(1))
    code = (
        "import os, sys\n"
        "from timesheet.tracking.ledger import Outbox\n"
        "assert Outbox(sys.argv[1]).claim_next() is not None\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", code, str(path)], check=True, timeout=30)
    box = Outbox(path)  # the lease (120 s) has not expired, but its process is gone
    op = box.claim_next()
    assert op is not None and op.claims == 2


def test_enqueued_at_uses_the_clock(path: Path) -> None:
    box = Outbox(path, clock=lambda: 42.0)
    assert box.enqueue_start(entry(1)).enqueued_at == 42.0
    assert box.pending()[0].enqueued_at == 42.0


def test_describe_lines_are_readable(path: Path) -> None:
    box = Outbox(path)
    s = box.enqueue_start(entry(1, start=datetime(2026, 11, 16, 8, 1, tzinfo=UTC)))
    e = box.enqueue_end(s.entry_id, datetime(2026, 11, 16, 9, 0, tzinfo=UTC), by="42")
    assert s.describe() == (
        "start 'task 1' (Acme) at 2026-11-16T08:01:00+00:00"
        " entry 00000000-0000-4000-8000-000000000001"
    )
    assert e.describe().endswith("at 2026-11-16T09:00:00+00:00 by 42")


def test_an_unreadable_row_is_set_aside_not_blocking(path: Path) -> None:
    box = Outbox(path)
    bad = box.enqueue_start(entry(1))
    good = box.enqueue_start(entry(2))
    with sqlite3.connect(path) as db:
        db.execute("UPDATE ops SET payload = '{not json' WHERE id = ?", (bad.op_id,))
    assert [op.op_id for op in box.pending()] == [good.op_id]  # readers skip it
    op = box.claim_next()
    assert op is not None and op.op_id == good.op_id
    ((op_id, reason),) = box.failed_reasons()
    assert op_id == bad.op_id
    assert reason.startswith(f"start {entry(1).entry_id}: unreadable operation: JSONDecodeError")
    assert box.failed() == []


def test_end_running_applies_in_queue_order_and_is_never_merged(path: Path) -> None:
    box = Outbox(path)
    a, b = entry(1), entry(5)
    box.enqueue_start(a)
    first = box.enqueue_end_running("111", a.start + timedelta(minutes=2), by="999")
    box.enqueue_start(b)
    second = box.enqueue_end_running("111", b.start + timedelta(minutes=3))
    assert first.op_id != second.op_id
    assert [op.kind for op in box.pending()] == ["start", "end_running", "start", "end_running"]
    view = box.pending_for_user("111")
    assert [e.end for e in view] == [a.start + timedelta(minutes=2), b.start + timedelta(minutes=3)]
    assert box.has_pending_for_user("111") and not box.has_pending_for_user("222")
    reopened = Outbox(path).pending()[1]
    assert isinstance(reopened, EndRunningOp)
    assert reopened.user_id == "111" and reopened.ended_by == "999"
    assert reopened.describe() == (
        "end running timers of user 111 at 2026-11-16T09:03:00+01:00 by 999"
    )


def test_end_running_leaves_timers_started_after_it(path: Path) -> None:
    box = Outbox(path)
    later = entry(10)
    box.enqueue_end_running("111", later.start - timedelta(seconds=1))
    box.enqueue_start(later)
    assert box.pending_for_user("111") == [later]


def test_pending_view_merges_what_notion_said(path: Path) -> None:
    box = Outbox(path)
    in_notion = entry(1, page_id="aaaaaaaa-0000-4000-8000-000000000001")
    manual = entry(2, entry_id="", page_id="bbbbbbbb-0000-4000-8000-000000000002")
    untouched = entry(3, page_id="cccccccc-0000-4000-8000-000000000003")
    queued = entry(4)
    box.enqueue_end(in_notion.entry_id, T0 + timedelta(hours=2), page_id=in_notion.page_id)
    box.enqueue_end("", T0 + timedelta(hours=3), page_id="BBBBBBBB000040008000000000000002")
    box.enqueue_start(queued)
    known = [untouched, manual, in_notion, entry(9, user="222")]
    view = box.pending_view("111", known)
    assert [e.page_id for e in view] == [
        in_notion.page_id,
        manual.page_id,
        untouched.page_id,
        None,
    ]
    assert [e.end for e in view] == [T0 + timedelta(hours=2), T0 + timedelta(hours=3), None, None]
    assert [e for e in view if e.running] == [untouched, queued]
    # the same entry from Notion and from the queue (replayed between two reads) counts once
    assert box.pending_view("111", [queued]) == [queued]


def test_an_end_needs_an_id_and_an_end_running_a_user(path: Path) -> None:
    box = Outbox(path)
    with pytest.raises(ValueError, match="Entry ID or a page id"):
        box.enqueue_end("", T0)
    with pytest.raises(ValueError, match="user id is empty"):
        box.enqueue_end_running("", T0)
    with pytest.raises(ValueError, match="aware"):
        box.enqueue_end_running("111", datetime(2026, 1, 1))
    assert len(box) == 0


def test_end_with_owner_counts_for_the_user(path: Path) -> None:
    box = Outbox(path)
    box.enqueue_end("e-1", T0, page_id="p", user_id="333")
    assert box.has_pending_for_user("333")
    assert box.pending_ends() == {"e-1": T0}
