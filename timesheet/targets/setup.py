"""`timetrack setup` for the Targets database: create it under NOTION_PARENT_PAGE_ID when
NOTION_TARGETS_DATABASE_ID is unset, else check its properties."""

from __future__ import annotations

from typing import Final

from notion_client import NotionClient, ObjectNotFoundError
from timesheet.config import Settings
from timesheet.entries.setup import retrieve_schema
from timesheet.targets.schema import expected_schema, schema_problems

__all__ = ["TITLE", "check_targets_database", "create_targets_database", "setup_targets"]

TITLE: Final = "Targets"


async def create_targets_database(client: NotionClient, parent_page_id: str) -> str:
    """Create the Targets database under ``parent_page_id``; returns its id."""
    database = await client.create_database(parent_page_id, TITLE, expected_schema())
    return database.id


async def check_targets_database(client: NotionClient, database_id: str) -> list[str]:
    """Each property missing or of another type, as a line (empty: the schema is fine)."""
    return schema_problems(await retrieve_schema(client, database_id))


async def setup_targets(client: NotionClient, settings: Settings) -> list[str]:
    """What `timetrack setup` says about the Targets database, one line each: the `.env` line
    of a database it created, or what an existing one lacks. Nothing when neither
    NOTION_TARGETS_DATABASE_ID nor NOTION_PARENT_PAGE_ID is set (targets are optional)."""
    database_id = settings.notion_targets_database_id
    if database_id is None:
        if settings.notion_parent_page_id is None:
            return []
        try:
            created = await create_targets_database(client, settings.notion_parent_page_id)
        except ObjectNotFoundError:
            return [
                "Targets database not created: Notion can't find NOTION_PARENT_PAGE_ID "
                "(share that page with the integration)."
            ]
        return [
            "Created the Targets database. Add this line to .env:",
            f"NOTION_TARGETS_DATABASE_ID={created}",
        ]
    try:
        problems = await check_targets_database(client, database_id)
    except ObjectNotFoundError:
        return [
            "Notion can't find NOTION_TARGETS_DATABASE_ID: share that database with the "
            "integration (⋯ → Connections)."
        ]
    if not problems:
        return ["The Targets database has every property timetrack needs."]
    return ["The Targets database is not ready (fix it in Notion):"] + [
        f"  - {p}" for p in problems
    ]
