"""Demo step: the month of the demo week (November 2026), a row per day, as CSV and chart."""

from __future__ import annotations

import asyncio

from timesheet.entries.store import EntryStore
from timesheet.reports.render import render_text
from timesheet.reports.report import ReportOptions, build_timesheets
from timesheet.reports.week import named_period
from timesheet.showcase.context import ShowcaseContext

__all__ = ["showcase"]


async def showcase(ctx: ShowcaseContext) -> None:
    """``timetrack report --period this-month``: November 2026, then where its files went."""
    out = ctx.stdout
    period = named_period("this-month", ctx.tz, 0, ctx.now)
    before = ctx.fake.requests["query_data_source"]
    (sheet,) = await build_timesheets(
        EntryStore(ctx.client, ctx.database_id), period, ReportOptions(tz=ctx.tz), ctx.now
    )
    queries = ctx.fake.requests["query_data_source"] - before
    print("\n== Any period: timetrack report --period this-month ==", file=out)
    print(render_text(sheet.table), file=out, end="")
    ctx.out_dir.mkdir(parents=True, exist_ok=True)
    csv_path = ctx.out_dir / f"{sheet.file_stem}.csv"
    png_path = ctx.out_dir / f"{sheet.file_stem}.png"
    csv_path.write_text(sheet.csv, encoding="utf-8")
    png_path.write_bytes(await asyncio.to_thread(sheet.png))
    rows = len(sheet.table.days)
    print(
        f"{rows} {sheet.table.bucket} rows from {queries} Notion "
        f"{'query' if queries == 1 else 'queries'}; wrote {csv_path} and {png_path}",
        file=out,
    )
