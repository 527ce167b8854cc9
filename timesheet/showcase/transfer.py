"""Demo step: export the demo week to timetrack JSON and CSV, restore the JSON into a second,
empty database through the ledger, show both hold the same entries, and import it again."""

from __future__ import annotations

from typing import Final

from notion_client import Page
from timesheet.entries.model import TimeEntry
from timesheet.entries.schema import from_page
from timesheet.entries.setup import create_database
from timesheet.entries.store import EntryStore
from timesheet.reports.week import week_label, week_period
from timesheet.showcase.context import ShowcaseContext
from timesheet.tracking.engine import Engine
from timesheet.tracking.ledger import Ledger
from timesheet.transfer.convert import convert
from timesheet.transfer.exporter import period_entries
from timesheet.transfer.importer import plan_import, run_import
from timesheet.transfer.read_json import read
from timesheet.transfer.summary import summary_lines
from timesheet.transfer.write_csv import write as write_csv
from timesheet.transfer.write_json import write as write_json

__all__ = ["showcase"]

_RESTORED_TITLE: Final = "Time entries (restored)"


def _same(e: TimeEntry) -> tuple[object, ...]:
    return (e.entry_id, e.user_id, e.client, e.name, e.note, e.start, e.end, e.paused)


def _hours(entries: list[TimeEntry], ctx: ShowcaseContext) -> float:
    return sum(e.duration(ctx.now).total_seconds() for e in entries) / 3600


async def showcase(ctx: ShowcaseContext) -> None:
    def say(line: str) -> None:
        print(line, file=ctx.stdout)

    period = week_period("this", ctx.tz, 0, ctx.now)
    label = week_label(period, ctx.tz)
    lag, ctx.fake.faults.index_lag = ctx.fake.faults.index_lag, 0.0  # the index caught up
    try:
        week = await period_entries(EntryStore(ctx.client, ctx.database_id), period)
        ctx.out_dir.mkdir(parents=True, exist_ok=True)
        json_file, csv_file = ctx.out_dir / f"{label}.json", ctx.out_dir / f"{label}.csv"
        json_file.write_text(write_json(week, tz=ctx.tz), encoding="utf-8")
        csv_file.write_text(write_csv(week, tz=ctx.tz), encoding="utf-8")
        say(f"timetrack export --week {label} --format json|csv: {len(week)} entries")
        say(f"  wrote {json_file} and {csv_file}")

        restored_db, restored_ds = await create_database(
            ctx.client, ctx.parent_page_id, (), title=_RESTORED_TITLE
        )
        with Ledger.in_dir(ctx.data_dir) as ledger:
            store = EntryStore(ctx.client, restored_db, cache=ledger)
            engine = Engine(store, ledger)
            for attempt in ("into an empty database", "again"):
                before = sum(ctx.fake.requests.values())
                parsed = read(json_file.read_bytes(), tz=ctx.tz)
                converted = convert(parsed, fmt="json", default_user=ctx.user_id)
                plan = await plan_import(store, ledger, converted)
                result = await run_import(plan, engine)
                requests = sum(ctx.fake.requests.values()) - before
                first, *rest = summary_lines(plan, result, ctx.tz)
                say(f"timetrack import json {json_file.name} ({attempt}): {first}")
                say(f"  {requests} Notion requests")
                for line in rest:
                    say(f"  {line}")
        pages = [from_page(Page.from_json(raw)) for raw in ctx.fake.pages(restored_ds)]
        same = sorted(map(_same, pages)) == sorted(map(_same, week))
        say(
            f"  original: {len(week)} entries, {_hours(week, ctx):.2f} h; restored: "
            f"{len(pages)} entries, {_hours(pages, ctx):.2f} h; every field equal: "
            f"{'yes' if same else 'NO'}"
        )
    finally:
        ctx.fake.faults.index_lag = lag
