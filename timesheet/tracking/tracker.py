"""Timer rules: one running timer per user, ending by ref, ownership; every write through the
ledger and ``apply``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import Any

from notion_client import NotionError, is_unavailable
from timesheet.entries.checks import (
    MAX_CLIENT_LENGTH,
    MAX_TEXT_LENGTH,
    to_millis,
)
from timesheet.entries.duplicates import one_per_entry_id
from timesheet.entries.errors import (
    EntryNotFound,
    InvalidEntryRef,
    InvalidInput,
    NothingRunning,
    NotYourEntry,
    TrackerError,
    UnknownClient,
)
from timesheet.entries.model import TimeEntry, same_id
from timesheet.entries.refs import parse_entry_ref
from timesheet.tracking.corrections import Corrections, refused
from timesheet.tracking.ledger import Recorded
from timesheet.tracking.operations import (
    EndOp,
    EndRunningOp,
    StartOp,
    entry_from_json,
    project,
)
from timesheet.tracking.results import ActiveView, EndResult, EndSaved, StartResult
from timesheet.tracking.writes import locate, merge_effects

__all__ = [
    "MAX_CLIENT_LENGTH",
    "MAX_TEXT_LENGTH",
    "ActiveView",
    "EndOutcome",
    "EndResult",
    "EndSaved",
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

#: What ``end`` answers: the stopped entry, or a stop saved for no known timer.
EndOutcome = EndResult | EndSaved


def latest_first(entries: Sequence[TimeEntry]) -> tuple[TimeEntry, tuple[TimeEntry, ...]]:
    """The most recently started entry, then the others (a doubled start's pages once)."""
    ordered = list(reversed(one_per_entry_id(sorted(entries, key=lambda e: e.start))))
    return ordered[0], tuple(ordered[1:])


def _ended(data: dict[str, Any], key: str = "ended") -> list[TimeEntry]:
    return [entry_from_json(e) for e in data.get(key, ())]


class Tracker(Corrections):
    """The timer rules. A command checks its input, records its operation in the ledger,
    applies its user's pending operations in order (its own last) and answers from what
    applying gave; when Notion can't take it now, the operation stays in the ledger and the
    answer says it is saved (``queued``). Every check that needs no Notion happens before
    anything is recorded; refusals raise a TrackerError, successes are values.

    A doubled start (two running pages with one Entry ID) is one timer: ``active`` shows it
    once and ending it ends both pages.
    """

    # -- starting ---------------------------------------------------------------------------

    async def start(
        self,
        user_id: str,
        client: str | None,
        *,
        name: str | None = None,
        note: str | None = "",
        at: datetime | None = None,
    ) -> StartResult:
        """Start a timer now (or at ``at``, in the past), ending the user's running one at the
        same instant.

        Requests: 1 query + 1 create (+ 1 update per timer it stops); none when saved.
        """
        entry = self.plan_start(user_id, client, name=name, note=note, at=at)
        return await self.start_entry(entry)

    async def start_entry(self, entry: TimeEntry) -> StartResult:
        """Record and apply the start of a planned entry (see ``plan_start``)."""
        rec = await self._submit(StartOp(entry))
        if rec.state == "done" and rec.result is not None:
            created = entry_from_json(rec.result["entry"])
            return _start_result(created, _ended(rec.result, "stopped"))
        effects = self.ledger.effects_of_op(rec.op_id)
        created = next((x.entry for x in effects if x.kind == "created"), entry)
        done = [x.entry for x in effects if x.kind == "ended"]
        local = self._local_running(entry.user_id, before=rec.op_id)
        later = [e.ended(max(entry.start, e.start)) for e in local if e.entry_id != entry.entry_id]
        return _start_result(created, [*done, *later], queued=True)

    # -- ending -----------------------------------------------------------------------------

    async def end(
        self,
        user_id: str,
        ref: str | None = None,
        *,
        can_manage: bool = False,
        at: datetime | None = None,
    ) -> EndOutcome:
        """End the user's running timer (``ref=None``) or the entry ``ref`` names.

        Requests: 1 query + 1 update; by ref: 1 retrieve + 1 query (the owner's running pages,
        to find a doubled start's twin) + 1 update; 1 retrieve alone if already ended. Raises
        NothingRunning, InvalidEntryRef, EntryNotFound, NotYourEntry; when Notion can't take
        it now the stop is saved (``queued``, or ``EndSaved`` when no known timer answers it).
        """
        strict = at is not None  # a typed time: before the Start is refused, not moved
        at = self.now() if at is None else to_millis(at)
        if ref is None or not ref.strip():
            return await self._end_running(user_id, at, strict)
        ref_id = await self.resolve_ref(user_id, ref)
        return await self._end_ref(user_id, ref_id, at, can_manage, strict)

    async def _end_running(self, user_id: str, at: datetime, strict: bool) -> EndOutcome:
        rec = await self._submit(EndRunningOp(user_id, at, strict))
        if rec.state == "done" and rec.result is not None:
            refused(rec.result)
            first, rest = latest_first(_ended(rec.result))
            return EndResult(entry=first, also_ended=rest)
        done = [x.entry for x in self.ledger.effects_of_op(rec.op_id) if x.kind == "ended"]
        local = self._local_running(user_id, before=rec.op_id)
        stopped = [*done, *(e.ended(max(at, e.start)) for e in local)]
        if not stopped:
            return EndSaved(user_id, at)
        first, rest = latest_first(stopped)
        return EndResult(entry=first, also_ended=rest, queued=True)

    async def _end_ref(
        self, user_id: str, ref_id: str, at: datetime, can_manage: bool, strict: bool
    ) -> EndOutcome:
        local = self._local_entry(ref_id)
        owner = None
        if local is not None:
            if local.user_id != user_id and not can_manage:
                raise NotYourEntry(local)
            owner = local.user_id
        rec = await self._submit(EndOp(ref_id, at, user_id, can_manage, owner, strict))
        if rec.state == "done" and rec.result is not None:
            return _end_ref_result(rec.result)
        if local is None:
            first = self._earlier_stop(rec, ref_id, user_id)
            if first is not None:  # a second click: the first stop is the End Notion gets
                self.ledger.cancel(rec.op_id)
                at = first.at
            return EndSaved(user_id, at, ref=ref_id, can_manage=can_manage)
        by_other = local.user_id != user_id
        if local.end is not None:
            return EndResult(entry=local, ended_by_other=by_other, already_ended=True)
        ended = local.ended(max(at, local.start))
        return EndResult(entry=ended, ended_by_other=by_other, queued=True)

    def _earlier_stop(self, rec: Recorded, ref_id: str, asker: str) -> EndOp | None:
        """A stop of ``ref_id`` that ``asker`` saved before ``rec`` and is still pending."""
        for other in self.ledger.pending(rec.lane):
            op = other.op
            if other.op_id >= rec.op_id:
                break
            if isinstance(op, EndOp) and op.asked_by == asker and same_id(op.ref, ref_id):
                return op
        return None

    # -- reading ----------------------------------------------------------------------------

    async def _drain_first(self, user_id: str) -> None:
        """Apply what waits for ``user_id`` before reading (briefly; an outage leaves it)."""
        if self.ledger.pending(user_id):
            await self.engine.drain(user_id, wait=self.lane_wait)

    async def entry(self, ref: str) -> TimeEntry:
        """The entry ``ref`` (page id, page URL or Entry ID) names, found as ``end`` finds it:
        a start still waiting in the ledger, else the page (by id, by a recent create, else
        by Entry ID). Requests: none for a pending start, else 1 retrieve (+ 1 query when the
        ref is no page). Raises InvalidEntryRef, EntryNotFound; Notion's errors propagate."""
        ref_id = parse_entry_ref(ref)
        pending = self.ledger.pending_start(ref_id)
        if pending is not None and isinstance(pending.op, StartOp):
            return pending.op.entry
        found, _ = await locate(self.store, self.ledger, ref_id)
        return found

    async def active(self, user_id: str, *, drain: bool = True) -> list[TimeEntry]:
        """The user's running timers (normally at most one): one query, merged with what the
        ledger wrote that Notion's index may not show yet and what is still pending. The
        pages of a doubled start count as one timer. Notion's errors propagate."""
        if drain:  # not for an autocomplete: Discord waits 3 s for it, a lane maybe longer
            await self._drain_first(user_id)
        return self._merged_running(user_id, await self.store.find_running(user_id))

    def running_with_ledger(self, user_id: str, notion: list[TimeEntry]) -> list[TimeEntry]:
        """``notion``'s running pages of ``user_id`` with what the ledger wrote since (and
        Notion's index may not show yet) and what it still holds: as ``active`` sees them,
        without a request."""
        return self._merged_running(user_id, notion)

    def _merged_running(self, user_id: str, notion: list[TimeEntry]) -> list[TimeEntry]:
        known = merge_effects(notion, self.ledger.written(user_id))
        ops = [r.op for r in self.ledger.pending(user_id)]
        running = [e for e in project(ops, user_id, known) if e.end is None]
        return one_per_entry_id(running)

    async def active_view(self, user_id: str, *, tz: tzinfo = UTC) -> ActiveView:
        """Like ``active``, but when Notion is unavailable: what the ledger knows, flagged.
        When nothing runs, a paused session with the time worked on it today (in ``tz``):
        1 query more, + 1 when one is paused."""
        try:
            await self._drain_first(user_id)
            notion, paused = await self.store.find_running_or_paused(user_id)
            running = self._merged_running(user_id, notion)
            if running or paused is None:
                return ActiveView(running)
            return await self._paused_view(user_id, paused, tz)
        except NotionError as exc:
            if not is_unavailable(exc):
                raise
            return ActiveView(one_per_entry_id(self._local_running(user_id)), False)

    async def _paused_view(self, user_id: str, paused: TimeEntry, tz: tzinfo) -> ActiveView:
        now = self.now()
        midnight = datetime.combine(now.astimezone(tz).date(), time(), tz)
        today = await self.store.list_overlapping(midnight, now, user_id)
        same = [e for e in today if (e.client, e.name) == (paused.client, paused.name)]
        worked = sum(
            (min(e.end or now, now) - max(e.start, midnight) for e in one_per_entry_id(same)),
            timedelta(0),
        )
        return ActiveView([], paused=paused, worked_today=max(worked, timedelta(0)))


def _start_result(
    created: TimeEntry, stopped: Sequence[TimeEntry], *, queued: bool = False
) -> StartResult:
    if not stopped:
        return StartResult(entry=created, queued=queued)
    first, rest = latest_first(stopped)
    return StartResult(entry=created, stopped=first, also_stopped=rest, queued=queued)


def _end_ref_result(result: dict[str, Any]) -> EndResult:
    refused(result)
    ended = _ended(result)
    return EndResult(
        entry=ended[0],
        ended_by_other=bool(result.get("by_other")),
        already_ended=bool(result.get("already_ended")),
    )
