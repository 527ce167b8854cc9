"""Test kit for the Clients database: seed one in an in-memory Notion with rows typed as people
type them (`client_row`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from notion_client.fake import FakeNotion
from timesheet.clients.schema import clients_schema

__all__ = ["add_clients_database", "client_row"]


def client_row(
    name: str,
    rate: float | None = None,
    *,
    currency: str | None = None,
    target: float | None = None,
    budget: float | None = None,
    archived: bool = False,
) -> dict[str, Any]:
    """The property values of one row of the Clients database, as Notion stores them."""
    return {
        "Name": {"title": [{"text": {"content": name}}] if name else []},
        "Rate": {"number": rate},
        "Currency": {"select": {"name": currency} if currency else None},
        "Weekly target": {"number": target},
        "Budget": {"number": budget},
        "Archived": {"checkbox": archived},
    }


def add_clients_database(
    fake: FakeNotion, rows: Iterable[dict[str, Any]], *, currencies: tuple[str, ...] = ("EUR",)
) -> tuple[str, str]:
    """A "Clients" database of our schema in a page of its own, holding ``rows`` (in order):
    ``(database_id, data_source_id)``."""
    parent = fake.add_parent_page("Clients home")
    database_id, data_source_id = fake.add_database(parent, "Clients", clients_schema(currencies))
    for row in rows:
        fake.add_page(data_source_id, row)
    return database_id, data_source_id
