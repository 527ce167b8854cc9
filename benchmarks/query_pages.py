"""Query 5,000 pages through the in-memory Notion: requests made and client time per page.

Run: ``uv run python -m benchmarks.query_pages [--pages 5000]``
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import UTC, datetime, timedelta

from notion_client import NotionClient, Page, PropertySchema, RateLimit, prop
from notion_client.fake import FakeNotion

TOKEN = "secret_bench"


def _seed(fake: FakeNotion, pages: int) -> str:
    parent = fake.add_parent_page("Bench")
    schema = {
        "Name": PropertySchema("Name", "title"),
        "Start": PropertySchema("Start", "date"),
        "Client": PropertySchema("Client", "select"),
    }
    _, ds_id = fake.add_database(parent, "Entries", schema)
    t0 = datetime(2026, 1, 5, 9, tzinfo=UTC)
    for i in range(pages):
        fake.add_page(
            ds_id,
            {
                "Name": {"title": [{"text": {"content": f"Entry {i}"}}]},
                "Start": {"date": {"start": (t0 + timedelta(minutes=37 * i)).isoformat()}},
                "Client": {"select": {"name": f"Client {i % 9}"}},
            },
        )
    return ds_id


async def _run(pages: int) -> None:
    fake = FakeNotion(token=TOKEN)
    ds_id = _seed(fake, pages)
    async with (
        fake.serve(host="127.0.0.1", port=0) as base_url,
        NotionClient(token=TOKEN, base_url=base_url, rate_limit=RateLimit(rate=0)) as c,
    ):
        fake.requests.clear()
        started = time.perf_counter()
        got = [p async for p in c.query_data_source(ds_id, sorts=[prop("Start").ascending()])]
        elapsed = time.perf_counter() - started
    assert len(got) == pages, (len(got), pages)
    raw = fake.pages(ds_id)
    parse_started = time.perf_counter()
    for item in raw:
        Page.from_json(item)
    parse = time.perf_counter() - parse_started
    requests = fake.requests["query_data_source"]
    print(f"pages returned            {len(got)}")
    print(f"query requests            {requests} (expected {-(-pages // 100)})")
    print(f"wall time (HTTP, loopback) {elapsed * 1000:.0f} ms")
    print(f"time per page             {elapsed / pages * 1e6:.1f} µs (server + HTTP + client)")
    print(f"client parsing per page   {parse / pages * 1e6:.1f} µs (Page.from_json alone)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=5000)
    asyncio.run(_run(parser.parse_args().pages))


if __name__ == "__main__":
    main()
