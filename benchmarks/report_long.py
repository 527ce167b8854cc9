"""Reports longer than a week, a period past Notion's 10,000-row cap, and the bot's event loop
while 400 users' weekly tables are built.

Long periods are built with `Period(start, end)` directly and go through the same
`build_timesheets` as the weekly report, over HTTP to the in-memory Notion at the given latency.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from notion_client import NotionClient
from timesheet.entries.model import TimeEntry
from timesheet.entries.store import EntryStore
from timesheet.reports.report import ReportOptions, build_timesheets
from timesheet.reports.week import Period, week_period

from .report_process import seed_fake

__all__ = [
    "PeriodRun",
    "loop_while_building",
    "measure_period",
    "print_period_runs",
    "spread_entries",
]

_TOKEN = "secret_bench"


@dataclass(frozen=True)
class PeriodRun:
    days: int
    entries: int
    requests: int
    queries: int
    seconds: float
    rows: int
    total_hours: float


def spread_entries(
    start: datetime, end: datetime, count: int, *, clients: int = 9, users: int = 1
) -> list[TimeEntry]:
    """``count`` entries of 15 min to 3 h starting anywhere in ``[start, end)``."""
    rng = random.Random(12)
    names = [f"Client {chr(65 + i)}" for i in range(clients)]
    span = int((end - start).total_seconds()) - 3600
    found = []
    for i in range(count):
        begin = start + timedelta(seconds=60 * rng.randrange(span // 60))
        found.append(
            TimeEntry(
                entry_id=f"00000000-0000-4000-8000-{i:012d}",
                user_id=str(123456789012345678 + rng.randrange(users)),
                client=names[i % clients],
                name=names[i % clients],
                start=begin,
                end=begin + timedelta(minutes=rng.randrange(15, 180)),
            )
        )
    return found


async def measure_period(
    period: Period,
    entries: Sequence[TimeEntry],
    latency: float,
    tz: ZoneInfo,
    *,
    cap: int | None = None,
) -> PeriodRun:
    """One `build_timesheets` of ``period`` (data source id already known); ``cap`` sets the
    fake's row cap (default: Notion's 10,000)."""
    fake, database_id, _ = seed_fake(entries)
    if cap is not None:
        fake.result_limit = cap
    async with (
        fake.serve(host="127.0.0.1", port=0) as url,
        NotionClient(token=_TOKEN, base_url=url) as client,
    ):
        store = EntryStore(client, database_id)
        await store.data_source_id()
        fake.faults.latency = latency
        fake.requests.clear()
        t0 = time.perf_counter()
        (sheet,) = await build_timesheets(store, period, ReportOptions(tz=tz), period.end)
        seconds = time.perf_counter() - t0
    return PeriodRun(
        days=round(period.duration.total_seconds() / 86400),
        entries=len(entries),
        requests=sum(fake.requests.values()),
        queries=fake.requests["query_data_source"],
        seconds=seconds,
        rows=len(sheet.csv.splitlines()) - 1,
        total_hours=sheet.table.total_hours,
    )


def print_period_runs(runs: Sequence[tuple[str, PeriodRun]], latency: float) -> None:
    print(f"Reports of other lengths, in-process, {latency * 1000:.0f} ms per Notion request")
    print(f"  {'':22}{'entries':>8}{'requests':>9}{'time':>9}{'CSV rows':>9}{'hours':>10}")
    for label, run in runs:
        print(
            f"  {label:22}{run.entries:>8}{run.requests:>9}{run.seconds:>8.2f}s"
            f"{run.rows:>9}{run.total_hours:>10.2f}"
        )


async def loop_while_building(users: int, per_user: int, tz: ZoneInfo) -> tuple[float, float]:
    """(seconds to build ``users``' weekly tables, the event loop's longest stall meanwhile)."""
    period = week_period("2026-W47", tz, 0, datetime(2026, 11, 18, tzinfo=tz))
    entries = spread_entries(period.start, period.end, users * per_user, users=users)
    fake, database_id, _ = seed_fake(entries)
    async with NotionClient(token=_TOKEN, transport=fake.transport()) as client:
        store = EntryStore(client, database_id)
        await store.data_source_id()
        await build_timesheets(store, period, ReportOptions(tz=tz), period.end)  # warm imports
        stall = 0.0
        building = True

        async def tick() -> None:
            nonlocal stall
            last = time.perf_counter()
            while building:
                await asyncio.sleep(0.005)
                now = time.perf_counter()
                stall, last = max(stall, now - last - 0.005), now

        ticker = asyncio.create_task(tick())
        t0 = time.perf_counter()
        await build_timesheets(store, period, ReportOptions(tz=tz), period.end, per_user=True)
        seconds = time.perf_counter() - t0
        building = False
        await ticker
    return seconds, stall
