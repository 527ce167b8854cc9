"""Demo step: the week's report when Notion cuts every query off after a few rows."""

from __future__ import annotations

from timesheet.entries.store import EntryStore
from timesheet.reports.report import ReportOptions, build_timesheets
from timesheet.reports.week import week_period
from timesheet.showcase.context import ShowcaseContext

__all__ = ["showcase"]


async def showcase(ctx: ShowcaseContext) -> None:
    """The demo week under Notion's own cap, then under a cap of a third of its rows: the
    store splits the query by Start windows and the table comes out the same."""
    period = week_period("this", ctx.tz, 0, ctx.now)
    opts = ReportOptions(tz=ctx.tz)
    store = EntryStore(ctx.client, ctx.database_id)
    await store.data_source_id()
    out = ctx.stdout

    def queries() -> int:
        return ctx.fake.requests["query_data_source"]

    before = queries()
    (plain,) = await build_timesheets(store, period, opts, ctx.now)
    plain_queries = queries() - before
    rows = len((await store.scan_overlapping(period.start, period.end)).entries)
    cap, ctx.fake.result_limit = ctx.fake.result_limit, max(1, rows // 3)
    try:
        before = queries()
        (capped,) = await build_timesheets(store, period, opts, ctx.now)
        capped_queries = queries() - before
    finally:
        ctx.fake.result_limit = cap
    print(f"Notion's row cap: the week's {rows} entries", file=out)
    print(f"  under the usual 10,000-row cap: {plain_queries} query request(s)", file=out)
    print(
        f"  with every query cut off after {rows // 3} rows: {capped_queries} query requests"
        " (split by Start windows)",
        file=out,
    )
    same = "the same table" if capped.csv == plain.csv else "A DIFFERENT TABLE"
    print(f"  {same}: {capped.table.shown_total:.2f} h in all", file=out)
