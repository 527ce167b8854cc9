"""Import 1,000 entries through the in-memory Notion with the client's rate limiter at 3
requests/s: the requests made, by kind, and the wall time; then the same file again
(everything already present).

Run: ``uv run python -m benchmarks.import_bench [--entries 1000] [--rate 3]``
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from notion_client import NotionClient, RateLimit
from notion_client.fake import FakeNotion
from timesheet.entries.model import TimeEntry
from timesheet.entries.schema import expected_schema
from timesheet.entries.store import EntryStore
from timesheet.tracking.engine import Engine
from timesheet.tracking.ledger import Ledger
from timesheet.transfer.convert import convert
from timesheet.transfer.importer import plan_import, run_import
from timesheet.transfer.read_json import read
from timesheet.transfer.write_json import write

TOKEN = "secret_bench"
USER = "100000000000000001"
TZ = ZoneInfo("Europe/London")


def _file(count: int) -> bytes:
    t0 = datetime(2024, 1, 1, 9, tzinfo=UTC)
    entries = [
        TimeEntry(
            entry_id=f"00000000-0000-4000-8000-{n:012d}",
            user_id=USER,
            client=f"Client {n % 7}",
            name=f"Task {n}",
            start=t0 + timedelta(hours=5 * n),
            end=t0 + timedelta(hours=5 * n, minutes=90),
            note="imported",
        )
        for n in range(count)
    ]
    return write(entries, tz=TZ).encode()


async def _import(store: EntryStore, engine: Engine, data: bytes) -> tuple[str, float]:
    began = time.perf_counter()
    converted = convert(read(data, tz=TZ), fmt="json", default_user=USER)
    plan = await plan_import(store, engine.ledger, converted)
    result = await run_import(plan, engine)
    elapsed = time.perf_counter() - began
    present, skipped = len(plan.present), len(plan.problems)
    return f"{result.imported} imported, {present} already present, {skipped} skipped", elapsed


async def _run(count: int, rate: float) -> None:
    fake = FakeNotion(token=TOKEN)
    parent = fake.add_parent_page("Bench")
    db_id, _ = fake.add_database(parent, "Time entries", expected_schema(()))
    data = _file(count)
    with tempfile.TemporaryDirectory() as data_dir, Ledger.in_dir(data_dir) as ledger:
        async with NotionClient(
            TOKEN, transport=fake.transport(), rate_limit=RateLimit(rate=rate)
        ) as client:
            store = EntryStore(client, db_id, cache=ledger)
            engine = Engine(store, ledger)
            for label in ("first import (empty database)", "same file again"):
                before = Counter(fake.requests)
                line, elapsed = await _import(store, engine, data)
                made = Counter(fake.requests) - before
                print(f"{label}: {line}")
                for kind, n in sorted(made.items()):
                    print(f"  {kind:<22}{n:>6}")
                print(f"  {'total requests':<22}{sum(made.values()):>6}")
                print(f"  {'wall time':<22}{elapsed:>8.1f} s ({count / elapsed:.2f} entries/s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=3.0, help="requests per second (0: none)")
    args = parser.parse_args()
    print(f"import of {args.entries} entries, rate limit {args.rate} requests/s")
    asyncio.run(_run(args.entries, args.rate))


if __name__ == "__main__":
    main()
