"""Pages of one doubled create (same Entry ID *and* same Start) count once.

After an ambiguous create failure the store looks the Entry ID up before creating again, but
Notion's query index can lag a fresh page by seconds: the lookup misses and a second page with
the same Entry ID is written. Billing must not double, so readers collapse such pages here.

Both pages of a doubled create are written from one entry, so they share its Start too. Pages
that share an Entry ID but not a Start are separate entries: Notion's *Duplicate* copies every
property, Entry ID included, and people move the copy to another day. Those count in full.
Every reader (reports, ``/active``, ``/end``, the ledger replay) groups pages by ``entry_key``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
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
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND: Final = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class DuplicatePages:
    """Notion pages of one doubled create (one Entry ID, one Start): ``kept`` is counted,
    ``extra`` are not."""

    entry_id: str
    kept: TimeEntry
    extra: tuple[TimeEntry, ...]

    @property
    def page_count(self) -> int:
        return 1 + len(self.extra)


def entry_key(entry: TimeEntry) -> str | None:
    """What makes two pages one entry: the Entry ID as written and the Start (as an instant,
    to the microsecond); None when the Entry ID is blank (a page made by hand in Notion has
    none, and two such pages are never the same entry). Compared exactly, as the ledger does:
    both pages of a doubled create are written from one entry."""
    if not entry.entry_id:
        return None
    return f"{entry.entry_id}@{(entry.start - _EPOCH) // _MICROSECOND}"


def preference(entry: TimeEntry) -> tuple[bool, timedelta, datetime, str]:
    """Sort key of the winner rule among pages of one ``entry_key``: the greatest wins.

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
    """Each entry once (pages grouped by ``entry_key``: Entry ID and Start), and the groups of
    pages that shared a key (in order of appearance).

    The winner (``preference``) takes the place of the group's first page; other entries keep
    their order. The same page listed twice (same page id) is kept once, without a group.
    One pass and a dict: O(n).
    """
    items = list(entries)
    ids = [e.entry_id for e in items]
    if len(set(ids)) == len(ids):  # the usual case, without a Python-level loop
        return items, []
    keys = [entry_key(e) for e in items]
    first: dict[str, int] = {}
    shared: dict[int, list[TimeEntry]] = {}
    drop: list[int] = []
    for i, key in enumerate(keys):
        if key is None:
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
    """``entries`` with each entry once (per ``entry_key``; the ``preference`` winner), order
    kept."""
    return collapse_duplicates(entries)[0]


def running_twins(shown: Sequence[TimeEntry], pages: Iterable[TimeEntry]) -> list[TimeEntry]:
    """Running ``pages`` carrying the Entry ID of an entry of ``shown`` but not shown themselves.

    For ending every running timer of a user: the other page of a doubled start must stop with
    it, and so must a running copy made with Notion's Duplicate (another Start: an entry of its
    own, but it runs too), even where a view of the timers listed one page per Entry ID.
    Ending *one* entry stops only its doubled create's pages: ``running_group``.
    """
    return _running_alike(shown, pages, lambda e: e.entry_id or None)


def running_group(entry: TimeEntry, pages: Iterable[TimeEntry]) -> list[TimeEntry]:
    """``entry`` as ``pages`` show it, then the running pages of its doubled create (same
    ``entry_key``) of the same owner (a twin moved to another user in Notion is that user's to
    end); [] when ``pages`` don't list ``entry`` running. ``pages``: ones read after ``entry``
    (the owner's running pages, or every page carrying its Entry ID), so each is fresh enough
    to end."""
    mine = [p for p in pages if p.user_id == entry.user_id]
    fresh = next((p for p in mine if p.end is None and _same_page(p, entry)), None)
    return [] if fresh is None else [fresh, *_running_alike([fresh], mine, entry_key)]


def _running_alike(
    shown: Sequence[TimeEntry],
    pages: Iterable[TimeEntry],
    key: Callable[[TimeEntry], str | None],
) -> list[TimeEntry]:
    """Running ``pages`` not in ``shown`` whose ``key`` is one of theirs, each page once."""
    keys = {k for k in map(key, shown) if k is not None}
    seen = {e.page_id for e in shown if e.page_id is not None}
    found: dict[str, TimeEntry] = {}
    for p in pages:
        if p.end is None and p.page_id is not None and p.page_id not in seen and key(p) in keys:
            found.setdefault(p.page_id, p)
    return list(found.values())


def _same_page(a: TimeEntry, b: TimeEntry) -> bool:
    if a.page_id is None or b.page_id is None:
        return False
    return same_id(a.page_id, b.page_id)
