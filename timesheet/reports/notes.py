"""The notes under a report's table: DST days, renamed clients, empty entries, doubled Entry
IDs, overlaps and skipped pages, each kind capped at `MAX_NOTES_PER_KIND`.

Times come as integer microseconds since the Unix epoch, as `timesheet.reports.aggregate`
computes them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, timedelta
from typing import Final, TypeVar
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
import pandas as pd

from timesheet.entries.duplicates import DuplicatePages
from timesheet.entries.model import TimeEntry
from timesheet.entries.schema import SkippedPage
from timesheet.reports.micros import US_PER_DAY, from_microseconds
from timesheet.reports.week import Period, local_midnight
from timesheet.reports.wording import (
    TOTAL,
    column_name,
    describe_entry,
    moment_text,
    page_ref,
    span_text,
)

__all__ = [
    "MAX_NOTES_PER_KIND",
    "capped",
    "dst_notes",
    "duplicate_notes",
    "empty_notes",
    "overlap_notes",
    "renamed_notes",
    "skipped_note",
]

MAX_NOTES_PER_KIND: Final = 10

_US: Final = timedelta(microseconds=1)

Int64Array = npt.NDArray[np.int64]
T = TypeVar("T")


def capped(items: Sequence[T], note: Callable[[T], str], more: str) -> list[str]:
    """``note`` of each item, at most ``MAX_NOTES_PER_KIND``, then ``"… and N more {more}."``."""
    notes = [note(item) for item in items[:MAX_NOTES_PER_KIND]]
    if len(items) > MAX_NOTES_PER_KIND:
        notes.append(f"… and {len(items) - MAX_NOTES_PER_KIND} more {more}.")
    return notes


def _day_text(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def _when(micros: int, tz: ZoneInfo) -> str:
    return moment_text(from_microseconds(micros), tz)


def dst_notes(days: Sequence[date], bounds: Int64Array, tz: ZoneInfo) -> list[str]:
    """Name the whole days inside the period that are not 24 hours long (``bounds``: the
    period's day boundaries, clipped to it)."""
    notes = []
    # Only a day whose clipped length is not 24 h can be a DST day (a year has two).
    for i in np.flatnonzero(np.diff(bounds) != US_PER_DAY).tolist():
        day, lo, hi = days[i], int(bounds[i]), int(bounds[i + 1])
        # In UTC: aware datetimes sharing a zone subtract by wall time.
        begins = local_midnight(day, tz).astimezone(UTC)
        natural = (local_midnight(day + timedelta(days=1), tz).astimezone(UTC) - begins) // _US
        if hi - lo == natural and natural != US_PER_DAY:
            change = "forward" if natural < US_PER_DAY else "back"
            hours = natural * 24 / US_PER_DAY
            notes.append(f"{_day_text(day)} has {hours:g} hours (clocks went {change}).")
    return notes


def renamed_notes(items: Sequence[TimeEntry]) -> list[str]:
    if any(e.client == TOTAL for e in items):
        return [f'The client "{TOTAL}" is shown as "{TOTAL} (client)" to keep the totals apart.']
    return []


def empty_notes(
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

    return capped(bad, note, "empty entries")


def duplicate_notes(groups: Sequence[DuplicatePages], period: Period, tz: ZoneInfo) -> list[str]:
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

    return capped(touching, note, "doubled Entry IDs")


def overlap_notes(
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

    return capped(hit.tolist(), note, "overlaps")


def skipped_note(page: SkippedPage) -> str:
    return (
        f"Skipped a Notion page ({page.reason}), not counted: {page.url or f'page {page.page_id}'}"
        " — fix it in Notion to count it."
    )
