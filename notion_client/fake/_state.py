"""The stateful store of the in-memory Notion and its endpoint handlers (JSON in, encoded out)."""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from ._common import (
    JSON,
    bad_request,
    canonical_id,
    invalid,
    new_id,
    not_found,
    rich_text_items,
    round_to_minute,
)
from ._filters import compile_filter, sort_pages
from ._history import PageHistory
from ._page import PageRec, empty_value
from ._schema import DatabaseRec, DataSourceRec, schema_entry
from ._validate import apply_properties, refresh_formulas

__all__ = ["DEFAULT_RESULT_LIMIT", "NotionState"]

DEFAULT_RESULT_LIMIT: Final = 10_000
MAX_PAGE_SIZE: Final = 100
MAX_CURSORS: Final = 4096


@dataclass(slots=True)
class _Cursor:
    data_source_id: str
    snapshot: list[PageRec]
    offset: int
    incomplete: bool


def _no_lag() -> float:
    return 0.0


class NotionState:
    """Databases, data sources and pages, with one method per endpoint.

    `index_lag()` seconds (by `clock`) is how far queries lag writes: while it is positive,
    pages written through the endpoints keep their recent versions in a `PageHistory`.
    """

    def __init__(
        self,
        clock: Callable[[], datetime],
        result_limit: int = DEFAULT_RESULT_LIMIT,
        index_lag: Callable[[], float] = _no_lag,
    ) -> None:
        self.clock = clock
        self.result_limit = result_limit
        self.index_lag = index_lag
        self._history = PageHistory()
        self.databases: dict[str, DatabaseRec] = {}
        self.data_sources: dict[str, DataSourceRec] = {}
        self.pages: dict[str, PageRec] = {}
        self._cursors: OrderedDict[str, _Cursor] = OrderedDict()
        # Pages outside any data source (parent pages) only have a title.
        now = clock()
        self._plain = DataSourceRec("", "", "", now, now)
        self._plain.properties["title"] = {
            "id": "title",
            "name": "title",
            "type": "title",
            "title": {},
        }

    def _now(self) -> datetime:
        return round_to_minute(self.clock())

    def _lag(self) -> timedelta | None:
        """How far the query index lags writes; None when it does not (nothing is kept then)."""
        seconds = self.index_lag()
        if seconds <= 0:
            if self._history:
                self._history.clear()
            return None
        return timedelta(seconds=seconds)

    # -- lookups ---------------------------------------------------------------------------
    def page(self, raw_id: str) -> PageRec:
        page = self.pages.get(canonical_id(raw_id, "page_id"))
        if page is None:
            raise not_found("page", raw_id)
        return page

    def source(self, raw_id: str) -> DataSourceRec:
        source = self.data_sources.get(canonical_id(raw_id, "data_source_id"))
        if source is None:
            raise not_found("data source", raw_id)
        return source

    def database(self, raw_id: str) -> DatabaseRec:
        database = self.databases.get(canonical_id(raw_id, "database_id"))
        if database is None:
            raise not_found("database", raw_id)
        return database

    def _schema_of(self, page: PageRec) -> DataSourceRec:
        if page.data_source_id is None:
            return self._plain
        return self.data_sources[page.data_source_id]

    # -- databases and data sources --------------------------------------------------------
    def retrieve_database(self, database_id: str) -> str:
        database = self.database(database_id)
        sources = [self.data_sources[i] for i in database.data_source_ids]
        return json.dumps(database.to_json(sources))

    def create_database(self, body: JSON) -> str:
        return json.dumps(self.new_database(body))

    def new_database(self, body: JSON) -> JSON:
        parent = body.get("parent")
        if not isinstance(parent, dict) or not isinstance(parent.get("page_id"), str):
            raise invalid("body.parent.page_id should be defined.")
        parent_page = self.page(parent["page_id"])
        name = _title_text(body.get("title", []))
        initial = body.get("initial_data_source")
        raw_props = (
            initial.get("properties") if isinstance(initial, dict) else body.get("properties")
        )
        if not isinstance(raw_props, dict):
            raise invalid("body.initial_data_source.properties should be defined.")
        now = self._now()
        database = DatabaseRec(
            new_id(), name, {"type": "page_id", "page_id": parent_page.id}, now, now
        )
        source = DataSourceRec(new_id(), database.id, name, now, now)
        for prop_name, raw in raw_props.items():
            entry = schema_entry(prop_name, raw, source)
            if entry["type"] == "title" and _titles(source) > 0:
                raise bad_request("Cannot create more than one title property.")
            source.properties[entry["name"]] = entry
        if _titles(source) != 1:
            raise bad_request("Title property is missing: a data source needs one title property.")
        database.data_source_ids.append(source.id)
        self.databases[database.id] = database
        self.data_sources[source.id] = source
        return database.to_json([source])

    def retrieve_data_source(self, data_source_id: str) -> str:
        source = self.source(data_source_id)
        return json.dumps(source.to_json(self.databases[source.database_id]))

    def update_data_source(self, data_source_id: str, body: JSON) -> str:
        source = self.source(data_source_id)
        raw_props = body.get("properties", {})
        if not isinstance(raw_props, dict):
            raise invalid("body.properties should be an object.")
        changes: list[tuple[JSON | None, JSON | None]] = []  # (current, new)
        titles = _titles(source)
        for key, raw in raw_props.items():
            current = source.lookup(key)
            if raw is None:
                if current is None:
                    raise bad_request(f"{key} is not a property that exists.")
                if current["type"] == "title":
                    raise bad_request("Cannot delete the title property.")
                changes.append((current, None))
                continue
            entry = schema_entry(key, raw, source, current)
            was_title = current is not None and current["type"] == "title"
            titles += (entry["type"] == "title") - was_title
            clash = source.properties.get(entry["name"])
            if clash is not None and clash is not current:
                raise bad_request(f"A property named {entry['name']} already exists.")
            changes.append((current, entry))
        if titles != 1:
            raise bad_request("A data source must have exactly one title property.")
        if "title" in body:
            source.title = _title_text(body["title"])
        pages = [self.pages[i] for i in source.page_ids]
        if self._history:  # the index sees a schema change at once, in every version
            pages += self._history.earlier_versions(source.page_ids)
        for old_schema, new_schema in changes:
            _apply_schema_change(source, pages, old_schema, new_schema)
        source.schema_changed()
        for page in pages:
            refresh_formulas(source, page)
        source.edited = self._now()
        return json.dumps(source.to_json(self.databases[source.database_id]))

    # -- pages -----------------------------------------------------------------------------
    def retrieve_page(self, page_id: str) -> str:
        return self.page(page_id).encode()

    def create_page(self, body: JSON) -> str:
        page = self.new_page(body)
        if page.data_source_id is not None and self._lag() is not None:
            self._history.created(page.id, self.clock())
        return page.encode()

    def new_page(self, body: JSON, created: datetime | None = None) -> PageRec:
        parent = body.get("parent")
        if not isinstance(parent, dict):
            raise invalid("body.parent should be defined.")
        now = round_to_minute(created) if created is not None else self._now()
        if isinstance(parent.get("data_source_id"), str):
            source = self.source(parent["data_source_id"])
        elif isinstance(parent.get("database_id"), str):
            database = self.database(parent["database_id"])
            source = self.data_sources[database.data_source_ids[0]]
        elif isinstance(parent.get("page_id"), str):
            holder = self.page(parent["page_id"])
            parent_json = json.dumps({"type": "page_id", "page_id": holder.id})
            page = PageRec(new_id(), parent_json, None, now, now)
            page.set("title", empty_value(self._plain.properties["title"]))
            apply_properties(self._plain, page, body.get("properties", {}))
            self.pages[page.id] = page
            return page
        else:
            raise invalid("body.parent should define data_source_id, database_id or page_id.")
        page = PageRec(new_id(), source.page_parent(), source.id, now, now)
        for name, fragment, index, type_ in source.empty_values():
            page.set_encoded(name, fragment, index, type_)
        apply_properties(source, page, body.get("properties", {}))
        self.pages[page.id] = page
        source.page_ids.append(page.id)
        return page

    def update_page(self, page_id: str, body: JSON) -> str:
        page = self.page(page_id)
        if "archived" in body:
            raise invalid("body.archived is gone since 2026-03-11; use in_trash.")
        in_trash = body.get("in_trash")
        if in_trash is not None and not isinstance(in_trash, bool):
            raise invalid("body.in_trash should be a boolean.")
        properties = body.get("properties")
        lag = self._lag() if page.data_source_id is not None else None
        previous = page.copy() if lag is not None else None
        if properties is not None:
            if page.in_trash and in_trash is not False:
                raise bad_request(
                    "Can't edit block that is archived. "
                    "You must unarchive the block before editing."
                )
            apply_properties(self._schema_of(page), page, properties)
        if in_trash is not None:
            page.in_trash = in_trash
        page.edited = self._now()
        if previous is not None and lag is not None:
            now = self.clock()
            self._history.changed(previous, now, now - lag)
        return page.encode()

    # -- query -----------------------------------------------------------------------------
    def query_data_source(self, data_source_id: str, body: JSON) -> str:
        source = self.source(data_source_id)
        page_size = body.get("page_size", MAX_PAGE_SIZE)
        if isinstance(page_size, bool) or not isinstance(page_size, int) or page_size < 1:
            raise invalid(
                f"body.page_size should be a positive integer, instead was `{page_size}`."
            )
        if page_size > MAX_PAGE_SIZE:
            raise invalid(
                f"body.page_size should be less than or equal to `{MAX_PAGE_SIZE}`, "
                f"instead was `{page_size}`."
            )
        start = body.get("start_cursor")
        if start is not None:
            cursor = self._cursors.get(start) if isinstance(start, str) else None
            if cursor is None or cursor.data_source_id != source.id:
                raise bad_request(f"The start_cursor provided is invalid: {start}")
        else:
            raw_filter = body.get("filter")
            matches = compile_filter(raw_filter, source, self.clock()) if raw_filter else None
            lag = self._lag()
            if lag is None:
                candidates = [p for i in source.page_ids if not (p := self.pages[i]).in_trash]
            else:
                candidates = self._indexed(source.page_ids, self.clock() - lag)
            if matches is not None:
                candidates = [p for p in candidates if matches(p)]
            ordered = sort_pages(candidates, body.get("sorts"), source)
            incomplete = len(ordered) > self.result_limit
            cursor = _Cursor(source.id, ordered[: self.result_limit], 0, incomplete)
        return self._page_of(cursor, page_size)

    def _indexed(self, page_ids: list[str], cutoff: datetime) -> list[PageRec]:
        """The pages as the lagging index holds them at `cutoff`, trashed ones left out."""
        found: list[PageRec] = []
        for page_id in page_ids:
            version = self._history.as_of(self.pages[page_id], cutoff)
            if version is not None and not version.in_trash:
                found.append(version)
        return found

    def _page_of(self, cursor: _Cursor, page_size: int) -> str:
        results: list[str] = []
        snapshot, i = cursor.snapshot, cursor.offset
        lag = self._lag()
        cutoff = None if lag is None else self.clock() - lag
        while i < len(snapshot) and len(results) < page_size:
            page = snapshot[i]
            i += 1
            if cutoff is not None:  # as the index holds it now: maybe a newer version
                page = self._history.as_of(self.pages[page.id], cutoff) or page
            if not page.in_trash:  # trashed since the query began
                results.append(page.encode())
        has_more = i < len(snapshot)
        next_cursor = None
        if has_more:
            next_cursor = new_id()
            self._cursors[next_cursor] = _Cursor(
                cursor.data_source_id, snapshot, i, cursor.incomplete
            )
            while len(self._cursors) > MAX_CURSORS:
                self._cursors.popitem(last=False)
        tail: JSON = {
            "next_cursor": next_cursor,
            "has_more": has_more,
            "type": "page_or_data_source",
            "page_or_data_source": {},
        }
        if cursor.incomplete and not has_more:
            tail["request_status"] = {
                "type": "incomplete",
                "incomplete_reason": "query_result_limit_reached",
            }
        return '{"object":"list","results":[' + ",".join(results) + "]," + json.dumps(tail)[1:]

    # -- seeding ---------------------------------------------------------------------------
    def add_parent_page(self, title: str) -> str:
        now = self._now()
        page = PageRec(new_id(), '{"type":"workspace","workspace":true}', None, now, now)
        page.set("title", {"id": "title", "type": "title", "title": rich_text_items(title)})
        self.pages[page.id] = page
        return page.id

    def add_database(
        self, parent_id: str, title: str, schema: Mapping[str, Any]
    ) -> tuple[str, str]:
        made = self.new_database(
            {
                "parent": {"type": "page_id", "page_id": parent_id},
                "title": [{"type": "text", "text": {"content": title}}],
                "initial_data_source": {"properties": dict(schema)},
            }
        )
        return str(made["id"]), str(made["data_sources"][0]["id"])

    def pages_of(self, data_source_id: str, include_trashed: bool) -> list[PageRec]:
        source = self.source(data_source_id)
        pages = [self.pages[i] for i in source.page_ids]
        return pages if include_trashed else [p for p in pages if not p.in_trash]


def _titles(source: DataSourceRec) -> int:
    return sum(p["type"] == "title" for p in source.properties.values())


def _title_text(title: Any) -> str:
    if not isinstance(title, list) or not all(isinstance(t, dict) for t in title):
        raise invalid("body.title should be an array of rich text.")
    return "".join(
        str((t.get("text") or {}).get("content", t.get("plain_text", ""))) for t in title
    )


def _apply_schema_change(
    source: DataSourceRec, pages: list[PageRec], current: JSON | None, entry: JSON | None
) -> None:
    """Commit one validated schema change to the data source and its pages."""
    if current is not None:
        del source.properties[current["name"]]
    if entry is None:
        for page in pages:
            page.drop(current["name"] if current else "")
        return
    source.properties[entry["name"]] = entry
    keep = current is not None and current["type"] == entry["type"]
    for page in pages:
        if current is not None and keep:
            page.rename(current["name"], entry["name"])
        else:
            if current is not None:
                page.drop(current["name"])
            page.set(entry["name"], empty_value(entry))
