"""The local ledger (SQLite, WAL, in DATA_DIR): every operation a command plans, what applying
it wrote to Notion, and which process applies a user's operations now."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from timesheet.entries.model import TimeEntry, compact_id
from timesheet.tracking.ledger_file import LedgerFile
from timesheet.tracking.ledger_records import (
    Effect,
    EffectKind,
    Recorded,
    Waiting,
    Written,
    waiting,
)
from timesheet.tracking.operations import (
    Operation,
    entry_from_json,
    entry_to_json,
    op_from_payload,
    op_payload,
)

__all__ = [
    "LEDGER_FILENAME",
    "Effect",
    "EffectKind",
    "Ledger",
    "Recorded",
    "Waiting",
    "Written",
]

#: The ledger's file in DATA_DIR (the name the outbox it replaces had: upgraded in place).
LEDGER_FILENAME: Final = "outbox.sqlite3"
_MAX_ERROR_CHARS: Final = 500
#: Seconds between two prunings of done operations (at a ``record``).
_PRUNE_EVERY: Final = 60.0

#: Effects that still matter: recent ones, and those of operations not yet done.
_RECENT: Final = "(at >= ? OR op_id IN (SELECT id FROM ops WHERE state = 'pending'))"


class Ledger(LedgerFile):
    """Operations in the order they were planned, shared by every process using ``path``.

    Every ``record`` is committed (WAL, ``synchronous=FULL``) before it returns. A user's
    operations (their *lane*) are applied by one process at a time: the one holding the lane's
    lease (a row taken with ``BEGIN IMMEDIATE``); a lease whose process died (same host, pid
    gone) or expired is taken over. Done operations and their effects are kept ``keep_seconds``
    so that reads merge what Notion's lagging query index does not show yet.

    Methods are synchronous (local SQLite, sub-millisecond reads, one fsync per commit) and
    thread-safe.
    """

    @classmethod
    def in_dir(cls, data_dir: str | os.PathLike[str], **kwargs: Any) -> Ledger:
        """The ledger of a data directory: ``DATA_DIR/outbox.sqlite3``."""
        return cls(Path(data_dir) / LEDGER_FILENAME, **kwargs)

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- operations -----------------------------------------------------------------------

    def record(self, *ops: Operation) -> list[int]:
        """Append ``ops`` (all or none) and return their ids; on disk when this returns."""
        now = self._clock()
        with self._lock:
            self._db.execute("PRAGMA synchronous=FULL")
            try:
                with self._write() as db:
                    if now - self._pruned_at >= _PRUNE_EVERY:
                        self._prune(db, now)
                        self._pruned_at = now
                    return [
                        int(
                            db.execute(
                                "INSERT INTO ops (kind, lane, payload, enqueued_at)"
                                " VALUES (?, ?, ?, ?) RETURNING id",
                                (op.kind, op.lane, op_payload(op), now),
                            ).fetchone()[0]
                        )
                        for op in ops
                    ]
            finally:
                self._db.execute("PRAGMA synchronous=NORMAL")

    def _recorded(self, row: sqlite3.Row) -> Recorded:
        result = row["result"]
        return Recorded(
            op_id=row["id"],
            op=op_from_payload(row["kind"], row["payload"]),
            state=row["state"],
            enqueued_at=row["enqueued_at"],
            attempts=row["attempts"],
            failures=row["failures"],
            last_error=row["last_error"],
            result=json.loads(result) if result else None,
            create_sent=row["create_sent"],
        )

    def _readable(self, rows: Sequence[sqlite3.Row]) -> list[Recorded]:
        found: list[Recorded] = []
        for row in rows:
            try:
                found.append(self._recorded(row))
            except (ValueError, KeyError, TypeError) as exc:
                # A row nobody can read must not block its lane: set it aside, visibly.
                self.mark_failed(row["id"], f"unreadable operation: {type(exc).__name__}: {exc}")
        return found

    def get(self, op_id: int) -> Recorded | None:
        rows = self._rows("SELECT * FROM ops WHERE id = ?", (op_id,))
        found = self._readable(rows)
        return found[0] if found else None

    def pending(self, lane: str | None = None) -> list[Recorded]:
        """Operations still to apply, oldest first (of one lane, or all)."""
        if lane is None:
            rows = self._rows("SELECT * FROM ops WHERE state = 'pending' ORDER BY id")
        else:
            rows = self._rows(
                "SELECT * FROM ops WHERE state = 'pending' AND lane = ? ORDER BY id", (lane,)
            )
        return self._readable(rows)

    def next_pending(self, lane: str) -> Recorded | None:
        """The oldest pending operation of ``lane``."""
        rows = self._rows(
            "SELECT * FROM ops WHERE state = 'pending' AND lane = ? ORDER BY id LIMIT 1", (lane,)
        )
        found = self._readable(rows)
        return found[0] if found else (self.next_pending(lane) if rows else None)

    def pending_count(self, lane: str) -> int:
        rows = self._rows("SELECT COUNT(*) FROM ops WHERE state = 'pending' AND lane = ?", (lane,))
        return int(rows[0][0])

    def pending_lanes(self) -> list[str]:
        """Lanes with operations to apply, the one waiting longest first."""
        rows = self._rows(
            "SELECT lane FROM ops WHERE state = 'pending' GROUP BY lane ORDER BY MIN(id)"
        )
        return [r[0] for r in rows]

    def failed(self) -> list[Recorded]:
        """Operations Notion refused for good (kept, with the reason, until requeued)."""
        return self._readable(self._rows("SELECT * FROM ops WHERE state = 'failed' ORDER BY id"))

    def failed_reasons(self) -> list[tuple[int, str]]:
        """``(op_id, "kind lane: reason")`` of every failed operation, readable or not."""
        rows = self._rows("SELECT * FROM ops WHERE state = 'failed' ORDER BY id")
        return [(r["id"], f"{r['kind']} {r['lane']}: {r['last_error'] or ''}") for r in rows]

    def __len__(self) -> int:
        return int(self._rows("SELECT COUNT(*) FROM ops WHERE state = 'pending'")[0][0])

    def claim(self, lane: str, op_id: int) -> int | None:
        """Renew ``lane``'s lease and count an attempt at ``op_id``, together: the number of
        attempts so far, or None when the lease was lost (another process took it over after
        it expired) and the lane is no longer ours to apply."""
        with self._write() as db:
            if not self._take_lease(db, lane):
                return None
            attempts = db.execute(
                "UPDATE ops SET attempts = attempts + 1 WHERE id = ? RETURNING attempts", (op_id,)
            ).fetchone()
        return int(attempts[0]) if attempts is not None else 0

    def mark_create_sent(self, op_id: int, *, now: bool = True) -> None:
        """Note that ``op_id``'s create is being sent now (see ``Recorded.create_sent``), or
        (``now=False``) that the create Notion refused left nothing to look for."""
        at = self._clock() if now else None
        with self._write() as db:
            db.execute("UPDATE ops SET create_sent = ? WHERE id = ?", (at, op_id))

    def begin_attempt(self, op_id: int) -> int:
        """Count an attempt at applying ``op_id``; the number of attempts so far."""
        with self._write() as db:
            row = db.execute(
                "UPDATE ops SET attempts = attempts + 1 WHERE id = ? RETURNING attempts", (op_id,)
            ).fetchone()
        return int(row[0]) if row is not None else 0

    def mark_done(self, op_id: int, result: dict[str, Any]) -> None:
        """Notion has the operation: keep what it gave for a while, for reads and replies."""
        with self._write() as db:
            db.execute(
                "UPDATE ops SET state = 'done', done_at = ?, result = ?, last_error = NULL"
                " WHERE id = ?",
                (self._clock(), json.dumps(result), op_id),
            )

    def record_failure(self, op_id: int, error: str) -> None:
        """A transient failure: the operation stays pending, at its place."""
        with self._write() as db:
            db.execute(
                "UPDATE ops SET failures = failures + 1, last_error = ? WHERE id = ?",
                (error[:_MAX_ERROR_CHARS], op_id),
            )

    def mark_failed(self, op_id: int, error: str) -> None:
        """A permanent failure: set the operation aside (see ``failed``) so it stops blocking."""
        with self._write() as db:
            db.execute(
                "UPDATE ops SET state = 'failed', failures = failures + 1, last_error = ?"
                " WHERE id = ?",
                (error[:_MAX_ERROR_CHARS], op_id),
            )

    def cancel(self, op_id: int) -> None:
        """Forget an operation nothing was written for (its command was refused)."""
        with self._write() as db:
            db.execute("DELETE FROM ops WHERE id = ? AND state != 'done'", (op_id,))
            db.execute("DELETE FROM effects WHERE op_id = ?", (op_id,))

    def requeue_failed(self, op_id: int | None = None) -> int:
        """Put every failed operation (or only ``op_id``) back in its lane, at its original
        place; how many were."""
        with self._write() as db:
            if op_id is None:
                sql = "UPDATE ops SET state = 'pending' WHERE state = 'failed'"
                return db.execute(sql).rowcount
            sql = "UPDATE ops SET state = 'pending' WHERE state = 'failed' AND id = ?"
            return db.execute(sql, (op_id,)).rowcount

    def outbox(self) -> list[Waiting]:
        """Pending and failed operations, oldest first, readable or not (read only)."""
        rows = self._rows("SELECT * FROM ops WHERE state != 'done' ORDER BY id")
        return [waiting(row) for row in rows]

    def drop(self, op_id: int) -> Waiting | None:
        """Remove a pending or failed operation and its effects, unless another live process
        is applying its lane; what was removed (None: no such operation, or busy)."""
        with self._write() as db:
            row = db.execute(
                "SELECT * FROM ops WHERE id = ? AND state != 'done'", (op_id,)
            ).fetchone()
            if row is None or (row["state"] == "pending" and self.leased_elsewhere(row["lane"])):
                return None
            db.execute("DELETE FROM ops WHERE id = ?", (op_id,))
            db.execute("DELETE FROM effects WHERE op_id = ?", (op_id,))
        return waiting(row)

    def _prune(self, db: sqlite3.Connection, now: float) -> None:
        old = now - self._keep
        db.execute("DELETE FROM ops WHERE state = 'done' AND done_at < ?", (old,))
        db.execute(
            "DELETE FROM effects WHERE at < ? AND op_id NOT IN"
            " (SELECT id FROM ops WHERE state = 'pending')",
            (old,),
        )

    # -- effects: what was written, for reads Notion's index may not answer yet ------------

    def add_effect(self, op_id: int, kind: EffectKind, entry: TimeEntry) -> None:
        """Record a write ``op_id`` made (committed before the next write is sent)."""
        if entry.page_id is None:
            raise ValueError("an effect names a Notion page")
        with self._write() as db:
            db.execute(
                "INSERT INTO effects (op_id, user_id, kind, page_id, entry_id, entry, at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    op_id,
                    entry.user_id,
                    kind,
                    entry.page_id,
                    entry.entry_id,
                    json.dumps(entry_to_json(entry)),
                    self._clock(),
                ),
            )

    def _effects(self, rows: Sequence[sqlite3.Row]) -> list[Effect]:
        return [
            Effect(r["op_id"], r["kind"], entry_from_json(json.loads(r["entry"]))) for r in rows
        ]

    def effects_of_op(self, op_id: int) -> list[Effect]:
        return self._effects(
            self._rows("SELECT * FROM effects WHERE op_id = ? ORDER BY id", (op_id,))
        )

    def last_written(self, user_id: str) -> list[Effect]:
        """Recent writes to ``user_id``'s pages, each page as last written (oldest first)."""
        old = self._clock() - self._keep
        rows = self._rows(
            f"SELECT * FROM effects WHERE id IN (SELECT MAX(id) FROM effects"
            f" WHERE user_id = ? AND {_RECENT} GROUP BY replace(lower(page_id), '-', ''))"
            " ORDER BY id",
            (user_id, old),
        )
        return self._effects(rows)

    def written(self, user_id: str) -> Written:
        """What recent operations wrote to ``user_id``'s pages, each page as last written:
        running if it was created or edited without an End, else ended (or trashed)."""
        running: list[TimeEntry] = []
        ended: set[str] = set()
        for effect in self.last_written(user_id):
            entry = effect.entry
            if effect.kind in ("created", "edited") and entry.end is None:
                running.append(entry)
            else:
                ended.add(compact_id(entry.page_id or ""))
        return Written(running, frozenset(ended))

    def effects_of_page(self, page_id: str) -> list[Effect]:
        """Recent writes to one page, oldest first."""
        old = self._clock() - self._keep
        rows = self._rows(
            f"SELECT * FROM effects WHERE replace(lower(page_id), '-', '') = ? AND {_RECENT}"
            " ORDER BY id",
            (compact_id(page_id), old),
        )
        return self._effects(rows)

    def pending_start(self, entry_id: str) -> Recorded | None:
        """The pending start of the entry with this Entry ID, if any."""
        rows = self._rows(
            "SELECT * FROM ops WHERE state = 'pending' AND kind = 'start'"
            " AND replace(lower(json_extract(payload, '$.entry_id')), '-', '') = ?"
            " ORDER BY id LIMIT 1",
            (compact_id(entry_id),),
        )
        found = self._readable(rows)
        return found[0] if found else None

    def unowned_stops_before(self, lane: str) -> list[str]:
        """Other lanes holding a pending stop by ref whose owner was unknown when it was
        saved, recorded before ``lane``'s oldest pending operation."""
        rows = self._rows(
            "SELECT DISTINCT lane FROM ops WHERE state = 'pending' AND kind = 'end'"
            " AND json_extract(payload, '$.owner') IS NULL AND lane != ?"
            " AND id < (SELECT MIN(id) FROM ops WHERE state = 'pending' AND lane = ?)"
            " ORDER BY lane",
            (lane, lane),
        )
        return [r[0] for r in rows]

    def created(self, ref: str) -> TimeEntry | None:
        """The page a recent operation created for ``ref`` (its page id or Entry ID)."""
        compact = compact_id(ref)
        rows = self._rows(
            "SELECT * FROM effects WHERE kind = 'created' AND"
            " (replace(lower(page_id), '-', '') = ? OR replace(lower(entry_id), '-', '') = ?)"
            " ORDER BY id LIMIT 1",
            (compact, compact),
        )
        found = self._effects(rows)
        return found[0].entry if found else None
