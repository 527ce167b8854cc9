"""The operations an outbox holds, their stored form, and the entries they will produce."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from timesheet.entries import TimeEntry

__all__ = [
    "EndOp",
    "EndRunningOp",
    "OutboxOp",
    "StartOp",
    "end_payload",
    "end_running_payload",
    "op_from_record",
    "project",
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
    """Set End of one entry (by page id, else Entry ID) to ``at`` unless it already has one."""

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
    kind: Literal["end"] = "end"

    def describe(self) -> str:
        by = f" by {self.ended_by}" if self.ended_by else ""
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


def end_payload(entry_id: str, at: datetime, page_id: str | None, by: str | None) -> str:
    if not entry_id and not page_id:
        raise ValueError("an end needs an Entry ID or a page id")
    return json.dumps(
        {"entry_id": entry_id, "at": _aware(at, "end time"), "page_id": page_id, "ended_by": by}
    )


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


def _same_id(a: str, b: str) -> bool:
    return a.replace("-", "").lower() == b.replace("-", "").lower()


def project(
    ops: Iterable[OutboxOp], user_id: str, known: Iterable[TimeEntry] = ()
) -> list[TimeEntry]:
    """``user_id``'s entries as they will be once ``ops`` are replayed, in queue order.

    ``known`` are entries read from Notion; pending starts are added (page_id None), pending
    ends applied (an End already set is kept, as in Notion). Sorted by start.
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
        else:
            for key, e in list(entries.items()):
                if (op.entry_id and e.entry_id == op.entry_id) or (
                    op.page_id and e.page_id and _same_id(e.page_id, op.page_id)
                ):
                    stop(key, op.at)
    return sorted(entries.values(), key=lambda e: e.start)
