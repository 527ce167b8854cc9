"""Test helper process: apply the ledger at LEDGER_PATH to the Notion at NOTION_BASE_URL.

``HALT=<point>:<entry id>`` stops it mid-apply of that entry's start, prints ``halted`` and
waits to be killed (the crash test SIGKILLs it there):

- ``stopped``: the running timer's End is in Notion, the ledger has not recorded it;
- ``created``: the new page is in Notion, the ledger has not recorded it;
- ``unmarked``: every write is recorded, the operation is not marked done.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from datetime import datetime
from typing import Any

import timesheet.tracking.engine as engine_module
from notion_client import NotionClient, RateLimit
from timesheet.entries.model import TimeEntry
from timesheet.entries.store import EntryStore
from timesheet.tracking.engine import Engine
from timesheet.tracking.ledger import Ledger, Recorded
from timesheet.tracking.operations import StartOp

__all__: list[str] = []


def _halt() -> None:
    print("halted", flush=True)
    time.sleep(3600)  # blocks the event loop too: nothing more happens until the kill


def _install_halt(point: str, entry_id: str, store: EntryStore, ledger: Ledger) -> None:
    applying: list[Recorded] = []
    real_apply, real_end, real_create = engine_module.apply, store.end, store.create
    real_mark_done = ledger.mark_done

    def starting_it() -> bool:
        op = applying[-1].op if applying else None
        return isinstance(op, StartOp) and op.entry.entry_id == entry_id

    async def traced_apply(rec: Recorded, *args: Any) -> dict[str, Any]:
        applying.append(rec)
        return await real_apply(rec, *args)

    async def end(entry: TimeEntry, at: datetime, *, fresh: bool = False) -> TimeEntry:
        ended = await real_end(entry, at, fresh=fresh)
        if point == "stopped" and starting_it():
            _halt()
        return ended

    async def create(
        entry: TimeEntry, *, maybe_exists: bool = False, settle: float = 0.0
    ) -> TimeEntry:
        created = await real_create(entry, maybe_exists=maybe_exists, settle=settle)
        if point == "created" and entry.entry_id == entry_id:
            _halt()
        return created

    def mark_done(op_id: int, result: dict[str, Any]) -> None:
        if point == "unmarked" and starting_it():
            _halt()
        real_mark_done(op_id, result)

    engine_module.apply = traced_apply  # type: ignore[assignment]
    store.end = end  # type: ignore[method-assign]
    store.create = create  # type: ignore[method-assign]
    ledger.mark_done = mark_done  # type: ignore[method-assign]


async def main() -> int:
    async with NotionClient(
        token=os.environ["NOTION_TOKEN"],
        base_url=os.environ["NOTION_BASE_URL"],
        rate_limit=RateLimit(rate=0),
    ) as client:
        with Ledger(os.environ["LEDGER_PATH"]) as ledger:
            store = EntryStore(client, os.environ["NOTION_DATABASE_ID"], cache=ledger)
            halt = os.environ.get("HALT")
            if halt:
                point, entry_id = halt.split(":", 1)
                _install_halt(point, entry_id, store, ledger)
            report = await Engine(store, ledger).replay()
    for line in report.lines:
        print(line)
    print(report.summary(), flush=True)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
