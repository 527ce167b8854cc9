"""Stored objects of the in-memory Notion and data source schemas (properties, options)."""

from __future__ import annotations

import functools
import itertools
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from ._common import (
    JSON,
    bad_request,
    format_timestamp,
    invalid,
    rich_text_items,
)
from ._page import empty_value, index_value, quoted

__all__ = [
    "COLORS",
    "READ_ONLY_TYPES",
    "DataSourceRec",
    "DatabaseRec",
    "check_option_name",
    "compute_formula",
    "schema_entry",
]

READ_ONLY_TYPES: Final = frozenset(
    {
        "formula",
        "rollup",
        "created_time",
        "created_by",
        "last_edited_time",
        "last_edited_by",
        "unique_id",
    }
)
"""Property types whose values Notion computes: a page write naming one is refused."""
PROPERTY_TYPES: Final = READ_ONLY_TYPES | frozenset(
    {
        "title",
        "rich_text",
        "number",
        "select",
        "multi_select",
        "status",
        "date",
        "people",
        "files",
        "checkbox",
        "url",
        "email",
        "phone_number",
        "relation",
    }
)
COLORS: Final = (
    "default",
    "gray",
    "brown",
    "orange",
    "yellow",
    "green",
    "blue",
    "purple",
    "pink",
    "red",
)
_ID_ALPHABET: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_PROP_REF: Final = re.compile(r"""prop\(\s*["']([^"']+)["']\s*\)""")
_DEFAULT_STATUS: Final = (("Not started", "default"), ("In progress", "blue"), ("Done", "green"))


def _heading(kind: str, id_: str, created: datetime, edited: datetime, title: str) -> JSON:
    """The fields a data source or database object opens with, in Notion's order."""
    return {
        "object": kind,
        "id": id_,
        "created_time": format_timestamp(created),
        "last_edited_time": format_timestamp(edited),
        "title": rich_text_items(title),
        "description": [],
        "icon": None,
        "cover": None,
    }


def _links(id_: str) -> JSON:
    """The fields a data source or database object closes with."""
    return {"url": "https://www.notion.so/" + id_.replace("-", ""), "public_url": None}


@dataclass(slots=True)
class DataSourceRec:
    """A data source: schema and the ids of its pages (in creation order)."""

    id: str
    database_id: str
    title: str
    created: datetime
    edited: datetime
    properties: dict[str, JSON] = field(default_factory=dict)
    page_ids: list[str] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _empties: list[tuple[str, str, Any, str]] | None = None
    _parent: str = ""

    def page_parent(self) -> str:
        """The encoded parent object of this data source's pages."""
        if not self._parent:
            self._parent = json.dumps(
                {
                    "type": "data_source_id",
                    "data_source_id": self.id,
                    "database_id": self.database_id,
                }
            )
        return self._parent

    def empty_values(self) -> list[tuple[str, str, Any, str]]:
        """(name, encoded fragment, index value, type) of every property when empty (cached)."""
        if self._empties is None:
            made = []
            for name, schema in self.properties.items():
                value = empty_value(schema)
                type_ = schema["type"]
                fragment = quoted(name) + ":" + json.dumps(value)
                made.append((name, fragment, index_value(type_, value[type_]), type_))
            self._empties = made
        return self._empties

    def schema_changed(self) -> None:
        self._empties = None

    def next_property_id(self) -> str:
        """A short, unique, Notion-looking property id."""
        n = next(self._ids) * 7919
        chars = []
        for _ in range(4):
            n, r = divmod(n, len(_ID_ALPHABET))
            chars.append(_ID_ALPHABET[r])
        return "".join(chars)

    def lookup(self, key: str) -> JSON | None:
        """A property schema by name or id."""
        found = self.properties.get(key)
        if found is not None:
            return found
        for entry in self.properties.values():
            if entry["id"] == key:
                return entry
        return None

    def to_json(self, database: DatabaseRec) -> JSON:
        return {
            **_heading("data_source", self.id, self.created, self.edited, self.title),
            "properties": self.properties,
            "parent": {"type": "database_id", "database_id": self.database_id},
            "database_parent": database.parent,
            "in_trash": False,
            "is_inline": False,
            **_links(self.id),
        }


@dataclass(slots=True)
class DatabaseRec:
    """A database: a container of data sources under a parent page."""

    id: str
    title: str
    parent: JSON
    created: datetime
    edited: datetime
    data_source_ids: list[str] = field(default_factory=list)

    def to_json(self, sources: list[DataSourceRec]) -> JSON:
        return {
            **_heading("database", self.id, self.created, self.edited, self.title),
            "parent": self.parent,
            "is_inline": False,
            "in_trash": False,
            "is_locked": False,
            "data_sources": [{"id": s.id, "name": s.title} for s in sources],
            **_links(self.id),
        }


def _option(raw: Any, index: int, source: DataSourceRec, where: str) -> JSON:
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        raise invalid(f"{where} should be an object with a name.")
    name: str = raw["name"]
    check_option_name(name, where)
    color = raw.get("color") or COLORS[index % len(COLORS)]
    if color not in COLORS:
        raise invalid(f"{where}.color `{color}` is not a color.")
    return {
        "id": raw.get("id") or source.next_property_id(),
        "name": name,
        "color": color,
        "description": None,
    }


def check_option_name(name: str, where: str) -> None:
    """Notion refuses commas and names longer than 100 characters in select options."""
    if "," in name:
        raise bad_request(f"Invalid select option, commas not allowed: {name}")
    if not name.strip():
        raise invalid(f"{where}.name should be non-empty.")
    if len(name) > 100:
        raise invalid(f"{where}.name.length should be ≤ `100`.")


def schema_entry(name: str, raw: Any, source: DataSourceRec, current: JSON | None = None) -> JSON:
    """Normalize a schema object (dict or object with `to_json()`) into a stored property schema."""
    if hasattr(raw, "to_json"):
        raw = raw.to_json()
    where = f"body.properties.{name}"
    if not isinstance(raw, dict):
        raise invalid(f"{where} should be an object.")
    type_ = raw.get("type")
    if not isinstance(type_, str):
        keys = [k for k in raw if k in PROPERTY_TYPES]
        if len(keys) != 1:
            if current is not None and not keys:
                type_ = current["type"]
            else:
                raise invalid(f"{where} should define one property type.")
        else:
            type_ = keys[0]
    if type_ not in PROPERTY_TYPES:
        raise invalid(f"{where} has unknown type `{type_}`.")
    config = raw.get(type_, {})
    if config is None:
        config = {}
    if not isinstance(config, dict):
        raise invalid(f"{where}.{type_} should be an object.")
    entry: JSON = {
        "id": current["id"]
        if current
        else ("title" if type_ == "title" else source.next_property_id()),
        "name": raw.get("name") if isinstance(raw.get("name"), str) else name,
        "type": type_,
        "description": None,
    }
    same_type = current is not None and current["type"] == type_
    if type_ in ("select", "multi_select", "status"):
        old: list[JSON] = list(current[type_]["options"]) if current and same_type else []
        known = {o["name"] for o in old}
        given = config.get("options")
        if given is None and type_ == "status" and not old:
            given = [{"name": n, "color": c} for n, c in _DEFAULT_STATUS]
        if given is not None and not isinstance(given, list):
            raise invalid(f"{where}.{type_}.options should be an array.")
        for i, opt in enumerate(given or []):
            made = _option(opt, len(old) + i, source, f"{where}.{type_}.options[{i}]")
            if made["name"] not in known:
                known.add(made["name"])
                old.append(made)
        entry[type_] = {"options": old}
    elif type_ == "number":
        entry[type_] = {"format": config.get("format") or "number"}
    elif type_ == "formula":
        expression = config.get("expression")
        if not isinstance(expression, str) or not expression:
            raise invalid(f"{where}.formula.expression should be a string.")
        entry[type_] = {"expression": expression}
    else:
        entry[type_] = dict(config)
    return entry


def _instant(value: Any) -> datetime | None:
    return value if isinstance(value, datetime) else None


def compute_formula(schema: JSON, index: dict[str, Any]) -> JSON:
    """The result of a formula: the timetrack "Hours" formula is computed, others give null."""
    result: JSON = {"type": "number", "number": None}
    names = _hours_between(schema["formula"]["expression"])
    if names is not None:
        start, end = _instant(index.get(names[0])), _instant(index.get(names[1]))
        if start is not None and end is not None:
            result["number"] = round((end - start).total_seconds() / 3600, 2)
    return result


@functools.lru_cache(maxsize=256)
def _hours_between(expression: str) -> tuple[str, str] | None:
    """(start, end) property names when the formula is hours between two dates, else None."""
    refs = _PROP_REF.findall(expression)
    if "Start" in refs and "End" in refs:
        return "Start", "End"
    if "dateBetween" in expression and len(refs) >= 2:
        return refs[1], refs[0]  # dateBetween(end, start, unit)
    return None
