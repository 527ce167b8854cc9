"""What applying writes: a user's running pages as Notion and the ledger know them, the
entry a ref names, and the writes every applier shares (create once, end, start)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from notion_client import (
    ObjectNotFoundError,
    ValidationError,
)
from timesheet.entries.model import TimeEntry, compact_id
from timesheet.entries.refs import find_entry
from timesheet.entries.store import EntryStore
from timesheet.entries.store_errors import NotAnEntryError, may_have_created
from timesheet.tracking.ledger import Ledger, Recorded, Written
from timesheet.tracking.operations import (
    StartOp,
    entry_to_json,
)

__all__ = [
    "RunningPages",
    "before_start",
    "create_once",
    "end_page",
    "end_pages",
    "entries_json",
    "locate",
    "merge_effects",
    "page_key",
    "paused_entry",
    "running_pages",
    "start_writes",
]


def page_key(entry: TimeEntry) -> str:
    return compact_id(entry.page_id or "")


def merge_effects(notion: Iterable[TimeEntry], written: Written) -> list[TimeEntry]:
    """Running pages as Notion listed them, corrected by what the ledger wrote since: pages
    it created that the index does not list yet are added, pages it ended are dropped.
    Once Notion's answer agrees with the ledger this changes nothing. Sorted by start."""
    pages = {page_key(e): e for e in notion if e.end is None}
    for entry in written.running:
        if entry.end is None:
            pages.setdefault(page_key(entry), entry)
    return sorted((e for k, e in pages.items() if k not in written.ended), key=lambda e: e.start)


@dataclass(frozen=True, slots=True)
class RunningPages:
    """A user's running pages (each page of a doubled start), and which of them Notion's
    query listed just now (fresh enough to end without reading them again)."""

    pages: list[TimeEntry]
    listed: frozenset[str]

    def fresh(self, entry: TimeEntry) -> bool:
        return page_key(entry) in self.listed


async def running_pages(store: EntryStore, ledger: Ledger, user_id: str) -> RunningPages:
    """``user_id``'s running pages as Notion and the ledger know them: one query."""
    notion = await store.find_running(user_id)
    merged = merge_effects(notion, ledger.written(user_id))
    return RunningPages(merged, frozenset(page_key(e) for e in notion))


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


async def end_page(
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


async def end_pages(
    store: EntryStore,
    ledger: Ledger,
    rec: Recorded,
    pages: Iterable[TimeEntry],
    at: datetime,
    fresh: Callable[[TimeEntry], bool],
) -> list[TimeEntry]:
    ended = [await end_page(store, ledger, rec, p, at, fresh=fresh(p)) for p in pages]
    return [e for e in ended if e is not None]


def entries_json(entries: Iterable[TimeEntry]) -> list[dict[str, Any]]:
    return [entry_to_json(e) for e in entries]


async def create_once(
    rec: Recorded, new: TimeEntry, store: EntryStore, ledger: Ledger
) -> TimeEntry:
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


async def start_writes(
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
    stopped += await end_pages(store, ledger, rec, others, new.start, running.fresh)
    if created is None:
        created = await create_once(rec, new, store, ledger)
    return {"entry": entry_to_json(created), "stopped": entries_json(stopped)}


async def paused_entry(store: EntryStore, user_id: str) -> TimeEntry | None:
    """The user's paused entry: one query; None as well for a database without Paused."""
    try:
        return await store.latest_ended(user_id, paused=True)
    except ValidationError:
        return None


def before_start(at: datetime, pages: Iterable[TimeEntry]) -> dict[str, Any] | None:
    """The refusal of a stop typed before the Start of one of ``pages``, if any."""
    early = next((p for p in pages if p.start > at), None)
    if early is None:
        return None
    return {"refused": "before_start", "entry": entry_to_json(early), "at": at.isoformat()}
