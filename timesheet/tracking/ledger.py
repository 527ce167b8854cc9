"""A durable local outbox (SQLite) of start/end operations waiting for Notion."""

from __future__ import annotations

import os
import socket
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from timesheet.entries.model import TimeEntry
from timesheet.tracking.operations import (
    EndOp,
    EndRunningOp,
    OutboxOp,
    StartOp,
    end_payload,
    end_running_payload,
    op_from_row,
    project,
    readable_ops,
    start_payload,
)

__all__ = [
    "OUTBOX_FILENAME",
    "EndOp",
    "EndRunningOp",
    "Outbox",
    "OutboxOp",
    "StartOp",
]

OUTBOX_FILENAME: Final = "outbox.sqlite3"
_SCHEMA_VERSION: Final = 1
_MAX_ERROR_CHARS: Final = 500

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS ops (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    kind          TEXT    NOT NULL CHECK (kind IN ('start', 'end', 'end_running')),
    entry_id      TEXT    NOT NULL,
    user_id       TEXT,
    payload       TEXT    NOT NULL,
    state         TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'failed')),
    enqueued_at   REAL    NOT NULL,
    claims        INTEGER NOT NULL DEFAULT 0,
    failures      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT,
    claimed_by    TEXT,
    claim_host    TEXT,
    claim_pid     INTEGER,
    claim_expires REAL
);
CREATE INDEX IF NOT EXISTS ops_state_id ON ops (state, id);
CREATE INDEX IF NOT EXISTS ops_entry ON ops (entry_id);
CREATE INDEX IF NOT EXISTS ops_user ON ops (user_id);
"""


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


class Outbox:
    """Operations that could not reach Notion, kept in order in ``path`` until replayed.

    Every ``enqueue_*`` is committed (WAL, ``synchronous=FULL``) before it returns. Several
    processes may open the same file: replaying is serialised by a per-operation claim (a lease
    in the database), and only the oldest pending operation can be claimed, so operations are
    replayed one at a time, in order, whoever replays them. A claim whose process died (same
    host, pid gone) or whose lease expired is taken over.

    Methods are synchronous (local SQLite, sub-millisecond reads, one fsync per commit) and
    thread-safe; call them directly from async code or through ``asyncio.to_thread``.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        lease_seconds: float = 120.0,
        busy_timeout: float = 10.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.owner = uuid.uuid4().hex
        self._lease = lease_seconds
        self._clock = clock
        self._host = socket.gethostname()
        self._lock = threading.RLock()  # re-entered by the enqueues inside batch()
        self._db = sqlite3.connect(
            self.path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
        )
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        with self._write():
            if self._db.execute("PRAGMA user_version").fetchone()[0] < _SCHEMA_VERSION:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version={_SCHEMA_VERSION}")

    @classmethod
    def in_dir(cls, data_dir: str | os.PathLike[str], **kwargs: Any) -> Outbox:
        """The outbox of a data directory: ``DATA_DIR/outbox.sqlite3``."""
        return cls(Path(data_dir) / OUTBOX_FILENAME, **kwargs)

    # -- plumbing -------------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taking SQLite's write lock up front (BEGIN IMMEDIATE)."""
        with self._lock:
            if self._db.in_transaction:  # inside batch(), on the thread holding the lock
                yield self._db
                return
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise

    def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return list(self._db.execute(sql, params))

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing --------------------------------------------------------------------------

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Enqueue several operations as one: all committed when the block ends, or none.

        For operations that only make sense together (stop what runs, then start), so a
        crash between them can't leave half a command queued. Other threads wait.
        """
        with self._write():
            yield

    def _enqueue(
        self, kind: str, key: str, user_id: str | None, payload: str, *, dedupe: bool
    ) -> OutboxOp:
        with self._write() as db:
            row = None
            if dedupe:
                # A second enqueue of the same operation (a retried command) is the same one:
                # for an end, the first End wins, exactly as Notion keeps an End once set.
                # Only an op of the same owner is the same: an end by ref saved under the
                # asker (its owner unchecked, maybe dropped on replay) must not swallow the
                # owner's own end.
                row = db.execute(
                    "SELECT * FROM ops WHERE kind = ? AND entry_id = ? AND user_id IS ?"
                    " AND state = 'pending' ORDER BY id LIMIT 1",
                    (kind, key, user_id),
                ).fetchone()
            if row is None:
                row = db.execute(
                    "INSERT INTO ops (kind, entry_id, user_id, payload, enqueued_at)"
                    " VALUES (?, ?, ?, ?, ?) RETURNING *",
                    (kind, key, user_id, payload, self._clock()),
                ).fetchone()
        return op_from_row(row)

    def enqueue_start(self, entry: TimeEntry) -> StartOp:
        """Queue the creation of ``entry``'s page; committed to disk when this returns."""
        payload = start_payload(entry)
        op = self._enqueue("start", entry.entry_id, entry.user_id, payload, dedupe=True)
        assert isinstance(op, StartOp)
        return op

    def enqueue_end(
        self,
        entry_id: str,
        at: datetime,
        page_id: str | None = None,
        by: str | None = None,
        *,
        user_id: str | None = None,
    ) -> EndOp:
        """Queue ending one entry at ``at``; committed to disk when this returns.

        ``page_id`` may be None (the start is itself pending): replay then finds the page by
        Entry ID. ``by``: who ended it, when not the owner (report and logs). ``user_id``: the
        entry's owner, so ``has_pending_for_user`` sees this end too.
        """
        payload = end_payload(entry_id, at, page_id, by)
        op = self._enqueue("end", entry_id or page_id or "", user_id, payload, dedupe=True)
        assert isinstance(op, EndOp)
        return op

    def enqueue_end_by_ref(
        self, ref: str, at: datetime, *, asked_by: str, can_manage: bool = False
    ) -> EndOp:
        """Queue ending the entry ``ref`` names (a page id, or an Entry ID) at ``at``, asked by
        ``asked_by`` while Notion could not be read to say whose it is: replay checks the owner
        (see ``EndOp``). Committed to disk when this returns; never merged with another end
        (someone else's end of the same ref may be dropped on replay).

        Its owner is taken to be ``asked_by``, whose later writes queue behind it; for a
        manager it is unknown (NULL), so everyone's do until it is replayed.
        """
        payload = end_payload("", at, ref, None, asked_by=asked_by, can_manage=can_manage)
        owner = None if can_manage else asked_by
        op = self._enqueue("end", ref, owner, payload, dedupe=False)
        assert isinstance(op, EndOp)
        return op

    def enqueue_end_running(
        self, user_id: str, at: datetime, by: str | None = None
    ) -> EndRunningOp:
        """Queue ending whatever timers of ``user_id`` run at ``at`` (started at or before it).

        For ``/end`` (and the stop before a ``/start``) when Notion could not be asked which
        timer runs. Committed to disk when this returns.
        """
        payload = end_running_payload(user_id, at, by)
        op = self._enqueue("end_running", "", user_id, payload, dedupe=False)
        assert isinstance(op, EndRunningOp)
        return op

    # -- reading --------------------------------------------------------------------------

    def pending(self) -> list[OutboxOp]:
        """Operations still to replay, oldest first."""
        return readable_ops(self._rows("SELECT * FROM ops WHERE state = 'pending' ORDER BY id"))

    def failed(self) -> list[OutboxOp]:
        """Operations Notion refused for good (kept, with the reason, until requeued)."""
        return readable_ops(self._rows("SELECT * FROM ops WHERE state = 'failed' ORDER BY id"))

    def failed_reasons(self) -> list[tuple[int, str]]:
        """``(op_id, "kind entry_id: reason")`` of every failed operation, readable or not."""
        rows = self._rows("SELECT * FROM ops WHERE state = 'failed' ORDER BY id")
        return [(r["id"], f"{r['kind']} {r['entry_id']}: {r['last_error'] or ''}") for r in rows]

    def __len__(self) -> int:
        rows = self._rows("SELECT COUNT(*) FROM ops WHERE state = 'pending'")
        return int(rows[0][0])

    def pending_ends(self) -> dict[str, datetime]:
        """End instant of every entry with a pending end, by Entry ID (else page id)."""
        ends: dict[str, datetime] = {}
        for op in self.pending():
            if isinstance(op, EndOp):
                ends.setdefault(op.entry_id or op.page_id or "", op.at)
        return ends

    def pending_view(self, user_id: str, known: Iterable[TimeEntry] = ()) -> list[TimeEntry]:
        """``user_id``'s entries as they will be once the queue is replayed, by start.

        ``known``: the user's entries read from Notion (e.g. ``store.find_running``), if Notion
        answered. Pending starts are added (``page_id`` None), pending ends and end-running
        operations applied in queue order; an End already set is kept.
        """
        return project(self.pending(), user_id, known)

    def pending_of(self, user_id: str) -> list[OutboxOp]:
        """Pending operations that can touch ``user_id``'s entries, oldest first: theirs, and
        any without an owner. Enough for ``project(ops, user_id, ...)``, without reading the
        whole queue (what a command reads while a long outage fills it)."""
        return readable_ops(
            self._rows(
                "SELECT * FROM ops WHERE state = 'pending' AND (user_id = ? OR user_id IS NULL)"
                " ORDER BY id",
                (user_id,),
            )
        )

    def pending_for_user(self, user_id: str) -> list[TimeEntry]:
        """Entries of ``user_id`` whose start is still pending, with pending ends applied."""
        return self.pending_view(user_id)

    def has_pending(self, entry_id: str) -> bool:
        """True if an operation on ``entry_id`` waits: new ones on it must queue behind it."""
        rows = self._rows(
            "SELECT 1 FROM ops WHERE entry_id = ? AND state = 'pending' LIMIT 1", (entry_id,)
        )
        return bool(rows)

    def has_pending_for_user(self, user_id: str) -> bool:
        """True if an operation that can touch ``user_id``'s entries waits (theirs, or one
        without an owner): that user's next writes must queue too, or they could overtake it
        (e.g. a direct start stopping a timer a queued end stops)."""
        rows = self._rows(
            "SELECT 1 FROM ops WHERE (user_id = ? OR user_id IS NULL) AND state = 'pending'"
            " LIMIT 1",
            (user_id,),
        )
        return bool(rows)

    # -- replaying ------------------------------------------------------------------------

    def _claim_is_live(self, row: sqlite3.Row, now: float) -> bool:
        if row["claimed_by"] is None or row["claimed_by"] == self.owner:
            return False
        if row["claim_expires"] is not None and row["claim_expires"] <= now:
            return False
        return not (row["claim_host"] == self._host and not _pid_alive(row["claim_pid"]))

    def claim_next(self) -> OutboxOp | None:
        """Claim the oldest pending operation for this Outbox object.

        None when the queue is empty, or when its head is claimed by another live replayer
        (which then owns the queue: claims are only ever granted on the head, so two replayers
        never run at once and order is kept). Release with ``mark_done``, ``mark_failed``,
        ``record_failure`` or ``release``.
        """
        now = self._clock()
        with self._write() as db:
            while True:
                row = db.execute(
                    "SELECT * FROM ops WHERE state = 'pending' ORDER BY id LIMIT 1"
                ).fetchone()
                if row is None or self._claim_is_live(row, now):
                    return None
                row = db.execute(
                    "UPDATE ops SET claimed_by = ?, claim_host = ?, claim_pid = ?,"
                    " claim_expires = ?, claims = claims + 1 WHERE id = ? RETURNING *",
                    (self.owner, self._host, os.getpid(), now + self._lease, row["id"]),
                ).fetchone()
                try:
                    return op_from_row(row)
                except (ValueError, KeyError, TypeError) as exc:
                    # A row nobody can read must not block the queue: set it aside, visibly.
                    reason = f"unreadable operation: {type(exc).__name__}: {exc}"
                    db.execute(
                        "UPDATE ops SET state = 'failed', last_error = ?, claimed_by = NULL"
                        " WHERE id = ?",
                        (reason[:_MAX_ERROR_CHARS], row["id"]),
                    )

    def claimed_elsewhere(self) -> bool:
        """True if another live replayer holds the head of the queue."""
        rows = self._rows("SELECT * FROM ops WHERE state = 'pending' ORDER BY id LIMIT 1")
        return bool(rows) and self._claim_is_live(rows[0], self._clock())

    def mark_done(self, op_id: int) -> None:
        """Notion has the operation: forget it."""
        with self._write() as db:
            db.execute("DELETE FROM ops WHERE id = ?", (op_id,))

    def record_failure(self, op_id: int, error: str) -> None:
        """A transient failure: the operation stays pending, at its place, and is released."""
        with self._write() as db:
            db.execute(
                "UPDATE ops SET failures = failures + 1, last_error = ?, claimed_by = NULL,"
                " claim_host = NULL, claim_pid = NULL, claim_expires = NULL WHERE id = ?",
                (error[:_MAX_ERROR_CHARS], op_id),
            )

    def mark_failed(self, op_id: int, error: str) -> None:
        """A permanent failure: set the operation aside (see ``failed``) so it stops blocking."""
        with self._write() as db:
            db.execute(
                "UPDATE ops SET state = 'failed', failures = failures + 1, last_error = ?,"
                " claimed_by = NULL, claim_host = NULL, claim_pid = NULL, claim_expires = NULL"
                " WHERE id = ?",
                (error[:_MAX_ERROR_CHARS], op_id),
            )

    def release(self, op_id: int) -> None:
        """Give a claimed operation back untouched (e.g. replay was cancelled)."""
        with self._write() as db:
            db.execute(
                "UPDATE ops SET claimed_by = NULL, claim_host = NULL, claim_pid = NULL,"
                " claim_expires = NULL WHERE id = ? AND claimed_by = ?",
                (op_id, self.owner),
            )

    def requeue_failed(self) -> int:
        """Put every failed operation back in the queue, at its original place."""
        with self._write() as db:
            cur = db.execute("UPDATE ops SET state = 'pending' WHERE state = 'failed'")
            return cur.rowcount
