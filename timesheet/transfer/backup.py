"""``timetrack backup``: the whole entries database as timetrack JSON, gzipped, in
``DATA_DIR/backups/YYYY-MM-DD.json.gz`` (written atomically), the last BACKUP_KEEP kept.
Restore is ``timetrack import json`` of that file."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import os
import re
import tempfile
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final
from zoneinfo import ZoneInfo

from timesheet.entries.model import TimeEntry
from timesheet.entries.schema import SkippedPage
from timesheet.entries.store import EntryStore, Overlapping
from timesheet.transfer.convert import EARLIEST
from timesheet.transfer.write_json import write

__all__ = ["BACKUP_DIR", "Backup", "all_entries", "backup_database", "write_backup"]

#: The folder of DATA_DIR the backups go to.
BACKUP_DIR: Final = "backups"
_NAME: Final = re.compile(r"\d{4}-\d{2}-\d{2}\.json\.gz")


@dataclass(frozen=True, slots=True)
class Backup:
    """A backup written: where, how many entries, the old backups removed, and the pages
    left out because they are not usable entries (a restore can't bring those back)."""

    path: Path
    entries: int
    removed: list[Path] = field(default_factory=list)
    skipped: list[SkippedPage] = field(default_factory=list)


async def all_entries(store: EntryStore, now: datetime) -> Overlapping:
    """Every entry of the database, each page once, by Start, and the pages that are not
    usable entries: one paginated query, split by Start windows past Notion's row cap
    (``EntryStore.scan_overlapping``), from the earliest time an import accepts to a year
    after now (a clock far ahead)."""
    until = now.astimezone(UTC) + timedelta(days=366)
    scanned = await store.scan_overlapping(EARLIEST, until)
    entries = sorted(scanned.entries, key=lambda e: (e.start, e.entry_id))
    return Overlapping(entries, scanned.skipped)


def write_backup(
    data_dir: Path, entries: list[TimeEntry], *, tz: ZoneInfo, day: str, keep: int
) -> Backup:
    """Write ``backups/<day>.json.gz`` atomically (temp file, fsync, rename), then remove
    the oldest backups beyond ``keep``."""
    folder = Path(data_dir) / BACKUP_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{day}.json.gz"
    data = gzip.compress(write(entries, tz=tz).encode("utf-8"), mtime=0)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".backup-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    backups = sorted(p for p in folder.iterdir() if _NAME.fullmatch(p.name))
    removed = backups[: max(0, len(backups) - max(keep, 1))]
    for old in removed:
        old.unlink(missing_ok=True)
    return Backup(path, len(entries), removed)


async def backup_database(
    store: EntryStore, data_dir: Path, *, tz: ZoneInfo, now: datetime, keep: int
) -> Backup:
    """Back the whole database up to ``DATA_DIR/backups/<today in tz>.json.gz``. The file is
    written in a worker thread: encoding, gzip and fsync of a large database take most of a
    second, which the bot's event loop must not wait through."""
    scanned = await all_entries(store, now)
    day = now.astimezone(tz).date().isoformat()
    written = await asyncio.to_thread(
        write_backup, data_dir, scanned.entries, tz=tz, day=day, keep=keep
    )
    return replace(written, skipped=scanned.skipped)
