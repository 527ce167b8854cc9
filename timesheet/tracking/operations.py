"""The operations an outbox holds, their stored form, and the entries they will produce."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from timesheet.entries.model import TimeEntry, same_id

__all__ = [
    "EndOp",
    "EndRunningOp",
    "OutboxOp",
    "StartOp",
    "end_payload",
    "end_running_payload",
    "op_from_record",
    "op_from_row",
    "project",
    "readable_ops",
    "start_payload",
]


@dataclass(frozen=True, slots=True)
class StartOp:
    """Write ``entry`` to Notion (idempotent through its Entry ID)."""

    op_id: int
    entry: TimeEntry
    enqueued_at: float
    claims: int = 0
    failures: int = 0
    last_error: str | None = None
    kind: Literal["start"] = "start"

    @property
    def entry_id(self) -> str:
        return self.entry.entry_id

    @property
    def user_id(self) -> str:
        return self.entry.user_id

    def describe(self) -> str:
        e = self.entry
        return f"start {e.name!r} ({e.client}) at {e.start.isoformat()} entry {e.entry_id}"


@dataclass(frozen=True, slots=True)
class EndOp:
    """Set End of one entry (by page id, else Entry ID) to ``at`` unless it already has one.

    ``asked_by`` set: an end by ref that Notion could not read when it was asked (its owner
    unknown). ``page_id`` is then the ref as given (a page id, or an Entry ID people pasted)
    and the owner is checked on replay: the entry is ended only if it is ``asked_by``'s or
    ``can_manage`` (they had Manage Server).
    """

    op_id: int
    entry_id: str
    at: datetime
    page_id: str | None
    ended_by: str | None
    user_id: str | None
    enqueued_at: float
    claims: int = 0
    failures: int = 0
    last_error: str | None = None
    asked_by: str | None = None
    can_manage: bool = False
    kind: Literal["end"] = "end"

    def may_end(self, owner: str) -> bool:
        """Whether this end may stop an entry of ``owner`` (always, once the owner was checked)."""
        return self.asked_by is None or self.can_manage or owner == self.asked_by

    def describe(self) -> str:
        by = f" by {self.ended_by}" if self.ended_by else ""
        if self.asked_by is not None:
            role = " (manager)" if self.can_manage else ""
            by = f" asked by {self.asked_by}{role}, owner unchecked"
        return f"end entry {self.entry_id or self.page_id} at {self.at.isoformat()}{by}"


@dataclass(frozen=True, slots=True)
class EndRunningOp:
    """End every timer of ``user_id`` running at ``at`` (Notion could not say which one)."""

    op_id: int
    user_id: str
    at: datetime
    ended_by: str | None
    enqueued_at: float
    claims: int = 0
    failures: int = 0
    last_error: str | None = None
    kind: Literal["end_running"] = "end_running"

    @property
    def entry_id(self) -> str:
        return ""

    def describe(self) -> str:
        by = f" by {self.ended_by}" if self.ended_by else ""
        return f"end running timers of user {self.user_id} at {self.at.isoformat()}{by}"


OutboxOp = StartOp | EndOp | EndRunningOp


def _aware(value: datetime, what: str) -> str:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware")
    return value.isoformat()


def start_payload(entry: TimeEntry) -> str:
    return json.dumps(
        {
            "entry_id": entry.entry_id,
            "user_id": entry.user_id,
            "client": entry.client,
            "name": entry.name,
            "start": entry.start.isoformat(),
            "end": entry.end.isoformat() if entry.end is not None else None,
            "note": entry.note,
        }
    )


def end_payload(
    entry_id: str,
    at: datetime,
    page_id: str | None,
    by: str | None,
    *,
    asked_by: str | None = None,
    can_manage: bool = False,
) -> str:
    if not entry_id and not page_id:
        raise ValueError("an end needs an Entry ID or a page id")
    data: dict[str, Any] = {
        "entry_id": entry_id,
        "at": _aware(at, "end time"),
        "page_id": page_id,
        "ended_by": by,
    }
    if asked_by is not None:
        data |= {"asked_by": asked_by, "can_manage": can_manage}
    return json.dumps(data)


def end_running_payload(user_id: str, at: datetime, by: str | None) -> str:
    if not user_id:
        raise ValueError("user id is empty")
    return json.dumps({"user_id": user_id, "at": _aware(at, "end time"), "ended_by": by})


def op_from_record(kind: str, payload: str, user_id: str | None, **common: Any) -> OutboxOp:
    """An operation from its stored form. ``common``: op_id, enqueued_at, claims, failures,
    last_error. Raises ValueError/KeyError/TypeError for a record that cannot be read."""
    data: dict[str, Any] = json.loads(payload)
    if kind == "start":
        end = data.get("end")
        entry = TimeEntry(
            entry_id=data["entry_id"],
            user_id=data["user_id"],
            client=data["client"],
            name=data["name"],
            start=datetime.fromisoformat(data["start"]),
            end=datetime.fromisoformat(end) if end is not None else None,
            note=data.get("note", ""),
        )
        return StartOp(entry=entry, **common)
    if kind == "end":
        return EndOp(
            entry_id=data["entry_id"],
            at=datetime.fromisoformat(data["at"]),
            page_id=data.get("page_id"),
            ended_by=data.get("ended_by"),
            user_id=user_id,
            asked_by=data.get("asked_by"),
            can_manage=bool(data.get("can_manage", False)),
            **common,
        )
    if kind == "end_running":
        return EndRunningOp(
            user_id=data["user_id"],
            at=datetime.fromisoformat(data["at"]),
            ended_by=data.get("ended_by"),
            **common,
        )
    raise ValueError(f"unknown operation kind {kind!r}")


def op_from_row(row: sqlite3.Row) -> OutboxOp:
    """The operation a row of the outbox's ``ops`` table holds (see ``op_from_record``)."""
    return op_from_record(
        row["kind"],
        row["payload"],
        row["user_id"],
        op_id=row["id"],
        enqueued_at=row["enqueued_at"],
        claims=row["claims"],
        failures=row["failures"],
        last_error=row["last_error"],
    )


def readable_ops(rows: Iterable[sqlite3.Row]) -> list[OutboxOp]:
    """The operations of ``rows``, skipping any that cannot be read (``Outbox.claim_next``
    sets them aside as failed; ``Outbox.failed_reasons`` shows them)."""
    ops: list[OutboxOp] = []
    for row in rows:
        try:
            ops.append(op_from_row(row))
        except (ValueError, KeyError, TypeError):
            continue
    return ops


def _names(op: EndOp, e: TimeEntry) -> bool:
    if op.entry_id and e.entry_id == op.entry_id:
        return True
    if not op.page_id:
        return False
    if e.page_id and same_id(e.page_id, op.page_id):
        return True
    # An end by ref whose owner is unchecked may name the entry by its Entry ID.
    return op.asked_by is not None and bool(e.entry_id) and same_id(e.entry_id, op.page_id)


def project(
    ops: Iterable[OutboxOp], user_id: str, known: Iterable[TimeEntry] = ()
) -> list[TimeEntry]:
    """``user_id``'s entries as they will be once ``ops`` are replayed, in queue order.

    ``known`` are entries read from Notion; pending starts are added (page_id None), pending
    ends applied (an End already set is kept, as in Notion; an end whose owner is unchecked
    only to entries it may end). Sorted by start.
    """
    entries: dict[str, TimeEntry] = {}
    for e in known:
        if e.user_id == user_id:
            entries[e.entry_id or e.page_id or ""] = e

    def stop(key: str, at: datetime) -> None:
        if entries[key].end is None:
            entries[key] = entries[key].ended(at)

    for op in ops:
        if isinstance(op, StartOp):
            if op.user_id == user_id:
                entries.setdefault(op.entry_id, op.entry)
        elif isinstance(op, EndRunningOp):
            if op.user_id == user_id:
                for key, e in list(entries.items()):
                    if e.start <= op.at:
                        stop(key, op.at)
        elif op.may_end(user_id):
            for key, e in list(entries.items()):
                if _names(op, e):
                    stop(key, max(op.at, e.start) if op.asked_by else op.at)
    return sorted(entries.values(), key=lambda e: e.start)
