"""Recent versions of pages, timestamped, so a lagging query index can see pages as they were."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Final

from ._page import PageRec

__all__ = ["PageHistory"]

# When a page the history has no record of was written: long enough ago to be indexed.
_INDEXED: Final = datetime.min.replace(tzinfo=UTC)


class PageHistory:
    """Per page, the versions written within the index lag, each stamped with when it was written.

    `_written[id]` is when the live version was written (absent: long ago, already indexed);
    `_earlier[id]` holds the versions before it, oldest first, as (written at, frozen copy).
    A page created within the lag has a write time and no earlier version: it did not exist.
    Versions superseded before the oldest instant a query can still ask about are pruned.
    """

    def __init__(self) -> None:
        self._written: dict[str, datetime] = {}
        self._earlier: dict[str, list[tuple[datetime, PageRec]]] = {}

    def __bool__(self) -> bool:
        return bool(self._written)

    def clear(self) -> None:
        """Forget every version: the index has caught up with all pages."""
        self._written.clear()
        self._earlier.clear()

    def created(self, page_id: str, at: datetime) -> None:
        """Note a page that did not exist before `at`."""
        self._written[page_id] = at

    def changed(self, previous: PageRec, at: datetime, cutoff: datetime) -> None:
        """Keep `previous`, the version a page had until it was changed `at`."""
        versions = self._earlier.setdefault(previous.id, [])
        versions.append((self._written.get(previous.id, _INDEXED), previous))
        self._written[previous.id] = at
        _prune(versions, cutoff)

    def as_of(self, page: PageRec, cutoff: datetime) -> PageRec | None:
        """The version of `page` written last at or before `cutoff`; None if it did not exist."""
        written = self._written.get(page.id)
        if written is None:
            return page
        if written <= cutoff:  # the live version is indexed: nothing older is needed again
            del self._written[page.id]
            self._earlier.pop(page.id, None)
            return page
        versions = self._earlier.get(page.id)
        if not versions:
            return None
        _prune(versions, cutoff)
        at, version = versions[0]
        return version if at <= cutoff else None

    def earlier_versions(self, page_ids: Iterable[str]) -> list[PageRec]:
        """The kept earlier versions of these pages (a schema change must reach them too)."""
        return [v for i in page_ids for _, v in self._earlier.get(i, ())]


def _prune(versions: list[tuple[datetime, PageRec]], cutoff: datetime) -> None:
    """Drop the versions superseded at or before `cutoff`: the first left is the one it sees."""
    keep = 0
    for i in range(1, len(versions)):
        if versions[i][0] <= cutoff:
            keep = i
        else:
            break
    if keep:
        del versions[:keep]
