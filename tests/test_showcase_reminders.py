"""The reminders demo step against the in-memory Notion: one reminder owed 8 h later, none a
minute after it was marked, another only a REMIND_AFTER after Keep going."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from notionkit import fast_client, make_entry, seed_entry, timesheet_notion
from showcasekit import run_step

from timesheet.showcase.reminders import showcase

USER = "123456789012345678"
NOW = datetime(2026, 11, 20, 17, 30, tzinfo=UTC)  # Fri 17:30 Europe/London


async def test_the_demo_step_shows_one_reminder_then_none(tmp_path: Path) -> None:
    fake, database_id, ds_id = timesheet_notion(("Acme", "Globex"))
    start = NOW - timedelta(hours=2, minutes=20)
    seed_entry(fake, ds_id, make_entry(1, user=USER, client="Globex", start=start))
    seed_entry(fake, ds_id, make_entry(2, user=USER, start=start - timedelta(hours=3), minutes=60))
    async with fast_client(fake.transport()) as client:
        printed = await run_step(showcase, client, fake, database_id, tmp_path, user_id=USER)
    assert printed.splitlines() == [
        "Reminders (REMIND_AFTER=8h), checked at Sat 01:30 Europe/London: 1 owed, "
        "1 Notion request(s) for every user's running timers together",
        f"  DM to user {USER}: your timer Globex is running since Fri 15:10 Europe/London, "
        "10h 20m so far  [Stop now] [Stop at…] [Keep going]",
        "  marked in the ledger before sending: a check a minute later owes 0",
        "  Keep going: asked again at Sat 09:30 (then 1 owed)",
    ]
