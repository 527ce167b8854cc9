"""What the entry store raises that callers tell apart: no data source, a page that is no
entry of ours, and a create whose answer was lost (it may have been applied)."""

from __future__ import annotations

from typing import Final

from notion_client import NotionTransportError, ServerError

__all__ = ["MaybeCreated", "NoDataSourceError", "NotAnEntryError", "may_have_created"]

#: Statuses of a server error that say the request was not applied.
_REFUSED_STATUSES: Final = frozenset({503, 529})


class NoDataSourceError(LookupError):
    """The database has no data source (nothing to read or write)."""

    def __init__(self, database_id: str) -> None:
        super().__init__(f"Notion database {database_id} has no data source")
        self.database_id = database_id


class NotAnEntryError(LookupError):
    """The page is not a usable time entry of this database (trashed, foreign, broken)."""

    def __init__(self, page_id: str, reason: str) -> None:
        super().__init__(f"page {page_id} is not a time entry: {reason}")
        self.page_id = page_id
        self.reason = reason


def may_have_created(exc: BaseException) -> bool:
    """True when a failed create may nevertheless have been applied by Notion: the answer was
    lost after the request left (timeout, dropped connection), or Notion failed in a way that
    does not say it did nothing (500, 502, 504). 429, 503 and 529 are refusals."""
    if isinstance(exc, MaybeCreated):
        return True
    if isinstance(exc, NotionTransportError):
        return exc.ambiguous
    return isinstance(exc, ServerError) and exc.status not in _REFUSED_STATUSES


class MaybeCreated(Exception):
    """A create whose answer was lost (it may have been applied), then a failure before the
    page could be found: whoever retries must look for the page before creating it again."""

    def __init__(self, entry_id: str, cause: Exception) -> None:
        super().__init__(f"the page of entry {entry_id} may exist: {type(cause).__name__}")
        self.entry_id = entry_id
        self.cause = cause
