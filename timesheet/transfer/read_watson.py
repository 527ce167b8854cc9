"""Watson's ``frames`` file as imported entries.

The file is a JSON array of frames ``[start, stop, project, id, tags, updated_at]``: start,
stop and updated_at in Unix seconds, id a hex string, tags a list (older files stop after
the id or the tags). Client = the project; Name = the tags joined with ``", "``, or the
project when there are none; Note empty. A frame's key is its id (a repeated id is a
problem). The running frame lives in Watson's ``state`` file, not here, so every frame has
a stop. Times are UTC, so ``tz`` and ``date_order`` are not needed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final
from zoneinfo import ZoneInfo

from timesheet.entries.checks import normalise
from timesheet.transfer.json_array import read_array
from timesheet.transfer.records import (
    DateOrder,
    ImportedEntry,
    NotThisFormat,
    ParsedFile,
    RowProblem,
)

__all__ = ["read"]

_WHAT: Final = "a Watson frames file"
_MIN_FIELDS: Final = 4


class _FrameError(ValueError):
    """Why one frame is skipped."""


def read(data: bytes, *, tz: ZoneInfo, date_order: DateOrder | None = None) -> ParsedFile:
    """The frames of a Watson ``frames`` file, numbered from 1 in file order."""
    frames = read_array(data, what=_WHAT)
    if frames and not any(isinstance(f, list) and len(f) >= _MIN_FIELDS for f in frames):
        raise NotThisFormat(f"not {_WHAT}: no frame [start, stop, project, id, tags, …]")
    entries: list[ImportedEntry] = []
    problems: list[RowProblem] = []
    first_with: dict[str, int] = {}
    for number, frame in enumerate(frames, start=1):
        try:
            entry = _entry(number, frame)
        except _FrameError as exc:
            problems.append(RowProblem(number, str(exc)))
            continue
        if entry.key in first_with:
            problems.append(RowProblem(number, f"repeats the id of frame {first_with[entry.key]}"))
            continue
        first_with[entry.key] = number
        entries.append(entry)
    return ParsedFile(entries=entries, problems=problems)


def _entry(number: int, frame: object) -> ImportedEntry:
    if not isinstance(frame, list) or len(frame) < _MIN_FIELDS:
        raise _FrameError("is not a frame [start, stop, project, id, tags, updated_at]")
    start, stop = _time(frame[0], "start"), _time(frame[1], "stop")
    if stop < start:
        raise _FrameError(f"stops ({stop:%Y-%m-%d %H:%M:%S}Z) before it starts")
    project, frame_id = frame[2], frame[3]
    if not isinstance(project, str) or not " ".join(project.split()):
        raise _FrameError("has no project")
    if not isinstance(frame_id, str) or not frame_id.strip():
        raise _FrameError("has no id")
    tags = frame[4] if len(frame) > _MIN_FIELDS else []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise _FrameError("has tags that are not a list of strings")
    client = " ".join(normalise(project).split())
    names = [" ".join(normalise(t).split()) for t in tags]
    names = [t for t in names if t]
    return ImportedEntry(
        key=frame_id.strip().lower(),
        line=number,
        start=start,
        end=stop,
        client=client,
        name=", ".join(names) or client,
    )


def _time(value: object, which: str) -> datetime:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _FrameError(f"has a {which} that is not a number of seconds")
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        raise _FrameError(f"has a {which} ({value}) out of range") from None
