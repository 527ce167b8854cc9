"""Operations that fix time after the fact: log, edit, delete, pause, resume."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from timesheet.entries.model import TimeEntry, same_id
from timesheet.tracking.codec import aware_iso, entry_from_json, entry_to_json, stamp

__all__ = [
    "Changes",
    "DeleteOp",
    "EditOp",
    "EditOperation",
    "LogOp",
    "PauseOp",
    "ResumeOp",
    "edit_op_from_json",
    "import_lane",
]


def import_lane(user_id: str) -> str:
    """The lane of ``user_id``'s imported entries, beside their own lane."""
    return f"import:{user_id}"


def _when(value: datetime | None, what: str) -> str | None:
    return None if value is None else aware_iso(value, what)


def _parsed(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


@dataclass(frozen=True, slots=True)
class LogOp:
    """Create an ended entry (``entry.end`` set) from memory; it stops nothing.

    ``imported``: one entry of an import (``timetrack import``), which checked up front which
    entries Notion already has: applying it is the create only, without the overlaps query.
    It waits in its user's import lane (``import_lane``), so the user's own commands never
    wait behind an import of hundreds of entries (an ended entry stops nothing: their order
    does not matter).
    """

    entry: TimeEntry
    imported: bool = False
    kind: Literal["log"] = "log"

    @property
    def lane(self) -> str:
        return import_lane(self.entry.user_id) if self.imported else self.entry.user_id

    def describe(self) -> str:
        e = self.entry
        return f"log {e.name!r} ({e.client}) {stamp(e.start)}..{stamp(e.end)} entry {e.entry_id}"

    def to_json(self) -> dict[str, Any]:
        data = entry_to_json(self.entry)
        return data | {"imported": True} if self.imported else data


@dataclass(frozen=True, slots=True)
class Changes:
    """What an edit changes; None leaves a field as it is. ``duration`` keeps Start and
    moves End."""

    start: datetime | None = None
    end: datetime | None = None
    duration: timedelta | None = None
    client: str | None = None
    name: str | None = None
    note: str | None = None

    @property
    def empty(self) -> bool:
        return all(getattr(self, f) is None for f in self.__slots__)

    def to_json(self) -> dict[str, Any]:
        return {
            "start": _when(self.start, "start"),
            "end": _when(self.end, "end"),
            "duration": None if self.duration is None else self.duration.total_seconds(),
            "client": self.client,
            "name": self.name,
            "note": self.note,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Changes:
        seconds = data.get("duration")
        return cls(
            start=_parsed(data.get("start")),
            end=_parsed(data.get("end")),
            duration=None if seconds is None else timedelta(seconds=seconds),
            client=data.get("client"),
            name=data.get("name"),
            note=data.get("note"),
        )


@dataclass(frozen=True, slots=True)
class _ByRef:
    """An operation on the entry ``ref`` names (a page id or an Entry ID), asked by
    ``asked_by``: applied only to their own entry, or anyone's when ``can_manage``."""

    ref: str
    asked_by: str
    can_manage: bool = False
    owner: str | None = None

    @property
    def lane(self) -> str:
        return self.owner or self.asked_by

    def may_change(self, owner: str) -> bool:
        return self.can_manage or owner == self.asked_by

    def names(self, entry: TimeEntry) -> bool:
        if entry.page_id and same_id(entry.page_id, self.ref):
            return True
        return bool(entry.entry_id) and same_id(entry.entry_id, self.ref)

    def _json(self) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "asked_by": self.asked_by,
            "can_manage": self.can_manage,
            "owner": self.owner,
        }


@dataclass(frozen=True, slots=True)
class EditOp(_ByRef):
    """Change the entry's Start, End (or duration), Client, Name or Note."""

    changes: Changes = Changes()
    kind: Literal["edit"] = "edit"

    def describe(self) -> str:
        return f"edit entry {self.ref} by {self.asked_by}: {self.changes.to_json()}"

    def to_json(self) -> dict[str, Any]:
        return self._json() | {"changes": self.changes.to_json()}


@dataclass(frozen=True, slots=True)
class DeleteOp(_ByRef):
    """Move the entry's page (every page of a doubled create) to Notion's trash."""

    kind: Literal["delete"] = "delete"

    def describe(self) -> str:
        return f"delete entry {self.ref} by {self.asked_by}"

    def to_json(self) -> dict[str, Any]:
        return self._json()


@dataclass(frozen=True, slots=True)
class PauseOp:
    """End ``user_id``'s running timer at ``at`` and tick Paused on it."""

    user_id: str
    at: datetime
    kind: Literal["pause"] = "pause"

    @property
    def lane(self) -> str:
        return self.user_id

    def describe(self) -> str:
        return f"pause the timer of user {self.user_id} at {stamp(self.at)}"

    def to_json(self) -> dict[str, Any]:
        return {"user_id": self.user_id, "at": aware_iso(self.at, "pause time")}


@dataclass(frozen=True, slots=True)
class ResumeOp:
    """Start ``entry_id`` at ``at`` with the Name, Client and Note of the user's paused entry
    (else their latest ended one), stopping what runs, and clear Paused on the old page."""

    user_id: str
    at: datetime
    entry_id: str
    kind: Literal["resume"] = "resume"

    @property
    def lane(self) -> str:
        return self.user_id

    def describe(self) -> str:
        return f"resume for user {self.user_id} at {stamp(self.at)} entry {self.entry_id}"

    def to_json(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "at": aware_iso(self.at, "resume time"),
            "entry_id": self.entry_id,
        }


EditOperation = LogOp | EditOp | DeleteOp | PauseOp | ResumeOp


def edit_op_from_json(kind: str, data: dict[str, Any]) -> EditOperation | None:
    """The operation of one of these kinds from its stored form; None for another kind."""
    if kind == "log":
        return LogOp(entry_from_json(data), imported=bool(data.get("imported", False)))
    if kind in ("edit", "delete"):
        common = {
            "ref": data["ref"],
            "asked_by": data["asked_by"],
            "can_manage": bool(data.get("can_manage", False)),
            "owner": data.get("owner"),
        }
        if kind == "delete":
            return DeleteOp(**common)
        return EditOp(**common, changes=Changes.from_json(data["changes"]))
    if kind == "pause":
        return PauseOp(data["user_id"], datetime.fromisoformat(data["at"]))
    if kind == "resume":
        return ResumeOp(data["user_id"], datetime.fromisoformat(data["at"]), data["entry_id"])
    return None
