"""The ledger's SQLite schema, its version, and the upgrade of an older DATA_DIR in place."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import datetime
from typing import Any, Final

from timesheet.tracking.operations import (
    EndOp,
    EndRunningOp,
    Operation,
    StartOp,
    entry_from_json,
    op_payload,
)

__all__ = ["SCHEMA_VERSION", "migrate"]

#: 1: the outbox (pending/failed start, end, end_running); 2: the ledger (lanes, results,
#: effects, leases, meta); 3: reminders (forgotten-timer DMs marked before they are sent).
SCHEMA_VERSION: Final = 3

_SCHEMA: Final = """
CREATE TABLE ops (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT    NOT NULL,
    lane        TEXT    NOT NULL,
    payload     TEXT    NOT NULL,
    state       TEXT    NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'done', 'failed')),
    enqueued_at REAL    NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    create_sent REAL,
    failures    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    done_at     REAL,
    result      TEXT
);
CREATE INDEX ops_lane ON ops (lane, state, id);
CREATE INDEX ops_state ON ops (state, id);
CREATE TABLE effects (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    op_id    INTEGER NOT NULL,
    user_id  TEXT    NOT NULL,
    kind     TEXT    NOT NULL CHECK (kind IN ('created', 'ended', 'edited', 'trashed')),
    page_id  TEXT    NOT NULL,
    entry_id TEXT    NOT NULL,
    entry    TEXT    NOT NULL,
    at       REAL    NOT NULL
);
CREATE INDEX effects_user ON effects (user_id, id);
CREATE INDEX effects_op ON effects (op_id);
CREATE TABLE leases (
    lane    TEXT PRIMARY KEY,
    owner   TEXT NOT NULL,
    host    TEXT NOT NULL,
    pid     INTEGER NOT NULL,
    expires REAL NOT NULL
);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

#: Version 3: one row per reminder of a running timer (``entry_key``: its compact Entry ID, or
#: page id when it has none) and threshold (1 for the first, one more after each Keep going),
#: inserted before the DM is sent (see ``timesheet.tracking.ledger_reminders``).
_REMINDERS: Final = """
CREATE TABLE reminders (
    entry_key  TEXT    NOT NULL,
    threshold  INTEGER NOT NULL,
    user_id    TEXT    NOT NULL,
    state      TEXT    NOT NULL
               CHECK (state IN ('sending', 'sent', 'retry', 'undeliverable', 'failed')),
    marked_at  REAL    NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 1,
    kept_at    REAL,
    last_error TEXT,
    PRIMARY KEY (entry_key, threshold)
);
CREATE INDEX reminders_marked ON reminders (marked_at);
"""


def _statements(script: str) -> list[str]:
    return [s for s in script.split(";") if s.strip()]


def _v1_op(kind: str, data: dict[str, Any], user_id: str | None) -> Operation:
    """An operation of the version-1 outbox in today's terms."""
    if kind == "start":
        return StartOp(entry_from_json(data))
    at = datetime.fromisoformat(data["at"])
    if kind == "end_running":
        return EndRunningOp(data["user_id"], at)
    if kind != "end":
        raise ValueError(f"unknown operation kind {kind!r}")
    ref = data.get("page_id") or data["entry_id"]
    if data.get("asked_by") is not None:  # saved by ref, its owner unchecked
        return EndOp(ref, at, data["asked_by"], bool(data.get("can_manage", False)))
    # Its owner was checked when it was saved: whoever it names may be stopped.
    ref = data["entry_id"] or ref
    asker = data.get("ended_by") or user_id or ""
    manager = data.get("ended_by") is not None or user_id is None
    return EndOp(ref, at, asker, can_manage=manager, owner=user_id)


def _upgrade_v1(db: sqlite3.Connection) -> None:
    db.execute("ALTER TABLE ops RENAME TO ops_v1")
    for index in ("ops_state_id", "ops_entry", "ops_user"):
        db.execute(f"DROP INDEX IF EXISTS {index}")
    for statement in _statements(_SCHEMA):
        db.execute(statement)
    for row in db.execute("SELECT * FROM ops_v1 ORDER BY id").fetchall():
        state, error = row["state"], row["last_error"]
        try:
            op = _v1_op(row["kind"], json.loads(row["payload"]), row["user_id"])
            kind, lane, payload = op.kind, op.lane, op_payload(op)
        except (ValueError, KeyError, TypeError) as exc:
            kind, lane, payload = row["kind"], row["user_id"] or "", row["payload"]
            state, error = "failed", f"unreadable operation: {type(exc).__name__}: {exc}"
        db.execute(
            "INSERT INTO ops (id, kind, lane, payload, state, enqueued_at, attempts, failures,"
            " last_error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                row["id"],
                kind,
                lane,
                payload,
                state,
                row["enqueued_at"],
                row["claims"],
                row["failures"],
                error,
            ),
        )
    db.execute("DROP TABLE ops_v1")


def migrate(db: sqlite3.Connection, *, clock: Callable[[], float]) -> None:
    """Bring the ledger in ``db`` (inside a write transaction) to ``SCHEMA_VERSION``.

    An empty file gets the schema; a version-1 outbox is converted with its pending and
    failed operations intact, in their order; a version-2 ledger gets the reminders table.
    A newer version is refused.
    """
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    if version == SCHEMA_VERSION:
        return
    if version > SCHEMA_VERSION:
        raise RuntimeError(
            f"the ledger was written by a newer timetrack (schema {version}); upgrade timetrack"
        )
    if version == 1:
        _upgrade_v1(db)
    elif version == 0:
        for statement in _statements(_SCHEMA):
            db.execute(statement)
    for statement in _statements(_REMINDERS):  # versions 0, 1 and 2 have none
        db.execute(statement)
    db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
