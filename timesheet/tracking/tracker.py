"""Timer rules: one running timer per user, ending by ref, ownership, the outbox fallback."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable, Sequence
from datetime import datetime
from uuid import uuid4

from notion_client import NotionError, is_unavailable
from timesheet.entries.checks import (
    MAX_CLIENT_LENGTH,
    MAX_TEXT_LENGTH,
    check_client,
    check_text,
    to_millis,
)
from timesheet.entries.duplicates import (
    entry_key,
    one_per_entry_id,
    running_group,
    running_twins,
)
from timesheet.entries.model import TimeEntry
from timesheet.entries.refs import find_entry, parse_entry_ref
from timesheet.entries.store import EntryStore
from timesheet.tracking.ledger import Outbox
from timesheet.tracking.operations import project
from timesheet.tracking.queue import (
    StartProgress,
    latest_first,
    pending_entry,
    queue_end_by_ref,
    queue_end_of,
    queue_ends,
    queue_start,
    running_of,
)
from timesheet.tracking.results import (
    ActiveView,
    EndQueued,
    EndResult,
    EntryNotFound,
    InvalidEntryRef,
    InvalidInput,
    NothingRunning,
    NotYourEntry,
    StartResult,
    TrackerError,
    UnknownClient,
)
from timesheet.tracking.writes import write_start

__all__ = [
    "MAX_CLIENT_LENGTH",
    "MAX_TEXT_LENGTH",
    "ActiveView",
    "EndQueued",
    "EndResult",
    "EntryNotFound",
    "InvalidEntryRef",
    "InvalidInput",
    "NotYourEntry",
    "NothingRunning",
    "StartResult",
    "Tracker",
    "TrackerError",
    "UnknownClient",
    "parse_entry_ref",
]


def _new_uuid() -> str:
    return str(uuid4())


class Tracker:
    """The timer rules on top of an EntryStore. Every check happens before any write.

    With an ``outbox``, what Notion can't take now (unavailable after the client's retries)
    is saved there before the method returns (``queued=True`` in the result) and replayed
    later; while a user has operations waiting, that user's new ones queue behind them, so a
    direct write never overtakes them. ``on_queued`` is called after every enqueue (wire it to
    ``OutboxReplayer.notify``). Without an outbox Notion's errors propagate as they are.

    A doubled start (two running pages with one Entry ID, a create repeated behind Notion's
    lagging index) is one timer: ``active`` shows it once, ending it (as the running timer or
    by ref to either page) ends both pages at the same instant (one more update), and results
    list it once.
    """

    def __init__(
        self,
        store: EntryStore,
        *,
        clock: Callable[[], datetime],
        presets: Sequence[str],
        presets_only: bool = False,
        new_id: Callable[[], str] = _new_uuid,
        outbox: Outbox | None = None,
        on_queued: Callable[[], object] | None = None,
    ) -> None:
        self.store = store
        self._clock = clock
        self.presets: tuple[str, ...] = tuple(presets)
        self.presets_only = presets_only
        self._new_id = new_id
        self.outbox = outbox
        self.on_queued = on_queued
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )

    def _lock(self, user_id: str) -> asyncio.Lock:
        # Serialises one user's starts and ends in this process (commands and the outbox
        # replayer's starts), so two quick /start commands cannot both see "nothing running"
        # and leave two timers open. Not re-entrant: never await another locked method inside.
        lock = self._locks.get(user_id)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[user_id] = lock
        return lock

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

    # -- starting ---------------------------------------------------------------------------

    async def start(
        self,
        user_id: str,
        client: str | None,
        *,
        name: str | None = None,
        note: str | None = "",
    ) -> StartResult:
        """Start a timer now, ending the user's running one at the same instant.

        Requests: 1 query + 1 create (+ 1 update per timer it stops); none when queued.
        """
        entry = self.plan_start(user_id, client, name=name, note=note)
        async with self._lock(entry.user_id):
            if self.outbox is None:
                return await write_start(self.store, entry)
            if self.outbox.has_pending_for_user(entry.user_id):
                return self._queue_start(entry, StartProgress())
            progress = StartProgress()
            try:
                return await write_start(self.store, entry, progress=progress)
            except NotionError as exc:
                if not is_unavailable(exc):
                    raise
                return self._queue_start(entry, progress)

    async def start_entry(self, entry: TimeEntry, *, replay: bool = False) -> StartResult:
        """Write a planned start to Notion. Safe to repeat (``replay=True`` after a failure or
        crash: the outbox replayer). Takes the user's lock; Notion's errors propagate."""
        async with self._lock(entry.user_id):
            return await write_start(self.store, entry, replay=replay)

    def _queue_start(self, entry: TimeEntry, progress: StartProgress) -> StartResult:
        result = queue_start(self._outbox(), entry, progress)
        self._notify_queued()
        return result

    # -- ending -----------------------------------------------------------------------------

    async def end(
        self, user_id: str, ref: str | None = None, *, can_manage: bool = False
    ) -> EndResult:
        """End the user's running timer (``ref=None``) or the entry ``ref`` names.

        Requests: 1 query + 1 update; by ref: 1 retrieve + 1 query (the owner's running pages,
        to find a doubled start's twin; with an outbox also the read again under the owner's
        lock) + 1 update; 1 retrieve alone if already ended, no query for a page without Entry
        ID. Both pages of a doubled start are ended at ``at``: 1 more update.
        With an outbox, ``ref`` may also be the Entry ID of an entry whose start is pending,
        and ends Notion can't take now are queued. Raises NothingRunning when neither Notion
        nor the outbox has a running timer, EndQueued when Notion can't be asked and the
        outbox knows no timer, or can't read the entry ``ref`` names (the end is saved all the
        same; by ref, its owner is checked when it is replayed).
        """
        at = self.now()
        if ref is not None and ref.strip():
            return await self._end_ref(user_id, ref, at, can_manage)
        async with self._lock(user_id):
            if self.outbox is not None:
                return await self._end_running(user_id, at)
            running = await self.store.find_running(user_id)
            if not running:
                raise NothingRunning()
            ended = [await self.store.end(e, max(at, e.start), fresh=True) for e in running]
        first, rest = latest_first(ended)
        return EndResult(entry=first, also_ended=rest)

    async def _end_running(self, user_id: str, at: datetime) -> EndResult:
        outbox = self._outbox()
        ops = outbox.pending_of(user_id)  # before Notion: an op replayed meanwhile is in both
        try:
            known: list[TimeEntry] | None = await self.store.find_running(user_id)
        except NotionError as exc:
            if not is_unavailable(exc):
                raise
            known = None
        running = running_of(project(ops, user_id, one_per_entry_id(known or ())))
        if known is None:
            # Notion can't say what runs: end whatever runs at ``at`` once it answers.
            with outbox.batch():
                outbox.enqueue_end_running(user_id, at)
                for e in running:
                    if e.start > at:  # a clock step back: "running at at" would miss it
                        outbox.enqueue_end(
                            e.entry_id, e.start, page_id=e.page_id, user_id=user_id
                        )
            self._notify_queued()
            if not running:
                raise EndQueued(user_id, at)
            return self._ended(running, at, queued=True)
        if not running:
            raise NothingRunning()
        running += running_twins(running, known)  # the other page of a doubled start
        waiting = outbox.has_pending_for_user(user_id) or any(
            outbox.has_pending(e.entry_id) for e in running
        )
        if waiting:
            self._queue_ends(running, at, user_id)
            return self._ended(running, at, queued=True)
        ended: list[TimeEntry] = []
        try:
            for e in running:
                ended.append(await self.store.end(e, max(at, e.start), fresh=True))
        except NotionError as exc:
            if not is_unavailable(exc):
                raise
            self._queue_ends(running[len(ended) :], at, user_id)
            return self._ended([*ended, *running[len(ended) :]], at, queued=True)
        return self._ended(ended, at)

    def _queue_ends(self, running: Sequence[TimeEntry], at: datetime, user_id: str) -> None:
        queue_ends(self._outbox(), running, at, user_id)
        self._notify_queued()

    @staticmethod
    def _ended(entries: Sequence[TimeEntry], at: datetime, *, queued: bool = False) -> EndResult:
        ended = [e if e.end is not None else e.ended(max(at, e.start)) for e in entries]
        first, rest = latest_first(ended)
        return EndResult(entry=first, also_ended=rest, queued=queued)

    async def _end_ref(self, user_id: str, ref: str, at: datetime, can_manage: bool) -> EndResult:
        ref_id = parse_entry_ref(ref)
        if self.outbox is not None:
            local = self._pending_entry(ref_id)
            if local is not None:
                self._check_may_end(local, user_id, can_manage)
                async with self._lock(local.user_id):
                    local = self._pending_entry(ref_id)  # it may have been replayed meanwhile
                    if local is not None:
                        return self._queue_end_of(local, at, user_id)
        try:
            entry, pages = await find_entry(self.store, ref_id)
        except NotionError as exc:
            if self.outbox is None or not is_unavailable(exc):
                raise
            # Whose entry it is can't be read now: the end is saved, the owner checked on replay.
            queued = queue_end_by_ref(self.outbox, ref_id, at, user_id, can_manage)
            self._notify_queued()
            raise queued from None
        by_other = self._check_may_end(entry, user_id, can_manage)
        if entry.end is not None:
            return EndResult(entry=entry, ended_by_other=by_other, already_ended=True)
        if self.outbox is not None:
            async with self._lock(entry.user_id):
                return await self._end_known(entry, at, user_id)
        # A doubled start's twin stops too: a later /start would stop it, billing the gap.
        if pages is None and entry_key(entry) is not None:
            pages = await self.store.find_running(entry.user_id)
        group = running_group(entry, pages or ()) or [entry]
        ended = [await self.store.end(e, max(at, e.start), fresh=True) for e in group]
        return EndResult(entry=ended[0], ended_by_other=by_other)

    @staticmethod
    def _check_may_end(entry: TimeEntry, user_id: str, can_manage: bool) -> bool:
        by_other = entry.user_id != user_id
        if by_other and not can_manage:
            raise NotYourEntry(entry)
        return by_other

    def _pending_entry(self, ref_id: str) -> TimeEntry | None:
        return pending_entry(self._outbox(), ref_id)

    def _queue_end_of(self, entry: TimeEntry, at: datetime, caller: str) -> EndResult:
        result = queue_end_of(self._outbox(), entry, at, caller)
        if result.queued:
            self._notify_queued()
        return result

    async def _end_known(self, entry: TimeEntry, at: datetime, caller: str) -> EndResult:
        """End an entry read from Notion and its running twins, behind its owner's queued
        operations if any."""
        ops = self._outbox().pending_of(entry.user_id)
        if ops:
            view = project(ops, entry.user_id, [entry])
            mine = next(e for e in view if e.entry_id == entry.entry_id)
            return self._queue_end_of(mine, at, caller)
        # Read again under the lock: the replayer may have ended it since it was read (no op
        # of the owner is pending now, and none can be queued while the lock is held). That
        # read is the owner's running pages (its twin too); one they don't list is read alone.
        by_other = entry.user_id != caller
        end_at = max(at, entry.start)
        try:
            running = await self.store.find_running(entry.user_id) if entry_key(entry) else []
            group = running_group(entry, running)
            if not group:
                alone = await self.store.end(entry, end_at)
                already = alone.end != end_at
                return EndResult(entry=alone, ended_by_other=by_other, already_ended=already)
            ended = [await self.store.end(e, max(at, e.start), fresh=True) for e in group]
        except NotionError as exc:
            if not is_unavailable(exc):
                raise
            return self._queue_end_of(entry, at, caller)  # replayed: every page of its ID
        return EndResult(entry=ended[0], ended_by_other=by_other)

    # -- reading ----------------------------------------------------------------------------

    async def entry(self, ref: str) -> TimeEntry:
        """The entry ``ref`` (page id, page URL or Entry ID) names, found as ``end`` finds it:
        a start still waiting in the outbox, else the Notion page, else the page carrying that
        Entry ID. Requests: none for a pending start, else 1 retrieve (+ 1 query when the ref
        is no page). Raises InvalidEntryRef, EntryNotFound; Notion's errors propagate."""
        ref_id = parse_entry_ref(ref)
        local = self._pending_entry(ref_id) if self.outbox is not None else None
        if local is not None:
            return local
        found, _ = await find_entry(self.store, ref_id)
        return found

    async def active(self, user_id: str) -> list[TimeEntry]:
        """The user's running timers (normally at most one): one query.

        The pages of a doubled start count as one timer (``duplicates.preference`` picks the
        page shown). With an outbox, pending starts and ends are applied. Notion's errors
        propagate; use ``active_view`` to fall back to what the outbox holds.
        """
        if self.outbox is None:
            return one_per_entry_id(await self.store.find_running(user_id))
        ops = self.outbox.pending_of(user_id)  # before Notion, as in ``_end_running``
        known = await self.store.find_running(user_id)
        return running_of(project(ops, user_id, one_per_entry_id(known)))

    async def active_view(self, user_id: str) -> ActiveView:
        """Like ``active``, but when Notion is unavailable: the pending timers, flagged."""
        ops = self.outbox.pending_of(user_id) if self.outbox is not None else []
        try:
            known = await self.store.find_running(user_id)
        except NotionError as exc:
            if not is_unavailable(exc):
                raise
            return ActiveView(running_of(project(ops, user_id)), notion_reachable=False)
        return ActiveView(running_of(project(ops, user_id, one_per_entry_id(known))))

    # -- plumbing ---------------------------------------------------------------------------

    def _outbox(self) -> Outbox:
        if self.outbox is None:
            raise RuntimeError("this tracker has no outbox")
        return self.outbox

    def _notify_queued(self) -> None:
        if self.on_queued is not None:
            self.on_queued()
