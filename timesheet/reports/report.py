"""The weekly report pipeline: one paginated fetch, per-user tables, rendering, posting.

pandas (aggregation) and rendering are imported in a thread while the fetch waits on Notion
(`timesheet.background_imports`), and the tables are built in a worker thread: 400 users'
tables take half a second, and the bot's event loop must keep answering meanwhile.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Final, TypeAlias
from zoneinfo import ZoneInfo

from timesheet import background_imports
from timesheet.clients.model import ClientInfo
from timesheet.config import Rounding, Settings
from timesheet.entries.duplicates import DuplicatePages, collapse_duplicates
from timesheet.entries.model import TimeEntry
from timesheet.entries.schema import SkippedPage
from timesheet.entries.store import EntryStore
from timesheet.publishing.discord_webhook import publish_timesheet
from timesheet.reports.check import POST_KINDS, Finding, find_problems
from timesheet.reports.week import Period

if TYPE_CHECKING:
    from timesheet.publishing.schedule import ScheduledRun
    from timesheet.reports.aggregate import WeekTable
    from timesheet.reports.amounts import ClientAmount

__all__ = [
    "EXTRA_FIELD",
    "NOTES_FIELD",
    "ExtraNotes",
    "ReportOptions",
    "Timesheet",
    "build_timesheets",
    "post_scheduled",
    "post_timesheets",
    "publish_sheet",
    "tables_for",
]

#: Imported while the fetch waits on Notion (pandas and numpy: about 0.2 s of CPU).
SLOW_IMPORTS: Final = ("timesheet.reports.aggregate", "timesheet.reports.render")


#: The post's field holding the extra notes.
EXTRA_FIELD: Final = "Targets and budgets"
NOTES_FIELD: Final = "Notes"
#: Lines to add to a table's notes, given the table's user (None: everyone) and the table.
ExtraNotes: TypeAlias = Callable[[str | None, "WeekTable"], Sequence[str]]


@dataclass(frozen=True, slots=True)
class ReportOptions:
    """How a report is computed: time zone, first weekday and rounding."""

    tz: ZoneInfo
    week_start: int = 0
    round_minutes: int = 0
    rounding: Rounding = "nearest"

    @classmethod
    def from_settings(cls, settings: Settings) -> ReportOptions:
        return cls(
            tz=settings.timezone,
            week_start=settings.week_start,
            round_minutes=settings.round_minutes,
            rounding=settings.rounding,
        )


@dataclass(frozen=True)
class Timesheet:
    """One rendered table: for one user, or for everyone when ``user_id`` is None."""

    table: WeekTable
    user_id: str | None
    title: str
    messages: list[str]
    csv: str
    #: Per client with a rate, when the report was asked with amounts (``--amounts``).
    amounts: Mapping[str, ClientAmount] = field(default_factory=dict)
    _png: list[bytes] = field(default_factory=list, repr=False, compare=False)
    #: Notes added by ``build_timesheets(extra_notes=...)`` (targets, budgets), also in
    #: ``table.notes``; the post shows them in a field of their own.
    extra_notes: tuple[str, ...] = ()

    def png(self) -> bytes:
        """The chart, rendered on first use (matplotlib is slow to import)."""
        if not self._png:
            from timesheet.reports.render import render_png

            self._png.append(render_png(self.table))
        return self._png[0]

    @property
    def file_stem(self) -> str:
        return f"timesheet-{self.table.label}" + (f"-{self.user_id}" if self.user_id else "")


def _sheet(
    table: WeekTable, user_id: str | None, clients: Sequence[ClientInfo] | None = None
) -> Timesheet:
    from timesheet.reports.amounts import client_amounts
    from timesheet.reports.render import render_csv, render_messages

    title = table.title + (f" — user {user_id}" if user_id else "")
    amounts = client_amounts(table, clients) if clients is not None else {}
    return Timesheet(
        table=table,
        user_id=user_id,
        title=title,
        messages=render_messages(table, title=title, amounts=amounts),
        csv=render_csv(table),
        amounts=amounts,
    )


def tables_for(
    entries: Sequence[TimeEntry],
    period: Period,
    opts: ReportOptions,
    now: datetime,
    *,
    per_user: bool,
    skipped: Sequence[SkippedPage] = (),
) -> list[tuple[str | None, WeekTable]]:
    """Aggregate ``entries`` into one table, or one per user (sorted by user id).

    Pages sharing an Entry ID are collapsed once, before the split by user, so they count once
    even if one was moved to another user in Notion; the note goes to the winner's table.
    ``skipped`` pages (unusable, so not counted) are named in the notes of their user's table;
    a user with nothing but such pages gets a table for them. So are the findings of
    `timesheet.reports.check` those notes do not already name (`POST_KINDS`: timers over 24 h,
    entries with no client, copied Entry IDs), from these same entries.
    """
    background_imports.finish(*SLOW_IMPORTS)
    from timesheet.reports.aggregate import aggregate

    unique, doubled = collapse_duplicates(entries)
    found = find_problems(entries, skipped, now=now, tz=opts.tz, kinds=POST_KINDS)

    def table(
        group: Sequence[TimeEntry],
        notes: Sequence[DuplicatePages],
        bad: Sequence[SkippedPage],
        checked: Sequence[Finding],
    ) -> WeekTable:
        # Hand the GIL over between tables: built in a worker thread, pandas' C calls would
        # otherwise keep the bot's event loop waiting for it for 0.1-0.3 s at a time.
        time.sleep(0)
        return aggregate(
            group,
            period,
            opts.tz,
            now,
            round_minutes=opts.round_minutes,
            rounding=opts.rounding,
            duplicates=notes,
            skipped=bad,
            findings=checked,
            week_start=opts.week_start,
        )

    if not per_user:
        return [(None, table(unique, doubled, skipped, found))]
    # One pass each (not one scan per user): a team's week can hold many users' entries.
    entries_of: dict[str, list[TimeEntry]] = defaultdict(list)
    for e in unique:
        entries_of[e.user_id].append(e)
    doubled_of: dict[str, list[DuplicatePages]] = defaultdict(list)
    for g in doubled:
        doubled_of[g.kept.user_id].append(g)
    skipped_of: dict[str, list[SkippedPage]] = defaultdict(list)
    for s in skipped:
        skipped_of[s.user_id].append(s)
    found_of: dict[str, list[Finding]] = defaultdict(list)
    for f in found:
        found_of[f.user_id].append(f)
    users = sorted(entries_of.keys() | skipped_of.keys() | found_of.keys())
    return [
        (user, table(entries_of[user], doubled_of[user], skipped_of[user], found_of[user]))
        for user in users
    ]


async def build_timesheets(
    store: EntryStore,
    period: Period,
    opts: ReportOptions,
    now: datetime,
    *,
    user_id: str | None = None,
    per_user: bool = False,
    users: Sequence[str] = (),
    extra_notes: ExtraNotes | Awaitable[ExtraNotes | None] | None = None,
    clients: Sequence[ClientInfo] | None = None,
) -> list[Timesheet]:
    """Fetch the period with ONE paginated query and render its table(s).

    Notion pages sharing an Entry ID (a doubled create) count once; the report's notes say
    which one counted and which to trash (see ``timesheet.entries.duplicates.preference``).
    Pages the store can't use (e.g. End before Start) count as nothing; the notes name each of them.

    ``user_id`` restricts the query to one user; ``users`` restricts the report to those users;
    ``per_user`` makes one table per user (an empty week still gives one empty table).
    ``extra_notes(user, table)`` gives lines added to a table's notes (targets, budgets); it
    may be an awaitable of that function, read at the same time as the period.
    ``clients`` (with their rates) add an amount per client to the notes and the post.
    The tables are built in a worker thread (see the module's docstring).
    """
    background_imports.start(*SLOW_IMPORTS)
    notes_task = asyncio.ensure_future(extra_notes) if inspect.isawaitable(extra_notes) else None
    try:
        scanned = await store.scan_overlapping(period.start, period.end, user_id=user_id)
    except BaseException:
        if notes_task is not None:
            notes_task.cancel()
        raise
    if notes_task is not None:
        extra_notes = await notes_task
    entries, skipped = scanned.entries, scanned.skipped
    if users:
        wanted = set(users)
        entries = [e for e in entries if e.user_id in wanted]
        skipped = [s for s in skipped if s.user_id in wanted]
    per_user = per_user and user_id is None
    assert not inspect.isawaitable(extra_notes)
    build = partial(
        _sheets, entries, skipped, period, opts, now, per_user, user_id, extra_notes, clients
    )
    return await asyncio.to_thread(build)


def _sheets(
    entries: Sequence[TimeEntry],
    skipped: Sequence[SkippedPage],
    period: Period,
    opts: ReportOptions,
    now: datetime,
    per_user: bool,
    user_id: str | None,
    extra_notes: ExtraNotes | None,
    clients: Sequence[ClientInfo] | None,
) -> list[Timesheet]:
    grouped = tables_for(entries, period, opts, now, per_user=per_user, skipped=skipped)
    if not grouped:
        grouped = [(None, tables_for([], period, opts, now, per_user=False)[0][1])]
    if extra_notes is None:
        return [_sheet(table, uid or user_id, clients) for uid, table in grouped]
    sheets = []
    for uid, table in grouped:
        extra = tuple(extra_notes(uid or user_id, table))
        noted = replace(table, notes=(*table.notes, *extra))
        sheets.append(replace(_sheet(noted, uid or user_id, clients), extra_notes=extra))
    return sheets


async def publish_sheet(webhook_url: str, sheet: Timesheet) -> None:
    """Post one timesheet as one webhook message with its CSV and PNG attached; its title names
    the week, its footer says as of when (and whether the week was over by then).

    The chart is drawn in a worker thread (matplotlib's object API, no pyplot state): drawing
    takes a good part of a second, and the bot's event loop must keep answering meanwhile.
    """
    from timesheet.reports.render import as_of_line, render_table

    png = await asyncio.to_thread(sheet.png)
    await publish_timesheet(
        webhook_url,
        title=sheet.title,
        table_text=render_table(sheet.table),
        csv_text=sheet.csv,
        fields=[
            ("Total", f"{sheet.table.shown_total:.2f} h"),
            *_amount_field(sheet),
            *([(EXTRA_FIELD, "\n".join(sheet.extra_notes))] if sheet.extra_notes else []),
            *_notes_field(sheet),
        ],
        footer=as_of_line(sheet.table),
        png=png,
        csv_name=f"{sheet.file_stem}.csv",
        png_name=f"{sheet.file_stem}.png",
    )


def _notes_field(sheet: Timesheet) -> list[tuple[str, str]]:
    """The table's footnotes (running timers, rounding, findings, skipped pages), but not the
    targets' lines, which have a field of their own."""
    from timesheet.reports.render import footnotes

    extra = {f"• {note}" for note in sheet.extra_notes}
    lines = [line for line in footnotes(sheet.table) if line not in extra]
    return [(NOTES_FIELD, "\n".join(lines))] if lines else []


def _amount_field(sheet: Timesheet) -> list[tuple[str, str]]:
    from timesheet.reports.amounts import amount_lines

    lines = amount_lines(sheet.amounts)
    return [("Amounts", "\n".join(lines))] if lines else []


async def post_timesheets(webhook_url: str, sheets: Sequence[Timesheet]) -> None:
    """Post each timesheet (used by ``timetrack report --post``)."""
    for sheet in sheets:
        await publish_sheet(webhook_url, sheet)


async def post_scheduled(
    run: ScheduledRun,
    store: EntryStore,
    opts: ReportOptions,
    webhook_url: str,
    *,
    now: Callable[[], datetime],
    users: Sequence[str] = (),
    extra_notes: ExtraNotes | Awaitable[ExtraNotes | None] | None = None,
) -> None:
    """The scheduled post: the week ``run.period`` (see ``publishing.schedule.report_week``),
    one table per user, each sent once.

    ``run.once`` records every part, so a retry after a failure (or a restart) never sends a
    user's table twice; a running entry counts up to ``now()`` (clipped to the week).
    """
    sheets = await build_timesheets(
        store, run.period, opts, now(), per_user=True, users=users, extra_notes=extra_notes
    )
    for sheet in sheets:
        await run.once(sheet.user_id or "all", partial(publish_sheet, webhook_url, sheet))
