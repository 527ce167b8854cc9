"""Pages sharing one Entry ID (a create doubled behind Notion's lagging index) count once.

After an ambiguous create failure the store looks the Entry ID up before creating again, but
Notion's query index can lag a fresh page by seconds: the lookup misses and a second page with
the same Entry ID is written. Billing must not double, so readers collapse such pages here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from timesheet.entries.model import TimeEntry, compact_id, same_id

__all__ = [
    "DuplicatePages",
    "collapse_duplicates",
    "entry_key",
    "one_per_entry_id",
    "preference",
    "running_group",
    "running_twins",
]

_NEVER: Final = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class DuplicatePages:
    """Notion pages carrying one Entry ID: ``kept`` is counted, ``extra`` are not."""

    entry_id: str
    kept: TimeEntry
    extra: tuple[TimeEntry, ...]

    @property
    def page_count(self) -> int:
        return 1 + len(self.extra)


def entry_key(entry: TimeEntry) -> str | None:
    """The Entry ID as written, or None when blank (a page made by hand in Notion has none,
    and two such pages are never the same entry). Compared exactly, as the outbox does: both
    pages of a doubled create are written from one value."""
    return entry.entry_id or None


def preference(entry: TimeEntry) -> tuple[bool, timedelta, datetime, str]:
    """Sort key of the winner rule among pages sharing an Entry ID: the greatest wins.

    1. an ended page beats a running one (a running twin is the phantom of a doubled start);
    2. then the earliest End. A twin left running after the user's end (ended through one
       page only, before ``/end entry:`` stopped twins, or hidden by the lagging index) is
       stopped later, by a /start or /end: its End is always the later one, and the latest
       End would bill the client for time nobody worked. A correction that moves one page's
       End later loses too, but the report's note names the page counted and the one to
       trash, so people see and fix it; phantom hours on a sent invoice are worse;
    3. then the latest edit (``last_edited_time``, to the minute);
    4. then the greatest page id, so the choice never depends on the order Notion returns.
    """
    end = _NEVER if entry.end is None else entry.end.astimezone(UTC)
    edited = _NEVER if entry.edited_at is None else entry.edited_at.astimezone(UTC)
    page = compact_id(entry.page_id or "")
    return entry.end is not None, _NEVER - end, edited, page


def collapse_duplicates(
    entries: Iterable[TimeEntry],
) -> tuple[list[TimeEntry], list[DuplicatePages]]:
    """Each Entry ID once, and the groups of pages that shared one (in order of appearance).

    The winner (``preference``) takes the place of the group's first page; other entries keep
    their order. The same page listed twice (same page id) is kept once, without a group.
    One pass and a dict: O(n).
    """
    items = list(entries)
    keys = [e.entry_id for e in items]
    if len(set(keys)) == len(keys):  # the usual case, without a Python-level loop
        return items, []
    first: dict[str, int] = {}
    shared: dict[int, list[TimeEntry]] = {}
    drop: list[int] = []
    for i, key in enumerate(keys):
        if not key:
            continue
        j = first.setdefault(key, i)
        if j != i:
            shared.setdefault(j, [items[j]]).append(items[i])
            drop.append(i)
    groups: list[DuplicatePages] = []
    for j, pages in shared.items():
        distinct = list({(p.page_id or str(id(p))): p for p in pages}.values())
        ranked = sorted(distinct, key=preference, reverse=True)
        items[j] = ranked[0]
        if len(ranked) > 1:
            groups.append(DuplicatePages(ranked[0].entry_id, ranked[0], tuple(ranked[1:])))
    dropped = set(drop)
    return [e for i, e in enumerate(items) if i not in dropped], groups


def one_per_entry_id(entries: Iterable[TimeEntry]) -> list[TimeEntry]:
    """``entries`` with each Entry ID once (the ``preference`` winner), order kept."""
    return collapse_duplicates(entries)[0]


def running_twins(shown: Sequence[TimeEntry], pages: Iterable[TimeEntry]) -> list[TimeEntry]:
    """Running ``pages`` sharing an Entry ID with an entry of ``shown`` but not shown themselves
    (the other page of a doubled start, which must stop with it)."""
    keys = {k for k in map(entry_key, shown) if k is not None}
    seen = {e.page_id for e in shown if e.page_id is not None}
    twins: dict[str, TimeEntry] = {}
    for p in pages:
        if (
            p.end is None
            and p.page_id is not None
            and p.page_id not in seen
            and entry_key(p) in keys
        ):
            twins.setdefault(p.page_id, p)
    return list(twins.values())


def running_group(entry: TimeEntry, pages: Iterable[TimeEntry]) -> list[TimeEntry]:
    """``entry`` as ``pages`` show it, then its running twins of the same owner (a twin moved
    to another user in Notion is that user's to end); [] when ``pages`` don't list ``entry``
    running. ``pages``: ones read after ``entry`` (the owner's running pages, or every page
    carrying its Entry ID), so each is fresh enough to end."""
    mine = [p for p in pages if p.user_id == entry.user_id]
    fresh = next((p for p in mine if p.end is None and _same_page(p, entry)), None)
    return [] if fresh is None else [fresh, *running_twins([fresh], mine)]


def _same_page(a: TimeEntry, b: TimeEntry) -> bool:
    if a.page_id is None or b.page_id is None:
        return False
    return same_id(a.page_id, b.page_id)
