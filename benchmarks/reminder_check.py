"""The reminder check's cost: Notion requests per minute with 0, 1, 50 (and 500) running
timers, counted by the in-memory Notion; the bot checks once a minute.

Each run: a fresh DATA_DIR, the timers (one per user) started 9 h ago with REMIND_AFTER=8h,
then the bot's own `ReminderJob` (DMs to a stand-in REST client) checks at minute 0 (the
reminders are sent), 1 and 2 (nothing more to send).

Run: ``uv run python -m benchmarks.reminder_check``
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.model import Model
from bot.reminder_job import CHECK_EVERY, ReminderJob
from notion_client import RateLimit
from timesheet.config import Settings
from timesheet.entries.model import TimeEntry
from timesheet.entries.schema import expected_schema, to_properties

TOKEN = "secret_bench"
NOW = datetime(2026, 11, 20, 17, 30, tzinfo=UTC)


class _Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


class _DMs:
    """A stand-in for hikari's REST client: counts the DMs."""

    def __init__(self) -> None:
        self.sent = 0

    async def create_dm_channel(self, user: int) -> int:
        return user

    async def create_message(self, channel: int, content: str, **_: Any) -> None:
        self.sent += 1


async def _run(timers: int) -> list[tuple[int, int, float]]:
    from notion_client.fake import FakeNotion

    fake = FakeNotion(token=TOKEN)
    parent = fake.add_parent_page("Bench")
    database_id, ds_id = fake.add_database(parent, "Time entries", expected_schema(("Acme",)))
    for n in range(timers):
        entry = TimeEntry(
            entry_id=f"00000000-0000-4000-8000-{n:012d}",
            user_id=str(300000000000000000 + n),
            client="Acme",
            name="Acme",
            start=NOW - timedelta(hours=9),
        )
        props = {k: v.to_json() for k, v in to_properties(entry).items()}
        fake.add_page(ds_id, props)
    for n in range(200):  # ended entries the query must not return
        start = NOW - timedelta(days=1, minutes=n)
        ended = TimeEntry(
            entry_id=f"00000000-0000-4000-9000-{n:012d}",
            user_id="300000000000000001",
            client="Acme",
            name="Acme",
            start=start,
            end=start + timedelta(minutes=30),
        )
        fake.add_page(ds_id, {k: v.to_json() for k, v in to_properties(ended).items()})
    clock, dms = _Clock(), _DMs()
    rows = []
    with tempfile.TemporaryDirectory() as data_dir:
        env = {
            "NOTION_TOKEN": TOKEN,
            "NOTION_DATABASE_ID": database_id,
            "DATA_DIR": data_dir,
            "REMIND_AFTER": "8h",
        }
        settings = Settings.from_env(env)
        async with Model(
            settings, transport=fake.transport(), clock=clock, rate_limit=RateLimit(rate=0)
        ) as model:
            job = ReminderJob(model, dms, timedelta(hours=8))  # type: ignore[arg-type]
            for _ in range(3):
                before = sum(fake.requests.values())
                started = time.perf_counter()
                await job.check()
                elapsed = time.perf_counter() - started
                rows.append((sum(fake.requests.values()) - before, dms.sent, elapsed))
                dms.sent = 0
                clock.now += timedelta(seconds=CHECK_EVERY)
    return rows


async def _main(counts: list[int]) -> None:
    print(f"reminder check every {CHECK_EVERY:.0f} s; Notion requests per check = per minute")
    print("running timers | minute 0: requests, DMs | minute 1 | minute 2 | check time (min 0)")
    for timers in counts:
        (r0, d0, t0), (r1, d1, _), (r2, d2, _) = await _run(timers)
        print(
            f"{timers:>14} | {r0:>9}, {d0:>4}  | {r1:>3}, {d1:>2} | {r2:>3}, {d2:>2} | "
            f"{t0 * 1000:.0f} ms"
        )
    print("minute 0 includes 1 retrieve of the database (its data source id, then kept in the")
    print("ledger); then one query a minute: one request per 100 timers running longer than")
    print("REMIND_AFTER (at least one), whatever the number of users.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--timers", type=int, nargs="*", default=[0, 1, 50, 500])
    asyncio.run(_main(parser.parse_args().timers))


if __name__ == "__main__":
    main()
