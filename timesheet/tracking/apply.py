"""``apply(op)``: the one code path that writes an operation to Notion, first try or replay.

Each write is recorded in the ledger as an *effect* as soon as Notion confirms it, so an
attempt cut short (a crash, an outage half-way) is finished by the next one without writing
anything twice, and reads merge what Notion's lagging query index does not show yet.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from notion_client import (
    ConflictError,
    NotionError,
    ObjectNotFoundError,
    ValidationError,
    is_unavailable,
)
from timesheet.entries.duplicates import entry_key, running_group, running_twins
from timesheet.entries.errors import EntryNotFound
from timesheet.entries.model import TimeEntry, compact_id
from timesheet.entries.refs import find_entry
from timesheet.entries.store import (
    EntryStore,
    MaybeCreated,
    NotAnEntryError,
    may_have_created,
)
from timesheet.tracking.ledger import Ledger, Recorded, Written
from timesheet.tracking.operations import EndOp, EndRunningOp, StartOp, entry_to_json

__all__ = [
    "Outcome",
    "RunningPages",
    "apply",
    "classify",
    "locate",
    "merge_effects",
    "running_pages",
]

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


def _key(entry: TimeEntry) -> str:
    return compact_id(entry.page_id or "")


def merge_effects(notion: Iterable[TimeEntry], written: Written) -> list[TimeEntry]:
    """Running pages as Notion listed them, corrected by what the ledger wrote since: pages
    it created that the index does not list yet are added, pages it ended are dropped.
    Once Notion's answer agrees with the ledger this changes nothing. Sorted by start."""
    pages = {_key(e): e for e in notion if e.end is None}
    for entry in written.running:
        if entry.end is None:
            pages.setdefault(_key(entry), entry)
    return sorted((e for k, e in pages.items() if k not in written.ended), key=lambda e: e.start)


@dataclass(frozen=True, slots=True)
class RunningPages:
    """A user's running pages (each page of a doubled start), and which of them Notion's
    query listed just now (fresh enough to end without reading them again)."""

    pages: list[TimeEntry]
    listed: frozenset[str]

    def fresh(self, entry: TimeEntry) -> bool:
        return _key(entry) in self.listed


async def running_pages(store: EntryStore, ledger: Ledger, user_id: str) -> RunningPages:
    """``user_id``'s running pages as Notion and the ledger know them: one query."""
    notion = await store.find_running(user_id)
    merged = merge_effects(notion, ledger.written(user_id))
    return RunningPages(merged, frozenset(_key(e) for e in notion))


async def locate(
    store: EntryStore, ledger: Ledger, ref: str
) -> tuple[TimeEntry, list[TimeEntry] | None]:
    """The entry ``ref`` (page id or Entry ID) names, read fresh: a page a recent operation
    created is retrieved by its id even when the index does not list it yet. Raises
    EntryNotFound."""
    created = ledger.created(ref)
    if created is not None and created.page_id is not None:
        try:
            return await store.get(created.page_id), None
        except (ObjectNotFoundError, NotAnEntryError):
            pass
    return await find_entry(store, ref)


async def _end(
    store: EntryStore, ledger: Ledger, rec: Recorded, entry: TimeEntry, at: datetime, *, fresh: bool
) -> TimeEntry | None:
    """End one page and record it; None when a page only the ledger listed is gone since
    (trashed or no longer shared in Notion): there is nothing left to stop."""
    try:
        # A page only the ledger lists may have been ended by hand since: ``fresh=False``
        # reads it first, so an End set in Notion is kept.
        ended = await store.end(entry, max(at, entry.start), fresh=fresh)
    except (NotAnEntryError, ObjectNotFoundError):
        if fresh:
            raise
        return None
    ledger.add_effect(rec.op_id, "ended", ended)
    return ended


async def _end_all(
    store: EntryStore,
    ledger: Ledger,
    rec: Recorded,
    pages: Iterable[TimeEntry],
    at: datetime,
    fresh: Callable[[TimeEntry], bool],
) -> list[TimeEntry]:
    ended = [await _end(store, ledger, rec, p, at, fresh=fresh(p)) for p in pages]
    return [e for e in ended if e is not None]


def _entries(entries: Iterable[TimeEntry]) -> list[dict[str, Any]]:
    return [entry_to_json(e) for e in entries]


async def _apply_start(
    rec: Recorded, op: StartOp, store: EntryStore, ledger: Ledger
) -> dict[str, Any]:
    new = op.entry
    prior = ledger.effects_of_op(rec.op_id)
    created = next((x.entry for x in prior if x.kind == "created"), None)
    stopped = [x.entry for x in prior if x.kind == "ended"]
    running = await running_pages(store, ledger, new.user_id)
    others: list[TimeEntry] = []
    for page in running.pages:
        if page.entry_id and page.entry_id == new.entry_id:
            created = created or page  # written by an attempt that did not live to record it
        else:
            others.append(page)
    # Stopped at the new start; a page starting later (a clock ahead) at its own Start.
    stopped += await _end_all(store, ledger, rec, others, new.start, running.fresh)
    if created is None:
        settle = 0.0
        if rec.create_sent is not None:  # its answer was lost: the page may be there, unlisted
            settle = max(0.0, store.create_settle - (ledger.now() - rec.create_sent))
        else:  # noted before it is sent: a crash after sending leaves the same doubt
            ledger.mark_create_sent(rec.op_id)
        try:
            created = await store.create(new, maybe_exists=rec.attempts > 1, settle=settle)
        except Exception as exc:
            if rec.create_sent is None and not may_have_created(exc):
                ledger.mark_create_sent(rec.op_id, now=False)  # refused: nothing to look for
            raise
        ledger.add_effect(rec.op_id, "created", created)
    return {"entry": entry_to_json(created), "stopped": _entries(stopped)}


async def _apply_end_running(
    rec: Recorded, op: EndRunningOp, store: EntryStore, ledger: Ledger
) -> dict[str, Any]:
    ended = [x.entry for x in ledger.effects_of_op(rec.op_id) if x.kind == "ended"]
    running = await running_pages(store, ledger, op.user_id)
    ended += await _end_all(store, ledger, rec, running.pages, op.at, running.fresh)
    if not ended:
        return {"refused": "nothing_running"}
    return {"ended": _entries(ended)}


async def _apply_end(rec: Recorded, op: EndOp, store: EntryStore, ledger: Ledger) -> dict[str, Any]:
    prior = [x.entry for x in ledger.effects_of_op(rec.op_id) if x.kind == "ended"]
    try:
        entry, pages = await locate(store, ledger, op.ref)
    except EntryNotFound as exc:
        if prior:
            return {"ended": _entries(prior), "by_other": prior[0].user_id != op.asked_by}
        return {"refused": "not_found", "ref": op.ref, "reason": exc.reason}
    if not op.may_end(entry.user_id):
        return {"refused": "not_yours", "entry": entry_to_json(entry)}
    by_other = entry.user_id != op.asked_by
    if entry.end is not None and not prior:
        return {"ended": _entries([entry]), "by_other": by_other, "already_ended": True}
    # A doubled start's twin stops too: a later start would stop it, billing the gap.
    listed: frozenset[str] = frozenset(_key(p) for p in pages or ())
    if pages is None and entry_key(entry) is not None:
        running = await running_pages(store, ledger, entry.user_id)
        pages, listed = running.pages, running.listed
    mine = [p for p in pages or () if p.user_id == entry.user_id]
    if entry.end is None:
        group = running_group(entry, mine) or [entry]
    else:  # an earlier attempt ended this page and was cut short: its twins are left
        group = running_twins([entry], mine)
    done = {_key(p) for p in prior}
    fresh = listed | {_key(entry)}
    todo = [p for p in group if _key(p) not in done]
    ended = prior + await _end_all(store, ledger, rec, todo, op.at, lambda p: _key(p) in fresh)
    return {"ended": _entries(ended), "by_other": by_other}


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
        return await _apply_start(rec, op, store, ledger)
    if isinstance(op, EndRunningOp):
        return await _apply_end_running(rec, op, store, ledger)
    return await _apply_end(rec, op, store, ledger)
