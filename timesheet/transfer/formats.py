"""Which file formats import and export know, and where each one's reader and writer live.

A reader is ``timesheet/transfer/read_<format>.py`` with ``read(data, *, tz, date_order)``, a
writer ``write_<format>.py`` with ``write(entries, *, tz)``: found by name and loaded only
when used, so a format costs nothing until it is asked for.
"""

from __future__ import annotations

import gzip
import importlib
from collections.abc import Sequence
from typing import Final, Literal, Protocol, cast
from zoneinfo import ZoneInfo

from timesheet.entries.model import TimeEntry
from timesheet.transfer.records import ParsedFile

__all__ = [
    "READ_FORMATS",
    "WRITE_FORMATS",
    "FormatUnavailable",
    "Reader",
    "Writer",
    "decompressed",
    "reader",
    "writer",
]

READ_FORMATS: Final = ("json", "csv", "timew", "watson", "toggl", "clockify")
WRITE_FORMATS: Final = ("json", "csv", "timew", "ics")
_PACKAGE: Final = "timesheet.transfer"
_GZIP_MAGIC: Final = b"\x1f\x8b"


class Reader(Protocol):
    def __call__(
        self, data: bytes, *, tz: ZoneInfo, date_order: Literal["mdy", "dmy"] | None = None
    ) -> ParsedFile: ...


class Writer(Protocol):
    def __call__(self, entries: Sequence[TimeEntry], *, tz: ZoneInfo) -> str: ...


class FormatUnavailable(LookupError):
    """A format name we don't know, or whose module is not installed; ``str()`` is one line."""


def _load(kind: Literal["read", "write"], fmt: str, known: Sequence[str]) -> object:
    name = fmt.strip().lower()
    if name not in known:
        raise FormatUnavailable(f"unknown format {fmt!r} (expected {', '.join(known)})")
    module = f"{_PACKAGE}.{kind}_{name}"
    try:
        loaded = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name != module:
            raise
        raise FormatUnavailable(f"format {name!r} is not available in this build") from None
    return getattr(loaded, kind)


def reader(fmt: str) -> Reader:
    """The reader of ``fmt`` (one of READ_FORMATS); FormatUnavailable otherwise."""
    return cast(Reader, _load("read", fmt, READ_FORMATS))


def writer(fmt: str) -> Writer:
    """The writer of ``fmt`` (one of WRITE_FORMATS); FormatUnavailable otherwise."""
    return cast(Writer, _load("write", fmt, WRITE_FORMATS))


def decompressed(data: bytes) -> bytes:
    """``data``, gunzipped when it is gzip (a backup ``.json.gz``); OSError if it is broken."""
    if data.startswith(_GZIP_MAGIC):
        return gzip.decompress(data)
    return data
