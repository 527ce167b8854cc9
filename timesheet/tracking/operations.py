"""The operations a command plans, their stored form, and the entries they will produce."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal

from timesheet.entries.model import TimeEntry, same_id
from timesheet.tracking.codec import aware_iso, entry_from_json, entry_to_json, stamp
from timesheet.tracking.edit_ops import (
    Changes,
    DeleteOp,
    EditOp,
    EditOperation,
    LogOp,
    PauseOp,
    ResumeOp,
    edit_op_from_json,
)

__all__ = [
    "Changes",
    "DeleteOp",
    "EditOp",
    "EndOp",
    "EndRunningOp",
    "LogOp",
    "Operation",
    "PauseOp",
    "ResumeOp",
    "StartOp",
    "edited",
    "entry_from_json",
    "entry_to_json",
    "op_from_payload",
    "op_payload",
    "project",
]


@dataclass(frozen=True, slots=True)
class StartOp:
    """Create ``entry``'s page (once per Entry ID), stopping what runs of its user at its
    start: a running page whose Start is later (a clock ahead, a hand edit) at its own Start."""

    entry: TimeEntry
    kind: Literal["start"] = "start"

    @property
    def lane(self) -> str:
        return self.entry.user_id

    def describe(self) -> str:
        e = self.entry
        return f"start {e.name!r} ({e.client}) at {stamp(e.start)} entry {e.entry_id}"


@dataclass(frozen=True, slots=True)
class EndOp:
    """Stop the entry ``ref`` names (a page id or an Entry ID) at ``at`` (never before its
    Start), asked by ``asked_by``; applied only if the entry is theirs or ``can_manage``.

    ``owner``: the entry's owner when it was known as the op was planned (its start still in
    the ledger); the op then waits behind the owner's operations, else behind the asker's.
    """

    ref: str
    at: datetime
    asked_by: str
    can_manage: bool = False
    owner: str | None = None
    #: ``at`` was typed by the person: a stop before the entry's Start is refused, not
    #: moved to the Start (as the bot's own clock is, when a Start is ahead of it).
    strict: bool = False
    kind: Literal["end"] = "end"

    @property
    def lane(self) -> str:
        return self.owner or self.asked_by

    def may_end(self, owner: str) -> bool:
        return self.can_manage or owner == self.asked_by

    def names(self, entry: TimeEntry) -> bool:
        """Whether ``entry`` is the one this op names (by page id or Entry ID)."""
        if entry.page_id and same_id(entry.page_id, self.ref):
            return True
        return bool(entry.entry_id) and same_id(entry.entry_id, self.ref)

    def describe(self) -> str:
        by = f" by {self.asked_by}" + (" (manager)" if self.can_manage else "")
        return f"end entry {self.ref} at {stamp(self.at)}{by}"


@dataclass(frozen=True, slots=True)
class EndRunningOp:
    """Stop every running timer of ``user_id`` at ``at`` (one that started later at its own
    Start)."""

    user_id: str
    at: datetime
    strict: bool = False
    kind: Literal["end_running"] = "end_running"

    @property
    def lane(self) -> str:
        return self.user_id

    def describe(self) -> str:
        return f"end running timers of user {self.user_id} at {stamp(self.at)}"


Operation = StartOp | EndOp | EndRunningOp | EditOperation


def op_payload(op: Operation) -> str:
    """The stored form of ``op`` (JSON); refuses naive datetimes."""
    if isinstance(op, StartOp):
        return json.dumps(entry_to_json(op.entry))
    if isinstance(op, EndRunningOp):
        if not op.user_id:
            raise ValueError("user id is empty")
        at = aware_iso(op.at, "end time")
        return json.dumps({"user_id": op.user_id, "at": at, "strict": op.strict})
    if not isinstance(op, EndOp):
        return json.dumps(op.to_json())
    if not op.ref:
        raise ValueError("an end needs a page id or an Entry ID")
    return json.dumps(
        {
            "ref": op.ref,
            "at": aware_iso(op.at, "end time"),
            "asked_by": op.asked_by,
            "can_manage": op.can_manage,
            "owner": op.owner,
            "strict": op.strict,
        }
    )


def op_from_payload(kind: str, payload: str) -> Operation:
    """An operation from its stored form; ValueError/KeyError/TypeError if unreadable."""
    data: dict[str, Any] = json.loads(payload)
    if kind == "start":
        return StartOp(entry_from_json(data))
    if kind == "end_running":
        at = datetime.fromisoformat(data["at"])
        return EndRunningOp(data["user_id"], at, bool(data.get("strict", False)))
    if kind == "end":
        return EndOp(
            ref=data["ref"],
            at=datetime.fromisoformat(data["at"]),
            asked_by=data["asked_by"],
            can_manage=bool(data.get("can_manage", False)),
            owner=data.get("owner"),
            strict=bool(data.get("strict", False)),
        )
    op = edit_op_from_json(kind, data)
    if op is None:
        raise ValueError(f"unknown operation kind {kind!r}")
    return op


def project(
    ops: Iterable[Operation], user_id: str, known: Iterable[TimeEntry] = ()
) -> list[TimeEntry]:
    """``user_id``'s entries as they will be once ``ops`` are applied, in order.

    ``known``: the user's entries as Notion and the ledger know them now. Starts add their
    entry (``page_id`` None) and stop what runs at their start; ends stop what they name (an
    End already set is kept, as in Notion). Sorted by start.
    """
    entries: dict[str, TimeEntry] = {}
    for e in known:
        if e.user_id == user_id:
            entries[e.page_id or e.entry_id] = e

    def stop(key: str, at: datetime) -> None:
        e = entries[key]
        if e.end is None:
            entries[key] = e.ended(max(at, e.start))

    for op in ops:
        if isinstance(op, StartOp):
            if op.lane != user_id:
                continue
            for key, e in list(entries.items()):
                if e.entry_id != op.entry.entry_id:
                    stop(key, op.entry.start)
            if not any(e.entry_id == op.entry.entry_id for e in entries.values()):
                entries[op.entry.entry_id] = op.entry
        elif isinstance(op, EndRunningOp | PauseOp):
            if op.user_id == user_id:
                for key in list(entries):
                    stop(key, op.at)
                    if isinstance(op, PauseOp) and entries[key].end == op.at:
                        entries[key] = replace(entries[key], paused=True)
        elif isinstance(op, EndOp):
            if op.may_end(user_id):
                for key, e in list(entries.items()):
                    if op.names(e):
                        stop(key, op.at)
        elif isinstance(op, LogOp):
            if op.lane == user_id:
                entries.setdefault(op.entry.entry_id, op.entry)
        elif isinstance(op, EditOp | DeleteOp):
            for key, e in list(entries.items()):
                if op.names(e) and op.may_change(user_id):
                    if isinstance(op, DeleteOp):
                        del entries[key]
                    else:
                        entries[key] = edited(e, op.changes) or e
        # A resume's entry is known only once Notion says what was paused.
    return sorted(entries.values(), key=lambda e: e.start)


def edited(entry: TimeEntry, changes: Changes) -> TimeEntry | None:
    """``entry`` with ``changes`` made; None when its End would not be after its Start."""
    start = changes.start or entry.start
    end = changes.end or entry.end
    if changes.duration is not None:
        end = start + changes.duration
    if end is not None and end <= start:
        return None
    return replace(
        entry,
        start=start,
        end=end,
        client=entry.client if changes.client is None else changes.client,
        name=entry.name if changes.name is None else changes.name,
        note=entry.note if changes.note is None else changes.note,
    )
