"""What the ledger holds, as values: an operation as recorded, a write it made, and what a
user's recent writes say."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from timesheet.entries.model import TimeEntry
from timesheet.tracking.operations import Operation

__all__ = ["Effect", "EffectKind", "Recorded", "State", "Written"]

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
