"""What the tracker saves in the outbox when Notion can't take a start or an end now."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from timesheet.entries.duplicates import one_per_entry_id
from timesheet.entries.model import TimeEntry, same_id
from timesheet.tracking.ledger import Outbox
from timesheet.tracking.operations import EndOp, StartOp, project
from timesheet.tracking.results import EndQueued, EndResult, StartResult

__all__ = [
    "StartProgress",
    "latest_first",
    "pending_entry",
    "queue_end_by_ref",
    "queue_end_of",
    "queue_ends",
    "queue_start",
    "running_of",
]


@dataclass(slots=True)
class StartProgress:
    """How far a direct start got before Notion failed (what the queued fallback must add)."""

    running: list[TimeEntry] | None = None
    created: TimeEntry | None = None
    stopped: list[TimeEntry] = field(default_factory=list)


def running_of(entries: Sequence[TimeEntry]) -> list[TimeEntry]:
    return [e for e in entries if e.end is None]


def latest_first(ended: Sequence[TimeEntry]) -> tuple[TimeEntry, tuple[TimeEntry, ...]]:
    """The most recently started entry and the others, for a reply: the pages of a doubled
    start (one Entry ID) are one timer to the user, so they are listed once."""
    ordered = sorted(one_per_entry_id(ended), key=lambda e: e.start, reverse=True)
    return ordered[0], tuple(ordered[1:])


def queue_start(outbox: Outbox, entry: TimeEntry, progress: StartProgress) -> StartResult:
    """Save the start (and the stops it implies) in the outbox; committed on return."""
    user = entry.user_id
    created = entry if progress.created is None else progress.created
    if progress.running is None:
        # Notion was not asked what runs: stop whatever runs at this start. Nothing was
        # sent for the new entry, so its page can't exist when this op is replayed first.
        view = project(outbox.pending_of(user), user)
        to_stop = [e for e in running_of(view) if e.start <= entry.start]
        with outbox.batch():  # a crash can't keep the stop and lose the start
            outbox.enqueue_end_running(user, entry.start)
            outbox.enqueue_start(entry)
    else:
        # Notion said what runs, and the new page may exist (written, or an ambiguous
        # failure): end each old timer by its own op, never "whatever runs" (it too).
        # Pages are told apart by page id: both pages of a doubled start must stop.
        stopped_pages = {e.page_id for e in progress.stopped}
        others = [e for e in progress.running if e.entry_id != entry.entry_id]
        to_stop = [e for e in others if e.start <= entry.start and e.page_id not in stopped_pages]
        later = any(e.start > entry.start for e in others)
        with outbox.batch():
            _enqueue_ends(outbox, to_stop, entry.start, user)
            if progress.created is None or (later and created.end is None):
                outbox.enqueue_start(entry)  # replayed with replay=True: never doubled
    stopped = [*progress.stopped, *(e.ended(entry.start) for e in to_stop)]
    if not stopped:
        return StartResult(entry=created, queued=True)
    first, rest = latest_first(stopped)
    return StartResult(entry=created, stopped=first, also_stopped=rest, queued=True)


def queue_ends(outbox: Outbox, running: Sequence[TimeEntry], at: datetime, user_id: str) -> None:
    """Save an end of each of ``running`` at ``at`` (never before its start), together."""
    with outbox.batch():
        _enqueue_ends(outbox, running, at, user_id)


def _enqueue_ends(
    outbox: Outbox, entries: Sequence[TimeEntry], at: datetime, user_id: str
) -> None:
    """One end per Entry ID at ``at`` (or the latest start of its pages): by page id, or by
    Entry ID when several pages carry it (a doubled start). The outbox keeps one pending end
    per Entry ID, and replaying an end by Entry ID stops every running page that carries it."""
    groups: dict[str, list[TimeEntry]] = {}
    for e in entries:
        groups.setdefault(e.entry_id or e.page_id or "", []).append(e)
    for pages in groups.values():
        first = pages[0]
        end_at = max(at, *(e.start for e in pages))
        page_id = first.page_id if len(pages) == 1 else None
        outbox.enqueue_end(first.entry_id, end_at, page_id=page_id, user_id=user_id)


def queue_end_of(outbox: Outbox, entry: TimeEntry, at: datetime, caller: str) -> EndResult:
    """Save the end of ``entry`` by ``caller``; ``queued`` False when a queued end already
    stops it (nothing saved).

    Saved by Entry ID (replayed: every running page carrying it stops at ``at``, the twin of
    a doubled start Notion was not asked about included); by page id only for a page without
    one (made by hand in Notion)."""
    by_other = entry.user_id != caller
    if entry.end is not None:
        return EndResult(entry=entry, ended_by_other=by_other, already_ended=True)
    end_at = max(at, entry.start)
    outbox.enqueue_end(
        entry.entry_id,
        end_at,
        page_id=None if entry.entry_id else entry.page_id,
        user_id=entry.user_id,
        by=caller if by_other else None,
    )
    return EndResult(entry=entry.ended(end_at), ended_by_other=by_other, queued=True)


def queue_end_by_ref(
    outbox: Outbox, ref_id: str, at: datetime, caller: str, can_manage: bool
) -> EndQueued:
    """Save the end ``caller`` asked at ``at`` of the entry ``ref_id`` names, when Notion can't
    be read to say whose it is: replay checks the owner (see ``EndOp``). The answer to raise.

    An end of that ref ``caller`` already saved (a second click on Stop) is kept, as Notion
    keeps a first End: the answer gives its time and nothing more is saved."""
    saved = next(
        (
            op
            for op in outbox.pending_of(caller)
            if isinstance(op, EndOp)
            and (op.asked_by == caller or (op.asked_by is None and op.user_id == caller))
            and any(same_id(ref_id, named) for named in (op.page_id, op.entry_id) if named)
        ),
        None,
    )
    if saved is None:
        saved = outbox.enqueue_end_by_ref(ref_id, at, asked_by=caller, can_manage=can_manage)
    return EndQueued(caller, saved.at, ref=ref_id, can_manage=can_manage)


def pending_entry(outbox: Outbox, ref_id: str) -> TimeEntry | None:
    """The entry whose start is still queued under Entry ID ``ref_id``, as it will be."""
    if not outbox.has_pending(ref_id):
        return None
    ops = outbox.pending()
    owner = next(
        (o.user_id for o in ops if isinstance(o, StartOp) and same_id(o.entry_id, ref_id)),
        None,
    )
    if owner is None:
        return None
    view = project(ops, owner)
    return next((e for e in view if same_id(e.entry_id, ref_id)), None)
