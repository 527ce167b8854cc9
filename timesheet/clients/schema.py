"""The Notion schema of the Clients database: property names and types, and its checks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from notion_client import DataSource, PropertySchema
from timesheet.entries.schema import SchemaProblem, property_problems

__all__ = [
    "ARCHIVED",
    "BUDGET",
    "CURRENCY",
    "NAME",
    "PROPERTY_TYPES",
    "RATE",
    "WEEKLY_TARGET",
    "check_clients_schema",
    "clients_schema",
]

NAME: Final = "Name"
RATE: Final = "Rate"
CURRENCY: Final = "Currency"
WEEKLY_TARGET: Final = "Weekly target"
BUDGET: Final = "Budget"
ARCHIVED: Final = "Archived"

#: Property name -> Notion property type, in the order the database shows them.
PROPERTY_TYPES: Final[Mapping[str, str]] = {
    NAME: "title",
    RATE: "number",
    CURRENCY: "select",
    WEEKLY_TARGET: "number",
    BUDGET: "number",
    ARCHIVED: "checkbox",
}


def clients_schema(currencies: tuple[str, ...] = ()) -> dict[str, PropertySchema]:
    """The schema `timetrack setup` creates; Currency offers ``currencies`` (e.g. CURRENCY)."""
    schema: dict[str, PropertySchema] = {}
    for name, kind in PROPERTY_TYPES.items():
        options = tuple(dict.fromkeys(currencies)) if kind == "select" else ()
        schema[name] = PropertySchema(name, kind, options=options)
    return schema


def check_clients_schema(ds: DataSource) -> list[SchemaProblem]:
    """Every property missing or of the wrong type. Only Name is required: a database without
    Rate (say) still lists clients; their rates then come from RATES."""
    return property_problems(ds, PROPERTY_TYPES, optional=set(PROPERTY_TYPES) - {NAME})
