"""Appliers of the operations that fix time after the fact: log, edit, delete, pause, resume."""

from __future__ import annotations

from typing import Any

from notion_client import (
    ObjectNotFoundError,
)
from timesheet.entries.errors import EntryNotFound
from timesheet.entries.model import TimeEntry
from timesheet.entries.store import EntryStore
from timesheet.entries.store_errors import NotAnEntryError
from timesheet.tracking.ledger import EffectKind, Ledger, Recorded
from timesheet.tracking.operations import (
    DeleteOp,
    EditOp,
    LogOp,
    PauseOp,
    ResumeOp,
    StartOp,
    edited,
    entry_to_json,
)
from timesheet.tracking.writes import (
    before_start,
    create_once,
    entries_json,
    locate,
    page_key,
    paused_entry,
    running_pages,
    start_writes,
)

__all__ = [
    "apply_delete",
    "apply_edit",
    "apply_log",
    "apply_pause",
    "apply_resume",
]


async def apply_log(rec: Recorded, op: LogOp, store: EntryStore, ledger: Ledger) -> dict[str, Any]:
    prior = next((x.entry for x in ledger.effects_of_op(rec.op_id) if x.kind == "created"), None)
    created = prior or await create_once(rec, op.entry, store, ledger)
    if op.imported:  # the import read the file's whole span once, up front
        return {"entry": entry_to_json(created), "overlaps": []}
    return {"entry": entry_to_json(created), **await _overlaps(store, created)}


async def _overlaps(store: EntryStore, entry: TimeEntry) -> dict[str, Any]:
    """The owner's other entries overlapping ``entry``: one query."""
    end = entry.end or entry.start
    found = await store.list_overlapping(entry.start, max(end, entry.start), entry.user_id)
    others = [
        e
        for e in found
        if page_key(e) != page_key(entry) and (e.end is None or e.end > entry.start)
    ]
    return {"overlaps": entries_json(e for e in others if e.start < end or entry.end is None)}


async def _owned(
    op: EditOp | DeleteOp, store: EntryStore, ledger: Ledger
) -> TimeEntry | dict[str, Any]:
    """The entry ``op`` names, read fresh, or the refusal to give."""
    try:
        entry, _ = await locate(store, ledger, op.ref)
    except EntryNotFound as exc:
        return {"refused": "not_found", "ref": op.ref, "reason": exc.reason}
    if not op.may_change(entry.user_id):
        return {"refused": "not_yours", "entry": entry_to_json(entry)}
    return entry


async def apply_edit(
    rec: Recorded, op: EditOp, store: EntryStore, ledger: Ledger
) -> dict[str, Any]:
    prior = next((x.entry for x in ledger.effects_of_op(rec.op_id)), None)
    entry = await _owned(op, store, ledger)
    if isinstance(entry, dict):
        return entry
    by_other = entry.user_id != op.asked_by
    if prior is not None:  # written by an attempt cut short
        return {
            "entry": entry_to_json(entry),
            "by_other": by_other,
            **await _overlaps(store, entry),
        }
    new = edited(entry, op.changes)
    if new is None:
        return {"refused": "end_not_after_start", "entry": entry_to_json(entry)}
    assert entry.page_id is not None
    written = await store.update(entry.page_id, new)
    kind: EffectKind = "ended" if entry.end is None and written.end is not None else "edited"
    ledger.add_effect(rec.op_id, kind, written)
    result = {"entry": entry_to_json(written), "before": entry_to_json(entry), "by_other": by_other}
    return result | await _overlaps(store, written)


async def apply_delete(
    rec: Recorded, op: DeleteOp, store: EntryStore, ledger: Ledger
) -> dict[str, Any]:
    prior = next((x.entry for x in ledger.effects_of_op(rec.op_id)), None)
    if prior is not None:
        return {"entry": entry_to_json(prior), "by_other": prior.user_id != op.asked_by}
    entry = await _owned(op, store, ledger)
    if isinstance(entry, dict):
        return entry
    assert entry.page_id is not None
    trashed = await store.trash(entry.page_id)
    ledger.add_effect(rec.op_id, "trashed", trashed)
    return {"entry": entry_to_json(trashed), "by_other": entry.user_id != op.asked_by}


async def apply_pause(
    rec: Recorded, op: PauseOp, store: EntryStore, ledger: Ledger
) -> dict[str, Any]:
    ended = [x.entry for x in ledger.effects_of_op(rec.op_id) if x.kind == "ended"]
    running = await running_pages(store, ledger, op.user_id)
    early = before_start(op.at, running.pages)
    if early is not None and not ended:
        return early
    for page in running.pages:
        try:
            stopped = await store.end(page, op.at, fresh=running.fresh(page), paused=True)
        except (NotAnEntryError, ObjectNotFoundError):
            if running.fresh(page):
                raise
            continue
        ledger.add_effect(rec.op_id, "ended", stopped)
        ended.append(stopped)
    if not ended:
        return {"refused": "nothing_running"}
    return {"ended": entries_json(ended)}


async def _resumable(store: EntryStore, ledger: Ledger, user_id: str) -> TimeEntry | None:
    """The user's paused entry, else their latest ended one: as Notion lists them, or as the
    ledger wrote them when that is later (the lagging index may not list a fresh pause)."""
    written = [x.entry for x in ledger.last_written(user_id) if x.kind != "trashed" and x.entry.end]

    def latest(found: TimeEntry | None, mine: list[TimeEntry]) -> TimeEntry | None:
        both = [e for e in (found, *mine) if e is not None and e.end is not None]
        return max(both, key=lambda e: e.end or e.start, default=None)

    paused = latest(await paused_entry(store, user_id), [e for e in written if e.paused])
    if paused is not None:
        return paused
    return latest(await store.latest_ended(user_id), written)


async def apply_resume(
    rec: Recorded, op: ResumeOp, store: EntryStore, ledger: Ledger
) -> dict[str, Any]:
    prior = ledger.effects_of_op(rec.op_id)
    source = next((x.entry for x in prior if x.kind == "edited"), None)
    prior_edit = source is not None
    if source is None:
        source = await _resumable(store, ledger, op.user_id)
    if source is None:
        return {"refused": "nothing_to_resume"}
    new = TimeEntry(
        entry_id=op.entry_id,
        user_id=op.user_id,
        client=source.client,
        name=source.name,
        start=op.at,
        note=source.note,
    )
    started = await start_writes(rec, StartOp(new), store, ledger)
    if source.paused and source.page_id is not None and not prior_edit:
        source = await store.set_paused(source.page_id, False)
        ledger.add_effect(rec.op_id, "edited", source)
    return started | {"resumed": entry_to_json(source)}
