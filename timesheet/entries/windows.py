"""Fetch a period's entries past Notion's 10,000-row cap, by splitting the query by Start windows.

A query is cut off after `cap` rows (``IncompleteQueryError``). A period's query asks for every
entry with Start before the period's end that is still running or ended after its start, so
the entries are partitioned by their Start: windows ``[lo, hi)`` cover the Start axis from
minus infinity (entries started before the period and overlapping it, e.g. a running timer)
up to the period's end, each window queried with the same End (and User) conditions.

The first query is the period's plain query, so a normal period costs what it always did (one
query and its pages). Only when Notion cuts it off is it split; nothing of a cut-off answer is
kept (Notion does not promise which rows it holds), only its Starts steer where to cut. Windows
are sized so each is expected to hold half a cap; one still cut off is split again. An entry
found by two queries (its Start was edited in between) is counted once, by page id, in its
latest version. The only refusal left: more than a cap of entries starting within
``MIN_WIDTH`` of one another.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from notion_client import Filter, IncompleteQueryError, prop
from timesheet.entries.model import TimeEntry
from timesheet.entries.schema import START, SkippedPage

__all__ = ["MAX_PIECES", "MIN_WIDTH", "StartWindow", "WindowedScan", "split_window"]

#: The narrowest window worth splitting (Notion's date filters are not finer than a minute).
MIN_WIDTH: Final = timedelta(minutes=1)
#: At most this many windows are made from one cut-off answer.
MAX_PIECES: Final = 16
#: How far below the period the first split of an open window looks (doubling further down).
_FIRST_REACH: Final = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class StartWindow:
    """Entries whose Start is in ``[lo, hi)``; ``lo=None`` reaches back without bound."""

    lo: datetime | None
    hi: datetime

    def condition(self) -> Filter:
        before = prop(START).date.before(self.hi)
        return before if self.lo is None else prop(START).date.on_or_after(self.lo) & before


@dataclass(slots=True)
class WindowedScan:
    """What one window's query yielded, filled as pages arrive (so a cut-off query still
    shows the Starts it saw)."""

    entries: list[TimeEntry]
    skipped: list[SkippedPage]


#: Runs one query (the window's condition & the caller's), appending what arrives to the scan.
Fetch = Callable[[Filter, WindowedScan], Awaitable[None]]


async def scan_by_start(fetch: Fetch, rest: Filter, start: datetime, end: datetime) -> WindowedScan:
    """Every row of ``Start < end & rest`` (``start`` is the period's start, where an open
    window is first cut), split into Start windows while Notion cuts queries off."""
    found: dict[str, TimeEntry | SkippedPage] = {}
    pending = [StartWindow(None, end)]
    while pending:
        window = pending.pop(0)
        scan = WindowedScan([], [])
        try:
            await fetch(window.condition() & rest, scan)
        except IncompleteQueryError as exc:
            starts = sorted(e.start for e in scan.entries if _inside(window, e.start))
            pieces = split_window(window, starts, exc.rows_seen, floor=start)
            if not pieces:
                raise
            pending[:0] = pieces
            continue
        rows: list[TimeEntry | SkippedPage] = [*scan.skipped, *scan.entries]
        for row in rows:
            found.pop(_page_id(row), None)  # a later query holds its latest version
            found[_page_id(row)] = row
    entries = sorted((r for r in found.values() if isinstance(r, TimeEntry)), key=_start)
    skipped = [r for r in found.values() if isinstance(r, SkippedPage)]
    return WindowedScan(entries, skipped)


def split_window(
    window: StartWindow, starts: Sequence[datetime], rows: int, *, floor: datetime
) -> list[StartWindow]:
    """``window`` cut into consecutive windows covering it, after a query of it was cut off
    at ``rows`` rows; ``starts`` (ascending) are Starts seen in that answer. [] when it can't
    be cut (narrower than two ``MIN_WIDTH``). The windows are in UTC: aware datetimes sharing
    a zone subtract by wall time, wrong across a clock change."""
    floor, hi = floor.astimezone(UTC), window.hi.astimezone(UTC)
    starts = [s.astimezone(UTC) for s in starts]
    if window.lo is None:
        # Open below: cut at the earliest Start seen (below it there should be nothing), or
        # at the period's start, or further down (twice as far each time).
        reach = max(_FIRST_REACH, floor - hi + _FIRST_REACH)
        cut = min(starts[0], floor) if starts else floor
        if cut >= hi or hi - cut < MIN_WIDTH:
            cut = hi - reach
        rest = StartWindow(cut, hi)
        return [StartWindow(None, cut), *(split_window(rest, starts, rows, floor=floor) or [rest])]
    lo = window.lo.astimezone(UTC)
    if hi - lo < 2 * MIN_WIDTH:
        return []
    cuts = _cuts(lo, hi, [s for s in starts if lo <= s < hi], max(rows // 2, 1))
    bounds = [lo]
    for cut in cuts:
        if cut - bounds[-1] >= MIN_WIDTH and hi - cut >= MIN_WIDTH:
            bounds.append(cut)
    if len(bounds) == 1:
        bounds.append(lo + (hi - lo) / 2)
    bounds.append(hi)
    return [StartWindow(a, b) for a, b in itertools.pairwise(bounds)]


def _cuts(lo: datetime, hi: datetime, starts: Sequence[datetime], per: int) -> list[datetime]:
    """Where to cut ``[lo, hi)`` so each piece holds about ``per`` rows: at every ``per``-th
    Start seen, then, past the last one, at the pace the seen ones arrived."""
    cuts = [starts[i] for i in range(per, len(starts), per)]
    if len(starts) < 2 or starts[-1] <= lo:
        return cuts
    last = starts[-1]
    width = (last - lo) * per / len(starts)
    count = min(MAX_PIECES, max(1, math.ceil((hi - last) / max(width, MIN_WIDTH))))
    step = (hi - last) / count
    return [*cuts, last, *(last + step * i for i in range(1, count))]


def _inside(window: StartWindow, at: datetime) -> bool:
    return (window.lo is None or at >= window.lo) and at < window.hi


def _page_id(row: TimeEntry | SkippedPage) -> str:
    return (row.page_id or row.entry_id) if isinstance(row, TimeEntry) else row.page_id


def _start(entry: TimeEntry) -> datetime:
    return entry.start.astimezone(UTC)
