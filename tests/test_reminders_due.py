"""Which timers are owed a reminder: one query for every user's running timers merged with the
ledger, the reminders table (claims across processes, retries, Keep going) and its upgrade."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from notionkit import ALICE, BOB, T0, make_entry, seed_entry
from trackerkit import TrackerEnv

from timesheet.reminders.due import due_reminders, next_due, reminders_due, running_timers
from timesheet.tracking.ledger import LEDGER_FILENAME, Ledger
from timesheet.tracking.ledger_reminders import (
    MAX_SEND_ATTEMPTS,
    ReminderBook,
    ReminderRow,
    reminder_key,
)
from timesheet.tracking.operations import StartOp

HOUR = timedelta(hours=1)
TWO_HOURS = 2 * HOUR


def row(
    state: str = "sent", threshold: int = 1, attempts: int = 1, kept: datetime | None = None
) -> ReminderRow:
    return ReminderRow("k", threshold, ALICE, state, T0 + TWO_HOURS, attempts, kept, None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("latest", "expected"),
    [
        (None, (1, T0 + TWO_HOURS)),  # never reminded: REMIND_AFTER after the Start
        (row("sent"), None),  # reminded, no Keep going: one DM only
        (row("sending"), None),  # marked, then the process died: at most once
        (row("undeliverable"), None),  # DMs closed: not again
        (row("failed"), None),
        (row("retry", attempts=1), (1, T0 + TWO_HOURS)),  # a passing failure: again
        (row("retry", attempts=MAX_SEND_ATTEMPTS), None),  # ... a few times at most
        (row("sent", kept=T0 + 3 * HOUR), (2, T0 + 5 * HOUR)),  # Keep going at 12:00
        (row("sent", threshold=2, kept=T0 + 6 * HOUR), (3, T0 + 8 * HOUR)),
    ],
)
def test_next_due(latest: ReminderRow | None, expected: tuple[int, datetime] | None) -> None:
    assert next_due(make_entry(1), latest, TWO_HOURS) == expected


def test_a_reminder_is_claimed_once_across_processes(ledger: Ledger) -> None:
    entry = make_entry(1)
    with Ledger(ledger.path) as other_process:
        assert ReminderBook(ledger).claim(entry.entry_id, 1, ALICE, T0)
        assert not ReminderBook(other_process).claim(entry.entry_id, 1, ALICE, T0)
        assert not ReminderBook(ledger).claim(entry.entry_id, 1, ALICE, T0 + HOUR)
        assert ReminderBook(other_process).claim(entry.entry_id, 2, ALICE, T0)  # next one


def test_a_retry_is_claimed_again_a_few_times_at_most(ledger: Ledger) -> None:
    book, entry = ReminderBook(ledger), make_entry(1)
    assert book.claim(entry.entry_id, 1, ALICE, T0)
    for _ in range(MAX_SEND_ATTEMPTS - 1):
        book.settle(entry.entry_id, 1, "retry", "RateLimitTooLongError")
        assert book.claim(entry.entry_id, 1, ALICE, T0)
    book.settle(entry.entry_id, 1, "retry", "RateLimitTooLongError")
    assert not book.claim(entry.entry_id, 1, ALICE, T0)
    (latest,) = book.latest([entry.entry_id]).values()
    assert (latest.state, latest.attempts) == ("retry", MAX_SEND_ATTEMPTS)


def test_keep_going_counts_once_per_reminder(ledger: Ledger) -> None:
    book, entry = ReminderBook(ledger), make_entry(1)
    assert book.claim(entry.entry_id, 1, ALICE, T0 + TWO_HOURS)
    book.settle(entry.entry_id, 1, "sent")
    assert book.keep_going(entry.entry_id, ALICE, T0 + 3 * HOUR) == (T0 + 3 * HOUR, True)
    assert book.keep_going(entry.entry_id, ALICE, T0 + 4 * HOUR) == (T0 + 3 * HOUR, False)
    (latest,) = book.latest([entry.entry_id.upper()]).values()  # keyed by compact Entry ID
    assert latest.kept_at == T0 + 3 * HOUR
    owed = due_reminders([entry], book, TWO_HOURS, T0 + 5 * HOUR)
    assert [(r.threshold, r.due_at) for r in owed] == [(2, T0 + 5 * HOUR)]
    assert due_reminders([entry], book, TWO_HOURS, T0 + 5 * HOUR - timedelta(seconds=1)) == []


def test_timers_made_by_hand_in_notion_are_each_reminded(ledger: Ledger) -> None:
    # No Entry ID (a page made by hand): each is kept under its page id, not one blank key.
    mine = make_entry(1, entry_id="", page=1)
    bobs = make_entry(2, user=BOB, entry_id="", page=2)
    book = ReminderBook(ledger)
    owed = due_reminders([mine, bobs], book, TWO_HOURS, T0 + TWO_HOURS)
    assert [r.entry for r in owed] == [mine, bobs]
    assert reminder_key(mine) != reminder_key(bobs)
    assert book.claim(reminder_key(mine), 1, ALICE, T0 + TWO_HOURS)
    assert book.claim(reminder_key(bobs), 1, BOB, T0 + TWO_HOURS)
    assert due_reminders([mine, bobs], book, TWO_HOURS, T0 + TWO_HOURS) == []


def test_a_version_2_ledger_gets_the_reminders_table_with_its_operations_intact(
    tmp_path: Path,
) -> None:
    path = tmp_path / LEDGER_FILENAME
    with Ledger(path) as ledger:
        (op_id,) = ledger.record(StartOp(make_entry(1)))
        ledger.set_meta("data_source_id:x", "ds")
    with sqlite3.connect(path) as db:  # as version 2 left it
        db.execute("DROP TABLE reminders")
        db.execute("PRAGMA user_version=2")

    with Ledger(path) as upgraded:
        assert upgraded.schema_version == 3
        (pending,) = upgraded.pending()
        assert pending.op_id == op_id and pending.op == StartOp(make_entry(1))
        assert upgraded.get_meta("data_source_id:x") == "ds"
        assert ReminderBook(upgraded).claim(make_entry(1).entry_id, 1, ALICE, T0)
    with Ledger(path) as reopened:  # once upgraded, opening again changes nothing
        assert reopened.schema_version == 3
        assert not ReminderBook(reopened).claim(make_entry(1).entry_id, 1, ALICE, T0)


async def test_one_query_finds_every_users_running_timers(ledger_env: TrackerEnv) -> None:
    env = ledger_env
    for n in range(50):
        user = str(200000000000000000 + n)
        seed_entry(env.fake, env.ds_id, make_entry(n + 1, user=user, start=T0 - HOUR * 3))
    seed_entry(env.fake, env.ds_id, make_entry(99, user=BOB, start=T0 - HOUR, minutes=30))
    seed_entry(env.fake, env.ds_id, make_entry(98, user=BOB, start=T0 - timedelta(minutes=30)))
    before = env.snapshot()

    running = await running_timers(env.tracker, T0 - TWO_HOURS)

    assert env.since(before) == {"query_data_source": 1}
    assert len(running) == 50 and len({e.user_id for e in running}) == 50
    assert await reminders_due(env.tracker, TWO_HOURS, T0) == 50
    assert await reminders_due(env.tracker, None, T0) == 0


async def test_a_timer_stopped_while_the_index_still_lists_it_is_not_running(
    ledger_env: TrackerEnv,
) -> None:
    env = ledger_env
    seed_entry(env.fake, env.ds_id, make_entry(1, start=T0 - 3 * HOUR))
    seed_entry(env.fake, env.ds_id, make_entry(2, user=BOB, start=T0 - 3 * HOUR))
    env.fake.faults.index_lag = 3600  # queries show pages as they were an hour ago
    await env.tracker.end(ALICE)
    stale = await env.store.find_all_running(T0)
    assert {e.user_id for e in stale} == {ALICE, BOB}  # Notion's index alone: both

    running = await running_timers(env.tracker, T0)

    assert [e.user_id for e in running] == [BOB]


def test_rows_keep_aware_times(ledger: Ledger) -> None:
    book, entry = ReminderBook(ledger), make_entry(1)
    book.claim(entry.entry_id, 1, ALICE, T0)
    (latest,) = book.latest([entry.entry_id]).values()
    assert latest.marked_at == T0 and latest.marked_at.tzinfo is UTC
