"""Turn time entries into a (day, week or month) × client table of hours for one period
(vectorised)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Final, Literal, TypeVar
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
import pandas as pd

from timesheet.entries.duplicates import DuplicatePages, collapse_duplicates
from timesheet.entries.model import TimeEntry
from timesheet.entries.schema import SkippedPage
from timesheet.reports.buckets import (
    Bucket,
    bucket_for,
    is_week,
    period_label,
    period_title,
    row_label,
    row_starts,
)
from timesheet.reports.check import Finding
from timesheet.reports.week import Period, day_bounds, local_midnight, period_days
from timesheet.reports.wording import (
    NO_CLIENT,
    TOTAL,
    column_name,
    describe_entry,
    moment_text,
    page_ref,
    span_text,
)

__all__ = [
    "MAX_NOTES_PER_KIND",
    "NO_CLIENT",
    "ROUNDINGS",
    "TOTAL",
    "Rounding",
    "WeekTable",
    "aggregate",
    "round_cells",
    "round_cells_to_centihours",
    "split_by_day",
    "to_microseconds",
]

Rounding = Literal["nearest", "up", "down"]
ROUNDINGS: Final[tuple[str, ...]] = ("nearest", "up", "down")
MAX_NOTES_PER_KIND: Final = 10

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_US: Final = timedelta(microseconds=1)
_US_PER_HOUR: Final = 3_600_000_000
_US_PER_MINUTE: Final = 60_000_000

Int64Array = npt.NDArray[np.int64]
T = TypeVar("T")


@dataclass(frozen=True, eq=False)
class WeekTable:
    """Hours per row (a local day, week or month: ``bucket``) and client for one period.

    A period of up to 31 local days has a row per day, up to 26 weeks a row per week (starting
    on ``week_start``), longer a row per month; edge weeks and months are clipped to the period
    (`timesheet.reports.buckets`). ``hours`` is indexed by the first local day of each row
    (``datetime.date``, in order) followed by the label ``"Total"``; its columns are the
    clients (sorted case-insensitively, ties by exact text) followed by ``"Total"``. Totals are
    sums of the shown (rounded) cells, so rows and columns add up. ``running`` names clients
    with a timer still running; ``notes`` are human sentences about overlaps, empty entries
    and DST days; ``entry_count`` is how many entries have time inside the period. Treat
    ``hours`` as read-only.

    ``shown`` is the same table as people see it (text, CSV, chart): every client-day cell to
    the nearest 0.01 h, and totals that add up those shown cells, so a printed row always sums
    to its printed total. ``hours`` keeps the exact values.
    """

    hours: pd.DataFrame
    shown: pd.DataFrame
    period: Period
    tz: ZoneInfo
    as_of: datetime
    running: frozenset[str] = frozenset()
    notes: tuple[str, ...] = ()
    entry_count: int = 0
    round_minutes: int = 0
    rounding: str = "nearest"
    bucket: Bucket = "day"
    week_start: int | None = None  # None: any 7 local days are titled as a week

    @property
    def days(self) -> list[date]:
        """The first local day of each row: every day of the period when ``bucket`` is day."""
        return [label for label in self.hours.index if isinstance(label, date)]

    @property
    def row_labels(self) -> list[str]:
        """The rows as the CSV names them: ``2026-11-16``, ``2026-W47`` or ``2026-11``."""
        start = 0 if self.week_start is None else self.week_start
        return [row_label(first, self.bucket, start) for first in self.days]

    @property
    def is_week(self) -> bool:
        """Whether the period is one week (the weekly report)."""
        return is_week(self.period, self.tz, self.week_start)

    @property
    def clients(self) -> list[str]:
        return [str(name) for name in self.hours.columns[:-1]]

    @property
    def total_hours(self) -> float:
        return float(self.hours[TOTAL].iloc[-1])

    @property
    def shown_total(self) -> float:
        """The grand total as displayed: the sum of the shown cells."""
        return float(self.shown[TOTAL].iloc[-1])

    @property
    def label(self) -> str:
        """For file names: the ISO week (``"2026-W47"``), ``"2026-11"``, ``"2026"``..."""
        return period_label(self.period, self.tz, self.week_start)

    @property
    def title(self) -> str:
        """E.g. ``"Week 2026-W47 (16–22 Nov 2026)"`` or ``"November 2026"``."""
        return period_title(self.period, self.tz, self.week_start)


def to_microseconds(moment: datetime) -> int:
    """Microseconds since the Unix epoch (exact; ``moment`` must be aware)."""
    return (moment - _EPOCH) // _US


def split_by_day(starts: Int64Array, ends: Int64Array, bounds: Int64Array) -> Int64Array:
    """Microseconds of each ``[starts[i], ends[i])`` inside each ``[bounds[j], bounds[j+1])``.

    Returns an ``(len(starts), len(bounds) - 1)`` array; empty or reversed intervals give zeros.
    Nothing is lost or added: a row sums to the interval clipped to ``[bounds[0], bounds[-1])``.
    """
    lo, hi = bounds[:-1], bounds[1:]
    parts: Int64Array = np.minimum(ends[:, None], hi[None, :])
    parts -= np.maximum(starts[:, None], lo[None, :])
    np.maximum(parts, 0, out=parts)
    return parts


def round_cells(micros: Int64Array, round_minutes: int, rounding: str) -> Int64Array:
    """Round each value to a multiple of ``round_minutes`` (exact integer arithmetic).

    ``nearest`` rounds halves up; ``round_minutes == 0`` leaves values unchanged.
    """
    if rounding not in ROUNDINGS:
        raise ValueError(f"rounding must be one of {', '.join(ROUNDINGS)}, got {rounding!r}")
    if round_minutes == 0:
        return micros
    unit = round_minutes * _US_PER_MINUTE
    if rounding == "down":
        steps = micros // unit
    elif rounding == "up":
        steps = -(-micros // unit)
    else:
        steps = (micros + unit // 2) // unit
    return steps * unit


def round_cells_to_centihours(micros: Int64Array) -> Int64Array:
    """Each value to the nearest 0.01 h (36 s), halves up: what two decimals of hours show."""
    unit = _US_PER_HOUR // 100
    rounded: Int64Array = (micros + unit // 2) // unit * unit
    return rounded


def aggregate(
    entries: Iterable[TimeEntry],
    period: Period,
    tz: ZoneInfo,
    now: datetime,
    round_minutes: int = 0,
    rounding: str = "nearest",
    *,
    duplicates: Sequence[DuplicatePages] = (),
    skipped: Sequence[SkippedPage] = (),
    findings: Sequence[Finding] = (),
    week_start: int | None = None,
) -> WeekTable:
    """Hours per row of ``period`` (a local day, week or month, by its length) and client.

    Weeks start on ``week_start`` (0 = Monday; None: Monday for rows, and any 7 local days are
    titled as a week).

    Entries are split at local midnight (DST days last 23 or 25 hours) and clipped to the period;
    running entries count up to ``now``; overlapping entries of one user are counted as recorded
    and described in ``notes``. Pages sharing an Entry ID count once (the winner of
    ``timesheet.entries.duplicates.preference``), named in ``notes`` with those in ``duplicates``
    (groups a caller already collapsed). ``skipped`` pages (unusable, so not counted) are named
    next, then ``findings`` of `timesheet.reports.check` the caller chose. Rounding applies per
    cell, then totals are summed.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    if isinstance(round_minutes, bool) or not isinstance(round_minutes, int) or round_minutes < 0:
        raise ValueError(f"round_minutes must be a whole number >= 0, got {round_minutes!r}")
    if rounding not in ROUNDINGS:
        raise ValueError(f"rounding must be one of {', '.join(ROUNDINGS)}, got {rounding!r}")

    items, doubled = collapse_duplicates(entries)
    count = len(items)
    now_us = to_microseconds(now)
    days = period_days(period, tz)
    day_us = np.array([to_microseconds(b) for b in day_bounds(period, tz)], dtype=np.int64)
    bucket = bucket_for(len(days))
    rows = row_starts(days, bucket, 0 if week_start is None else week_start)
    # A row runs from the start of its first day to the start of the next row's.
    offsets = [(first - days[0]).days for first in rows]
    bounds = day_us[[*offsets, len(days)]]
    p_start, p_end = int(bounds[0]), int(bounds[-1])

    starts = np.fromiter((to_microseconds(e.start) for e in items), np.int64, count)
    running = np.fromiter((e.end is None for e in items), np.bool_, count)
    ends = np.fromiter(
        (now_us if e.end is None else to_microseconds(e.end) for e in items), np.int64, count
    )
    names = [column_name(e.client) for e in items]
    clients_arr = np.array(names, dtype=object)

    parts = split_by_day(starts, ends, bounds)
    inside = parts.sum(axis=1) > 0
    open_here = running & (starts < p_end) & (starts <= now_us) & (now_us > p_start)
    shown = inside | open_here

    clients = sorted(set(clients_arr[shown].tolist()), key=lambda c: (c.casefold(), c))
    codes = pd.Index(clients, dtype=object).get_indexer(clients_arr)
    cells = np.zeros((len(clients), len(rows)), dtype=np.int64)
    if clients:
        # Entries of clients left out (-1) have no time in the period: adding their zero rows
        # to column 0 changes nothing and saves copying ``parts``.
        np.add.at(cells, np.maximum(codes, 0), parts)
    cells = round_cells(cells, round_minutes, rounding)

    hours = _hours_frame(cells.T, rows, clients, bucket)
    shown = _hours_frame(round_cells_to_centihours(cells.T), rows, clients, bucket)
    notes = [
        *_dst_notes(days, day_us, tz),
        *_renamed_notes(items),
        *_empty_notes(items, starts, ends, running, p_start, p_end, tz),
        *_duplicate_notes([*duplicates, *doubled], period, tz),
        *_overlap_notes(items, starts, ends, p_start, p_end, tz),
        *_capped(skipped, _skipped_note, "skipped pages"),
        *_capped(findings, str, "findings of `timetrack check`"),
    ]
    return WeekTable(
        hours=hours,
        shown=shown,
        period=period,
        tz=tz,
        as_of=now,
        running=frozenset(clients_arr[open_here].tolist()),
        notes=tuple(notes),
        entry_count=int(inside.sum()),
        round_minutes=round_minutes,
        rounding=rounding,
        bucket=bucket,
        week_start=week_start,
    )


def _capped(items: Sequence[T], note: Callable[[T], str], more: str) -> list[str]:
    """``note`` of each item, at most ``MAX_NOTES_PER_KIND``, then ``"… and N more {more}."``."""
    notes = [note(item) for item in items[:MAX_NOTES_PER_KIND]]
    if len(items) > MAX_NOTES_PER_KIND:
        notes.append(f"… and {len(items) - MAX_NOTES_PER_KIND} more {more}.")
    return notes


def _hours_frame(
    cells: Int64Array, rows: Sequence[date], clients: Sequence[str], bucket: Bucket
) -> pd.DataFrame:
    """``cells`` is rows × clients in µs; totals are summed exactly before converting to hours."""
    row_totals = cells.sum(axis=1, keepdims=True)
    body = np.hstack([cells, row_totals])
    full = np.vstack([body, body.sum(axis=0, keepdims=True)])
    index = pd.Index([*rows, TOTAL], dtype=object, name=bucket)
    columns = pd.Index([*clients, TOTAL], dtype=object, name="client")
    return pd.DataFrame(full / _US_PER_HOUR, index=index, columns=columns)


def _day_text(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def _when(micros: int, tz: ZoneInfo) -> str:
    return moment_text(_EPOCH + timedelta(microseconds=micros), tz)


def _dst_notes(days: Sequence[date], bounds: Int64Array, tz: ZoneInfo) -> list[str]:
    """Name the whole days inside the period that are not 24 hours long."""
    notes = []
    # Only a day whose clipped length is not 24 h can be a DST day (a year has two).
    for i in np.flatnonzero(np.diff(bounds) != 24 * _US_PER_HOUR).tolist():
        day, lo, hi = days[i], int(bounds[i]), int(bounds[i + 1])
        natural = to_microseconds(local_midnight(day + timedelta(days=1), tz)) - to_microseconds(
            local_midnight(day, tz)
        )
        if hi - lo == natural and natural != 24 * _US_PER_HOUR:
            change = "forward" if natural < 24 * _US_PER_HOUR else "back"
            hours = natural / _US_PER_HOUR
            notes.append(f"{_day_text(day)} has {hours:g} hours (clocks went {change}).")
    return notes


def _renamed_notes(items: Sequence[TimeEntry]) -> list[str]:
    if any(e.client == TOTAL for e in items):
        return [f'The client "{TOTAL}" is shown as "{TOTAL} (client)" to keep the totals apart.']
    return []


def _empty_notes(
    items: Sequence[TimeEntry],
    starts: Int64Array,
    ends: Int64Array,
    running: npt.NDArray[np.bool_],
    p_start: int,
    p_end: int,
    tz: ZoneInfo,
) -> list[str]:
    touches = ((starts >= p_start) & (starts < p_end)) | ((ends > p_start) & (ends <= p_end))
    bad = np.flatnonzero((ends <= starts) & touches).tolist()

    def note(i: int) -> str:
        entry = items[i]
        if running[i]:
            problem = "starts after the report time"
        else:
            problem = "ends at its start" if ends[i] == starts[i] else "ends before it starts"
            problem += f" ({_when(int(ends[i]), tz)})"
        return (
            f"Entry {entry.entry_id} ({column_name(entry.client)}, "
            f"{_when(int(starts[i]), tz)}) {problem}; counted as 0 h."
        )

    return _capped(bad, note, "empty entries")


def _duplicate_notes(groups: Sequence[DuplicatePages], period: Period, tz: ZoneInfo) -> list[str]:
    """One note per Entry ID that several pages of this period carry."""
    touching = [
        g
        for g in groups
        if g.kept.start < period.end and (g.kept.end is None or g.kept.end > period.start)
    ]

    def note(group: DuplicatePages) -> str:
        extra = "the extra page" if len(group.extra) == 1 else "the extra pages"
        links = ", ".join(page_ref(e) for e in group.extra)
        return (
            f"{group.page_count} Notion pages share Entry ID {group.entry_id}; counted once, "
            f"as {describe_entry(group.kept, tz)} on {page_ref(group.kept)} — trash {extra} in "
            f"Notion: {links}."
        )

    return _capped(touching, note, "doubled Entry IDs")


def _overlap_notes(
    items: Sequence[TimeEntry],
    starts: Int64Array,
    ends: Int64Array,
    p_start: int,
    p_end: int,
    tz: ZoneInfo,
) -> list[str]:
    """One note per entry that overlaps an earlier entry of the same user inside the period."""
    lo = np.clip(starts, p_start, p_end)
    hi = np.clip(ends, p_start, p_end)
    users, user_ids = pd.factorize(pd.Series([e.user_id for e in items], dtype=object))
    kept = np.flatnonzero(hi > lo)
    order = kept[np.lexsort((hi[kept], lo[kept], users[kept]))]  # by user, then start
    lo, hi, users = lo[order], hi[order], users[order]
    # Furthest end reached so far by the user's entries, and the entry that reached it: the
    # one a later entry overlaps most. A user's first entry always sets it, so a plain running
    # maximum of setter positions never leaks across users.
    reach = pd.Series(hi).groupby(users, sort=False).cummax().to_numpy(dtype=np.int64)
    setter = np.maximum.accumulate(np.where(hi == reach, np.arange(len(order)), 0))
    overlap = np.minimum(hi[1:], reach[:-1]) - lo[1:]
    hit = np.flatnonzero((users[1:] == users[:-1]) & (overlap > 0))
    hit = hit[np.lexsort((order[hit + 1], lo[hit + 1]))]  # in time order

    def note(k: int) -> str:
        first, second = items[int(order[setter[k]])], items[int(order[k + 1])]
        who = f"User {second.user_id}: " if len(user_ids) > 1 else ""
        return (
            f"{who}{describe_entry(first, tz)} and {describe_entry(second, tz)} overlap by "
            f"{span_text(int(overlap[k]))}; both are counted as recorded."
        )

    return _capped(hit.tolist(), note, "overlaps")


def _skipped_note(page: SkippedPage) -> str:
    return (
        f"Skipped a Notion page ({page.reason}), not counted: {page.url or f'page {page.page_id}'}"
        " — fix it in Notion to count it."
    )
