"""`timetrack demo`: the real pipeline on a generated week, against the in-memory Notion."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Final, TextIO
from zoneinfo import ZoneInfo

from notion_client import NotionClient, RateLimit
from notion_client.fake import FakeNotion
from timesheet.entries.setup import create_database
from timesheet.entries.store import EntryStore
from timesheet.reports.render import render_text
from timesheet.reports.report import ReportOptions, Timesheet, build_timesheets
from timesheet.reports.week import week_period
from timesheet.tracking.ledger import Ledger
from timesheet.tracking.tracker import Tracker

__all__ = ["DEMO_WEEK", "DemoShift", "demo_shifts", "run_demo"]

DEMO_TOKEN: Final = "secret_demo"
DEMO_USER: Final = "123456789012345678"
DEMO_TZ: Final = ZoneInfo("Europe/London")
DEMO_WEEK: Final = "2026-W47"
CLIENTS: Final = ("Acme", "Globex", "Initech", "Umbrella", "Wayne")


@dataclass(frozen=True, slots=True)
class DemoShift:
    """One timer: started on ``day`` (0 = Monday) at ``start``; ``minutes`` None = still running."""

    day: int
    start: time
    minutes: int | None
    client: str
    note: str = ""
    custom_name: str | None = None


def demo_shifts() -> list[DemoShift]:
    """A realistic freelancer's week: several clients, a late deploy over midnight, one running."""
    return [
        DemoShift(0, time(9, 5), 150, "Acme", "Sprint planning and API review"),
        DemoShift(0, time(11, 45), 95, "Globex"),
        DemoShift(0, time(14, 0), 200, "Initech", "Migration scripts"),
        DemoShift(1, time(8, 50), 180, "Acme"),
        DemoShift(1, time(13, 10), 75, "Umbrella", custom_name="Security audit call"),
        DemoShift(1, time(14, 40), 140, "Globex"),
        DemoShift(2, time(9, 30), 120, "Wayne"),
        DemoShift(2, time(12, 15), 165, "Acme"),
        DemoShift(2, time(22, 30), 165, "Initech", "Release night: deploy went past midnight"),
        DemoShift(3, time(10, 20), 110, "Globex"),
        DemoShift(3, time(13, 0), 230, "Wayne"),
        DemoShift(4, time(9, 0), 135, "Acme"),
        DemoShift(4, time(11, 30), 60, "Umbrella"),
        DemoShift(4, time(13, 15), 105, "Initech"),
        DemoShift(4, time(15, 10), None, "Globex", "Still on it"),
    ]


class _Clock:
    """The simulated wall clock the tracker reads; the demo moves it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def _record_week(tracker: Tracker, clock: _Clock, monday: date) -> int:
    count = 0
    for shift in demo_shifts():
        clock.now = datetime.combine(monday + timedelta(days=shift.day), shift.start, DEMO_TZ)
        await tracker.start(DEMO_USER, shift.client, name=shift.custom_name, note=shift.note)
        count += 1
        if shift.minutes is not None:
            clock.now += timedelta(minutes=shift.minutes)
            await tracker.end(DEMO_USER)
    return count


def _write_outputs(sheet: Timesheet, out_dir: Path) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    csv_path = out_dir / "timesheet.csv"
    png_path = out_dir / "timesheet.png"
    csv_path.write_text(sheet.csv, encoding="utf-8")
    png_path.write_bytes(sheet.png())
    return csv_path, png_path


async def run_demo(out_dir: Path, stdout: TextIO) -> int:
    """Record a week through the tracker, then report it; returns the exit code."""
    fake = FakeNotion(token=DEMO_TOKEN)
    parent = fake.add_parent_page("Demo workspace")
    period = week_period(DEMO_WEEK, DEMO_TZ, 0, datetime(2026, 11, 18, tzinfo=DEMO_TZ))
    monday = period.start.date()
    now = datetime.combine(monday + timedelta(days=4), time(17, 30), DEMO_TZ)
    clock = _Clock(now)

    async with NotionClient(
        token=DEMO_TOKEN, transport=fake.transport(), rate_limit=RateLimit(rate=0)
    ) as client:
        database_id, _ = await create_database(client, parent, CLIENTS)
        with tempfile.TemporaryDirectory() as data_dir, Ledger.in_dir(data_dir) as ledger:
            store = EntryStore(client, database_id, cache=ledger)
            tracker = Tracker(store, ledger=ledger, clock=clock, presets=CLIENTS)
            started = await _record_week(tracker, clock, monday)
        writes = fake.requests["create_page"] + fake.requests["update_page"]

        before = sum(fake.requests.values())
        report_store = EntryStore(client, database_id)  # a cold store, as the weekly job has
        clock.now = now
        (sheet,) = await build_timesheets(
            report_store, period, ReportOptions(tz=DEMO_TZ), now, user_id=None
        )
        report_requests = sum(fake.requests.values()) - before

    print(f"Recorded {started} timers through the tracker ({writes} Notion writes).", file=stdout)
    print(f"Report as of {now:%a %d %b %Y %H:%M} {DEMO_TZ.key}:\n", file=stdout)
    print(render_text(sheet.table), end="", file=stdout)
    csv_path, png_path = _write_outputs(sheet, out_dir)
    print(
        f"\nThe report took {report_requests} Notion requests "
        f"(1 to find the data source, then one paginated query for {sheet.table.entry_count} "
        f"entries).\nWrote {csv_path} and {png_path}.",
        file=stdout,
    )
    return 0
