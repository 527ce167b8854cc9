"""Time entries kept as pages of the Notion database (one query per read, idempotent writes)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final, Protocol, TypeVar

from notion_client import (
    Checkbox,
    Date,
    Filter,
    NotionClient,
    NotionTransportError,
    ObjectNotFoundError,
    Page,
    PropertyValue,
    RichText,
    Select,
    ServerError,
    Title,
    ValidationError,
    prop,
)
from timesheet.entries.model import TimeEntry, same_id
from timesheet.entries.schema import (
    CLIENT,
    END,
    ENTRY_ID,
    NAME,
    NOTE,
    PAUSED,
    START,
    USER,
    MalformedEntryError,
    SkippedPage,
    from_page,
    parse_page,
    start_of,
    to_properties,
)
from timesheet.entries.store_errors import (
    MaybeCreated,
    NoDataSourceError,
    NotAnEntryError,
    may_have_created,
)
from timesheet.entries.windows import WindowedScan, scan_by_start

__all__ = [
    "CREATE_SETTLE",
    "DataSourceCache",
    "EntryStore",
    "Overlapping",
]

_T = TypeVar("_T")

#: Create attempts before giving up after ambiguous failures (each later one checks first).
DEFAULT_CREATE_ATTEMPTS: Final = 3
#: Seconds the bot looks for a page whose create may have been applied (its answer was lost)
#: before creating it again: Notion's query index lags new pages by seconds, and a look that
#: misses a page which exists writes it twice.
CREATE_SETTLE: Final = 10.0
#: The first pause between two such looks (doubling).
_FIRST_LOOK_PAUSE: Final = 0.25


@dataclass(frozen=True, slots=True)
class Overlapping:
    """Entries of a period, and the pages of it that were skipped, with why (the report's
    notes name them)."""

    entries: list[TimeEntry] = field(default_factory=list)
    skipped: list[SkippedPage] = field(default_factory=list)


class DataSourceCache(Protocol):
    """Where the database's data source id is kept between processes (the ledger)."""

    def get_meta(self, key: str) -> str | None: ...

    def set_meta(self, key: str, value: str | None) -> None: ...


class EntryStore:
    """The time-entry database. Every method is one or two Notion requests; errors propagate.

    With a ``cache`` the data source id is learnt once for every process sharing it (not on
    every terminal command), and learnt again when Notion answers 404 for the cached one.
    """

    def __init__(
        self,
        client: NotionClient,
        database_id: str,
        *,
        create_attempts: int = DEFAULT_CREATE_ATTEMPTS,
        cache: DataSourceCache | None = None,
        create_settle: float = 0.0,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        if create_attempts < 1:
            raise ValueError("create_attempts must be at least 1")
        self._client = client
        self._database_id = database_id
        self._create_attempts = create_attempts
        self._cache = cache
        self.create_settle = create_settle
        self._has_paused: bool | None = None  # learnt from the first query that names it
        self._sleep = sleep
        self._cache_key = f"data_source_id:{database_id}"
        self._data_source_id = None if cache is None else cache.get_meta(self._cache_key)
        self._cached = self._data_source_id is not None
        self._lock = asyncio.Lock()

    @property
    def database_id(self) -> str:
        return self._database_id

    @property
    def client(self) -> NotionClient:
        return self._client

    async def data_source_id(self) -> str:
        """The database's (first) data source, looked up once and cached."""
        if self._data_source_id is None:
            async with self._lock:
                if self._data_source_id is None:
                    database = await self._client.retrieve_database(self._database_id)
                    if not database.data_sources:
                        raise NoDataSourceError(self._database_id)
                    self._data_source_id = database.data_sources[0].id
                    if self._cache is not None:
                        self._cache.set_meta(self._cache_key, self._data_source_id)
        return self._data_source_id

    async def _on_data_source(self, call: Callable[[str], Awaitable[_T]]) -> _T:
        """``call(data source id)``; a 404 for an id read from the cache (the data source
        was replaced) forgets it, learns it again and calls once more."""
        ds_id = await self.data_source_id()
        try:
            return await call(ds_id)
        except ObjectNotFoundError:
            if not self._cached:
                raise
            self._cached = False
            self._data_source_id = None
            if self._cache is not None:
                self._cache.set_meta(self._cache_key, None)
            return await call(await self.data_source_id())

    async def create(
        self, entry: TimeEntry, *, maybe_exists: bool = False, settle: float = 0.0
    ) -> TimeEntry:
        """Write ``entry`` as a new page, exactly once per Entry ID.

        After an ambiguous failure (dropped connection, timeout, 5xx: the create may have been
        applied) it looks for a page with the Entry ID before creating again, for up to
        ``create_settle`` seconds (the lagging index may not list the page yet; looks at 0.25,
        0.5, 1, 2 ... s), at most ``create_attempts`` creates in all; the last error propagates.
        ``maybe_exists=True`` (replaying an operation that may already have been applied)
        looks before the first create, for up to ``settle`` seconds (a create sent that long
        ago may have been applied).
        """
        properties = to_properties(entry)
        must_look = maybe_exists
        sent_unsure = False
        attempt = 0
        while True:
            try:
                if must_look:
                    existing = await self._look_for(entry.entry_id, settle)
                    if existing is not None:
                        return existing
                attempt += 1
                page = await self._on_data_source(
                    lambda ds_id: self._client.create_page(ds_id, properties)
                )
            except (NotionTransportError, ServerError) as exc:
                if not may_have_created(exc) or attempt >= self._create_attempts:
                    if sent_unsure and not may_have_created(exc):
                        raise MaybeCreated(entry.entry_id, exc) from exc
                    raise
                must_look, settle, sent_unsure = True, self.create_settle, True
                continue
            except Exception as exc:
                if sent_unsure:
                    raise MaybeCreated(entry.entry_id, exc) from exc
                raise
            return from_page(page)

    async def _look_for(self, entry_id: str, settle: float) -> TimeEntry | None:
        """The page carrying ``entry_id``, looked for again until ``settle`` seconds passed."""
        waited, pause = 0.0, _FIRST_LOOK_PAUSE
        while True:
            found = await self.find_by_entry_id(entry_id)
            if found is not None or waited >= settle:
                return found
            step = min(pause, settle - waited)
            await self._sleep(step)
            waited, pause = waited + step, pause * 2

    async def get(self, page_id: str) -> TimeEntry:
        """The entry on page ``page_id``.

        Raises ObjectNotFoundError (Notion's 404) or NotAnEntryError when the page is trashed,
        belongs to another database, or has no usable Start/End.
        """
        ds_id = await self.data_source_id()
        page = await self._client.retrieve_page(page_id)
        self._check_ours(page, ds_id)
        try:
            return from_page(page)
        except MalformedEntryError as exc:
            raise NotAnEntryError(page.id, exc.reason) from exc

    def _check_ours(self, page: Page, ds_id: str) -> None:
        if page.in_trash:
            raise NotAnEntryError(page.id, "it is in the trash")
        parent_id = page.parent.id
        if not (same_id(parent_id, ds_id) or same_id(parent_id, self._database_id)):
            raise NotAnEntryError(page.id, "it is not in the time-entry database")

    async def find_by_entry_id(self, entry_id: str) -> TimeEntry | None:
        """The page carrying this Entry ID (the earliest one if there are several), or None."""
        found = await self.pages_with_entry_id(entry_id)
        return found[0] if found else None

    async def pages_with_entry_id(self, entry_id: str) -> list[TimeEntry]:
        """Every page carrying this Entry ID, oldest first: one query. More than one only when
        a create was doubled behind the lagging index (see ``timesheet.entries.duplicates``)."""
        return (await self._query(prop(ENTRY_ID).rich_text.equals(entry_id))).entries

    async def find_running(self, user_id: str) -> list[TimeEntry]:
        """The user's running pages, oldest first: one query.

        Normally at most one. Every running page is returned, the two pages of a doubled start
        (same Entry ID) included: the tracker ends them together and shows them as one timer.
        """
        query = prop(USER).rich_text.equals(user_id) & prop(END).date.is_empty()
        return (await self._query(query)).entries

    async def find_all_running(self, started_by: datetime) -> list[TimeEntry]:
        """Every user's running pages started at or before ``started_by``, oldest first: one
        paginated query (100 pages a request), whoever they belong to."""
        query = prop(END).date.is_empty() & prop(START).date.on_or_before(started_by)
        return (await self._query(query)).entries

    async def end(
        self, entry: TimeEntry, at: datetime, *, fresh: bool = False, paused: bool = False
    ) -> TimeEntry:
        """Stop ``entry`` at ``at``: one write. An entry that already has an End keeps it.

        Never before its Start: a page whose Start turns out later than ``at`` (the copy was
        stale) ends at its own Start, one more write. Without ``fresh`` the page is read first
        (one more request) so a stale copy never moves an End already recorded; pass
        ``fresh=True`` when ``entry`` was read just now.
        """
        if at.tzinfo is None or at.utcoffset() is None:
            raise ValueError("end time must be timezone-aware")
        if entry.page_id is None:
            stored = await self.find_by_entry_id(entry.entry_id)
            if stored is None:
                raise NotAnEntryError(entry.entry_id, "no page has this Entry ID")
            entry = stored
        elif not fresh:
            entry = await self.get(entry.page_id)
        if entry.end is not None:
            return entry
        assert entry.page_id is not None
        at = max(at, entry.start)
        stop: dict[str, PropertyValue] = {END: Date(at)}
        if paused:  # the same write: a pause is never half done
            stop[PAUSED] = Checkbox(True)
        page = await self._client.update_page(entry.page_id, stop)
        start = start_of(page)
        if start is not None and start > at:
            # Our copy's Start was stale (a lagging query index, a hand edit since): never
            # leave End before Start; the page ends at its own Start.
            page = await self._client.update_page(entry.page_id, {END: Date(start)})
        return from_page(page)

    async def update(
        self, page_id: str, entry: TimeEntry, *, paused: bool | None = None
    ) -> TimeEntry:
        """Write ``entry``'s Start, End, Client, Name and Note to page ``page_id`` (and Paused
        when given): one write."""
        props: dict[str, PropertyValue] = {
            START: Date(entry.start),
            CLIENT: Select(entry.client or None),
            NAME: Title(entry.name),
            NOTE: RichText(entry.note),
        }
        if entry.end is not None:
            props[END] = Date(entry.end)
        if paused is not None:
            props[PAUSED] = Checkbox(paused)
        return from_page(await self._client.update_page(page_id, props))

    async def set_paused(self, page_id: str, paused: bool) -> TimeEntry:
        """Tick or clear Paused on page ``page_id``: one write."""
        return from_page(await self._client.update_page(page_id, {PAUSED: Checkbox(paused)}))

    async def trash(self, page_id: str) -> TimeEntry:
        """Move page ``page_id`` to Notion's trash (restorable there): one write."""
        return from_page(await self._client.trash_page(page_id))

    async def find_running_or_paused(
        self, user_id: str
    ) -> tuple[list[TimeEntry], TimeEntry | None]:
        """The user's running pages (as ``find_running``) and their latest paused page: one
        query (two on a database without Paused, which has no paused page)."""
        running = prop(END).date.is_empty()
        if self._has_paused is not False:
            either = running | prop(PAUSED).checkbox.equals(True)
            try:
                found = (await self._query(prop(USER).rich_text.equals(user_id) & either)).entries
            except ValidationError:
                self._has_paused = False
            else:
                self._has_paused = True
                ended = [e for e in found if e.end is not None and e.paused]
                latest = max(ended, key=lambda e: e.end or e.start, default=None)
                return [e for e in found if e.end is None], latest
        return await self.find_running(user_id), None

    async def latest_ended(self, user_id: str, *, paused: bool = False) -> TimeEntry | None:
        """``user_id``'s entry that ended last (only a paused one with ``paused``): one query
        of one row."""
        query = prop(USER).rich_text.equals(user_id) & prop(END).date.is_not_empty()
        if paused:
            query = query & prop(PAUSED).checkbox.equals(True)

        async def first(ds_id: str) -> TimeEntry | None:
            pages = self._client.query_data_source(
                ds_id, filter=query, sorts=[prop(END).descending()], page_size=1
            )
            async for page in pages:
                entry, _ = parse_page(page)
                return entry
            return None

        return await self._on_data_source(first)

    async def set_entry_id(self, page_id: str, entry_id: str) -> TimeEntry:
        """Give page ``page_id`` the Entry ID ``entry_id``: one write, nothing else changes."""
        page = await self._client.update_page(page_id, {ENTRY_ID: RichText(entry_id)})
        return from_page(page)

    async def list_overlapping(
        self, start: datetime, end: datetime, user_id: str | None = None
    ) -> list[TimeEntry]:
        """Entries overlapping [start, end), running ones included: one paginated query (split
        by Start windows if Notion cuts it off at its row cap: `timesheet.entries.windows`)."""
        return (await self.scan_overlapping(start, end, user_id)).entries

    async def scan_overlapping(
        self, start: datetime, end: datetime, user_id: str | None = None
    ) -> Overlapping:
        """Like list_overlapping, also telling which pages were skipped and why."""
        still_on = prop(END).date.on_or_after(start) | prop(END).date.is_empty()
        if user_id is not None:
            still_on = still_on & prop(USER).rich_text.equals(user_id)
        scan = await scan_by_start(self._fetch_into, still_on, start, end)
        return Overlapping(scan.entries, scan.skipped)

    async def client_options(self) -> list[str]:
        """The Client select options defined in the database (one request)."""
        ds = await self._on_data_source(self._client.retrieve_data_source)
        schema = ds.properties.get(CLIENT)
        if schema is None or schema.type != "select":
            return []
        return list(schema.options)

    async def _query(self, query: Filter) -> Overlapping:
        result = Overlapping()
        await self._fetch_into(query, result)
        return result

    async def _fetch_into(self, query: Filter, into: Overlapping | WindowedScan) -> None:
        """Every page of ``query`` by Start, appended to ``into`` as it arrives (so a query
        Notion cuts off leaves what it saw there)."""

        async def run(ds_id: str) -> None:
            del into.entries[:], into.skipped[:]  # a retry on a fresh data source id
            pages = self._client.query_data_source(
                ds_id, filter=query, sorts=[prop(START).ascending()], page_size=100
            )
            async for page in pages:
                entry, problem = parse_page(page)
                if entry is not None:
                    into.entries.append(entry)
                elif problem is not None:
                    into.skipped.append(problem)

        await self._on_data_source(run)
