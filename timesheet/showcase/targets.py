"""Demo step: the Targets database, two targets for the demo user, `target show` for the
demo week, and a budget's burn-down."""

from __future__ import annotations

from timesheet.clients.model import ClientInfo
from timesheet.entries.store import EntryStore
from timesheet.reports.report import ReportOptions, build_timesheets
from timesheet.showcase.context import ShowcaseContext
from timesheet.targets.progress import budget_burn, burn_line, client_totals, month_period
from timesheet.targets.setup import create_targets_database
from timesheet.targets.show import render_targets_csv, render_targets_text, week_against_targets
from timesheet.targets.spec import target_week
from timesheet.targets.store import TargetStore

__all__ = ["showcase"]


async def showcase(ctx: ShowcaseContext) -> None:
    """Create the Targets database, set Acme 12 h every week and Globex 10 h for 2026-W47,
    show the week against them, and burn down a 15 h monthly budget for Acme."""
    out = ctx.stdout
    targets_id = await create_targets_database(ctx.client, ctx.parent_page_id)
    targets = TargetStore(ctx.client, targets_id)
    week = target_week("2026-W47", ctx.tz, 0, ctx.now)
    # Each set reads the Targets database first; the demo Notion's index lag would hide a row
    # written a moment ago, so this step runs with the lag paused.
    lag, ctx.fake.faults.index_lag = ctx.fake.faults.index_lag, 0.0
    try:
        await targets.set_target(
            ctx.user_id, "Acme", target_week(None, ctx.tz, 0, ctx.now, every=True), 12
        )
        await targets.set_target(ctx.user_id, "Globex", week, 10)
        entries = EntryStore(ctx.client, ctx.database_id)
        opts = ReportOptions(tz=ctx.tz)
        shown = await week_against_targets(entries, targets, ctx.user_id, week, opts, ctx.now)
        (month,) = await build_timesheets(entries, month_period(ctx.now, ctx.tz), opts, ctx.now)
    finally:
        ctx.fake.faults.index_lag = lag
    print("Targets: `timetrack setup` created the Targets database; the demo user set", file=out)
    print("  timetrack target set Acme 12            (every week)", file=out)
    print("  timetrack target set Globex 10 --week 2026-W47", file=out)
    print("$ timetrack target show --week 2026-W47", file=out)
    print(render_targets_text(shown.lines, shown.title), file=out)
    print("$ timetrack target show --week 2026-W47 --csv -", file=out)
    print(render_targets_csv(shown.lines), end="", file=out)
    acme = ClientInfo("Acme", budget=15)
    assert acme.budget is not None
    used = client_totals(month.table).get("Acme", 0.0)
    burn = budget_burn(acme.name, acme.budget, used, ctx.now, ctx.tz, now=ctx.now)
    print(f"Budget burn-down (Acme, Budget 15 h a month): {burn_line(burn)}", file=out)
