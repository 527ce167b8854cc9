"""The import: which of a file's entries Notion already has (one query of the file's span),
then every missing entry as an operation in the ledger, recorded together and applied by the
engine like any other write, so an import cut short is finished by the next run, ``timetrack
sync`` or the user's next command, without writing anything twice.

Cost: 1 paginated query (plus 1 when the file holds a running timer), then 1 create per new
entry (an imported ``LogOp`` skips the overlaps query a ``/log`` makes).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from timesheet.entries.model import TimeEntry, compact_id
from timesheet.entries.store import EntryStore
from timesheet.tracking.edit_ops import import_lane
from timesheet.tracking.engine import Engine
from timesheet.tracking.ledger import Ledger
from timesheet.tracking.operations import LogOp, Operation, StartOp
from timesheet.tracking.writes import running_pages
from timesheet.transfer.convert import Converted, Planned
from timesheet.transfer.records import RowProblem

__all__ = ["ImportPlan", "ImportResult", "Progress", "plan_import", "run_import"]

#: Seconds an import waits for a lane another process is applying (the bot's replayer).
LANE_WAIT = 30.0
#: How often progress is read from the ledger while the engine applies.
PROGRESS_EVERY = 0.2

#: ``progress(done, total)``, called while the import is applied.
Progress = Callable[[int, int], None]


@dataclass(slots=True)
class ImportPlan:
    """What an import of a file would do.

    ``new``: entries to write; ``present``: entries Notion (or what the ledger wrote in the
    last minutes) already has; ``pending``: entries a cut-short import saved in the ledger,
    written when the import runs; ``refusal``: why nothing may be written (a user already has
    a running timer the file does not hold), one line.
    """

    new: list[Planned] = field(default_factory=list)
    present: list[Planned] = field(default_factory=list)
    pending: list[Planned] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    #: The other entries of the file's span that Notion has (for ``overlaps``).
    existing: list[TimeEntry] = field(default_factory=list)
    refusal: str | None = None
    #: The ledger's pending operations writing ``pending``.
    pending_ops: list[int] = field(default_factory=list)

    #: The lanes of the operations writing ``new`` and ``pending``.
    lanes: list[str] = field(default_factory=list)

    def overlaps(self) -> list[tuple[Planned, TimeEntry]]:
        """Each entry to import with an entry of the same user already there it overlaps."""
        return _overlapping([*self.pending, *self.new], self.existing)

    def operations(self) -> list[Operation]:
        """The ledger operations writing ``new``: ended entries first, then running timers
        (started at their own Start)."""
        ended: list[Operation] = [LogOp(p.entry, imported=True) for p in self.new if p.entry.end]
        running: list[Operation] = [StartOp(p.entry) for p in self.new if p.entry.end is None]
        return ended + running


@dataclass(slots=True)
class ImportResult:
    """What running an import did: counts for the summary, and the engine's report."""

    imported: int = 0
    started: list[TimeEntry] = field(default_factory=list)
    remaining: int = 0
    failed: list[str] = field(default_factory=list)
    stopped: str | None = None


def _span(entries: Iterable[TimeEntry]) -> tuple[datetime, datetime]:
    entries = list(entries)
    starts = [e.start.astimezone(UTC) for e in entries]
    ends = [(e.end or e.start).astimezone(UTC) for e in entries]
    return min(starts), max(max(ends), max(starts)) + timedelta(milliseconds=1)


def _in_ledger(ledger: Ledger, users: Iterable[str]) -> tuple[set[str], dict[str, int]]:
    """Entry IDs the ledger knows for ``users``: written recently (Notion's index may not
    list them yet), and in operations still pending."""
    written: set[str] = set()
    pending: dict[str, int] = {}
    for user in users:
        written.update(compact_id(x.entry.entry_id) for x in ledger.last_written(user))
        for rec in [*ledger.pending(user), *ledger.pending(import_lane(user))]:
            if isinstance(rec.op, LogOp | StartOp):
                pending[compact_id(rec.op.entry.entry_id)] = rec.op_id
    return written, pending


def _overlapping(new: list[Planned], existing: list[TimeEntry]) -> list[tuple[Planned, TimeEntry]]:
    by_user: dict[str, list[TimeEntry]] = {}
    for e in sorted(existing, key=lambda e: e.start):
        by_user.setdefault(e.user_id, []).append(e)
    far = datetime.max.replace(tzinfo=UTC)
    found: list[tuple[Planned, TimeEntry]] = []
    for p in new:
        start, end = p.entry.start.astimezone(UTC), (p.entry.end or far).astimezone(UTC)
        for e in by_user.get(p.entry.user_id, ()):
            if e.start.astimezone(UTC) >= end:
                break
            if (e.end or far).astimezone(UTC) > start:
                found.append((p, e))
    return found


async def plan_import(store: EntryStore, ledger: Ledger, converted: Converted) -> ImportPlan:
    """Sort the file's entries into new, present and pending: one paginated query of the
    file's span (of its user when it has one), and one of running timers per user whose
    file holds a running interval. Writes nothing."""
    plan = ImportPlan(problems=list(converted.problems))
    entries = converted.entries
    if not entries:
        return plan
    users = sorted({p.entry.user_id for p in entries})
    lo, hi = _span(p.entry for p in entries)
    existing = await store.list_overlapping(lo, hi, users[0] if len(users) == 1 else None)
    in_notion = {compact_id(e.entry_id) for e in existing}
    copies = {(compact_id(e.entry_id), e.start.astimezone(UTC)) for e in existing}
    written, pending = _in_ledger(ledger, users)
    ours = {compact_id(p.entry.entry_id) for p in entries}
    plan.existing = [e for e in existing if compact_id(e.entry_id) not in ours]
    #: Operations whose create landed before their process died: still pending, so their
    #: lane is applied too (the create finds its page), or they would wait for `sync`.
    landed: list[int] = []
    for p in entries:
        key = compact_id(p.entry.entry_id)
        copied = p.copy_of is not None and (compact_id(p.copy_of), p.entry.start) in copies
        if key in in_notion or key in written or copied:
            plan.present.append(p)
            if key in pending:
                landed.append(pending[key])
        elif key in pending:
            plan.pending.append(p)
            plan.pending_ops.append(pending[key])
        else:
            plan.new.append(p)
    ops = [*plan.pending_ops, *landed]
    pending_lanes = {r.lane for r in map(ledger.get, ops) if r is not None}
    plan.lanes = sorted(pending_lanes | {op.lane for op in plan.operations()})
    for p in plan.new:
        if p.entry.end is None:
            running = await running_pages(store, ledger, p.entry.user_id)
            other = next((e for e in running.pages if compact_id(e.entry_id) not in ours), None)
            if other is not None:
                plan.refusal = _refusal(p.entry.user_id, other)
                break
    return plan


def _refusal(user: str, running: TimeEntry) -> str:
    since = running.start.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    what = running.client or running.name
    return (
        f"user {user} already has a running timer ({what}, since {since}) and the file holds "
        "one too: stop it first (timetrack end); nothing was imported"
    )


async def run_import(
    plan: ImportPlan,
    engine: Engine,
    progress: Progress | None = None,
    *,
    lane_wait: float = LANE_WAIT,
) -> ImportResult:
    """Record ``plan``'s operations in the ledger (one transaction), then apply every lane
    they are in. Cancelled (Ctrl-C) between two writes: what is not written stays pending
    in the ledger, and running the import again (or ``timetrack sync``) finishes it."""
    ledger = engine.ledger
    if plan.refusal is not None:
        raise ValueError(plan.refusal)
    ops = plan.operations()
    op_ids = ledger.record(*ops) if ops else []
    lanes = plan.lanes
    total = sum(ledger.pending_count(lane) for lane in lanes)
    result = ImportResult()
    watcher = None
    if progress is not None:
        progress(0, total)
        watcher = asyncio.create_task(_watch(ledger, lanes, total, progress))
    try:
        for lane in lanes:
            report = await engine.drain(lane, wait=lane_wait)
            result.stopped = result.stopped or report.stopped
            result.failed += [line for line in report.lines if line.startswith("failed:")]
    finally:
        if watcher is not None:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
    mine = [*op_ids, *plan.pending_ops]
    for op_id in mine:
        rec = ledger.get(op_id)
        if rec is None or rec.state != "done":
            continue
        result.imported += 1
        if isinstance(rec.op, StartOp):
            result.started.append(rec.op.entry)
    result.remaining = sum(ledger.pending_count(lane) for lane in lanes)
    if progress is not None:
        progress(total - result.remaining, total)
    return result


async def _watch(ledger: Ledger, lanes: list[str], total: int, progress: Progress) -> None:
    while True:
        await asyncio.sleep(PROGRESS_EVERY)
        left = sum(ledger.pending_count(lane) for lane in lanes)
        progress(total - left, total)
