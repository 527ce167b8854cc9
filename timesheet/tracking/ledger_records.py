"""What the ledger holds, as values: an operation as recorded, a write it made, and what a
user's recent writes say."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any, Literal

from timesheet.entries.model import TimeEntry
from timesheet.tracking.operations import Operation, op_from_payload

__all__ = ["Effect", "EffectKind", "Recorded", "State", "Waiting", "Written", "waiting"]

State = Literal["pending", "done", "failed"]
EffectKind = Literal["created", "ended", "edited", "trashed"]


@dataclass(frozen=True, slots=True)
class Recorded:
    """An operation as the ledger holds it. ``result``: what applying it gave (done ops)."""

    op_id: int
    op: Operation
    state: State
    enqueued_at: float
    attempts: int = 0
    failures: int = 0
    last_error: str | None = None
    result: dict[str, Any] | None = None
    #: When an attempt last sent its page's create (None: never): a create whose answer was
    #: lost may have been applied, and the lagging index may not list the page for a while.
    create_sent: float | None = None

    @property
    def lane(self) -> str:
        return self.op.lane

    def describe(self) -> str:
        return self.op.describe()


@dataclass(frozen=True, slots=True)
class Effect:
    """One write an operation made to Notion: a page ``created``, or a page ``ended``."""

    op_id: int
    kind: EffectKind
    entry: TimeEntry


@dataclass(frozen=True, slots=True)
class Written:
    """What the ledger recently wrote to one user's pages: the pages it created that no
    operation ended since (as created), and the compact ids of the pages it ended."""

    running: list[TimeEntry]
    ended: frozenset[str]


@dataclass(frozen=True, slots=True)
class Waiting:
    """A pending or failed operation as ``timetrack outbox`` shows it: ``what`` is its
    description (or why it can't be read), ``lane`` the user whose operations it is among."""

    op_id: int
    lane: str
    state: State
    what: str
    enqueued_at: float
    attempts: int
    failures: int
    last_error: str | None
    #: A create was sent: its page may be in Notion even though the operation never finished.
    create_sent: bool


def waiting(row: sqlite3.Row) -> Waiting:
    """A row of the ``ops`` table as a `Waiting`."""
    try:
        what = op_from_payload(row["kind"], row["payload"]).describe()
    except (ValueError, KeyError, TypeError) as exc:
        what = f"{row['kind']} (unreadable: {type(exc).__name__})"
    return Waiting(
        op_id=row["id"],
        lane=row["lane"],
        state=row["state"],
        what=what,
        enqueued_at=row["enqueued_at"],
        attempts=row["attempts"],
        failures=row["failures"],
        last_error=row["last_error"],
        create_sent=row["create_sent"] is not None,
    )
