"""Which running timers are owed a reminder now: one query for every user's running timers,
merged with the ledger, against the reminders the ledger already holds."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from timesheet.entries.duplicates import one_per_entry_id
from timesheet.entries.model import TimeEntry
from timesheet.tracking.ledger_reminders import (
    MAX_SEND_ATTEMPTS,
    ReminderBook,
    ReminderRow,
    reminder_key,
)
from timesheet.tracking.tracker import Tracker

__all__ = ["Reminder", "due_reminders", "find_due", "next_due", "reminders_due", "running_timers"]


@dataclass(frozen=True, slots=True)
class Reminder:
    """A reminder owed: ``entry`` has run past threshold ``threshold``, due at ``due_at``."""

    entry: TimeEntry
    threshold: int
    due_at: datetime


def next_due(
    entry: TimeEntry, latest: ReminderRow | None, remind_after: timedelta
) -> tuple[int, datetime] | None:
    """The threshold of ``entry``'s next reminder and when it is due, given its latest one;
    None when none is owed (reminded, and Keep going not clicked since).

    The first is due ``remind_after`` after the Start; after Keep going, ``remind_after``
    after the click. A send that failed for a passing reason is due again at once, a few
    times at most.
    """
    if latest is None:
        return 1, entry.start + remind_after
    if latest.state == "retry" and latest.attempts < MAX_SEND_ATTEMPTS:
        return latest.threshold, latest.marked_at
    if latest.kept_at is not None:
        return latest.threshold + 1, latest.kept_at + remind_after
    return None


def due_reminders(
    running: list[TimeEntry], book: ReminderBook, remind_after: timedelta, now: datetime
) -> list[Reminder]:
    """The reminders owed now to the timers ``running`` (one read of the ledger)."""
    latest = book.latest(reminder_key(e) for e in running)
    owed: list[Reminder] = []
    for entry in running:
        found = next_due(entry, latest.get(reminder_key(entry)), remind_after)
        if found is not None and found[1] <= now:
            owed.append(Reminder(entry, found[0], found[1]))
    return owed


async def running_timers(tracker: Tracker, started_by: datetime) -> list[TimeEntry]:
    """Every user's running timers (a doubled start once) as ``/active`` would show them:
    one paginated Notion query for the pages started by ``started_by``, merged per user with
    what the ledger wrote or still holds (a timer stopped a moment ago is not running, even
    while Notion's index still lists it). Notion's errors propagate."""
    by_user: dict[str, list[TimeEntry]] = defaultdict(list)
    for entry in await tracker.store.find_all_running(started_by):
        by_user[entry.user_id].append(entry)
    for lane in tracker.ledger.pending_lanes():
        by_user.setdefault(lane, [])
    found: list[TimeEntry] = []
    for user_id, pages in by_user.items():
        found.extend(tracker.running_with_ledger(user_id, pages))
    return one_per_entry_id(sorted(found, key=lambda e: e.start))


async def find_due(tracker: Tracker, remind_after: timedelta, now: datetime) -> list[Reminder]:
    """The reminders owed at ``now``: 1 Notion query (more only past 100 running timers)."""
    running = await running_timers(tracker, now - remind_after)
    return due_reminders(running, ReminderBook(tracker.ledger), remind_after, now)


async def reminders_due(
    tracker: Tracker, remind_after: timedelta | None, now: datetime | None = None
) -> int:
    """How many reminders are owed now and not yet sent (0 when REMIND_AFTER is off): for
    ``timetrack status``. 1 Notion query; Notion's errors propagate."""
    if remind_after is None:
        return 0
    return len(await find_due(tracker, remind_after, tracker.now() if now is None else now))
