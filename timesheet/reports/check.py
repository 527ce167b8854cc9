"""What a report would stumble on in a period's pages, one finding a page; and the one fix.

Teams edit entries in Notion by hand. `find_problems` names, one line a page with its link:
overlapping entries of one user, End before Start, timers longer than 24 h, entries with no
client, pages sharing an Entry ID and pages reports skip. It is pure: it reads what one query
returned (`EntryStore.scan_overlapping`), so the weekly post adds findings to its notes without
asking Notion again.

Pages sharing an Entry ID are one of two things:

- with the same Start, a doubled create: one entry written twice, counted once; the extra page
  is to trash;
- with another Start, a copy made in Notion (Duplicate, then moved to another day): a separate
  entry. The page created first keeps the Entry ID; `fix_entry_id_copies` gives each copy a
  fresh one, and does nothing else.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Final
from zoneinfo import ZoneInfo

from timesheet.entries.duplicates import preference
from timesheet.entries.model import TimeEntry
from timesheet.entries.schema import END_BEFORE_START, SkippedPage
from timesheet.entries.store import EntryStore
from timesheet.reports.week import Period
from timesheet.reports.wording import (
    column_name,
    describe_entry,
    entry_span,
    moment_text,
    page_ref,
    span_text,
)

__all__ = [
    "LONGEST",
    "POST_KINDS",
    "CheckResult",
    "EntryIdCopy",
    "Finding",
    "Kind",
    "check_period",
    "entry_id_copies",
    "find_problems",
    "fix_entry_id_copies",
]

#: A timer longer than this (running, or between its Start and End) is named.
LONGEST: Final = timedelta(hours=24)
#: Fixing a copy's Entry ID is this command's job.
FIX_HINT: Final = "`timetrack check --fix` gives it a fresh Entry ID"

_US: Final = timedelta(microseconds=1)
_NONE: Final = timedelta(0)
_NOT_CREATED: Final = datetime.max.replace(tzinfo=UTC)


class Kind(StrEnum):
    """What is wrong with a page, in the order findings are listed."""

    OVERLAP = "overlap"
    END_BEFORE_START = "End before Start"
    LONG = "over 24 h"
    NO_CLIENT = "no client"
    DOUBLED = "doubled page"
    COPY = "copied Entry ID"
    SKIPPED = "skipped"


#: Kinds a week table's own notes do not name already (they name overlaps, doubled pages and
#: skipped ones): the weekly post adds these findings to its notes.
POST_KINDS: Final = frozenset({Kind.LONG, Kind.NO_CLIENT, Kind.COPY})


@dataclass(frozen=True, slots=True)
class Finding:
    """One page a report would stumble on; ``str()`` is its line."""

    kind: Kind
    link: str
    user_id: str
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.link} — {self.detail}"


@dataclass(frozen=True, slots=True)
class EntryIdCopy:
    """The pages of one copied entry (several only if the copy itself was doubled), and the
    entry, created before it, whose Entry ID they carry."""

    original: TimeEntry
    pages: tuple[TimeEntry, ...]


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The findings of a period, and the pages given a fresh Entry ID (with ``fix``)."""

    findings: list[Finding]
    fixed: list[TimeEntry]

    def lines(self, title: str) -> list[str]:
        """A headline for the period called ``title``, then one line a finding."""
        if not self.findings:
            return [f"{title}: nothing a report would stumble on."]
        return [f"{title}: {len(self.findings)} finding(s).", *map(str, self.findings)]


@dataclass(frozen=True, slots=True)
class _SharedIds:
    doubled: list[tuple[TimeEntry, TimeEntry]]  # (extra page, the page counted)
    copies: list[EntryIdCopy]


def find_problems(
    entries: Iterable[TimeEntry],
    skipped: Sequence[SkippedPage] = (),
    *,
    now: datetime,
    tz: ZoneInfo,
    longest: timedelta = LONGEST,
    kinds: Collection[Kind] = tuple(Kind),
) -> list[Finding]:
    """The findings of these ``kinds`` (every kind by default) about ``entries`` and the
    ``skipped`` pages of the same query, by kind, then by Start. Times are shown in ``tz``; a
    running entry lasts until ``now``."""
    pages = _pages(entries)
    shared = _shared_ids(pages)
    extra = {id(page) for page, _ in shared.doubled}
    unique = [e for e in pages if id(e) not in extra]
    finders: list[tuple[Kind, Callable[[], Iterable[Finding]]]] = [
        (Kind.OVERLAP, lambda: _overlaps(unique, now, tz)),
        (Kind.END_BEFORE_START, lambda: _reversed(unique, skipped, tz)),
        (Kind.LONG, lambda: _long(unique, now, tz, longest)),
        (Kind.NO_CLIENT, lambda: _no_client(unique, tz)),
        (Kind.DOUBLED, lambda: (_doubled_finding(p, kept) for p, kept in shared.doubled)),
        (Kind.COPY, lambda: (_copy_finding(c, p, tz) for c in shared.copies for p in c.pages)),
        (Kind.SKIPPED, lambda: map(_skipped_finding, _unusable(skipped))),
    ]
    return [finding for kind, find in finders if kind in kinds for finding in find()]


def entry_id_copies(entries: Iterable[TimeEntry]) -> list[EntryIdCopy]:
    """The pages carrying another entry's Entry ID with another Start, one item a copy."""
    return _shared_ids(_pages(entries)).copies


async def fix_entry_id_copies(
    store: EntryStore,
    copies: Iterable[EntryIdCopy],
    *,
    new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
) -> list[TimeEntry]:
    """Give each copy a fresh Entry ID (the same one to each of its pages): one write a page,
    nothing else on it changes. Returns the pages as written."""
    written: list[TimeEntry] = []
    for copy in copies:
        fresh = new_id()
        for page in copy.pages:
            if page.page_id is not None:
                written.append(await store.set_entry_id(page.page_id, fresh))
    return written


async def check_period(
    store: EntryStore, period: Period, *, now: datetime, tz: ZoneInfo, fix: bool = False
) -> CheckResult:
    """Check the pages overlapping ``period``: one paginated query. With ``fix``, copies get
    a fresh Entry ID first, and the findings are about the pages as they are after it."""
    scanned = await store.scan_overlapping(period.start, period.end)
    entries = scanned.entries
    fixed = await fix_entry_id_copies(store, entry_id_copies(entries)) if fix else []
    if fixed:
        rewritten = {page.page_id: page for page in fixed}
        entries = [rewritten.get(e.page_id, e) if e.page_id else e for e in entries]
    return CheckResult(find_problems(entries, scanned.skipped, now=now, tz=tz), fixed)


def _utc(moment: datetime) -> datetime:
    # Aware datetimes sharing a tzinfo compare by wall time (wrong across a DST change).
    return moment.astimezone(UTC)


def _stop(entry: TimeEntry, now: datetime) -> datetime:
    return _utc(entry.end if entry.end is not None else now)


def _pages(entries: Iterable[TimeEntry]) -> list[TimeEntry]:
    """Each page once (the same page listed twice is one page), by Start."""
    seen: set[str] = set()
    pages: list[TimeEntry] = []
    for entry in entries:
        if entry.page_id is not None:
            if entry.page_id in seen:
                continue
            seen.add(entry.page_id)
        pages.append(entry)
    return sorted(pages, key=lambda e: _utc(e.start))


def _shared_ids(pages: Sequence[TimeEntry]) -> _SharedIds:
    """Pages sharing an Entry ID, split by Start: doubled creates and copies."""
    groups: dict[str, list[int]] = defaultdict(list)
    for i, page in enumerate(pages):
        if page.entry_id:  # by Entry ID alone: then by Start, doubled creates from copies
            groups[page.entry_id].append(i)
    shared = _SharedIds([], [])
    for members in groups.values():
        if len(members) < 2:
            continue
        by_start: dict[datetime, list[int]] = defaultdict(list)
        for i in members:
            by_start[_utc(pages[i].start)].append(i)
        clusters = list(by_start.values())
        counted = [max((pages[i] for i in c), key=preference) for c in clusters]
        for cluster, kept in zip(clusters, counted, strict=True):
            shared.doubled.extend((pages[i], kept) for i in cluster if pages[i] is not kept)
        # The original holds the page created first (created_time is to the minute: ties go
        # to the earlier Start, as pages are sorted).
        created = [min((_utc(pages[i].created_at or _NOT_CREATED), i) for i in c) for c in clusters]
        first = created.index(min(created))
        shared.copies.extend(
            EntryIdCopy(counted[first], tuple(pages[i] for i in cluster))
            for n, cluster in enumerate(clusters)
            if n != first
        )
    return shared


def _overlaps(pages: Sequence[TimeEntry], now: datetime, tz: ZoneInfo) -> list[Finding]:
    """Each entry that starts before an earlier entry of the same user has stopped."""
    by_user: dict[str, list[TimeEntry]] = defaultdict(list)
    for entry in pages:
        by_user[entry.user_id].append(entry)
    found: list[tuple[datetime, Finding]] = []
    for user, mine in by_user.items():
        reach: TimeEntry | None = None  # the entry that stops last so far
        for entry in mine:
            start, stop = _utc(entry.start), _stop(entry, now)
            if stop <= start:
                continue
            if reach is not None and (overlap := min(stop, _stop(reach, now)) - start) > _NONE:
                detail = (
                    f"user {user}'s {describe_entry(entry, tz)} overlaps "
                    f"{describe_entry(reach, tz)} by {span_text(overlap // _US)}: "
                    f"{page_ref(reach)}"
                )
                found.append((start, Finding(Kind.OVERLAP, page_ref(entry), user, detail)))
            if reach is None or stop > _stop(reach, now):
                reach = entry
    return [finding for _, finding in sorted(found, key=lambda pair: pair[0])]


def _reversed(
    pages: Sequence[TimeEntry], skipped: Sequence[SkippedPage], tz: ZoneInfo
) -> list[Finding]:
    fix = "fix its dates in Notion"
    found = [
        Finding(
            Kind.END_BEFORE_START,
            page_ref(e),
            e.user_id,
            f"{column_name(e.client)} starts {moment_text(e.start, tz)} but ends "
            f"{moment_text(e.end, tz)}; {fix}",
        )
        for e in pages
        if e.end is not None and _utc(e.end) < _utc(e.start)
    ]
    found += [
        Finding(Kind.END_BEFORE_START, _skipped_link(s), s.user_id, f"reports skip it; {fix}")
        for s in skipped
        if s.reason == END_BEFORE_START
    ]
    return found


def _long(
    pages: Sequence[TimeEntry], now: datetime, tz: ZoneInfo, longest: timedelta
) -> list[Finding]:
    found: list[Finding] = []
    for e in pages:
        lasted = _stop(e, now) - _utc(e.start)
        if lasted <= longest:
            continue
        span = span_text(lasted // _US)
        if e.end is None:
            detail = (
                f"{column_name(e.client)} running since {moment_text(e.start, tz)} ({span}): "
                "stop it, or set its End in Notion"
            )
        else:
            detail = f"{describe_entry(e, tz)} lasts {span}: check its End in Notion"
        found.append(Finding(Kind.LONG, page_ref(e), e.user_id, detail))
    return found


def _no_client(pages: Sequence[TimeEntry], tz: ZoneInfo) -> list[Finding]:
    return [
        Finding(
            Kind.NO_CLIENT,
            page_ref(e),
            e.user_id,
            f"{repr(e.name) if e.name.strip() else 'an entry'} ({entry_span(e, tz)}) has no "
            "Client; set one in Notion",
        )
        for e in pages
        if not e.client.strip()
    ]


def _doubled_finding(page: TimeEntry, kept: TimeEntry) -> Finding:
    detail = (
        f"same Entry ID and Start as {page_ref(kept)}: one entry written twice, counted once; "
        "trash this page in Notion"
    )
    return Finding(Kind.DOUBLED, page_ref(page), page.user_id, detail)


def _copy_finding(copy: EntryIdCopy, page: TimeEntry, tz: ZoneInfo) -> Finding:
    detail = (
        f"starts {moment_text(page.start, tz)} with the Entry ID of "
        f"{describe_entry(copy.original, tz)}, {page_ref(copy.original)}: a separate entry; "
        f"{FIX_HINT}"
    )
    return Finding(Kind.COPY, page_ref(page), page.user_id, detail)


def _skipped_link(page: SkippedPage) -> str:
    return page.url or f"page {page.page_id}"


def _unusable(skipped: Sequence[SkippedPage]) -> list[SkippedPage]:
    """Skipped pages other than End before Start (named as such)."""
    return [s for s in skipped if s.reason != END_BEFORE_START]


def _skipped_finding(page: SkippedPage) -> Finding:
    detail = f"reports skip it: {page.reason}; fix it in Notion"
    return Finding(Kind.SKIPPED, _skipped_link(page), page.user_id, detail)
