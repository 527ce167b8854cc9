"""Open incidents, in DATA_DIR/health.sqlite3: shared by every process, kept across restarts,
so each incident is alerted once (whoever opens it first) and its recovery once."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

__all__ = ["HEALTH_FILENAME", "Incident", "IncidentLog"]

HEALTH_FILENAME: Final = "health.sqlite3"
_MAX_DETAIL: Final = 500

_SCHEMA: Final = (
    "CREATE TABLE IF NOT EXISTS incidents ("
    " key TEXT PRIMARY KEY, opened_at REAL NOT NULL, detail TEXT NOT NULL)"
)


@dataclass(frozen=True, slots=True)
class Incident:
    """Something a person should know about: ``key`` names it (``notion``,
    ``weekly-post:2026-W47``, ``op:12:1``), ``opened_at`` Unix seconds."""

    key: str
    opened_at: float
    detail: str


class IncidentLog:
    """Incidents that are open now. `open` and `close` are atomic (one SQLite statement):
    of several processes seeing the same incident, exactly one gets True."""

    def __init__(
        self, path: str | os.PathLike[str], *, clock: Callable[[], float] = time.time
    ) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._clock = clock
        with self._db() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(_SCHEMA)

    @classmethod
    def in_dir(cls, data_dir: str | os.PathLike[str], **kwargs: Callable[[], float]) -> IncidentLog:
        return cls(Path(data_dir) / HEALTH_FILENAME, **kwargs)

    @contextlib.contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        # One short connection per call: the file is touched a few times a minute at most.
        db = sqlite3.connect(self.path, timeout=10.0, isolation_level=None)
        try:
            yield db
        finally:
            db.close()

    def open(self, key: str, detail: str) -> bool:
        """Open ``key`` unless it is open already; True when this call opened it."""
        with self._db() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO incidents (key, opened_at, detail) VALUES (?, ?, ?)",
                (key, self._clock(), detail[:_MAX_DETAIL]),
            )
            return cursor.rowcount == 1

    def close(self, key: str) -> Incident | None:
        """Close ``key``: the incident when this call closed it, None if it was not open."""
        with self._db() as db:
            row = db.execute(
                "DELETE FROM incidents WHERE key = ? RETURNING key, opened_at, detail", (key,)
            ).fetchone()
        return Incident(*row) if row is not None else None

    def get(self, key: str) -> Incident | None:
        with self._db() as db:
            row = db.execute(
                "SELECT key, opened_at, detail FROM incidents WHERE key = ?", (key,)
            ).fetchone()
        return Incident(*row) if row is not None else None

    def opened(self, prefix: str = "") -> list[Incident]:
        """Open incidents whose key starts with ``prefix``, oldest first."""
        with self._db() as db:
            rows = db.execute(
                "SELECT key, opened_at, detail FROM incidents WHERE substr(key, 1, ?) = ?"
                " ORDER BY opened_at, key",
                (len(prefix), prefix),
            ).fetchall()
        return [Incident(*row) for row in rows]
