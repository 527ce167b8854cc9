"""Typed Notion objects: pages, parents, schemas, data sources and databases.

One set of frozen dataclasses serves both directions: `from_json` parses what Notion returns,
`to_json` writes what Notion expects. Parsing lives here and in `_values` (the property values)
and nowhere else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, Self

from ._fragments import parse_datetime, plain_text
from ._types import JSONObject
from ._values import (
    Date,
    Formula,
    Number,
    PropertyValue,
    RichText,
    Select,
    Status,
    Title,
    Url,
    parse_property_value,
)

__all__ = [
    "DataSource",
    "DataSourceRef",
    "Database",
    "Page",
    "Parent",
    "PropertySchema",
]

_OPTION_TYPES: Final = frozenset({"select", "multi_select", "status"})


@dataclass(frozen=True, slots=True)
class Parent:
    """Where an object lives: `type` is e.g. "data_source_id", "page_id", "workspace"."""

    type: str
    id: str

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Self:
        kind = str(raw.get("type", ""))
        value = raw.get(kind)
        return cls(kind, value if isinstance(value, str) else "")

    def to_json(self) -> JSONObject:
        if self.type == "workspace":
            return {"type": "workspace", "workspace": True}
        return {"type": self.type, self.type: self.id}


@dataclass(frozen=True, slots=True)
class Page:
    """A page (a row of a data source) with its typed property values."""

    id: str
    url: str
    created_time: datetime
    last_edited_time: datetime
    in_trash: bool
    parent: Parent
    properties: Mapping[str, PropertyValue] = field(default_factory=dict)

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Self:
        properties = raw.get("properties") or {}
        return cls(
            id=str(raw["id"]),
            url=str(raw.get("url") or ""),
            created_time=parse_datetime(str(raw["created_time"])),
            last_edited_time=parse_datetime(str(raw["last_edited_time"])),
            # `archived` is the pre-2026-03-11 name of `in_trash`.
            in_trash=bool(raw.get("in_trash", raw.get("archived", False))),
            parent=Parent.from_json(raw.get("parent") or {}),
            properties={
                str(name): parse_property_value(value)
                for name, value in properties.items()
                if isinstance(value, dict)
            },
        )

    def _get(self, name: str) -> PropertyValue:
        try:
            return self.properties[name]
        except KeyError:
            raise KeyError(f"page {self.id} has no property {name!r}") from None

    def _wrong(self, name: str, value: PropertyValue, wanted: str) -> TypeError:
        return TypeError(f"property {name!r} is {value.type}, not {wanted}")

    def text(self, name: str) -> str:
        """Text of a title, rich_text, url or string formula property ("" when empty)."""
        value = self._get(name)
        if isinstance(value, Title | RichText):
            return value.text
        if isinstance(value, Url):
            return value.url or ""
        if isinstance(value, Formula) and isinstance(value.value, str | None):
            return value.value or ""
        raise self._wrong(name, value, "text")

    def select(self, name: str) -> str | None:
        """Option name of a select or status property (None when empty)."""
        value = self._get(name)
        if isinstance(value, Select | Status):
            return value.name
        raise self._wrong(name, value, "select")

    def date(self, name: str) -> Date | None:
        """A date property or date formula (None when empty)."""
        value = self._get(name)
        if isinstance(value, Date):
            return None if value.start is None else value
        if isinstance(value, Formula) and isinstance(value.value, Date | None):
            return value.value
        raise self._wrong(name, value, "date")

    def number(self, name: str) -> float | None:
        """A number property or number formula (None when empty)."""
        value = self._get(name)
        if isinstance(value, Number):
            return value.value
        if isinstance(value, Formula) and not isinstance(value.value, bool | str | Date):
            return value.value
        raise self._wrong(name, value, "number")


@dataclass(frozen=True, slots=True)
class PropertySchema:
    """One column of a data source: name, type and the type's configuration."""

    name: str
    type: str
    id: str = ""
    options: tuple[str, ...] = ()
    expression: str | None = None
    number_format: str | None = None

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Self:
        kind = str(raw.get("type", ""))
        value = raw.get(kind)
        config: Mapping[str, Any] = value if isinstance(value, dict) else {}
        options: tuple[str, ...] = ()
        if kind in _OPTION_TYPES:
            options = tuple(
                str(option["name"]) for option in config.get("options") or () if "name" in option
            )
        return cls(
            name=str(raw.get("name", "")),
            type=kind,
            id=str(raw.get("id", "")),
            options=options,
            expression=config.get("expression") if kind == "formula" else None,
            number_format=config.get("format") if kind == "number" else None,
        )

    def to_json(self) -> JSONObject:
        """The schema object Notion expects when creating or updating a data source."""
        config: JSONObject = {}
        if self.type in ("select", "multi_select"):
            config = {"options": [{"name": option} for option in self.options]}
        elif self.type == "number":
            config = {"format": self.number_format or "number"}
        elif self.type == "formula":
            if self.expression is None:
                raise ValueError(f"formula property {self.name!r} needs an expression")
            config = {"expression": self.expression}
        return {self.type: config}


def _schema(properties: Any) -> dict[str, PropertySchema]:
    schema: dict[str, PropertySchema] = {}
    for name, raw in (properties or {}).items():
        if isinstance(raw, dict):
            parsed = PropertySchema.from_json(raw)
            schema[str(name)] = parsed if parsed.name else PropertySchema(
                str(name), parsed.type, parsed.id, parsed.options, parsed.expression,
                parsed.number_format,
            )  # fmt: skip
    return schema


@dataclass(frozen=True, slots=True)
class DataSource:
    """A data source: the schema (and, through queries, the rows) of a database's table."""

    id: str
    database_id: str | None
    title: str
    properties: Mapping[str, PropertySchema] = field(default_factory=dict)

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Self:
        parent = raw.get("parent") or {}
        database_id = parent.get("database_id") if parent.get("type") == "database_id" else None
        return cls(
            id=str(raw["id"]),
            database_id=None if database_id is None else str(database_id),
            title=plain_text(raw.get("title")),
            properties=_schema(raw.get("properties")),
        )


@dataclass(frozen=True, slots=True)
class DataSourceRef:
    """A data source as listed by its database: id and name."""

    id: str
    name: str

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Self:
        return cls(str(raw["id"]), str(raw.get("name") or ""))


@dataclass(frozen=True, slots=True)
class Database:
    """A database: a container of one or more data sources."""

    id: str
    title: str
    url: str
    data_sources: tuple[DataSourceRef, ...] = ()

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Self:
        return cls(
            id=str(raw["id"]),
            title=plain_text(raw.get("title")),
            url=str(raw.get("url") or ""),
            data_sources=tuple(
                DataSourceRef.from_json(ref)
                for ref in raw.get("data_sources") or ()
                if isinstance(ref, dict)
            ),
        )
