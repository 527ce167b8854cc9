"""Test helper process: replay OUTBOX_PATH into NOTION_BASE_URL (the outbox crash test kills it)."""

from __future__ import annotations

import asyncio
import os
import sys

from notion_client import NotionClient, RateLimit
from timesheet.entries.store import EntryStore
from timesheet.tracking.ledger import Outbox
from timesheet.tracking.replay import replay

__all__: list[str] = []


async def main() -> int:
    async with NotionClient(
        token=os.environ["NOTION_TOKEN"],
        base_url=os.environ["NOTION_BASE_URL"],
        rate_limit=RateLimit(rate=0),
    ) as client:
        store = EntryStore(client, os.environ["NOTION_DATABASE_ID"])
        with Outbox(os.environ["OUTBOX_PATH"]) as outbox:
            print("replaying", len(outbox), flush=True)
            report = await replay(outbox, store)
    for line in report.lines:
        print(line)
    print(report.summary(), flush=True)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
