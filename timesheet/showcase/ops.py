"""Demo step: what an operator sees — status, an operation Notion refuses for good alerted
once, and status again saying a person is needed."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

from timesheet.config import Settings
from timesheet.entries.model import TimeEntry
from timesheet.entries.store import EntryStore
from timesheet.health.alerts import HealthMonitor
from timesheet.health.incidents import IncidentLog
from timesheet.health.notion_watch import NotionWatch, probe_database
from timesheet.health.status import check_notion, gather_status
from timesheet.showcase.context import ShowcaseContext
from timesheet.tracking.engine import Engine
from timesheet.tracking.ledger import Ledger
from timesheet.tracking.operations import StartOp

__all__ = ["showcase"]


async def showcase(ctx: ShowcaseContext) -> None:
    out = ctx.stdout
    settings = Settings(
        timezone=ctx.tz,
        data_dir=ctx.data_dir,
        notion_database_id=ctx.database_id,
        alert_webhook_url="https://discord.example/api/webhooks/1/operators",  # never printed
    )
    clock = ctx.now.timestamp
    watch = NotionWatch(clock=clock)
    with Ledger.in_dir(ctx.data_dir, clock=clock) as ledger:

        async def status() -> list[str]:
            state, schema = await check_notion(ctx.client, ctx.database_id, watch)
            report = await gather_status(
                settings, ledger=ledger, notion=state, schema=schema, now=ctx.now
            )
            return report.lines(ctx.tz)

        print("$ timetrack status", file=out)
        for line in await status():
            print(f"  {line}", file=out)

        # A start saved while Notion was down, then refused for good when it is replayed.
        entry = TimeEntry(
            entry_id=str(uuid4()),
            user_id=ctx.user_id,
            client="Acme",
            name="Acme",
            start=ctx.now - timedelta(minutes=20),
        )
        ledger.record(StartOp(entry))
        ctx.fake.faults.fail_next(400, endpoint="create_page")
        await Engine(EntryStore(ctx.client, ctx.database_id, cache=ledger), ledger).replay()

        async def operators(text: str) -> None:
            print(f"  ALERT_WEBHOOK_URL gets: {text}", file=out)

        monitor = HealthMonitor(
            watch=watch,
            probe=lambda: probe_database(ctx.client, ctx.database_id, watch),
            ledger=ledger,
            incidents=IncidentLog.in_dir(ctx.data_dir, clock=clock),
            sink=operators,
            alert_after=timedelta(minutes=15),
            tz=ctx.tz,
            clock=clock,
        )
        print("Notion refuses a saved start for good (HTTP 400): the bot alerts once", file=out)
        await monitor.check()
        await monitor.check()  # the same incident: no second message
        print("$ timetrack status   (exit 1: a person is needed)", file=out)
        for line in await status():
            print(f"  {line}", file=out)
