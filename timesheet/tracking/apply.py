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
from timesheet.tracking.ledger import EffectKind, Ledger, Recorded, Written
from timesheet.tracking.operations import (
    DeleteOp,
    EditOp,
    EndOp,
    EndRunningOp,
    LogOp,
    PauseOp,
    ResumeOp,
    StartOp,
    edited,
    entry_to_json,
)

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
        created = await _create(rec, new, store, ledger)
    return {"entry": entry_to_json(created), "stopped": _entries(stopped)}


async def _create(rec: Recorded, new: TimeEntry, store: EntryStore, ledger: Ledger) -> TimeEntry:
    """Create ``new``'s page once, whatever earlier attempts of ``rec`` did."""
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
    return created


async def _apply_end_running(
    rec: Recorded, op: EndRunningOp, store: EntryStore, ledger: Ledger
) -> dict[str, Any]:
    ended = [x.entry for x in ledger.effects_of_op(rec.op_id) if x.kind == "ended"]
    running = await running_pages(store, ledger, op.user_id)
    early = _before_start(op.at, running.pages) if op.strict else None
    if early is not None:
        return early
    ended += await _end_all(store, ledger, rec, running.pages, op.at, running.fresh)
    if ended:
        return {"ended": _entries(ended)}
    # Nothing runs: /end while paused ends the session (the page ended at the pause).
    paused = await _paused(store, op.user_id)
    if paused is None or paused.page_id is None:
        return {"refused": "nothing_running"}
    cleared = await store.set_paused(paused.page_id, False)
    ledger.add_effect(rec.op_id, "edited", cleared)
    return {"ended": _entries([cleared]), "was_paused": True}


async def _paused(store: EntryStore, user_id: str) -> TimeEntry | None:
    """The user's paused entry: one query; None as well for a database without Paused."""
    try:
        return await store.latest_ended(user_id, paused=True)
    except ValidationError:
        return None


async def _resumable(store: EntryStore, ledger: Ledger, user_id: str) -> TimeEntry | None:
    """The user's paused entry, else their latest ended one: as Notion lists them, or as the
    ledger wrote them when that is later (the lagging index may not list a fresh pause)."""
    written = [
        x.entry for x in ledger.last_written(user_id) if x.kind != "trashed" and x.entry.end
    ]

    def latest(found: TimeEntry | None, mine: list[TimeEntry]) -> TimeEntry | None:
        both = [e for e in (found, *mine) if e is not None and e.end is not None]
        return max(both, key=lambda e: e.end or e.start, default=None)

    paused = latest(await _paused(store, user_id), [e for e in written if e.paused])
    if paused is not None:
        return paused
    return latest(await store.latest_ended(user_id), written)


def _before_start(at: datetime, pages: Iterable[TimeEntry]) -> dict[str, Any] | None:
    """The refusal of a stop typed before the Start of one of ``pages``, if any."""
    early = next((p for p in pages if p.start > at), None)
    if early is None:
        return None
    return {"refused": "before_start", "entry": entry_to_json(early), "at": at.isoformat()}


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
    refused = _before_start(op.at, [entry]) if op.strict and not prior else None
    if refused is not None and entry.end is None:
        return refused
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


async def _apply_log(rec: Recorded, op: LogOp, store: EntryStore, ledger: Ledger) -> dict[str, Any]:
    prior = next((x.entry for x in ledger.effects_of_op(rec.op_id) if x.kind == "created"), None)
    created = prior or await _create(rec, op.entry, store, ledger)
    return {"entry": entry_to_json(created), **await _overlaps(store, created)}


async def _overlaps(store: EntryStore, entry: TimeEntry) -> dict[str, Any]:
    """The owner's other entries overlapping ``entry``: one query."""
    end = entry.end or entry.start
    found = await store.list_overlapping(entry.start, max(end, entry.start), entry.user_id)
    others = [e for e in found if _key(e) != _key(entry) and (e.end is None or e.end > entry.start)]
    return {"overlaps": _entries(e for e in others if e.start < end or entry.end is None)}


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


async def _apply_edit(
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


async def _apply_delete(
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


async def _apply_pause(
    rec: Recorded, op: PauseOp, store: EntryStore, ledger: Ledger
) -> dict[str, Any]:
    ended = [x.entry for x in ledger.effects_of_op(rec.op_id) if x.kind == "ended"]
    running = await running_pages(store, ledger, op.user_id)
    early = _before_start(op.at, running.pages)
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
    return {"ended": _entries(ended)}


async def _apply_resume(
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
    started = await _apply_start(rec, StartOp(new), store, ledger)
    if source.paused and source.page_id is not None and not prior_edit:
        source = await store.set_paused(source.page_id, False)
        ledger.add_effect(rec.op_id, "edited", source)
    return started | {"resumed": entry_to_json(source)}


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
    if isinstance(op, EndOp):
        return await _apply_end(rec, op, store, ledger)
    if isinstance(op, LogOp):
        return await _apply_log(rec, op, store, ledger)
    if isinstance(op, EditOp):
        return await _apply_edit(rec, op, store, ledger)
    if isinstance(op, DeleteOp):
        return await _apply_delete(rec, op, store, ledger)
    if isinstance(op, PauseOp):
        return await _apply_pause(rec, op, store, ledger)
    return await _apply_resume(rec, op, store, ledger)
