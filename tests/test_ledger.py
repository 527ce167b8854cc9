"""The SQLite ledger: order, lanes, durability, leases across objects and processes, failures,
effects and their pruning, meta, and the upgrade of a version-1 outbox file in place."""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import sys
import threading
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from ledgerkit import ALICE, BOB, CAROL, MANAGER, FakeClock, planned
from notionkit import T0, entry_id
from trackerkit import TrackerEnv

from timesheet.entries.model import TimeEntry
from timesheet.entries.store import EntryStore
from timesheet.tracking.engine import Engine
from timesheet.tracking.ledger import LEDGER_FILENAME, Effect, Ledger, Written
from timesheet.tracking.ledger_schema import SCHEMA_VERSION
from timesheet.tracking.operations import EndOp, EndRunningOp, Operation, StartOp, project

CET = timezone(timedelta(hours=1))
MINUTE = timedelta(minutes=1)
PAGE_A = "aaaaaaaa-0000-4000-8000-000000000001"
PAGE_B = "bbbbbbbb-0000-4000-8000-000000000002"
V1_SCHEMA = (Path(__file__).parent / "ledger_fixtures" / "outbox_v1_schema.sql").read_text()


def ops(ledger: Ledger) -> list[Operation]:
    return [r.op for r in ledger.pending()]


def ids(ledger: Ledger) -> list[int]:
    return [r.op_id for r in ledger.pending()]


# -- recording, order, lanes ---------------------------------------------------------------


def test_recorded_ops_survive_reopening_in_order(ledger: Ledger) -> None:
    e1 = planned(1, start=datetime(2026, 11, 16, 10, 1, tzinfo=CET))
    e2 = planned(2, BOB)
    recorded: list[Operation] = [
        StartOp(e1),
        EndOp(e1.entry_id, T0 + timedelta(hours=1), MANAGER, can_manage=True, owner=ALICE),
        StartOp(e2),
        EndRunningOp(ALICE, datetime(2026, 11, 16, 12, 0, tzinfo=CET)),
        EndOp(PAGE_A, T0 + timedelta(hours=2), BOB),
    ]
    op_ids = [i for op in recorded for i in ledger.record(op)]
    assert op_ids == sorted(op_ids) and len(set(op_ids)) == 5
    ledger.close()

    with Ledger(ledger.path) as reopened:
        assert ops(reopened) == recorded  # every field, kind by kind
        assert ids(reopened) == op_ids
        start = reopened.pending()[0].op
        assert isinstance(start, StartOp)
        assert start.entry.start.utcoffset() == timedelta(hours=1)  # the offset survives
        assert start.entry.note == "note 1"
        assert len(reopened) == 5
        assert all(r.state == "pending" and r.attempts == 0 for r in reopened.pending())


def test_lanes_are_per_user_and_the_longest_waiting_comes_first(ledger: Ledger) -> None:
    (b1,) = ledger.record(StartOp(planned(1, BOB)))
    (a1,) = ledger.record(StartOp(planned(2, ALICE)))
    (b2,) = ledger.record(EndRunningOp(BOB, T0 + timedelta(hours=1)))
    # An end waits behind its entry's owner when the owner is known, else behind the asker.
    (m1,) = ledger.record(EndOp(entry_id(2), T0, MANAGER, can_manage=True, owner=ALICE))
    (m2,) = ledger.record(EndOp(PAGE_A, T0, MANAGER, can_manage=True))
    assert ledger.pending_lanes() == [BOB, ALICE, MANAGER]
    assert [r.op_id for r in ledger.pending(BOB)] == [b1, b2]
    assert [r.op_id for r in ledger.pending(ALICE)] == [a1, m1]
    assert [r.op_id for r in ledger.pending(MANAGER)] == [m2]
    assert ledger.pending(CAROL) == []
    assert [r.lane for r in ledger.pending()] == [BOB, ALICE, BOB, ALICE, MANAGER]

    ledger.mark_done(b1, {})
    assert ledger.pending_lanes() == [ALICE, BOB, MANAGER]


def test_record_is_committed_before_it_returns(ledger: Ledger) -> None:
    ledger.record(StartOp(planned(1)))
    # A separate connection (as another process would) sees the row at once.
    with sqlite3.connect(ledger.path) as other:
        assert other.execute("SELECT COUNT(*) FROM ops").fetchone()[0] == 1
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_record_then_kill_the_process_keeps_the_op(tmp_path: Path) -> None:
    path = tmp_path / "data" / LEDGER_FILENAME
    code = (
        "import os, sys\n"
        "from datetime import datetime, timezone\n"
        "from timesheet.entries.model import TimeEntry\n"
        "from timesheet.tracking.ledger import Ledger\n"
        "from timesheet.tracking.operations import StartOp\n"
        "entry = TimeEntry('e-1', '1', 'Acme', 'Acme', datetime(2026, 1, 1, tzinfo=timezone.utc))\n"
        "Ledger(sys.argv[1]).record(StartOp(entry))\n"
        "os._exit(0)  # no close, no cleanup\n"
    )
    subprocess.run([sys.executable, "-c", code, str(path)], check=True, timeout=30)
    with Ledger(path) as ledger:
        (rec,) = ledger.pending()
    assert isinstance(rec.op, StartOp) and rec.op.entry.entry_id == "e-1"


def test_in_dir_uses_the_pinned_file_name(tmp_path: Path) -> None:
    with Ledger.in_dir(tmp_path / "d") as ledger:
        assert ledger.path == tmp_path / "d" / "outbox.sqlite3"
        assert ledger.path.exists()
        assert ledger.schema_version == SCHEMA_VERSION == 3


@pytest.mark.parametrize(
    ("op", "message"),
    [
        (EndOp(PAGE_A, datetime(2026, 1, 1), ALICE), "aware"),
        (EndOp("", T0, ALICE), "needs a page id or an Entry ID"),
        (EndRunningOp(ALICE, datetime(2026, 1, 1)), "aware"),
        (EndRunningOp("", T0), "user id is empty"),
    ],
)
def test_an_op_that_cannot_be_stored_is_refused_with_its_batch(
    ledger: Ledger, op: Operation, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        ledger.record(StartOp(planned(1)), op)  # all or none
    assert len(ledger) == 0 and ledger.pending() == []


def test_one_record_of_several_ops_is_one_batch_in_order(ledger: Ledger) -> None:
    first, second = ledger.record(EndRunningOp(ALICE, T0), StartOp(planned(1)))
    assert second == first + 1
    assert [type(op) for op in ops(ledger)] == [EndRunningOp, StartOp]


def test_the_same_op_recorded_twice_is_two_ops(ledger: Ledger) -> None:
    # No merging in the ledger: a retried command is made harmless by apply (see
    # test_engine_replay: a start applied twice writes one page).
    a = ledger.record(StartOp(planned(1)))
    b = ledger.record(StartOp(planned(1)))
    assert a != b and len(ledger) == 2


def test_enqueued_at_uses_the_clock(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite3", clock=lambda: 42.0) as ledger:
        (op_id,) = ledger.record(StartOp(planned(1)))
        rec = ledger.get(op_id)
    assert rec is not None and rec.enqueued_at == 42.0


def test_describe_lines_are_readable() -> None:
    start = StartOp(planned(1, start=datetime(2026, 11, 16, 8, 1, tzinfo=CET)))
    assert start.describe() == (
        "start 'task 1' (Acme) at 2026-11-16T08:01:00+01:00"
        " entry 00000000-0000-4000-8000-000000000001"
    )
    at = datetime(2026, 11, 16, 9, 0, tzinfo=CET)
    assert EndOp(PAGE_A, at, "42").describe() == (
        f"end entry {PAGE_A} at 2026-11-16T09:00:00+01:00 by 42"
    )
    assert EndOp(PAGE_A, at, "42", can_manage=True).describe().endswith("by 42 (manager)")
    assert EndRunningOp("111", at).describe() == (
        "end running timers of user 111 at 2026-11-16T09:00:00+01:00"
    )


# -- what a user's pending ops will make of their entries (the answers of saved commands) -----


def view(ledger: Ledger, user: str, known: list[TimeEntry] | None = None) -> list[TimeEntry]:
    return project([r.op for r in ledger.pending(user)], user, known or ())


def test_pending_starts_and_ends_give_the_entries_to_come(ledger: Ledger) -> None:
    first, second, bobs = planned(1), planned(2), planned(3, BOB)
    at = T0 + timedelta(hours=3)
    ledger.record(StartOp(first), StartOp(second), StartOp(bobs))
    ledger.record(EndOp(second.entry_id, at, ALICE), EndOp(PAGE_A, at, ALICE))
    # A start stops what runs at its start; an end stops what it names (nothing here for
    # PAGE_A: Notion's entries were not given).
    assert view(ledger, ALICE) == [first.ended(second.start), second.ended(at)]
    assert view(ledger, BOB) == [bobs]
    assert view(ledger, CAROL) == []


def test_end_running_applies_in_order_and_spares_later_starts(ledger: Ledger) -> None:
    a, b, later = planned(1), planned(5), planned(10)
    ledger.record(StartOp(a), EndRunningOp(ALICE, a.start + 2 * MINUTE))
    ledger.record(StartOp(b), EndRunningOp(ALICE, b.start + 3 * MINUTE))
    ledger.record(EndRunningOp(ALICE, later.start - MINUTE), StartOp(later))
    assert view(ledger, ALICE) == [
        a.ended(a.start + 2 * MINUTE),
        b.ended(b.start + 3 * MINUTE),
        later,
    ]


def test_the_entries_notion_gave_are_merged_with_the_pending_ops(ledger: Ledger) -> None:
    in_notion = planned(1, page_id=PAGE_A)
    by_hand = planned(2, entry_id="", page_id=PAGE_B)
    ended_already = planned(3, page_id="cccccccc-0000-4000-8000-000000000003", end=T0)
    queued = planned(4)
    at = T0 + timedelta(hours=2)
    ledger.record(
        EndOp(in_notion.entry_id, at, ALICE),
        EndOp(PAGE_B.replace("-", "").upper(), at, ALICE),
        EndOp(ended_already.entry_id, at, ALICE),  # an End already set is kept
        EndOp(PAGE_A, at + MINUTE, BOB),  # not Bob's: changes nothing
        StartOp(queued),
    )
    known = [by_hand, ended_already, in_notion, planned(9, BOB, page_id=PAGE_A)]
    assert view(ledger, ALICE, known) == [
        in_notion.ended(at),
        by_hand.ended(at),
        ended_already,
        queued,
    ]
    # A manager's end (in the owner's lane: the start is known) stops it; a start stops
    # what runs, at its start.
    ledger.record(EndOp(queued.entry_id, at + MINUTE, MANAGER, can_manage=True, owner=ALICE))
    assert view(ledger, ALICE, known)[-1] == queued.ended(at + MINUTE)
    running = planned(0, page_id="dddddddd-0000-4000-8000-000000000004")
    assert view(ledger, ALICE, [running])[0] == running.ended(queued.start)


def test_a_start_already_in_notion_counts_once(ledger: Ledger) -> None:
    queued = planned(1)
    ledger.record(StartOp(queued))
    written = planned(1, page_id=PAGE_A)  # applied between two reads: in Notion and pending
    assert view(ledger, ALICE, [written]) == [written]


# -- done, failed, requeued, cancelled -----------------------------------------------------


def test_done_and_failed_ops_leave_their_lane(ledger: Ledger) -> None:
    a, b, c = (ledger.record(StartOp(planned(n)))[0] for n in (1, 2, 3))
    assert ledger.begin_attempt(a) == 1
    ledger.mark_done(a, {"entry": "kept as given"})
    ledger.mark_failed(b, "ValidationError: bad name")
    assert ids(ledger) == [c] and len(ledger) == 1
    done = ledger.get(a)
    assert done is not None and done.state == "done"
    assert done.result == {"entry": "kept as given"} and done.attempts == 1
    (failed,) = ledger.failed()
    assert failed.op_id == b and failed.state == "failed" and failed.failures == 1
    assert failed.last_error == "ValidationError: bad name"
    assert ledger.failed_reasons() == [(b, f"start {ALICE}: ValidationError: bad name")]

    assert ledger.requeue_failed() == 1
    assert ids(ledger) == [b, c]  # back at its place
    assert ledger.failed() == []


def test_a_transient_failure_keeps_the_op_at_its_place_and_counts(ledger: Ledger) -> None:
    a, b = ledger.record(StartOp(planned(1)), StartOp(planned(2)))
    assert ledger.begin_attempt(a) == 1
    ledger.record_failure(a, "ServerError: 503")
    assert ledger.begin_attempt(a) == 2
    head, _ = ledger.pending()
    assert head.op_id == a and head.failures == 1 and head.attempts == 2
    assert head.last_error == "ServerError: 503"
    ledger.record_failure(a, "x" * 2000)
    assert len(ledger.pending()[0].last_error or "") == 500
    assert ids(ledger) == [a, b]


def test_cancel_forgets_an_op_and_what_it_wrote_but_never_a_done_one(ledger: Ledger) -> None:
    a, b = ledger.record(StartOp(planned(1)), StartOp(planned(2)))
    ledger.add_effect(a, "created", planned(1, page_id=PAGE_A))
    ledger.cancel(a)
    assert ledger.get(a) is None and ledger.effects_of_op(a) == []
    assert ledger.created(PAGE_A) is None
    ledger.mark_done(b, {})
    ledger.cancel(b)
    done = ledger.get(b)
    assert done is not None and done.state == "done"


def test_an_unreadable_row_is_set_aside_not_blocking(ledger: Ledger) -> None:
    bad, good, unknown = ledger.record(
        StartOp(planned(1)), StartOp(planned(2)), StartOp(planned(3))
    )
    with sqlite3.connect(ledger.path) as db:
        db.execute("UPDATE ops SET payload = '{not json' WHERE id = ?", (bad,))
        db.execute("UPDATE ops SET kind = 'teleport' WHERE id = ?", (unknown,))
    assert ids(ledger) == [good]  # readers skip them, and set them aside
    assert ids(ledger) == [good]
    assert ledger.failed() == []  # nothing readable was refused
    (bad_id, bad_why), (unknown_id, unknown_why) = ledger.failed_reasons()
    assert (bad_id, unknown_id) == (bad, unknown)
    assert bad_why.startswith(f"start {ALICE}: unreadable operation: JSONDecodeError")
    assert unknown_why == (
        f"teleport {ALICE}: unreadable operation: ValueError: unknown operation kind 'teleport'"
    )
    assert ledger.get(bad) is None


# -- leases: one process at a time applies a lane --------------------------------------------


def test_two_ledgers_on_one_file_never_hold_a_lane_together(ledger: Ledger) -> None:
    with Ledger(ledger.path) as other:
        assert ledger.try_lease(ALICE)
        assert not other.try_lease(ALICE)
        assert other.leased_elsewhere(ALICE) and not ledger.leased_elsewhere(ALICE)
        assert other.try_lease(BOB)  # another lane is free
        assert ledger.try_lease(ALICE)  # renewed by its holder
        other.release_lease(ALICE)  # only the holder's release counts
        assert not other.try_lease(ALICE)
        ledger.release_lease(ALICE)
        assert not other.leased_elsewhere(ALICE)
        assert other.try_lease(ALICE)
        assert ledger.leased_elsewhere(ALICE)


def test_leases_raced_by_threads_are_granted_once_each(ledger: Ledger) -> None:
    ledgers = [Ledger(ledger.path) for _ in range(4)]
    lanes = [f"lane-{n}" for n in range(20)]
    won: list[list[str]] = [[] for _ in ledgers]
    barrier = threading.Barrier(len(ledgers))

    def race(i: int) -> None:
        barrier.wait()
        won[i].extend(lane for lane in lanes if ledgers[i].try_lease(lane))

    threads = [threading.Thread(target=race, args=(i,)) for i in range(len(ledgers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    for one in ledgers:
        one.close()
    assert sorted(lane for w in won for lane in w) == sorted(lanes)


def test_an_expired_lease_is_taken_over(ledger: Ledger) -> None:
    clock = FakeClock()
    with (
        Ledger(ledger.path, lease_seconds=60, clock=clock) as one,
        Ledger(ledger.path, lease_seconds=60, clock=clock) as two,
    ):
        assert one.try_lease(ALICE)
        clock.now += 59
        assert not two.try_lease(ALICE)
        assert one.try_lease(ALICE)  # renewed: 60 s from now
        clock.now += 59
        assert not two.try_lease(ALICE)
        clock.now += 2
        assert two.leased_elsewhere(ALICE) is False
        assert two.try_lease(ALICE)
        assert not one.try_lease(ALICE)


_HOLD_LEASE = (
    "import sys\n"
    "from timesheet.tracking.ledger import Ledger\n"
    "assert Ledger(sys.argv[1]).try_lease(sys.argv[2])\n"
    "print('leased', flush=True)\n"
    "sys.stdin.readline()\n"
)


def test_the_lease_of_a_process_that_exits_is_taken_over(ledger: Ledger) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", _HOLD_LEASE, str(ledger.path), ALICE],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None and child.stdout.readline() == "leased\n"
        assert not ledger.try_lease(ALICE)  # its process lives: the lease holds
        assert ledger.leased_elsewhere(ALICE)
    finally:
        child.communicate("\n", timeout=30)  # it exits without releasing the lease
    assert child.returncode == 0
    with sqlite3.connect(ledger.path) as db:
        (pid,) = db.execute("SELECT pid FROM leases WHERE lane = ?", (ALICE,)).fetchone()
    assert pid == child.pid  # the row is still there, far from expiry ...
    assert not ledger.leased_elsewhere(ALICE)  # ... but its process is gone
    assert ledger.try_lease(ALICE)


def test_a_lease_held_on_another_host_waits_for_its_expiry(ledger: Ledger) -> None:
    # No process on this host can be asked about a pid of another host.
    with Ledger(ledger.path) as other:
        assert other.try_lease(ALICE)
    with sqlite3.connect(ledger.path) as db:
        db.execute("UPDATE leases SET host = 'elsewhere', pid = 99999999")
    assert not ledger.try_lease(ALICE)
    with sqlite3.connect(ledger.path) as db:
        db.execute("UPDATE leases SET host = ?", (socket.gethostname(),))
    assert ledger.try_lease(ALICE)  # the same pid on this host: gone


# -- effects: what applying wrote, kept a while -----------------------------------------------


def test_effects_are_kept_by_op_and_by_user_and_found_by_any_ref(ledger: Ledger) -> None:
    (op,) = ledger.record(StartOp(planned(1)))
    created = planned(1, page_id=PAGE_A, url="https://www.notion.so/aaaa")
    stopped = planned(0, page_id=PAGE_B, end=T0 + timedelta(minutes=10))
    ledger.add_effect(op, "created", created)
    ledger.add_effect(op, "ended", stopped)
    expected = [Effect(op, "created", created), Effect(op, "ended", stopped)]
    assert ledger.effects_of_op(op) == expected
    assert ledger.written(ALICE) == Written([created], frozenset({PAGE_B.replace("-", "")}))
    assert ledger.written(BOB) == Written([], frozenset())
    assert ledger.effects_of_page(PAGE_A.upper()) == expected[:1]
    for ref in (PAGE_A, PAGE_A.replace("-", "").upper(), entry_id(1)):
        assert ledger.created(ref) == created
    assert ledger.created(PAGE_B) is None  # ended, not created
    with pytest.raises(ValueError, match="names a Notion page"):
        ledger.add_effect(op, "created", planned(2))
    with Ledger(ledger.path) as reopened:
        assert reopened.effects_of_op(op) == expected


def test_effects_of_done_ops_are_pruned_after_keep_seconds(tmp_path: Path) -> None:
    clock = FakeClock()
    with Ledger(tmp_path / "l.sqlite3", keep_seconds=600, clock=clock) as ledger:
        done, waiting = ledger.record(StartOp(planned(1)), StartOp(planned(2)))
        ledger.add_effect(done, "created", planned(1, page_id=PAGE_A))
        ledger.add_effect(waiting, "created", planned(2, page_id=PAGE_B))
        ledger.mark_done(done, {"entry": {}})

        clock.now += 600
        assert [e.page_id for e in ledger.written(ALICE).running] == [PAGE_A, PAGE_B]
        clock.now += 1
        # Past keep_seconds a done op's writes no longer count for reads, ...
        assert [e.page_id for e in ledger.written(ALICE).running] == [PAGE_B]
        ledger.record(EndRunningOp(BOB, T0))
        # ... and the next record prunes them with the op; a pending op keeps its own.
        assert ledger.get(done) is None
        assert ledger.effects_of_op(done) == [] and ledger.created(PAGE_A) is None
        assert [x.op_id for x in ledger.effects_of_op(waiting)] == [waiting]
        assert ledger.created(PAGE_B) is not None


# -- meta: the data source id --------------------------------------------------------------


def test_meta_is_set_replaced_and_cleared_across_reopening(ledger: Ledger) -> None:
    assert ledger.get_meta("data_source_id:x") is None
    ledger.set_meta("data_source_id:x", "one")
    ledger.set_meta("data_source_id:y", "other")
    ledger.set_meta("data_source_id:x", "two")
    with Ledger(ledger.path) as reopened:
        assert reopened.get_meta("data_source_id:x") == "two"
        reopened.set_meta("data_source_id:x", None)
    assert ledger.get_meta("data_source_id:x") is None
    assert ledger.get_meta("data_source_id:y") == "other"


async def test_the_data_source_id_is_learnt_once_for_every_process(
    ledger_env: TrackerEnv,
) -> None:
    env = ledger_env
    before = env.snapshot()
    assert await EntryStore(env.client, env.db_id, cache=env.ledger).find_running(ALICE) == []
    assert env.ledger.get_meta(f"data_source_id:{env.db_id}") == env.ds_id
    with Ledger(env.path) as another_process:
        store = EntryStore(env.client, env.db_id, cache=another_process)
        assert await store.find_running(ALICE) == []
    assert env.since(before)["retrieve_database"] == 1


async def test_a_cached_data_source_id_answering_404_is_learnt_again(
    ledger_env: TrackerEnv,
) -> None:
    env = ledger_env
    key = f"data_source_id:{env.db_id}"
    # An op pending too (a ledger with nothing pending is falsy): the cache is read all the same.
    env.ledger.record(StartOp(planned(9, BOB)))
    # The data source was replaced: the cached id answers 404, the new one is learnt.
    env.ledger.set_meta(key, "11111111-1111-4111-8111-111111111111")
    store = EntryStore(env.client, env.db_id, cache=env.ledger)
    before = env.snapshot()
    await store.create(planned(1))
    assert [e.entry_id for e in await store.find_running(ALICE)] == [entry_id(1)]
    assert env.ledger.get_meta(key) == env.ds_id
    assert env.since(before) == Counter(
        {"create_page": 2, "retrieve_database": 1, "query_data_source": 1}
    )
    assert len(env.pages()) == 1


# -- the version-1 outbox, upgraded in place --------------------------------------------------


class V1Outbox:
    """A version-1 outbox file, its rows and payloads as timetrack up to 19380ec wrote them."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        with self._db() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(V1_SCHEMA)
            db.execute("PRAGMA user_version=1")
        self._enqueued = 1000.0

    def _db(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, isolation_level=None)

    def _add(
        self, kind: str, key: str, user_id: str | None, payload: dict[str, Any], **row: Any
    ) -> int:
        self._enqueued += 1
        fields = {
            "kind": kind,
            "entry_id": key,
            "user_id": user_id,
            "payload": json.dumps(payload),
            "enqueued_at": self._enqueued,
            **row,
        }
        names = ", ".join(fields)
        marks = ", ".join("?" * len(fields))
        with self._db() as db:
            cursor = db.execute(
                f"INSERT INTO ops ({names}) VALUES ({marks})", tuple(fields.values())
            )
            assert cursor.lastrowid is not None
            return cursor.lastrowid

    def start(self, e: TimeEntry, **row: Any) -> int:
        payload = {
            "entry_id": e.entry_id,
            "user_id": e.user_id,
            "client": e.client,
            "name": e.name,
            "start": e.start.isoformat(),
            "end": e.end.isoformat() if e.end is not None else None,
            "note": e.note,
        }
        return self._add("start", e.entry_id, e.user_id, payload, **row)

    def end(
        self,
        entry_id: str,
        at: datetime,
        *,
        page_id: str | None = None,
        by: str | None = None,
        user_id: str | None = None,
        **row: Any,
    ) -> int:
        """An end whose owner was checked when it was saved (``user_id``, the owner)."""
        payload = {"entry_id": entry_id, "at": at.isoformat(), "page_id": page_id, "ended_by": by}
        return self._add("end", entry_id or page_id or "", user_id, payload, **row)

    def end_by_ref(
        self, ref: str, at: datetime, *, asked_by: str, can_manage: bool = False, **row: Any
    ) -> int:
        """An end by ref saved while Notion could not say whose entry it is."""
        payload = {
            "entry_id": "",
            "at": at.isoformat(),
            "page_id": ref,
            "ended_by": None,
            "asked_by": asked_by,
            "can_manage": can_manage,
        }
        owner = None if can_manage else asked_by
        return self._add("end", ref, owner, payload, **row)

    def end_running(self, user_id: str, at: datetime, **row: Any) -> int:
        payload = {"user_id": user_id, "at": at.isoformat(), "ended_by": None}
        return self._add("end_running", "", user_id, payload, **row)


def _end_of(env: TrackerEnv, page_id: str | None) -> datetime | None:
    (page,) = [e for e in env.pages() if e.page_id == page_id]
    return page.end


async def test_a_version_1_outbox_is_upgraded_in_place_and_applies_in_order(
    ledger_env: TrackerEnv, tmp_path: Path
) -> None:
    env = ledger_env
    hour = timedelta(hours=1)
    # Notion before the outage: Alice, Bob and Carol run timers; Bob's second one was made by
    # hand in Notion (no Entry ID).
    alice0 = await env.store.create(planned(1, ALICE))
    bob0 = await env.store.create(planned(2, BOB))
    carol0 = await env.store.create(planned(3, CAROL))
    bob_hand = await env.store.create(planned(4, BOB, entry_id=""))
    assert bob0.page_id and carol0.page_id and bob_hand.page_id
    alice5 = planned(5, ALICE, start=T0 + hour)
    carol6 = planned(6, CAROL, start=T0 + 5 * hour)

    path = tmp_path / "old" / LEDGER_FILENAME
    v1 = V1Outbox(path)
    rows = [
        v1.end_running(ALICE, T0 + hour),
        v1.start(alice5),
        v1.end(alice5.entry_id, T0 + 2 * hour, user_id=ALICE),
        # A replayer died holding this one (claimed twice).
        v1.end_by_ref(
            bob0.page_id,
            T0 + 3 * hour,
            asked_by=BOB,
            claims=2,
            claimed_by="dead-replayer",
            claim_host=socket.gethostname(),
            claim_pid=99999999,
            claim_expires=1e12,
        ),
        v1.end_by_ref(carol0.page_id, T0 + 3 * hour, asked_by=BOB),  # not Bob's
        v1.start(carol6, state="failed", failures=2, last_error="ValidationError: bad client"),
        # A manager's end, by an old page id Notion no longer knows and the Entry ID.
        v1.end(carol0.entry_id, T0 + 4 * hour, page_id="0" * 32, by=MANAGER, user_id=CAROL),
        v1.end("", T0 + 4 * hour, page_id=bob_hand.page_id, user_id=BOB),
    ]
    assert rows == list(range(1, 9))

    with Ledger(path) as ledger:
        assert ledger.schema_version == 3
        assert ops(ledger) == [
            EndRunningOp(ALICE, T0 + hour),
            StartOp(alice5),
            EndOp(alice5.entry_id, T0 + 2 * hour, ALICE, owner=ALICE),
            EndOp(bob0.page_id, T0 + 3 * hour, BOB),
            EndOp(carol0.page_id, T0 + 3 * hour, BOB),
            EndOp(carol0.entry_id, T0 + 4 * hour, MANAGER, can_manage=True, owner=CAROL),
            EndOp(bob_hand.page_id, T0 + 4 * hour, BOB, owner=BOB),
        ]
        pending = ledger.pending()
        assert [r.op_id for r in pending] == [1, 2, 3, 4, 5, 7, 8]
        assert [r.enqueued_at for r in pending] == [1001, 1002, 1003, 1004, 1005, 1007, 1008]
        assert [r.attempts for r in pending] == [0, 0, 0, 2, 0, 0, 0]
        assert all(r.failures == 0 and r.state == "pending" for r in pending)
        (failed,) = ledger.failed()
        assert (failed.op_id, failed.op, failed.state) == (6, StartOp(carol6), "failed")
        assert (failed.failures, failed.last_error) == (2, "ValidationError: bad client")
        assert ledger.pending_lanes() == [ALICE, BOB, CAROL]
        with sqlite3.connect(path) as db:
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert tables == {"ops", "effects", "leases", "meta", "reminders", "sqlite_sequence"}

        before = env.snapshot()
        report = await Engine(env.store, ledger).replay()
        assert report.ok and report.replayed == 7, report.lines
        assert not report.busy  # the dead replayer's claim holds nothing
        writes = env.since(before)
        assert (writes["create_page"], writes["update_page"]) == (1, 5)
        assert _end_of(env, alice0.page_id) == T0 + hour
        (page5,) = [e for e in env.pages() if e.entry_id == alice5.entry_id]
        assert (page5.start, page5.end) == (T0 + hour, T0 + 2 * hour)
        assert _end_of(env, bob0.page_id) == T0 + 3 * hour
        assert _end_of(env, bob_hand.page_id) == T0 + 4 * hour
        # Bob's end of Carol's timer is refused when applied and writes nothing; the
        # manager's end stops it.
        refused = ledger.get(5)
        assert refused is not None and refused.result is not None
        assert refused.result["refused"] == "not_yours" and ledger.effects_of_op(5) == []
        assert _end_of(env, carol0.page_id) == T0 + 4 * hour
        by_manager = ledger.get(7)
        assert by_manager is not None and by_manager.result is not None
        assert by_manager.result["by_other"] is True
        assert env.running_pages() == []

        # The op Notion refused before the upgrade goes back to its place and applies.
        assert ledger.requeue_failed() == 1
        assert (await Engine(env.store, ledger).replay()).ok
        (page6,) = env.running_pages()
        assert (page6.entry_id, page6.start) == (carol6.entry_id, carol6.start)
        assert len(env.pages()) == 6

    with Ledger(path) as reopened:  # upgraded once: opening it again changes nothing
        assert reopened.schema_version == 3 and reopened.pending() == []
        assert reopened.get(1) is not None


def test_an_unreadable_version_1_row_is_set_aside_by_the_upgrade(tmp_path: Path) -> None:
    path = tmp_path / LEDGER_FILENAME
    v1 = V1Outbox(path)
    v1.start(planned(1))
    with sqlite3.connect(path) as db:
        db.execute('UPDATE ops SET payload = \'{"entry_id": "x"}\'')  # a start without fields
    later = v1.end_running(ALICE, T0)
    with Ledger(path) as ledger:
        assert ids(ledger) == [later]
        ((op_id, why),) = ledger.failed_reasons()
        assert op_id == 1 and why == f"start {ALICE}: unreadable operation: KeyError: 'user_id'"
        assert ledger.failed() == []


def test_an_empty_version_1_outbox_is_upgraded_too(tmp_path: Path) -> None:
    path = tmp_path / LEDGER_FILENAME
    V1Outbox(path)
    with Ledger(path) as ledger:
        assert ledger.schema_version == 3 and len(ledger) == 0
        (op_id,) = ledger.record(StartOp(planned(1)))
        assert op_id == 1


def test_a_ledger_of_a_newer_timetrack_is_refused(tmp_path: Path) -> None:
    path = tmp_path / LEDGER_FILENAME
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version=4")
    with pytest.raises(RuntimeError, match="newer timetrack"):
        Ledger(path)
    with sqlite3.connect(path) as db:  # untouched
        assert db.execute("PRAGMA user_version").fetchone()[0] == 4
        assert db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0] == 0
