"""Time entries and instants as the ledger stores them (JSON)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from timesheet.entries.model import TimeEntry

__all__ = ["aware_iso", "entry_from_json", "entry_to_json", "stamp"]


def aware_iso(value: datetime, what: str) -> str:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware")
    return value.isoformat()


def stamp(value: datetime | None) -> str:
    """A moment for an operation's description (logs, `timetrack outbox`, alerts): ISO to the
    second, "running" for no end."""
    return "running" if value is None else value.isoformat(timespec="seconds")


def entry_to_json(entry: TimeEntry) -> dict[str, Any]:
    return {
        "entry_id": entry.entry_id,
        "user_id": entry.user_id,
        "client": entry.client,
        "name": entry.name,
        "start": aware_iso(entry.start, "start"),
        "end": entry.end.isoformat() if entry.end is not None else None,
        "note": entry.note,
        "page_id": entry.page_id,
        "url": entry.url,
        "paused": entry.paused,
    }


def entry_from_json(data: dict[str, Any]) -> TimeEntry:
    end = data.get("end")
    return TimeEntry(
        entry_id=data["entry_id"],
        user_id=data["user_id"],
        client=data["client"],
        name=data["name"],
        start=datetime.fromisoformat(data["start"]),
        end=datetime.fromisoformat(end) if end is not None else None,
        note=data.get("note", ""),
        page_id=data.get("page_id"),
        url=data.get("url"),
        paused=bool(data.get("paused", False)),
    )
