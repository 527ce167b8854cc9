"""`timetrack demo`: the real pipeline on a generated week, against the in-memory Notion."""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Final, TextIO
from zoneinfo import ZoneInfo

from notion_client import NotionClient, RateLimit, RetryPolicy
from notion_client.fake import FakeNotion
from timesheet.entries.model import TimeEntry
from timesheet.entries.setup import create_database
from timesheet.entries.store import EntryStore
from timesheet.entries.when import parse_duration, parse_when
from timesheet.reports.render import render_text
from timesheet.reports.report import ReportOptions, Timesheet, build_timesheets
from timesheet.reports.week import week_period
from timesheet.showcase.context import ShowcaseContext
from timesheet.tracking.ledger import Ledger
from timesheet.tracking.operations import Changes
from timesheet.tracking.tracker import Tracker

__all__ = ["DEMO_WEEK", "DemoShift", "demo_shifts", "run_demo"]

DEMO_TOKEN: Final = "secret_demo"
DEMO_USER: Final = "123456789012345678"
DEMO_TZ: Final = ZoneInfo("Europe/London")
DEMO_WEEK: Final = "2026-W47"
CLIENTS: Final = ("Acme", "Globex", "Initech", "Umbrella", "Wayne")
#: The steps after the week's report, by module of timesheet/showcase/, in order.
SHOWCASE_STEPS: Final[tuple[str, ...]] = (
    "periods",
    "bigquery",
    "invoices",
    "targets",
    "reminders",
    "transfer",
    "readers",
    "ops",
)


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


#: The shift whose start finds Notion down (Wednesday 09:30, Wayne): saved in the ledger and
#: written by the next command, at its own time.
OUTAGE_SHIFT: Final = 6
#: Seconds Notion's query index lags writes in the demo (as it does, by seconds, in Notion).
DEMO_INDEX_LAG: Final = 3.0


_WHY: Final = {
    "log": ": 1 create + 1 query (the entries it overlaps)",
    "pause": ": 1 query + 1 update (End and Paused in one write)",
    "resume": ": 2 queries + 1 create + 1 update (clears Paused)",
    "edit": ": 1 retrieve + 1 update + 1 query (the entries it overlaps)",
    "start": ": 1 query + 1 create, the first also learns the data source",
    "end": ": 1 query + 1 update, + 1 read of the page the lagging index does not list yet",
}


@dataclass(slots=True)
class _Recording:
    """What recording the week showed: timers, saved starts, requests per command kind."""

    timers: int = 0
    saved: list[str] = field(default_factory=list)
    fixed: list[str] = field(default_factory=list)
    requests: dict[str, list[int]] = field(default_factory=dict)
    race: str = ""

    def count(self, kind: str, fake: FakeNotion, before: int) -> None:
        self.requests.setdefault(kind, []).append(sum(fake.requests.values()) - before)


#: Shifts fixed after the fact (index in ``demo_shifts``): a lunch pause, an entry logged
#: from memory, a clock-out an hour late then adjusted. Their hours stay those of the shift.
PAUSED_SHIFT: Final = 2
LOGGED_SHIFT: Final = 4
LATE_SHIFT: Final = 10


async def _record_week(
    tracker: Tracker, other: Tracker, fake: FakeNotion, clock: _Clock, monday: date
) -> _Recording:
    """The week through the tracker, on a Notion whose index lags; one start during an
    outage; three shifts fixed after the fact; the last start raced by a second process on
    the same ledger."""
    rec = _Recording()
    shifts = demo_shifts()
    for i, shift in enumerate(shifts):
        clock.now = datetime.combine(monday + timedelta(days=shift.day), shift.start, DEMO_TZ)
        rec.timers += 1
        if shift.minutes is None:
            rec.race = await _race(tracker, other, shift)
            continue
        if i == LOGGED_SHIFT:
            await _logged(tracker, fake, clock, shift, rec)
            continue
        before = sum(fake.requests.values())
        if i == OUTAGE_SHIFT:
            fake.faults.fail_next(503, count=1000)
        result = await tracker.start(
            DEMO_USER, shift.client, name=shift.custom_name, note=shift.note
        )
        if result.queued:
            rec.saved.append(f"{clock.now:%a %H:%M} {shift.client}")
        else:
            rec.count("start", fake, before)
        fake.faults.clear()
        fake.faults.index_lag = DEMO_INDEX_LAG
        if i == PAUSED_SHIFT:
            await _lunch_pause(tracker, fake, clock, rec)
        late = timedelta(hours=1) if i == LATE_SHIFT else timedelta(0)
        clock.now += timedelta(minutes=shift.minutes) + late
        before = sum(fake.requests.values())
        await tracker.end(DEMO_USER)
        if i != OUTAGE_SHIFT:  # that end also wrote the saved start first
            rec.count("end", fake, before)
        if late:
            await _adjusted(tracker, fake, clock, result.entry, shift, rec)
    return rec


async def _lunch_pause(tracker: Tracker, fake: FakeNotion, clock: _Clock, rec: _Recording) -> None:
    """An hour in, a 20-minute break: pause, then resume the same work."""
    clock.now += timedelta(hours=1)
    before = sum(fake.requests.values())
    await tracker.pause(DEMO_USER)
    rec.count("pause", fake, before)
    clock.now += timedelta(minutes=20)
    before = sum(fake.requests.values())
    resumed = await tracker.resume(DEMO_USER)
    rec.count("resume", fake, before)
    rec.fixed.append(
        f"{clock.now:%a %H:%M} paused 20 min for lunch, then resumed {_what(resumed.entry)}"
    )
    clock.now -= timedelta(hours=1, minutes=20)  # the shift's own minutes run from its start
    clock.now += timedelta(minutes=20)


async def _logged(
    tracker: Tracker, fake: FakeNotion, clock: _Clock, shift: DemoShift, rec: _Recording
) -> None:
    """No timer at all: logged from memory, as typed (`1h 15m`, ending at `14:25`)."""
    assert shift.minutes is not None
    clock.now += timedelta(minutes=shift.minutes)
    end = parse_when(f"{clock.now:%H:%M}", tz=DEMO_TZ, now=clock.now).moment
    before = sum(fake.requests.values())
    logged = await tracker.log(
        DEMO_USER, shift.client, parse_duration("1h 15m"), end=end, name=shift.custom_name
    )
    rec.count("log", fake, before)
    rec.fixed.append(f"{end:%a %H:%M} logged {_what(logged.entry)} from memory: 1h 15m")


async def _adjusted(
    tracker: Tracker,
    fake: FakeNotion,
    clock: _Clock,
    entry: TimeEntry,
    shift: DemoShift,
    rec: _Recording,
) -> None:
    """Stopped an hour late; the effective duration typed afterwards keeps Start, moves End."""
    assert shift.minutes is not None
    typed = f"{shift.minutes // 60}h {shift.minutes % 60}m"
    before = sum(fake.requests.values())
    await tracker.edit(DEMO_USER, str(entry.page_id), Changes(duration=parse_duration(typed)))
    rec.count("edit", fake, before)
    rec.fixed.append(
        f"{clock.now:%a %H:%M} stopped {_what(entry)} an hour late; adjusted to {typed}"
    )


def _what(entry: TimeEntry | None) -> str:
    return "?" if entry is None else (entry.name or entry.client)


async def _race(tracker: Tracker, other: Tracker, shift: DemoShift) -> str:
    """Two processes (two ledger connections) start the same user's timer at one instant."""
    first, second = await asyncio.gather(
        tracker.start(DEMO_USER, "Initech", note="from the terminal"),
        other.start(DEMO_USER, shift.client, name=shift.custom_name, note=shift.note),
    )
    running = [r.entry.client for r in (first, second) if r.stopped is None]
    return (
        f"the bot and the terminal started {shift.client} and Initech at the same instant: "
        f"{len(running)} timer runs, the first one stopped at that instant"
    )


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
        token=DEMO_TOKEN,
        transport=fake.transport(),
        rate_limit=RateLimit(rate=0),
        retry=RetryPolicy(max_attempts=1),  # the outage is told at once, not retried
    ) as client:
        database_id, _ = await create_database(client, parent, CLIENTS)
        fake.faults.index_lag = DEMO_INDEX_LAG
        with (
            tempfile.TemporaryDirectory() as data_dir,
            Ledger.in_dir(data_dir) as ledger,
            Ledger.in_dir(data_dir) as second_ledger,
        ):
            store = EntryStore(client, database_id, cache=ledger)
            tracker = Tracker(store, ledger=ledger, clock=clock, presets=CLIENTS)
            other = Tracker(
                EntryStore(client, database_id, cache=second_ledger),
                ledger=second_ledger,
                clock=clock,
                presets=CLIENTS,
            )
            recorded = await _record_week(tracker, other, fake, clock, monday)
        writes = fake.requests["create_page"] + fake.requests["update_page"]
        fake.faults.clear()

        before = sum(fake.requests.values())
        report_store = EntryStore(client, database_id)  # a cold store, as the weekly job has
        clock.now = now
        (sheet,) = await build_timesheets(
            report_store, period, ReportOptions(tz=DEMO_TZ), now, user_id=None
        )
        report_requests = sum(fake.requests.values()) - before

    print(
        f"Recorded {recorded.timers} timers through the ledger ({writes} Notion writes), on a "
        f"Notion whose query index lags writes by {DEMO_INDEX_LAG:.0f} s.",
        file=stdout,
    )
    for kind, counts in recorded.requests.items():
        print(
            f"  {kind}: {sum(counts) / len(counts):.2f} Notion requests a command "
            f"(min {min(counts)}, max {max(counts)}){_WHY.get(kind, '')}",
            file=stdout,
        )
    for saved in recorded.saved:
        print(
            f"  Notion was down for {saved}'s start: saved in the ledger, written by the next "
            "command at its own time.",
            file=stdout,
        )
    for fixed in recorded.fixed:
        print(f"  Fixed after the fact: {fixed}.", file=stdout)
    print(f"  Race: {recorded.race}.", file=stdout)
    print(f"Report as of {now:%a %d %b %Y %H:%M} {DEMO_TZ.key}:\n", file=stdout)
    print(render_text(sheet.table), end="", file=stdout)
    csv_path, png_path = _write_outputs(sheet, out_dir)
    print(
        f"\nThe report took {report_requests} Notion requests "
        f"(1 to find the data source, then one paginated query for {sheet.table.entry_count} "
        f"entries).\nWrote {csv_path} and {png_path}.",
        file=stdout,
    )
    await _showcase(fake, parent, database_id, now, out_dir, stdout)
    return 0


async def _showcase(
    fake: FakeNotion, parent: str, database_id: str, now: datetime, out_dir: Path, stdout: TextIO
) -> None:
    """Each capability's step (timesheet/showcase/), on the Notion that holds the demo week.
    The steps print what a person would see; the log lines the bot would write are kept out."""
    import importlib
    import logging

    for name in ("timesheet", "timetrack", "notion_client"):
        logging.getLogger(name).addHandler(logging.NullHandler())

    async with NotionClient(
        token=DEMO_TOKEN, transport=fake.transport(), rate_limit=RateLimit(rate=0)
    ) as client:
        for name in SHOWCASE_STEPS:
            step = importlib.import_module(f"timesheet.showcase.{name}")
            with tempfile.TemporaryDirectory() as data_dir:
                ctx = ShowcaseContext(
                    client=client,
                    fake=fake,
                    parent_page_id=parent,
                    database_id=database_id,
                    data_dir=Path(data_dir),
                    tz=DEMO_TZ,
                    now=now,
                    user_id=DEMO_USER,
                    out_dir=out_dir,
                    stdout=stdout,
                )
                print("", file=stdout)
                await step.showcase(ctx)
