"""What `timetrack setup` does: create the database, check its schema, add what is missing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from notion_client import DataSource, NotionClient
from timesheet.entries.schema import (
    END,
    HOURS,
    START,
    SchemaProblem,
    check_schema,
    expected_schema,
)
from timesheet.entries.store_errors import NoDataSourceError

__all__ = [
    "DEFAULT_TITLE",
    "check_database",
    "create_database",
    "fix_database",
    "retrieve_schema",
]

DEFAULT_TITLE: Final = "Time entries"


async def create_database(
    client: NotionClient,
    parent_page_id: str,
    preset_clients: Sequence[str],
    *,
    title: str = DEFAULT_TITLE,
) -> tuple[str, str]:
    """Create the database under ``parent_page_id``: ``(database_id, data_source_id)``."""
    database = await client.create_database(parent_page_id, title, expected_schema(preset_clients))
    if not database.data_sources:
        database = await client.retrieve_database(database.id)
    if not database.data_sources:
        raise NoDataSourceError(database.id)
    return database.id, database.data_sources[0].id


async def retrieve_schema(client: NotionClient, database_id: str) -> DataSource:
    """The database's first data source with its properties (two requests)."""
    database = await client.retrieve_database(database_id)
    if not database.data_sources:
        raise NoDataSourceError(database_id)
    return await client.retrieve_data_source(database.data_sources[0].id)


async def check_database(client: NotionClient, database_id: str) -> list[SchemaProblem]:
    """Every property that is missing or of the wrong type (empty list: the schema is fine)."""
    return check_schema(await retrieve_schema(client, database_id))


async def fix_database(
    client: NotionClient, database_id: str, preset_clients: Sequence[str]
) -> list[str]:
    """Add the missing properties in one update; returns what was added (``str`` lines).

    Properties of the wrong type, and a title property under another name (a database has
    exactly one), are left alone: run `check_database` afterwards to list what remains.
    """
    ds = await retrieve_schema(client, database_id)
    wanted = expected_schema(preset_clients)
    problems = check_schema(ds)
    missing = {p.name for p in problems if p.fixable}
    # The Hours formula reads Start and End: it can only go in once both are dates.
    if any(p.name in (START, END) and not p.missing for p in problems):
        missing.discard(HOURS)
    added: list[str] = []
    first = {name: wanted[name] for name in wanted if name in missing and name != HOURS}
    later = {HOURS: wanted[HOURS]} if HOURS in missing else {}
    if later and not ({START, END} & first.keys()):
        first, later = first | later, {}
    for batch in (first, later):
        if batch:
            await client.update_data_source(ds.id, batch)
            added += [f'added property "{name}" ({schema.type})' for name, schema in batch.items()]
    return added
