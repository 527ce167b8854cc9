"""From entries read in a file to the time entries an import writes: whose, which Entry ID,
names checked as the bot checks what people type; a row that can't be one is a problem."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Final

from timesheet.entries.checks import check_client, check_text, to_millis
from timesheet.entries.errors import TrackerError
from timesheet.entries.model import TimeEntry, compact_id
from timesheet.transfer.records import ImportedEntry, ParsedFile, RowProblem

__all__ = [
    "EARLIEST",
    "IMPORT_NAMESPACE",
    "LATEST",
    "Converted",
    "Planned",
    "convert",
    "import_entry_id",
]

#: The namespace of every Entry ID an import derives (UUID5 of ``"<format>:<key>"``): fixed
#: forever, or importing a file again would write its entries twice.
IMPORT_NAMESPACE: Final = uuid.UUID("6b1d3f9e-2c4a-5e7b-9d1f-7a0c3e5b8d24")
#: The times an imported entry may have, from EARLIEST to before LATEST: a tracker's record
#: outside them is a broken one (a Watson frame at second 0 of year 1), and the backup's scan
#: of the whole database starts at EARLIEST.
EARLIEST: Final = datetime(1970, 1, 1, tzinfo=UTC)
LATEST: Final = datetime(2100, 1, 1, tzinfo=UTC)
#: timetrack's own formats: a backup restores every entry as it was, zero-length ones too.
_RESTORED_AS_IS: Final = frozenset({"json", "csv"})


def import_entry_id(fmt: str, key: str, user: str | None = None) -> str:
    """The Entry ID of the entry a file of ``fmt`` knows as ``key``: the same every import.
    With ``user`` (the user it is imported for) the same file imported for two people gives
    two sets of entries, never two pages sharing an Entry ID."""
    return str(uuid.uuid5(IMPORT_NAMESPACE, f"{fmt}:{user}:{key}" if user else f"{fmt}:{key}"))


@dataclass(frozen=True, slots=True)
class Planned:
    """A time entry to import and the line (or record) of the file it comes from."""

    entry: TimeEntry
    line: int
    #: The Entry ID the file gave this entry when another entry of the file has it too.
    copy_of: str | None = None


@dataclass(slots=True)
class Converted:
    """The file's entries ready to write, in file order, and the rows that were not."""

    entries: list[Planned] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)


def convert(
    parsed: ParsedFile,
    *,
    fmt: str,
    default_user: str,
    user: str | None = None,
    presets: Sequence[str] = (),
) -> Converted:
    """The time entries of ``parsed``: of ``user`` when given, else of the user the file
    names (timetrack's own json and csv carry it), else of ``default_user``.

    Refused rows: End before Start (or at it, except in timetrack's own formats, which
    restore a zero-length entry as it was), a name or client the bot would refuse, a second row
    of the same entry (same Entry ID and Start), a second running interval of one user (the
    latest one runs). A row with another row's Entry ID but its own Start (a page copied
    with Notion's *Duplicate*) is an entry of its own: it gets an Entry ID derived from both,
    as ``timetrack check --fix`` would give it.
    """
    out = Converted(problems=list(parsed.problems))
    seen: dict[tuple[str, datetime], int] = {}
    ids: set[str] = set()
    running: dict[str, Planned] = {}
    for item in parsed.entries:
        try:
            entry = _entry(item, fmt, user or item.user_id or default_user, presets)
        except (TrackerError, ValueError) as exc:
            out.problems.append(RowProblem(item.line, str(exc)))
            continue
        key = (compact_id(entry.entry_id), entry.start.astimezone(UTC))
        if key in seen:
            out.problems.append(RowProblem(item.line, f"the same entry as line {seen[key]}"))
            continue
        seen[key] = item.line
        planned = Planned(entry, item.line)
        if key[0] in ids:
            copy = replace(entry, entry_id=import_entry_id(fmt, f"{key[0]}@{key[1].isoformat()}"))
            planned = Planned(copy, item.line, copy_of=entry.entry_id)
        ids.add(key[0])
        if entry.end is None:
            earlier = running.get(entry.user_id)
            if earlier is not None:
                stays, goes = sorted((planned, earlier), key=lambda p: p.entry.start, reverse=True)
                why = f"still running, like line {stays.line} (which started later)"
                out.problems.append(RowProblem(goes.line, why))
                if goes is planned:
                    continue
                out.entries.remove(earlier)
            running[entry.user_id] = planned
        out.entries.append(planned)
    out.problems.sort(key=lambda p: p.line)
    return out


def _entry(item: ImportedEntry, fmt: str, user: str, presets: Sequence[str]) -> TimeEntry:
    for moment in (item.start, item.end):
        # Compared before any conversion: near year 1 or 9999 a conversion overflows.
        if moment is not None and not EARLIEST <= moment < LATEST:
            raise ValueError(f"{moment.date().isoformat()} is not in the years 1970 to 2099")
    start = to_millis(item.start)
    end = None if item.end is None else to_millis(item.end)
    if end is not None and end.astimezone(UTC) < start.astimezone(UTC):
        raise ValueError("End is before Start")
    if end is not None and end == start and fmt not in _RESTORED_AS_IS:
        raise ValueError("End is not after Start (no time at all)")
    client = check_client(item.client, presets, presets_only=False, custom=True)
    raw_name = item.name if item.name.strip() else client
    if not raw_name.strip():
        raise ValueError("no name and no client")
    return TimeEntry(
        entry_id=item.entry_id or import_entry_id(fmt, item.key, user),
        user_id=check_text("user", user, limit=100),
        client=client,
        name=check_text("name", raw_name),
        start=start,
        end=end,
        note=check_text("note", item.note) if item.note.strip() else "",
        paused=item.paused and end is not None,
    )
