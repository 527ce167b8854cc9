"""The ledger's record of forgotten-timer reminders: which were marked, sent, kept going.

One row per timer (its `reminder_key`: the compact Entry ID, or page id) and threshold (1
for the first reminder, one more after each Keep going). A row is inserted (``claim``)
before its DM is sent, in one write transaction, so two processes sharing DATA_DIR never
both send it and a restart never sends it again: at most once. A send that failed for a
passing reason (Discord 5xx, rate limit, connection) is put back (``retry``) and claimed
again by a later check, a few times at most.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final, Literal

from timesheet.entries.model import TimeEntry, compact_id
from timesheet.tracking.ledger_file import LedgerFile

__all__ = [
    "MAX_SEND_ATTEMPTS",
    "ReminderBook",
    "ReminderRow",
    "ReminderState",
    "reminder_key",
]

ReminderState = Literal["sending", "sent", "retry", "undeliverable", "failed"]

#: Sends of one reminder at most (the first and the retries after passing failures).
MAX_SEND_ATTEMPTS: Final = 3
#: Seconds a reminder's row is kept: far longer than any timer runs unnoticed.
KEEP_SECONDS: Final = 90 * 86_400.0
_MAX_ERROR_CHARS: Final = 300


def reminder_key(entry: TimeEntry) -> str:
    """What a timer's reminders are kept under: its Entry ID, or its page id when it has none
    (a page made by hand in Notion: every such timer would otherwise share the blank key)."""
    return compact_id(entry.entry_id or entry.page_id or "")


@dataclass(frozen=True, slots=True)
class ReminderRow:
    """A timer's latest reminder as the ledger holds it."""

    entry_key: str
    threshold: int
    user_id: str
    state: ReminderState
    marked_at: datetime
    attempts: int
    kept_at: datetime | None
    last_error: str | None


class ReminderBook:
    """The reminders table of a ledger (`timesheet.tracking.ledger.Ledger`'s file)."""

    def __init__(self, ledger: LedgerFile) -> None:
        # The ledger's own connection and write lock: one file, one schema version.
        self._ledger = ledger

    def latest(self, keys: Iterable[str]) -> dict[str, ReminderRow]:
        """The latest reminder (highest threshold) of each timer named (`reminder_key`)."""
        wanted = sorted({compact_id(k) for k in keys})
        found: dict[str, ReminderRow] = {}
        for first in range(0, len(wanted), 500):  # SQLite's bound parameters
            chunk = wanted[first : first + 500]
            marks = ", ".join("?" for _ in chunk)
            rows = self._ledger._rows(
                f"SELECT * FROM reminders WHERE entry_key IN ({marks})"
                " ORDER BY entry_key, threshold",
                tuple(chunk),
            )
            for row in rows:  # ordered by threshold: the last one wins
                found[row["entry_key"]] = ReminderRow(
                    entry_key=row["entry_key"],
                    threshold=int(row["threshold"]),
                    user_id=row["user_id"],
                    state=row["state"],
                    marked_at=datetime.fromtimestamp(row["marked_at"], UTC),
                    attempts=int(row["attempts"]),
                    kept_at=(
                        None
                        if row["kept_at"] is None
                        else datetime.fromtimestamp(row["kept_at"], UTC)
                    ),
                    last_error=row["last_error"],
                )
        return found

    def claim(self, key: str, threshold: int, user_id: str, at: datetime) -> bool:
        """Mark a reminder as being sent (at ``at``, the bot's clock): True when this call
        did (send it), False when it was marked already (by this or another process; do
        not send)."""
        key, now = compact_id(key), at.timestamp()
        with self._ledger._write() as db:
            db.execute("DELETE FROM reminders WHERE marked_at < ?", (now - KEEP_SECONDS,))
            inserted = db.execute(
                "INSERT OR IGNORE INTO reminders (entry_key, threshold, user_id, state,"
                " marked_at) VALUES (?, ?, ?, 'sending', ?)",
                (key, threshold, user_id, now),
            ).rowcount
            if inserted:
                return True
            retried = db.execute(
                "UPDATE reminders SET state = 'sending', attempts = attempts + 1, marked_at = ?"
                " WHERE entry_key = ? AND threshold = ? AND state = 'retry' AND attempts < ?",
                (now, key, threshold, MAX_SEND_ATTEMPTS),
            ).rowcount
        return bool(retried)

    def settle(
        self, key: str, threshold: int, state: ReminderState, error: str | None = None
    ) -> None:
        """What became of a claimed reminder: sent, to retry, undeliverable (DMs closed) or
        failed for good."""
        with self._ledger._write() as db:
            db.execute(
                "UPDATE reminders SET state = ?, last_error = ? WHERE entry_key = ?"
                " AND threshold = ?",
                (
                    state,
                    error[:_MAX_ERROR_CHARS] if error else None,
                    compact_id(key),
                    threshold,
                ),
            )

    def keep_going(self, key: str, user_id: str, at: datetime) -> tuple[datetime, bool]:
        """Keep going on a timer (clicked at ``at``): its next reminder is due a REMIND_AFTER
        after the time returned. ``(kept_at, first)``: ``first`` is False when Keep going was
        already clicked for its latest reminder (the first click's time stands)."""
        key, now = compact_id(key), at.timestamp()
        with self._ledger._write() as db:
            row = db.execute(
                "SELECT threshold, kept_at FROM reminders WHERE entry_key = ?"
                " ORDER BY threshold DESC LIMIT 1",
                (key,),
            ).fetchone()
            if row is None:  # no reminder on record (pruned): this click counts as one
                db.execute(
                    "INSERT INTO reminders (entry_key, threshold, user_id, state, marked_at,"
                    " kept_at) VALUES (?, 1, ?, 'sent', ?, ?)",
                    (key, user_id, now, now),
                )
                return at, True
            if row["kept_at"] is not None:
                return datetime.fromtimestamp(row["kept_at"], UTC), False
            db.execute(
                "UPDATE reminders SET kept_at = ? WHERE entry_key = ? AND threshold = ?",
                (now, key, row["threshold"]),
            )
        return at, True
