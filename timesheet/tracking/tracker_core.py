"""The tracker's core: its clock and checks, and the one way an operation goes in (record,
apply the user's lane, answer from the ledger)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from uuid import uuid4

from timesheet.entries.checks import (
    check_client,
    check_text,
    to_millis,
)
from timesheet.entries.errors import (
    InvalidInput,
)
from timesheet.entries.model import TimeEntry
from timesheet.entries.store import EntryStore
from timesheet.tracking.apply import classify
from timesheet.tracking.engine import DrainReport, Engine
from timesheet.tracking.ledger import Ledger, Recorded
from timesheet.tracking.operations import (
    Operation,
    StartOp,
    project,
)
from timesheet.tracking.writes import merge_effects

__all__ = ["DEFAULT_LANE_WAIT", "TrackerCore"]

#: Seconds a command waits for its user's operations held by another task or process.
DEFAULT_LANE_WAIT = 15.0


def _new_uuid() -> str:
    return str(uuid4())


class TrackerCore:
    """What every tracker command stands on (see `Tracker`)."""

    def __init__(
        self,
        store: EntryStore,
        *,
        ledger: Ledger,
        clock: Callable[[], datetime],
        presets: Sequence[str],
        presets_only: bool = False,
        new_id: Callable[[], str] = _new_uuid,
        lane_wait: float = DEFAULT_LANE_WAIT,
        on_pending: Callable[[], object] | None = None,
        engine: Engine | None = None,
    ) -> None:
        self.store = store
        self.ledger = ledger
        self.engine = engine if engine is not None else Engine(store, ledger)
        self._clock = clock
        self.presets: tuple[str, ...] = tuple(presets)
        self.presets_only = presets_only
        self._new_id = new_id
        self.lane_wait = lane_wait
        self.on_pending = on_pending

    def now(self) -> datetime:
        """The bot's clock, to the millisecond (what Notion filters compare)."""
        return to_millis(self._clock())

    def plan_start(
        self,
        user_id: str,
        client: str | None,
        *,
        name: str | None = None,
        note: str | None = "",
        at: datetime | None = None,
    ) -> TimeEntry:
        """The validated entry a start would write (no Notion request). ``name=None``: preset."""
        at = self.now() if at is None else to_millis(at)
        user = user_id.strip()
        if not user:
            raise InvalidInput("user id", "is empty")
        title = None if name is None else check_text("name", name)
        client_name = check_client(
            client, self.presets, presets_only=self.presets_only, custom=title is not None
        )
        note_text = "" if not note else check_text("note", note)
        return TimeEntry(
            entry_id=self._new_id(),
            user_id=user,
            client=client_name,
            name=title if title is not None else client_name,
            start=at,
            note=note_text,
        )

    # -- the one way in -------------------------------------------------------------------

    async def _submit(self, op: Operation) -> Recorded:
        """Record ``op``, apply its lane, and return it as the ledger now holds it: done (with
        its result) or still pending. An error Notion answered the op itself with, or the
        lane before it with when that is no outage, is raised once the op is withdrawn
        (nothing of it was written)."""
        (op_id,) = self.ledger.record(op)
        report = await self.engine.drain(op.lane, wait=self.lane_wait)
        rec = self.ledger.get(op_id)
        assert rec is not None
        if rec.state == "done":
            return rec
        error = report.errors.get(op_id) or _blocking(report)
        if error is not None and classify(error) != "retry":
            if not self.ledger.effects_of_op(op_id):
                self.ledger.cancel(op_id)
            raise error
        if self.on_pending is not None:
            self.on_pending()
        return rec

    def _local_running(self, user_id: str, before: int | None = None) -> list[TimeEntry]:
        """What the ledger alone knows runs for ``user_id`` (Notion unread): pages it wrote,
        then its pending operations (those before op ``before``) applied."""
        known = merge_effects((), self.ledger.written(user_id))
        ops = [r.op for r in self.ledger.pending(user_id) if before is None or r.op_id < before]
        return [e for e in project(ops, user_id, known) if e.end is None]

    def _local_entry(self, ref_id: str) -> TimeEntry | None:
        """The entry ``ref_id`` names if the ledger knows it, as it will be once its owner's
        pending operations are applied: a start still pending, or a page a recent operation
        created (with the End an operation wrote to it since)."""
        pending = self.ledger.pending_start(ref_id)
        if pending is not None and isinstance(pending.op, StartOp):
            start = pending.op
            view = project([r.op for r in self.ledger.pending(start.lane)], start.lane)
            return next((e for e in view if e.entry_id == start.entry.entry_id), start.entry)
        created = self.ledger.created(ref_id)
        if created is None or created.page_id is None:
            return created
        written = [x.entry for x in self.ledger.effects_of_page(created.page_id)]
        known = written[-1] if written else created
        ops = [r.op for r in self.ledger.pending(created.user_id)]
        view = project(ops, created.user_id, [known])
        return next((e for e in view if e.page_id == known.page_id), known)


def _blocking(report: DrainReport) -> Exception | None:
    """The error that stopped a lane before reaching the command's own op, if any."""
    return list(report.errors.values())[-1] if report.errors else None
