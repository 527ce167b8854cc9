"""`timetrack setup` for the Clients database: create it beside the entries one, or check it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from notion_client import NotionClient, ObjectNotFoundError
from timesheet.clients.schema import check_clients_schema, clients_schema
from timesheet.config import Settings
from timesheet.entries.schema import SchemaProblem
from timesheet.entries.setup import retrieve_schema
from timesheet.entries.store_errors import NoDataSourceError

__all__ = [
    "CLIENTS_TITLE",
    "check_clients_database",
    "create_clients_database",
    "fix_clients_database",
    "setup_clients",
]

CLIENTS_TITLE: Final = "Clients"


async def create_clients_database(
    client: NotionClient, parent_page_id: str, *, currency: str | None = None
) -> tuple[str, str]:
    """Create the Clients database under ``parent_page_id``: ``(database_id, data_source_id)``
    (one request). Currency offers CURRENCY as its first option when it is set."""
    schema = clients_schema((currency,) if currency else ())
    database = await client.create_database(parent_page_id, CLIENTS_TITLE, schema)
    if not database.data_sources:
        database = await client.retrieve_database(database.id)
    if not database.data_sources:
        raise NoDataSourceError(database.id)
    return database.id, database.data_sources[0].id


async def check_clients_database(client: NotionClient, database_id: str) -> list[SchemaProblem]:
    """What the Clients database lacks (empty: every property is there, of the right type)."""
    return check_clients_schema(await retrieve_schema(client, database_id))


async def fix_clients_database(client: NotionClient, database_id: str) -> list[str]:
    """Add the missing properties (not the title: a database has exactly one) in one update."""
    ds = await retrieve_schema(client, database_id)
    wanted = clients_schema()
    batch = {p.name: wanted[p.name] for p in check_clients_schema(ds) if p.fixable}
    if batch:
        await client.update_data_source(ds.id, batch)
    return [f'Clients: added property "{name}" ({s.type})' for name, s in batch.items()]


async def setup_clients(
    client: NotionClient, settings: Settings, *, fix: bool, say: Callable[[str], None]
) -> None:
    """What `timetrack setup` does for the Clients database, said line by line: create it
    under NOTION_PARENT_PAGE_ID when NOTION_CLIENTS_DATABASE_ID is unset (and print the
    `.env` line), else check it (``fix``: add what is missing). The database is optional:
    what is wrong with it is said, and `setup` goes on with the entries database."""
    database_id = settings.notion_clients_database_id
    if database_id is None:
        parent = settings.notion_parent_page_id
        if parent is None:
            if settings.notion_database_id is not None:
                say(
                    "No Clients database (rates, targets): set NOTION_PARENT_PAGE_ID and run "
                    "setup again to create one."
                )
            return
        try:
            created, _ = await create_clients_database(client, parent, currency=settings.currency)
        except ObjectNotFoundError:
            if settings.notion_database_id is None:
                return  # creating the entries database says how to share the page
            say(
                "Notion can't find NOTION_PARENT_PAGE_ID: share that page with the "
                "integration (⋯ → Connections) to create the Clients database"
            )
            return
        say("Created the Clients database (rates, targets, budgets). Add this line to .env:")
        say(f"NOTION_CLIENTS_DATABASE_ID={created}")
        return
    try:
        if fix:
            for line in await fix_clients_database(client, database_id):
                say(line)
        problems = await check_clients_database(client, database_id)
    except ObjectNotFoundError:
        say(
            "Notion can't find NOTION_CLIENTS_DATABASE_ID: share the Clients database with the "
            "integration (⋯ → Connections)"
        )
        return
    if not problems:
        say("The Clients database has every property timetrack reads.")
        return
    say("The Clients database is not complete:")
    for problem in problems:
        say(f"  - {problem}")
    if any(p.fixable for p in problems) and not fix:
        say("Run `timetrack setup --fix` to add the missing properties.")
