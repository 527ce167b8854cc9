"""The weekly report, old way against ours, on an in-memory Notion with 300 ms per request.

The old way: one query listing every entry to find the clients, then one query per client per day
(1 + 7 x clients requests). Ours: resolve the data source once, then one paginated query for all
entries overlapping the week. Both run through the same NotionClient (default 3 req/s limiter)
over real HTTP on loopback.

Then the figures of issue 12's "Speed": `timetrack report` as a whole process (spawn to exit,
against the fake served over HTTP, cold and warm DATA_DIR; ``--baseline DIR`` runs another
checkout's code side by side, e.g. after ``git archive main | tar -x -C /tmp/main``), a 31-day
and a 12-month report, a month of more rows than Notion's 10,000-row cap (requests and time,
against the same month uncapped), and the bot's event loop while 400 users' weekly tables are
built.

Run: ``uv run python -m benchmarks.weekly_report [--latency 0.3] [--clients 9] [--entries 60]
[--runs 5] [--baseline /tmp/main] [--capped-rows 12000] [--quick]
[--only compare|process|long]``
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from notion_client import NotionClient, prop
from notion_client.fake import FakeNotion
from timesheet.entries import schema
from timesheet.entries.model import TimeEntry
from timesheet.entries.setup import create_database
from timesheet.entries.store import EntryStore
from timesheet.reports.report import ReportOptions, build_timesheets
from timesheet.reports.week import Period, week_period

from .report_long import loop_while_building, measure_period, print_period_runs, spread_entries
from .report_process import SCRIPT, import_costs, measure_process, print_process_figures

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


async def _process(a: argparse.Namespace) -> None:
    period = week_period("2026-W47", TZ, 0, datetime(2026, 11, 18, tzinfo=TZ))
    entries = _entries(a.clients, a.entries, period.start)
    codes: list[tuple[str, Path | None]] = [("timetrack (this checkout)", None)]
    if a.baseline:
        codes.append((f"baseline {a.baseline}", Path(a.baseline)))
    print()
    found = await measure_process(entries, a.latency, a.runs, [c for _, c in codes], "2026-W47")
    for (label, _), runs in zip(codes, found, strict=True):
        print_process_figures(f"{label}, {a.entries} entries", runs)
    costs = import_costs(SCRIPT, ("bot.cli", "bot.model", "pandas", "timesheet.reports.aggregate"))
    print("  python -X importtime, each alone: " + ", ".join(
        f"{name} {seconds * 1000:.0f} ms" for name, seconds in costs.items()
    ))  # fmt: skip


async def _long(a: argparse.Namespace) -> None:
    month = Period(datetime(2026, 10, 1, tzinfo=TZ), datetime(2026, 11, 1, tzinfo=TZ))
    year = Period(datetime(2026, 1, 1, tzinfo=TZ), datetime(2027, 1, 1, tzinfo=TZ))
    per_day = a.entries / 7
    runs = [
        (
            "31 days",
            await measure_period(
                month, spread_entries(month.start, month.end, round(31 * per_day)), a.latency, TZ
            ),
        ),
        (
            "12 months",
            await measure_period(
                year, spread_entries(year.start, year.end, round(365 * per_day)), a.latency, TZ
            ),
        ),
    ]
    if not a.quick:
        rows = spread_entries(month.start, month.end, a.capped_rows)
        runs.append(
            ("31 days, no row cap", await measure_period(month, rows, a.latency, TZ, cap=10**9))
        )
        runs.append(("31 days, 10,000-row cap", await measure_period(month, rows, a.latency, TZ)))
    print()
    print_period_runs(runs, a.latency)
    loop = await loop_while_building(400, 10, TZ)
    print()
    print(
        f"Bot: 400 users' weekly tables (4,000 entries), {len(loop.seconds)} builds of "
        f"{_ms(loop.seconds)}; the event loop's longest stall during each: {_ms(loop.stall)} "
        f"(aggregating on the loop instead: {_ms(loop.stall_on_loop)})"
    )


def _ms(values: list[float]) -> str:
    return ", ".join(f"{v * 1000:.0f}" for v in values) + " ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--latency", type=float, default=0.3)
    parser.add_argument("--clients", type=int, default=9)
    parser.add_argument("--entries", type=int, default=60)
    parser.add_argument("--runs", type=int, default=5, help="whole-process runs (each kind)")
    parser.add_argument("--baseline", metavar="DIR", help="another checkout's code to compare")
    parser.add_argument("--capped-rows", type=int, default=12_000)
    parser.add_argument("--quick", action="store_true", help="skip the capped month")
    parser.add_argument("--only", choices=("compare", "process", "long"), help="one part")
    a = parser.parse_args()
    if a.only in (None, "compare"):
        asyncio.run(_run(a.latency, a.clients, a.entries))
    if a.only in (None, "process"):
        asyncio.run(_process(a))
    if a.only in (None, "long"):
        asyncio.run(_long(a))


if __name__ == "__main__":
    main()
