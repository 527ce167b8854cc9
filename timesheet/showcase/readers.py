"""Demo step: the demo week written as a timew file and a calendar, and other trackers' files
read (a Clockify file whose dates read both ways, a Toggl row in the DST gap)."""

from __future__ import annotations

from datetime import timedelta
from typing import Final, TextIO

from timesheet.entries.store import EntryStore
from timesheet.reports.week import week_label, week_period
from timesheet.showcase.context import ShowcaseContext
from timesheet.transfer import read_clockify, read_timew, read_toggl, write_ics, write_timew
from timesheet.transfer.records import AmbiguousDates

__all__ = ["showcase"]

_CLOCKIFY: Final = (
    b"Project,Client,Description,Start Date,Start Time,End Date,End Time,Duration (h)\n"
    b"Website,Acme,Layout,03/05/2026,09:00 AM,03/05/2026,10:30 AM,01:30:00\n"
    b"Website,Acme,Review,04/06/2026,01:00 PM,04/06/2026,02:00 PM,01:00:00\n"
)
_TOGGL: Final = (
    "\ufeffClient,Project,Description,Start date,Start time,End date,End time,Duration,Tags,"
    "Amount (GBP)\r\n"
    "Acme,Website,Night deploy,2026-03-29,01:30:00,2026-03-29,03:00:00,00:30:00,ops,40.00\r\n"
    "Acme,Website,Clocks go back,2026-10-25,01:50:00,2026-10-25,01:10:00,00:20:00,,26.67\r\n"
).encode()


async def showcase(ctx: ShowcaseContext) -> None:
    """Export the demo user's week to ``ctx.out_dir`` and read some other trackers' files."""
    out = ctx.stdout
    week = week_period("this", ctx.tz, now=ctx.now)
    store = EntryStore(ctx.client, ctx.database_id)
    entries = await store.list_overlapping(week.start, week.end, ctx.user_id)
    running = sum(e.running for e in entries)

    timew_path = ctx.out_dir / "week.timew.json"
    timew_path.write_text(write_timew.write(entries, tz=ctx.tz), encoding="utf-8")
    back = read_timew.read(timew_path.read_bytes(), tz=ctx.tz)
    same = sorted((e.client, e.note, e.start, e.end) for e in entries) == sorted(
        (e.client or "", e.note, e.start, e.end) for e in back.entries
    )
    print(
        f"Exported {week_label(week, ctx.tz)} for Timewarrior: {len(entries)} intervals "
        f"({running} running, without an end) to {timew_path.name}; read back: "
        f"{len(back.entries)} entries, "
        + ("same clients, notes and times." if same else "NOT the same."),
        file=out,
    )
    ics_path = ctx.out_dir / "week.ics"
    ics_path.write_text(write_ics.write(entries, tz=ctx.tz), encoding="utf-8", newline="")
    print(
        f"Calendar: {len(entries) - running} events in {ics_path.name} "
        "(a running timer has no end yet, so it is left out).",
        file=out,
    )
    _clockify(out, ctx)
    toggl = read_toggl.read(_TOGGL, tz=ctx.tz)
    print(f"A Toggl CSV read in {ctx.tz.key}:", file=out)
    for problem in toggl.problems:
        print(f"  line {problem.line} skipped: {problem.reason}", file=out)
    for entry in toggl.entries:
        end = entry.end or entry.start
        minutes = (end - entry.start) // timedelta(minutes=1)  # UTC times: real elapsed time
        print(
            f"  line {entry.line}: {entry.client} — {entry.name}, "
            f"{entry.start.astimezone(ctx.tz):%H:%M %Z} to {end.astimezone(ctx.tz):%H:%M %Z} "
            f"({minutes} min)",
            file=out,
        )


def _clockify(out: TextIO, ctx: ShowcaseContext) -> None:
    try:
        read_clockify.read(_CLOCKIFY, tz=ctx.tz)
    except AmbiguousDates as refused:
        print(f"A Clockify CSV dated 03/05/2026 and 04/06/2026: refused: {refused}", file=out)
    given = read_clockify.read(_CLOCKIFY, tz=ctx.tz, date_order="dmy")
    days = ", ".join(f"{e.start.astimezone(ctx.tz):%a %d %b %Y}" for e in given.entries)
    print(f"  with --date-order dmy: {days}.", file=out)
