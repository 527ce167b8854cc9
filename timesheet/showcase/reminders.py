"""Demo step: the forgotten-timer reminder the bot would DM for the demo's running timer 8 h
later, marked in the ledger first, so a second check (or a restart) sends none."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from timesheet.entries.store import EntryStore
from timesheet.reminders.due import Reminder, find_due
from timesheet.showcase.context import ShowcaseContext
from timesheet.tracking.ledger import Ledger
from timesheet.tracking.ledger_reminders import ReminderBook, reminder_key
from timesheet.tracking.tracker import Tracker

__all__ = ["showcase"]

REMIND_AFTER: Final = timedelta(hours=8)


def _hours(span: timedelta) -> str:
    minutes = int(span.total_seconds()) // 60
    return f"{minutes // 60}h {minutes % 60:02d}m"


def _line(reminder: Reminder, ctx: ShowcaseContext, now: datetime) -> str:
    entry = reminder.entry
    since = entry.start.astimezone(ctx.tz)
    return (
        f"  DM to user {entry.user_id}: your timer {entry.client or entry.name} is running "
        f"since {since:%a %H:%M} {ctx.tz.key}, {_hours(entry.duration(now))} so far  "
        "[Stop now] [Stop at…] [Keep going]"
    )


async def showcase(ctx: ShowcaseContext) -> None:
    out = ctx.stdout
    later = ctx.now + REMIND_AFTER
    clock = [later]
    with Ledger.in_dir(ctx.data_dir) as ledger:
        store = EntryStore(ctx.client, ctx.database_id, cache=ledger)
        tracker = Tracker(store, ledger=ledger, clock=lambda: clock[0], presets=())
        book = ReminderBook(ledger)
        await store.data_source_id()  # learnt once, kept in the ledger
        before = sum(ctx.fake.requests.values())
        owed = await find_due(tracker, REMIND_AFTER, later)
        requests = sum(ctx.fake.requests.values()) - before
        print(
            f"Reminders (REMIND_AFTER=8h), checked at {later.astimezone(ctx.tz):%a %H:%M} "
            f"{ctx.tz.key}: {len(owed)} owed, {requests} Notion request(s) for every user's "
            "running timers together",
            file=out,
        )
        for reminder in owed:
            entry = reminder.entry
            if book.claim(reminder_key(entry), reminder.threshold, entry.user_id, later):
                book.settle(reminder_key(entry), reminder.threshold, "sent")
                print(_line(reminder, ctx, later), file=out)
        again = await find_due(tracker, REMIND_AFTER, later + timedelta(minutes=1))
        print(
            f"  marked in the ledger before sending: a check a minute later owes {len(again)}",
            file=out,
        )
        for reminder in owed[:1]:
            entry = reminder.entry
            kept_at, _ = book.keep_going(reminder_key(entry), entry.user_id, later)
            asked = (kept_at + REMIND_AFTER).astimezone(ctx.tz)
            nxt = await find_due(tracker, REMIND_AFTER, kept_at + REMIND_AFTER)
            print(
                f"  Keep going: asked again at {asked:%a %H:%M} (then {len(nxt)} owed)",
                file=out,
            )
