"""Stored objects of the in-memory Notion and data source schemas (properties, options)."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from ._common import (
    JSON,
    as_utc,
    bad_request,
    format_timestamp,
    invalid,
    parse_date_value,
    plain_text,
    rich_text_items,
)

__all__ = [
    "DataSourceRec",
    "DatabaseRec",
    "PageRec",
    "compute_formula",
    "empty_value",
    "schema_entry",
]

PROPERTY_TYPES: Final = frozenset(
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
        "formula",
        "relation",
        "rollup",
        "created_time",
        "created_by",
        "last_edited_time",
        "last_edited_by",
        "unique_id",
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
            "object": "data_source",
            "id": self.id,
            "created_time": format_timestamp(self.created),
            "last_edited_time": format_timestamp(self.edited),
            "title": rich_text_items(self.title),
            "description": [],
            "icon": None,
            "cover": None,
            "properties": self.properties,
            "parent": {"type": "database_id", "database_id": self.database_id},
            "database_parent": database.parent,
            "in_trash": False,
            "is_inline": False,
            "url": "https://www.notion.so/" + self.id.replace("-", ""),
            "public_url": None,
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
            "object": "database",
            "id": self.id,
            "created_time": format_timestamp(self.created),
            "last_edited_time": format_timestamp(self.edited),
            "title": rich_text_items(self.title),
            "description": [],
            "icon": None,
            "cover": None,
            "parent": self.parent,
            "is_inline": False,
            "in_trash": False,
            "is_locked": False,
            "data_sources": [{"id": s.id, "name": s.title} for s in sources],
            "url": "https://www.notion.so/" + self.id.replace("-", ""),
            "public_url": None,
        }


@dataclass(slots=True)
class PageRec:
    """A page: its property values are stored as Notion returns them."""

    id: str
    parent: JSON
    data_source_id: str | None
    created: datetime
    edited: datetime
    in_trash: bool = False
    properties: dict[str, JSON] = field(default_factory=dict)

    def to_json(self) -> JSON:
        return {
            "object": "page",
            "id": self.id,
            "created_time": format_timestamp(self.created),
            "last_edited_time": format_timestamp(self.edited),
            "created_by": {"object": "user", "id": _BOT_USER},
            "last_edited_by": {"object": "user", "id": _BOT_USER},
            "cover": None,
            "icon": None,
            "parent": self.parent,
            "in_trash": self.in_trash,
            "is_locked": False,
            "properties": self.properties,
            "url": "https://www.notion.so/" + self.id.replace("-", ""),
            "public_url": None,
        }


_BOT_USER: Final = "00000000-0000-4000-8000-00000000b07e"


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


def empty_value(schema: JSON) -> JSON:
    """The value a page shows for a property it has no value for."""
    type_ = schema["type"]
    value: Any
    if type_ in ("title", "rich_text", "multi_select", "people", "relation", "files"):
        value = []
    elif type_ == "checkbox":
        value = False
    elif type_ == "formula":
        value = {"type": "number", "number": None}
    else:
        value = None
    out: JSON = {"id": schema["id"], "type": type_, type_: value}
    if type_ == "relation":
        out["has_more"] = False
    return out


def _date_of(value: JSON | None) -> datetime | None:
    if value is None or value.get("type") != "date" or not value.get("date"):
        return None
    return as_utc(parse_date_value(value["date"]["start"]))


def compute_formula(schema: JSON, properties: dict[str, JSON]) -> JSON:
    """The result of a formula: the timetrack "Hours" formula is computed, others give null."""
    expression: str = schema["formula"]["expression"]
    refs = _PROP_REF.findall(expression)
    result: JSON = {"type": "number", "number": None}
    if "dateBetween" in expression or ("Start" in refs and "End" in refs):
        if "Start" in refs and "End" in refs:
            start_name, end_name = "Start", "End"
        elif len(refs) >= 2:
            end_name, start_name = refs[0], refs[1]
        else:
            return result
        start, end = _date_of(properties.get(start_name)), _date_of(properties.get(end_name))
        if start is not None and end is not None:
            result["number"] = round((end - start).total_seconds() / 3600, 2)
    return result


def text_of(value: JSON) -> str:
    """Plain text of a title/rich_text/url/email/phone value."""
    raw = value.get(value["type"])
    if isinstance(raw, list):
        return plain_text(raw)
    return raw if isinstance(raw, str) else ""
