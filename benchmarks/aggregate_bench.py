"""Aggregation cost: time and peak memory of aggregate() for 100,000 entries over 9 clients.

The entries are a synthetic but plausible load for one week in Europe/London: many people, timers
of 5 minutes to 4 hours, some over midnight, some starting the week before, 1% still running, and
a few overlaps. Time is the median of several runs; peak memory is measured in a separate run
with tracemalloc (which slows the code down) as the peak above what was allocated before the
call, so it counts the arrays, the DataFrame and the notes, not the input list.

Run: ``uv run python -m benchmarks.aggregate_bench [--entries 100000] [--clients 9] [--users 400]``
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import time
import tracemalloc
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from timesheet.entries.model import TimeEntry
from timesheet.reports.aggregate import WeekTable, aggregate
from timesheet.reports.week import week_period

TZ = ZoneInfo("Europe/London")
WEEK = "2026-W43"  # contains the 25-hour Sunday of 25 Oct 2026
NOW = datetime(2026, 10, 25, 18, 0, tzinfo=TZ)


def make_entries(count: int, clients: int, users: int, seed: int = 43) -> list[TimeEntry]:
    rng = random.Random(seed)
    names = [f"Client {chr(65 + i)}" for i in range(clients)]
    period = week_period(WEEK, TZ)
    first = period.start - timedelta(hours=12)  # some entries start in the previous week
    span = int((NOW - first).total_seconds())
    entries = []
    for i in range(count):
        start = (first + timedelta(seconds=rng.randrange(span))).astimezone(TZ)
        running = rng.random() < 0.01
        end = None if running else start + timedelta(minutes=rng.randrange(5, 240))
        client = names[i % clients]
        entries.append(TimeEntry(f"{i:08d}", f"user-{i % users}", client, client, start, end))
    return entries


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=9)
    parser.add_argument("--users", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--round-minutes", type=int, default=15)
    args = parser.parse_args(argv)

    entries = make_entries(args.entries, args.clients, args.users)
    period = week_period(WEEK, TZ)

    def run() -> WeekTable:
        return aggregate(entries, period, TZ, NOW, round_minutes=args.round_minutes)

    run()  # warm-up: imports, caches
    timings = []
    for _ in range(args.repeat):
        gc.collect()
        started = time.perf_counter()
        table = run()
        timings.append(time.perf_counter() - started)

    gc.collect()
    tracemalloc.start()
    before, _ = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    hours = table.hours
    print(
        f"aggregate(): {args.entries:,} entries, {args.clients} clients, {args.users} users, "
        f"week {WEEK} ({TZ.key}, 169 h), rounding {args.round_minutes} min"
    )
    print(
        f"  time   median {statistics.median(timings) * 1000:8.1f} ms   "
        f"min {min(timings) * 1000:8.1f} ms   ({args.repeat} runs)"
    )
    print(f"  memory peak    {(peak - before) / 2**20:8.1f} MiB above baseline (tracemalloc)")
    print(
        f"  table  {hours.shape[0]} rows x {hours.shape[1]} columns, "
        f"{table.total_hours:,.2f} h, "
        f"{table.entry_count:,} entries counted, {len(table.notes)} notes"
    )


if __name__ == "__main__":
    main()
