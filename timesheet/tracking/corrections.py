"""Fixing time after the fact: log, edit, delete, pause, resume, list; short refs.

Mixed into the Tracker: each method checks its input, records one operation and answers from
what applying it gave, exactly as ``start`` and ``end`` do.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from timesheet.entries.checks import check_client, check_text
from timesheet.entries.duplicates import one_per_entry_id
from timesheet.entries.errors import (
    EndNotAfterStart,
    EntryNotFound,
    InvalidEntryRef,
    InvalidInput,
    NothingRunning,
    NothingToResume,
    NotYourEntry,
    StopBeforeStart,
)
from timesheet.entries.model import TimeEntry, compact_id
from timesheet.entries.refs import parse_entry_ref
from timesheet.tracking.operations import (
    Changes,
    DeleteOp,
    EditOp,
    LogOp,
    PauseOp,
    ResumeOp,
    entry_from_json,
    project,
)
from timesheet.tracking.results import (
    DeleteResult,
    EditResult,
    LogResult,
    PauseResult,
    ResumeResult,
)
from timesheet.tracking.tracker_core import TrackerCore
from timesheet.tracking.writes import merge_effects

__all__ = [
    "LOG_AHEAD",
    "MAX_LOGGED",
    "SHORT_REF_DAYS",
    "Corrections",
    "Listed",
    "refused",
    "short_ref",
]

#: How far back a short ref (a page id's first 8 hex digits) is looked for among your entries.
SHORT_REF_DAYS: Final = 62
#: The longest entry one can log or edit to (a duration is at most this, as the parser says).
MAX_LOGGED: Final = timedelta(hours=24)
#: How far past now a logged entry may end (clocks and typing disagree a little).
LOG_AHEAD: Final = timedelta(minutes=1)

_SHORT_REF: Final = re.compile(r"[0-9a-fA-F]{8}")


def _entries(result: dict[str, Any], key: str) -> tuple[TimeEntry, ...]:
    return tuple(entry_from_json(e) for e in result.get(key, ()))


def refused(result: dict[str, Any], action: str = "end") -> None:
    """Raise the refusal a result of ``apply`` carries, if any (``action``: what was asked of
    the entry, for a refusal of someone else's)."""
    why = result.get("refused")
    if not why:
        return
    entry = entry_from_json(result["entry"]) if "entry" in result else None
    if why == "not_yours" and entry is not None:
        raise NotYourEntry(entry, action)
    if why == "not_found":
        raise EntryNotFound(result["ref"], result.get("reason", ""))
    if why == "before_start" and entry is not None:
        raise StopBeforeStart(entry, datetime.fromisoformat(result["at"]))
    if why == "end_not_after_start":
        raise EndNotAfterStart(entry)
    if why == "nothing_to_resume":
        raise NothingToResume()
    raise NothingRunning()


@dataclass(frozen=True, slots=True)
class Listed:
    """One of your entries in a list: ``ref`` is the short ref, ``overlaps`` whether it
    overlaps another of yours."""

    entry: TimeEntry
    overlaps: bool = False

    @property
    def ref(self) -> str:
        return short_ref(self.entry)


def short_ref(entry: TimeEntry) -> str:
    """The 8 hex digits that name ``entry`` among its owner's recent entries: its page id's
    first 8 (its Entry ID's while it has no page yet)."""
    return compact_id(entry.page_id or entry.entry_id)[:8]


class Corrections(TrackerCore):
    """Log, edit, delete, pause, resume and list (see the module docstring)."""

    # -- refs -------------------------------------------------------------------------------

    async def resolve_ref(self, user_id: str, text: str) -> str:
        """A page id, page URL or Entry ID as a dashed id, or a short ref (a page id's first
        8 hex digits) looked up among ``user_id``'s entries of the last ``SHORT_REF_DAYS``
        (one query). Raises InvalidEntryRef, EntryNotFound."""
        ref = text.strip()
        if not _SHORT_REF.fullmatch(ref):
            return parse_entry_ref(ref)
        now = self.now()
        found = await self.store.list_overlapping(
            now - timedelta(days=SHORT_REF_DAYS), now + timedelta(days=1), user_id
        )
        known = [*found, *merge_effects((), self.ledger.written(user_id))]
        hits = {
            compact_id(e.page_id)
            for e in known
            if e.page_id and compact_id(e.page_id).startswith(ref.lower())
        }
        if not hits:
            raise EntryNotFound(ref, f"none of your entries of the last {SHORT_REF_DAYS} days")
        if len(hits) > 1:
            raise InvalidEntryRef(ref)
        return parse_entry_ref(hits.pop())

    def _owner_known(self, user_id: str, ref_id: str, can_manage: bool, action: str) -> str | None:
        local = self._local_entry(ref_id)
        if local is None:
            return None
        if local.user_id != user_id and not can_manage:
            raise NotYourEntry(local, action)
        return local.user_id

    # -- log ----------------------------------------------------------------------------------

    async def log(
        self,
        user_id: str,
        client: str | None,
        duration: timedelta,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        note: str | None = "",
        name: str | None = None,
    ) -> LogResult:
        """An ended entry of ``duration``, ending ``end`` (default now) or starting ``start``.
        Requests: 1 create + 1 query (the entries it overlaps)."""
        if not timedelta(0) < duration <= MAX_LOGGED:
            raise InvalidInput("duration", "must be more than 0 and at most 24 h")
        if start is not None and end is not None:
            raise InvalidInput("log", "takes an end or a start, not both")
        if start is None:
            end = self.now() if end is None else end
            start = end - duration
        if start + duration > self.now() + LOG_AHEAD:
            raise InvalidInput(
                "entry",
                "would end in the future (a log is time already worked); "
                "give an earlier start or a shorter duration",
            )
        entry = self.plan_start(user_id, client, name=name, note=note, at=start)
        entry = entry.ended(entry.start + duration)
        rec = await self._submit(LogOp(entry))
        if rec.state != "done" or rec.result is None:
            return LogResult(entry, queued=True)
        result = rec.result
        return LogResult(entry_from_json(result["entry"]), _entries(result, "overlaps"))

    # -- edit and delete ----------------------------------------------------------------------

    async def edit(
        self, user_id: str, ref: str, changes: Changes, *, can_manage: bool = False
    ) -> EditResult:
        """Change an entry's Start, End (or duration, keeping Start), Client, Name or Note.
        End not after Start is refused and nothing changes. Requests: 1 retrieve + 1 update
        + 1 query (what it overlaps); + 1 query for a short ref."""
        changes = self._checked(changes)
        ref_id = await self.resolve_ref(user_id, ref)
        owner = self._owner_known(user_id, ref_id, can_manage, "change")
        rec = await self._submit(EditOp(ref_id, user_id, can_manage, owner, changes))
        if rec.state == "done" and rec.result is not None:
            result = rec.result
            refused(result, "change")
            return EditResult(
                entry_from_json(result["entry"]),
                entry_from_json(result["before"]) if "before" in result else None,
                _entries(result, "overlaps"),
                ended_by_other=bool(result.get("by_other")),
            )
        local = self._local_entry(ref_id)
        if local is None:
            return EditResult(TimeEntry("", user_id, "", "", self.now()), queued=True)
        return EditResult(local, queued=True)

    def _checked(self, changes: Changes) -> Changes:
        if changes.empty:
            raise InvalidInput(
                "edit", "changes nothing: give a start, end, duration, client, name or note"
            )
        if changes.end is not None and changes.duration is not None:
            raise InvalidInput("edit", "takes an end or a duration, not both")
        if changes.duration is not None and not timedelta(0) < changes.duration <= MAX_LOGGED:
            raise InvalidInput("duration", "must be more than 0 and at most 24 h")
        if changes.start is not None and changes.end is not None and changes.end <= changes.start:
            raise EndNotAfterStart()
        client = changes.client
        if client is not None:
            client = check_client(client, self.presets, presets_only=self.presets_only, custom=True)
        name = None if changes.name is None else check_text("name", changes.name)
        note = (
            None
            if changes.note is None
            else (check_text("note", changes.note) if changes.note else "")
        )
        return Changes(changes.start, changes.end, changes.duration, client, name, note)

    async def delete(self, user_id: str, ref: str, *, can_manage: bool = False) -> DeleteResult:
        """Move the entry's page to Notion's trash. Requests: 1 retrieve + 1 update."""
        ref_id = await self.resolve_ref(user_id, ref)
        owner = self._owner_known(user_id, ref_id, can_manage, "delete")
        rec = await self._submit(DeleteOp(ref_id, user_id, can_manage, owner))
        if rec.state == "done" and rec.result is not None:
            refused(rec.result, "delete")
            entry = entry_from_json(rec.result["entry"])
            return DeleteResult(entry, ended_by_other=bool(rec.result.get("by_other")))
        return DeleteResult(self._local_entry(ref_id), queued=True)

    # -- pause and resume ---------------------------------------------------------------------

    async def pause(self, user_id: str, at: datetime | None = None) -> PauseResult:
        """End your running timer (at ``at``, default now) and tick Paused on it.
        Requests: 1 query + 1 update."""
        rec = await self._submit(PauseOp(user_id, self.now() if at is None else at))
        if rec.state == "done" and rec.result is not None:
            refused(rec.result)
            return PauseResult(_entries(rec.result, "ended"))
        return PauseResult((), queued=True)

    async def resume(self, user_id: str, at: datetime | None = None) -> ResumeResult:
        """A new running timer with the Name, Client and Note of your paused entry (else your
        latest one). Requests: 2 queries + 1 create (+ 1 update to clear Paused)."""
        at = self.now() if at is None else at
        rec = await self._submit(ResumeOp(user_id, at, self._new_id()))
        if rec.state == "done" and rec.result is not None:
            result = rec.result
            refused(result)
            return ResumeResult(
                entry_from_json(result["entry"]),
                entry_from_json(result["resumed"]),
                _entries(result, "stopped"),
            )
        return ResumeResult(None, queued=True)

    # -- listing ------------------------------------------------------------------------------

    async def entries(self, user_id: str, start: datetime, end: datetime) -> list[Listed]:
        """Your entries overlapping [start, end), as Notion and the ledger know them, by start,
        each marked when it overlaps another: one query."""
        found = await self.store.list_overlapping(start, end, user_id)
        running = merge_effects([e for e in found if e.end is None], self.ledger.written(user_id))
        known = running + [e for e in found if e.end is not None]
        ops = [r.op for r in self.ledger.pending(user_id)]
        now = self.now()
        # What the ledger adds (a timer running now, a pending log) may lie outside the period.
        view = [
            e
            for e in one_per_entry_id(project(ops, user_id, known))
            if e.start < end and (e.end or max(now, e.start)) > start
        ]
        return _marked(sorted(view, key=lambda e: e.start), now)


def _marked(entries: Sequence[TimeEntry], now: datetime) -> list[Listed]:
    """Each entry, marked when it overlaps another (by start order: a sweep)."""
    overlapping: set[int] = set()
    latest_end: datetime | None = None
    latest = -1
    for i, e in enumerate(entries):
        end = e.end or now
        if latest_end is not None and e.start < latest_end:
            overlapping.update((i, latest))
        if latest_end is None or end > latest_end:
            latest_end, latest = end, i
    return [Listed(e, i in overlapping) for i, e in enumerate(entries)]
