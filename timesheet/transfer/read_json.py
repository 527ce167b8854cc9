"""Reads timetrack's own JSON (``write_json``): a restore of a backup or an export."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from timesheet.transfer.local_time import aware
from timesheet.transfer.records import ImportedEntry, NotThisFormat, ParsedFile, RowProblem

__all__ = ["read"]

_REQUIRED = ("start", "entry_id")


def read(
    data: bytes, *, tz: ZoneInfo, date_order: Literal["mdy", "dmy"] | None = None
) -> ParsedFile:
    """The entries of a timetrack JSON export: ``{"entries": [...]}`` (or the bare list).

    Each record needs ``start`` and ``entry_id``; ``end`` null is a running timer; a time
    without an offset is read in ``tz``. Records are numbered from 1 in messages.
    """
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise NotThisFormat(f"not timetrack JSON: not JSON ({type(exc).__name__})") from None
    records = doc.get("entries") if isinstance(doc, dict) else doc
    if not isinstance(records, list):
        raise NotThisFormat('not timetrack JSON: no "entries" list')
    parsed = ParsedFile()
    for number, record in enumerate(records, start=1):
        try:
            parsed.entries.append(_entry(number, record, tz))
        except (KeyError, TypeError, ValueError) as exc:
            parsed.problems.append(RowProblem(number, _why(exc)))
    if records and not parsed.entries:
        if all(not isinstance(r, dict) for r in records):
            raise NotThisFormat("not timetrack JSON: the entries are not objects")
        if not any(isinstance(r, dict) and "entry_id" in r for r in records):
            raise NotThisFormat('not timetrack JSON: no entry has an "entry_id"')
    return parsed


def _why(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"no {exc.args[0]!r}"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _text(record: dict[str, Any], key: str) -> str:
    value = record.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{key!r} is not text")
    return value


def _flag(record: dict[str, Any], key: str) -> bool:
    value = record.get(key, False)
    if not isinstance(value, bool):  # bool("false") is True
        raise ValueError(f"{key!r} is not true or false")
    return value


def _time(value: Any, key: str, tz: ZoneInfo) -> datetime:
    if not isinstance(value, str):
        raise ValueError(f"{key!r} is not an ISO time")
    try:
        return aware(datetime.fromisoformat(value), tz)
    except ValueError as exc:
        raise ValueError(f"{key!r}: {exc}") from None


def _entry(number: int, record: Any, tz: ZoneInfo) -> ImportedEntry:
    if not isinstance(record, dict):
        raise ValueError("not an object")
    for key in _REQUIRED:
        if not record.get(key):
            raise KeyError(key)
    entry_id = _text(record, "entry_id")
    end = record.get("end")
    client = _text(record, "client")
    return ImportedEntry(
        key=entry_id,
        line=number,
        start=_time(record["start"], "start", tz),
        end=None if end is None else _time(end, "end", tz),
        client=client or None,
        name=_text(record, "name") or client,
        note=_text(record, "note"),
        entry_id=entry_id,
        user_id=_text(record, "user_id") or _text(record, "user") or None,
        paused=_flag(record, "paused"),
    )
