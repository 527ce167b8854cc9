"""The weekly report, old way against ours, on an in-memory Notion with 300 ms per request.

The old way: one query listing every entry to find the clients, then one query per client per day
(1 + 7 x clients requests). Ours: resolve the data source once, then one paginated query for all
entries overlapping the week. Both run through the same NotionClient (default 3 req/s limiter)
over real HTTP on loopback.

Run: ``uv run python -m benchmarks.weekly_report [--latency 0.3] [--clients 9] [--entries 60]``
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from notion_client import NotionClient, prop
from notion_client.fake import FakeNotion
from timesheet import schema
from timesheet.entries.model import TimeEntry
from timesheet.entries.setup import create_database
from timesheet.entries.store import EntryStore
from timesheet.reports.report import ReportOptions, build_timesheets
from timesheet.reports.week import week_period

TOKEN = "secret_bench"
TZ = ZoneInfo("Europe/London")


def _entries(clients: int, count: int, monday: datetime) -> list[TimeEntry]:
    rng = random.Random(47)
    names = [f"Client {chr(65 + i)}" for i in range(clients)]
    out = []
    for i in range(count):
        start = monday + timedelta(days=rng.randrange(7), hours=rng.randrange(8, 20))
        out.append(
            TimeEntry(
                entry_id=f"00000000-0000-4000-8000-{i:012d}",
                user_id="123456789012345678",
                client=names[i % clients],
                name=names[i % clients],
                start=start,
                end=start + timedelta(minutes=rng.randrange(15, 180)),
            )
        )
    return out


async def _old_way(client: NotionClient, ds_id: str, monday: datetime) -> float:
    """What people did before: list everything for clients, then client x day queries."""
    clients = {p.select(schema.CLIENT) async for p in client.query_data_source(ds_id)}
    hours = 0.0
    for name in sorted(c for c in clients if c):
        for day in range(7):
            lo, hi = monday + timedelta(days=day), monday + timedelta(days=day + 1)
            f = (
                prop(schema.CLIENT).select.equals(name)
                & prop(schema.START).date.on_or_after(lo)
                & prop(schema.START).date.before(hi)
            )
            async for page in client.query_data_source(ds_id, filter=f):
                start, end = page.date(schema.START), page.date(schema.END)
                if start and end and isinstance(start.start, datetime):
                    assert isinstance(end.start, datetime)
                    hours += (end.start - start.start).total_seconds() / 3600
    return hours


async def _run(latency: float, clients: int, count: int) -> None:
    fake = FakeNotion(token=TOKEN)
    parent = fake.add_parent_page("Bench")
    period = week_period("2026-W47", TZ, 0, datetime(2026, 11, 18, tzinfo=TZ))
    entries = _entries(clients, count, period.start)
    async with (
        fake.serve(host="127.0.0.1", port=0) as base_url,
        NotionClient(token=TOKEN, base_url=base_url) as client,
    ):
        database_id, ds_id = await create_database(client, parent, ())
        store = EntryStore(client, database_id)
        for entry in entries:
            await store.create(entry)
        fake.faults.latency = latency

        fake.requests.clear()
        t0 = time.perf_counter()
        old_hours = await _old_way(client, ds_id, period.start)
        old_time, old_requests = time.perf_counter() - t0, sum(fake.requests.values())

        fake.requests.clear()
        t0 = time.perf_counter()
        (sheet,) = await build_timesheets(
            EntryStore(client, database_id), period, ReportOptions(tz=TZ), period.end
        )
        new_time, new_requests = time.perf_counter() - t0, sum(fake.requests.values())
    new_hours = sheet.table.total_hours
    print(f"{clients} clients, {count} entries, {latency * 1000:.0f} ms per Notion request")
    print(f"{'':18}{'requests':>10}{'wall time':>12}{'hours':>10}")
    print(f"{'old (client x day)':18}{old_requests:>10}{old_time:>11.2f}s{old_hours:>10.2f}")
    print(f"{'timetrack':18}{new_requests:>10}{new_time:>11.2f}s{new_hours:>10.2f}")
    print(
        f"ratio: {old_requests / new_requests:.1f}x fewer requests, "
        f"{old_time / new_time:.1f}x faster"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--latency", type=float, default=0.3)
    parser.add_argument("--clients", type=int, default=9)
    parser.add_argument("--entries", type=int, default=60)
    a = parser.parse_args()
    asyncio.run(_run(a.latency, a.clients, a.entries))


if __name__ == "__main__":
    main()
