"""The ledger's file: one SQLite connection (WAL), its transactions, the lane leases that let
one process at a time apply a user's operations, and small cached facts (meta)."""

from __future__ import annotations

import os
import socket
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from timesheet.tracking.ledger_schema import migrate

__all__ = ["LedgerFile"]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


class LedgerFile:
    """The connection and what is not an operation: leases and meta (see `Ledger`)."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        lease_seconds: float = 60.0,
        keep_seconds: float = 600.0,
        busy_timeout: float = 10.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.owner = uuid.uuid4().hex
        self._lease = lease_seconds
        self._keep = keep_seconds
        self._clock = clock
        self._host = socket.gethostname()
        self._lock = threading.RLock()
        self._db = sqlite3.connect(
            self.path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
        )
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        # WAL with NORMAL survives a killed process; ``record`` syncs in full (FULL) so an
        # operation survives a power cut too before anything of it is sent.
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._pruned_at = float("-inf")
        with self._write() as db:
            migrate(db, clock=self._clock)

    @property
    def schema_version(self) -> int:
        return int(self._rows("PRAGMA user_version")[0][0])

    # -- plumbing -------------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taking SQLite's write lock up front (BEGIN IMMEDIATE)."""
        with self._lock:
            if self._db.in_transaction:
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

    def now(self) -> float:
        """The ledger's clock (seconds, as ``time.time``)."""
        return self._clock()

    # -- lanes: one process applies a user's operations at a time -------------------------

    def try_lease(self, lane: str) -> bool:
        """Take (or renew) ``lane``'s lease for this Ledger object; False if another live
        process holds it."""
        with self._write() as db:
            return self._take_lease(db, lane)

    def _take_lease(self, db: sqlite3.Connection, lane: str) -> bool:
        now = self._clock()
        row = db.execute("SELECT * FROM leases WHERE lane = ?", (lane,)).fetchone()
        if row is not None and row["owner"] != self.owner and self._is_live(row, now):
            return False
        db.execute(
            "INSERT OR REPLACE INTO leases (lane, owner, host, pid, expires)"
            " VALUES (?, ?, ?, ?, ?)",
            (lane, self.owner, self._host, os.getpid(), now + self._lease),
        )
        return True

    def _is_live(self, row: sqlite3.Row, now: float) -> bool:
        if row["expires"] <= now:
            return False
        return not (row["host"] == self._host and not _pid_alive(row["pid"]))

    def release_lease(self, lane: str) -> None:
        with self._write() as db:
            db.execute("DELETE FROM leases WHERE lane = ? AND owner = ?", (lane, self.owner))

    def leased_elsewhere(self, lane: str) -> bool:
        rows = self._rows("SELECT * FROM leases WHERE lane = ?", (lane,))
        return (
            bool(rows) and rows[0]["owner"] != self.owner and self._is_live(rows[0], self._clock())
        )

    # -- small cached facts (the data source id) ------------------------------------------

    def get_meta(self, key: str) -> str | None:
        rows = self._rows("SELECT value FROM meta WHERE key = ?", (key,))
        return str(rows[0][0]) if rows else None

    def set_meta(self, key: str, value: str | None) -> None:
        with self._write() as db:
            if value is None:
                db.execute("DELETE FROM meta WHERE key = ?", (key,))
            else:
                db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))
