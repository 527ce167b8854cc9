"""Reports longer than a week, a period past Notion's 10,000-row cap, and the bot's event loop
while 400 users' weekly tables are built.

Long periods are built with `Period(start, end)` directly: fetched with the report's query
(`EntryStore.scan_overlapping`) over HTTP from the in-memory Notion at the given latency, then
aggregated (`tables_for`) and written as CSV, each step timed.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from notion_client import NotionClient, RateLimit
from timesheet.entries.model import TimeEntry
from timesheet.entries.store import EntryStore, Overlapping
from timesheet.reports.render import render_csv
from timesheet.reports.report import ReportOptions, build_timesheets, tables_for
from timesheet.reports.week import Period, week_period

from .report_process import seed_fake

__all__ = [
    "LoopFigures",
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
    fetch: float
    tables: float
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
    """One report of ``period`` (data source id already known); ``cap`` sets the fake's row
    cap (default: Notion's 10,000)."""
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
        scanned = await store.scan_overlapping(period.start, period.end)
        t1 = time.perf_counter()
        ((_, table),) = tables_for(
            scanned.entries, period, ReportOptions(tz=tz), period.end, per_user=False
        )
        text = render_csv(table)
        t2 = time.perf_counter()
    return PeriodRun(
        days=round(period.duration.total_seconds() / 86400),
        entries=len(entries),
        requests=sum(fake.requests.values()),
        fetch=t1 - t0,
        tables=t2 - t1,
        rows=len(text.splitlines()) - 1,
        total_hours=table.total_hours,
    )


def print_period_runs(runs: Sequence[tuple[str, PeriodRun]], latency: float) -> None:
    print(f"Reports of other lengths, in-process, {latency * 1000:.0f} ms per Notion request")
    print(
        f"  {'':24}{'entries':>8}{'requests':>9}{'fetch':>9}{'table+CSV':>10}"
        f"{'CSV rows':>9}{'hours':>11}"
    )
    for label, run in runs:
        print(
            f"  {label:24}{run.entries:>8}{run.requests:>9}{run.fetch:>8.2f}s{run.tables:>9.2f}s"
            f"{run.rows:>9}{run.total_hours:>11.2f}"
        )


class _Fetched(EntryStore):
    """A store whose period scan is already done."""

    def __init__(self, client: NotionClient, database_id: str, scanned: Overlapping) -> None:
        super().__init__(client, database_id)
        self._scanned = scanned

    async def scan_overlapping(
        self, start: datetime, end: datetime, user_id: str | None = None
    ) -> Overlapping:
        return self._scanned


@dataclass(frozen=True)
class LoopFigures:
    """Each of ``rounds`` builds: its time, and the event loop's longest stall during it
    (off the loop, as now, and with the tables aggregated on the loop, as before)."""

    seconds: list[float]
    stall: list[float]
    stall_on_loop: list[float]


async def loop_while_building(
    users: int, per_user: int, tz: ZoneInfo, rounds: int = 3
) -> LoopFigures:
    """``users``' weekly tables built by `build_timesheets` while a ticker runs on the loop,
    then the same aggregation run on the loop itself, for comparison."""
    period = week_period("2026-W47", tz, 0, datetime(2026, 11, 18, tzinfo=tz))
    entries = spread_entries(period.start, period.end, users * per_user, users=users)
    fake, database_id, _ = seed_fake(entries)
    opts = ReportOptions(tz=tz)
    no_limit = RateLimit(rate=0)
    async with NotionClient(
        token=_TOKEN, transport=fake.transport(), rate_limit=no_limit
    ) as client:
        store = EntryStore(client, database_id)
        await store.data_source_id()
        await build_timesheets(store, period, opts, period.end)  # imports done
        # The fake answers on this loop too: its work is not the report's, so the week is
        # fetched first and handed to the build by a store that already holds it.
        fetched = _Fetched(
            client, database_id, await store.scan_overlapping(period.start, period.end)
        )
        figures = LoopFigures([], [], [])

        async def on_loop() -> None:
            tables_for(entries, period, opts, period.end, per_user=True)

        for _ in range(rounds):
            t0 = time.perf_counter()
            build = build_timesheets(fetched, period, opts, period.end, per_user=True)
            figures.stall.append(await _stall_during(build))
            figures.seconds.append(time.perf_counter() - t0)
            figures.stall_on_loop.append(await _stall_during(on_loop()))
    return figures


async def _stall_during(work: Coroutine[Any, Any, object]) -> float:
    """The longest the loop went without running a 5 ms ticker while ``work`` ran."""
    stall, done = 0.0, False

    async def tick() -> None:
        nonlocal stall
        last = time.perf_counter()
        while not done:
            await asyncio.sleep(0.005)
            now = time.perf_counter()
            stall, last = max(stall, now - last - 0.005), now

    ticker = asyncio.create_task(tick())
    await asyncio.sleep(0)
    await work
    done = True
    await ticker
    return stall
