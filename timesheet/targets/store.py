"""The Targets database over Notion: the rows that apply to a week, and `set` as an upsert."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from notion_client import (
    Filter,
    NotionClient,
    ObjectNotFoundError,
    Page,
    PropertyValue,
    ValidationError,
    prop,
)
from timesheet.entries.store_errors import NoDataSourceError
from timesheet.targets.errors import TargetsNotReady
from timesheet.targets.schema import (
    USER,
    WEEK,
    TargetRow,
    row_from_page,
    row_properties,
    schema_problems,
)
from timesheet.targets.spec import TargetWeek

__all__ = ["SetResult", "TargetStore"]


@dataclass(frozen=True, slots=True)
class SetResult:
    """What `TargetStore.set_target` did: ``row`` is the row written (None when removing);
    ``previous`` its hours before (None for a new row); ``removed`` how many rows went to the
    trash; ``ignored`` other rows for the same target (people duplicated it in Notion)."""

    row: TargetRow | None
    created: bool = False
    previous: float | None = None
    removed: int = 0
    ignored: tuple[TargetRow, ...] = ()


class TargetStore:
    """The Targets database. Each call is one query plus at most one write (and one request,
    once, to find the database's data source).

    Raises `TargetsNotReady` when Notion can't find the database, or refuses a query or a
    write because the database lacks a property (then the problems are read and named)."""

    def __init__(self, client: NotionClient, database_id: str, *, week_start: int = 0) -> None:
        self._client = client
        self._database_id = database_id
        self._week_start = week_start
        self._data_source_id: str | None = None

    async def data_source_id(self) -> str:
        if self._data_source_id is None:
            try:
                database = await self._client.retrieve_database(self._database_id)
            except ObjectNotFoundError:
                raise TargetsNotReady() from None
            if not database.data_sources:
                raise NoDataSourceError(self._database_id)
            self._data_source_id = database.data_sources[0].id
        return self._data_source_id

    async def rows_for_week(self, week: date | None, user_id: str | None = None) -> list[TargetRow]:
        """Every row that may apply to the week starting ``week``: the every-week rows and the
        rows dated in that week (a date typed by hand mid-week counts for its week); with
        ``week`` None only the every-week rows. ``user_id`` None: every user's (one query)."""
        every: Filter = prop(WEEK).date.is_empty()
        parts: list[Filter] = [every]
        if week is not None:
            last = week + timedelta(days=6)
            parts.append(prop(WEEK).date.on_or_after(week) & prop(WEEK).date.on_or_before(last))
        if user_id is not None:
            mine = prop(USER).rich_text.equals(user_id)
            parts = [mine & part for part in parts]
        query = parts[0] if len(parts) == 1 else parts[0] | parts[1]
        return await self._query(query)

    async def set_target(
        self, user_id: str, client: str, week: TargetWeek, hours: float
    ) -> SetResult:
        """Upsert ``user_id``'s target for ``client`` (case-insensitive) and ``week``: the row
        edited last is updated, other copies are left alone and reported; none: one is created.
        ``hours`` 0 moves every such row to the trash (the target is removed)."""
        same = await self._same_target(user_id, client, week.first_day)
        if hours == 0:
            for row in same:
                await self._client.trash_page(row.page_id)
            return SetResult(None, removed=len(same), ignored=())
        props = row_properties(user_id, client, week.first_day, hours, week.label)
        if not same:
            page = await self._write(None, props)
            return SetResult(row_from_page(page, self._week_start), created=True)
        newest, *others = same
        page = await self._write(newest.page_id, props)
        return SetResult(
            row_from_page(page, self._week_start), previous=newest.hours, ignored=tuple(others)
        )

    async def _same_target(self, user_id: str, client: str, week: date | None) -> list[TargetRow]:
        """The rows for exactly this target, the one edited last first."""
        folded = client.casefold()
        rows = await self.rows_for_week(week, user_id)
        same = [r for r in rows if r.client.casefold() == folded and r.week == week]
        return sorted(same, key=lambda r: r.newness, reverse=True)

    async def _query(self, query: Filter) -> list[TargetRow]:
        ds_id = await self.data_source_id()
        try:
            pages = self._client.query_data_source(ds_id, filter=query)
            return [row_from_page(page, self._week_start) async for page in pages]
        except ValidationError as exc:
            raise await self._not_ready(ds_id, exc) from None

    async def _write(self, page_id: str | None, props: dict[str, PropertyValue]) -> Page:
        """Create a row (``page_id`` None) or update one."""
        ds_id = await self.data_source_id()
        try:
            if page_id is None:
                return await self._client.create_page(ds_id, props)
            return await self._client.update_page(page_id, props)
        except ValidationError as exc:
            raise await self._not_ready(ds_id, exc) from None

    async def _not_ready(self, ds_id: str, exc: ValidationError) -> Exception:
        """What the database lacks, if that is why Notion refused; else ``exc`` itself."""
        problems = schema_problems(await self._client.retrieve_data_source(ds_id))
        return TargetsNotReady(problems) if problems else exc
