"""Turn time entries into a (day, week or month) × client table of hours for one period
(vectorised)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final, Literal
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
from timesheet.reports.micros import US_PER_HOUR, US_PER_MINUTE, to_microseconds
from timesheet.reports.notes import (
    capped,
    dst_notes,
    duplicate_notes,
    empty_notes,
    overlap_notes,
    renamed_notes,
    skipped_note,
)
from timesheet.reports.week import Period, day_bounds, period_days
from timesheet.reports.wording import (
    NO_CLIENT,
    TOTAL,
    column_name,
)

__all__ = [
    "NO_CLIENT",
    "ROUNDINGS",
    "TOTAL",
    "Rounding",
    "WeekTable",
    "aggregate",
    "round_cells",
    "round_cells_to_centihours",
    "split_by_day",
]

Rounding = Literal["nearest", "up", "down"]
ROUNDINGS: Final[tuple[str, ...]] = ("nearest", "up", "down")


Int64Array = npt.NDArray[np.int64]


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
    unit = round_minutes * US_PER_MINUTE
    if rounding == "down":
        steps = micros // unit
    elif rounding == "up":
        steps = -(-micros // unit)
    else:
        steps = (micros + unit // 2) // unit
    return steps * unit


def round_cells_to_centihours(micros: Int64Array) -> Int64Array:
    """Each value to the nearest 0.01 h (36 s), halves up: what two decimals of hours show."""
    unit = US_PER_HOUR // 100
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
        *dst_notes(days, day_us, tz),
        *renamed_notes(items),
        *empty_notes(items, starts, ends, running, p_start, p_end, tz),
        *duplicate_notes([*duplicates, *doubled], period, tz),
        *overlap_notes(items, starts, ends, p_start, p_end, tz),
        *capped(skipped, skipped_note, "skipped pages"),
        *capped(findings, str, "findings of `timetrack check`"),
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


def _hours_frame(
    cells: Int64Array, rows: Sequence[date], clients: Sequence[str], bucket: Bucket
) -> pd.DataFrame:
    """``cells`` is rows × clients in µs; totals are summed exactly before converting to hours."""
    row_totals = cells.sum(axis=1, keepdims=True)
    body = np.hstack([cells, row_totals])
    full = np.vstack([body, body.sum(axis=0, keepdims=True)])
    index = pd.Index([*rows, TOTAL], dtype=object, name=bucket)
    columns = pd.Index([*clients, TOTAL], dtype=object, name="client")
    return pd.DataFrame(full / US_PER_HOUR, index=index, columns=columns)
