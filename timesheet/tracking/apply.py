"""``apply(op)``: the one code path that writes an operation to Notion, first try or replay.

Each write is recorded in the ledger as an *effect* as soon as Notion confirms it, so an
attempt cut short (a crash, an outage half-way) is finished by the next one without writing
anything twice, and reads merge what Notion's lagging query index does not show yet.
"""

from __future__ import annotations

from typing import Any, Literal

from notion_client import (
    ConflictError,
    NotionError,
    ValidationError,
    is_unavailable,
)
from timesheet.entries.duplicates import entry_key, running_group, running_twins
from timesheet.entries.errors import EntryNotFound
from timesheet.entries.store import EntryStore
from timesheet.entries.store_errors import MaybeCreated, NotAnEntryError
from timesheet.tracking.apply_edits import (
    apply_delete,
    apply_edit,
    apply_log,
    apply_pause,
    apply_resume,
)
from timesheet.tracking.ledger import Ledger, Recorded
from timesheet.tracking.operations import (
    DeleteOp,
    EditOp,
    EndOp,
    EndRunningOp,
    LogOp,
    PauseOp,
    StartOp,
    entry_to_json,
)
from timesheet.tracking.writes import (
    before_start,
    end_pages,
    entries_json,
    locate,
    page_key,
    paused_entry,
    running_pages,
    start_writes,
)

__all__ = ["Outcome", "apply", "classify"]

Outcome = Literal["retry", "blocked", "failed"]


def classify(exc: Exception) -> Outcome | None:
    """What a failure means for an operation. None: not ours to judge (a bug), re-raised.

    - ``retry``: Notion can't be reached now (5xx, 429/529, transport, 409 conflict): keep the
      operation at the head of its lane; order is kept, the next attempt starts there.
    - ``blocked``: Notion refuses every request the same way (401, 403, the database not found
      or not shared): keep it, so fixing the configuration loses nothing.
    - ``failed``: this operation can never succeed (400 validation, a page that is not a time
      entry): set it aside with the reason so it no longer blocks its lane.
    """
    if is_unavailable(exc) or isinstance(exc, ConflictError | MaybeCreated):
        return "retry"
    if isinstance(exc, ValidationError | NotAnEntryError | ValueError):
        return "failed"
    if isinstance(exc, NotionError | LookupError):
        return "blocked"
    return None


async def _apply_end_running(
    rec: Recorded, op: EndRunningOp, store: EntryStore, ledger: Ledger
) -> dict[str, Any]:
    ended = [x.entry for x in ledger.effects_of_op(rec.op_id) if x.kind == "ended"]
    running = await running_pages(store, ledger, op.user_id)
    early = before_start(op.at, running.pages) if op.strict else None
    if early is not None:
        return early
    ended += await end_pages(store, ledger, rec, running.pages, op.at, running.fresh)
    if ended:
        return {"ended": entries_json(ended)}
    # Nothing runs: /end while paused ends the session (the page ended at the pause).
    paused = await paused_entry(store, op.user_id)
    if paused is None or paused.page_id is None:
        return {"refused": "nothing_running"}
    cleared = await store.set_paused(paused.page_id, False)
    ledger.add_effect(rec.op_id, "edited", cleared)
    return {"ended": entries_json([cleared]), "was_paused": True}


async def _apply_end(rec: Recorded, op: EndOp, store: EntryStore, ledger: Ledger) -> dict[str, Any]:
    prior = [x.entry for x in ledger.effects_of_op(rec.op_id) if x.kind == "ended"]
    try:
        entry, pages = await locate(store, ledger, op.ref)
    except EntryNotFound as exc:
        if prior:
            return {"ended": entries_json(prior), "by_other": prior[0].user_id != op.asked_by}
        return {"refused": "not_found", "ref": op.ref, "reason": exc.reason}
    if not op.may_end(entry.user_id):
        return {"refused": "not_yours", "entry": entry_to_json(entry)}
    by_other = entry.user_id != op.asked_by
    refused = before_start(op.at, [entry]) if op.strict and not prior else None
    if refused is not None and entry.end is None:
        return refused
    if entry.end is not None and not prior:
        return {"ended": entries_json([entry]), "by_other": by_other, "already_ended": True}
    # A doubled start's twin stops too: a later start would stop it, billing the gap.
    listed: frozenset[str] = frozenset(page_key(p) for p in pages or ())
    if pages is None and entry_key(entry) is not None:
        running = await running_pages(store, ledger, entry.user_id)
        pages, listed = running.pages, running.listed
    mine = [p for p in pages or () if p.user_id == entry.user_id]
    if entry.end is None:
        group = running_group(entry, mine) or [entry]
    else:  # an earlier attempt ended this page and was cut short: its twins are left
        group = running_twins([entry], mine)
    done = {page_key(p) for p in prior}
    fresh = listed | {page_key(entry)}
    todo = [p for p in group if page_key(p) not in done]
    ended = prior + await end_pages(store, ledger, rec, todo, op.at, lambda p: page_key(p) in fresh)
    return {"ended": entries_json(ended), "by_other": by_other}


async def apply(rec: Recorded, store: EntryStore, ledger: Ledger) -> dict[str, Any]:
    """Write ``rec``'s operation to Notion; what it gave, to keep in the ledger as its result.

    Safe to repeat: what an earlier attempt wrote is in the ledger's effects and is not
    written again (a create whose answer was lost is looked up by Entry ID first). A refusal
    the rules make only once Notion is read (nothing running, someone else's entry, no such
    entry) is a result too (``{"refused": ...}``). Notion's errors propagate (see
    ``classify``).
    """
    op = rec.op
    if isinstance(op, StartOp):
        return await start_writes(rec, op, store, ledger)
    if isinstance(op, EndRunningOp):
        return await _apply_end_running(rec, op, store, ledger)
    if isinstance(op, EndOp):
        return await _apply_end(rec, op, store, ledger)
    if isinstance(op, LogOp):
        return await apply_log(rec, op, store, ledger)
    if isinstance(op, EditOp):
        return await apply_edit(rec, op, store, ledger)
    if isinstance(op, DeleteOp):
        return await apply_delete(rec, op, store, ledger)
    if isinstance(op, PauseOp):
        return await apply_pause(rec, op, store, ledger)
    return await apply_resume(rec, op, store, ledger)
