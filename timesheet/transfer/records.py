"""What a file reader gives the import: entries read, and the rows it could not read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

__all__ = [
    "AmbiguousDates",
    "DateOrder",
    "ImportedEntry",
    "NotThisFormat",
    "ParsedFile",
    "RowProblem",
]

#: The order of day and month in a locale's numeric dates: 03/04/2026 is 4 March (``"mdy"``)
#: or 3 April (``"dmy"``).
DateOrder = Literal["mdy", "dmy"]


class NotThisFormat(ValueError):
    """The file is not the format asked for; ``str()`` is one line naming what is missing."""


class AmbiguousDates(NotThisFormat):
    """Every date in the file reads both as MM/DD/YYYY and as DD/MM/YYYY: the caller must say
    which (a `DateOrder`); ``str()`` is one line saying so."""


@dataclass(frozen=True, slots=True)
class ImportedEntry:
    """One entry read from a file.

    ``key`` is the source's own identity of the entry (the interval, a frame id, the row's
    content): stable across reads of the same file, so the import derives the same Entry ID
    (a UUID5 of the format and ``key``) every time. ``line`` is the 1-based line (CSV) or
    record number (JSON) for messages. ``end`` None = still running. ``entry_id`` and
    ``user_id`` are set only by timetrack's own formats, which carry them.
    """

    key: str
    line: int
    start: datetime
    end: datetime | None
    client: str | None
    name: str
    note: str = ""
    entry_id: str | None = None
    user_id: str | None = None
    #: Ended by a pause (timetrack's own json carries it; other formats never set it).
    paused: bool = False

    def __post_init__(self) -> None:
        for value in (self.start, self.end):
            if value is not None and (value.tzinfo is None or value.utcoffset() is None):
                raise ValueError("ImportedEntry times must be timezone-aware")


@dataclass(frozen=True, slots=True)
class RowProblem:
    """A row skipped: its line (or record) number and why, one line."""

    line: int
    reason: str


@dataclass(frozen=True, slots=True)
class ParsedFile:
    """Everything a reader got from one file."""

    entries: list[ImportedEntry] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
