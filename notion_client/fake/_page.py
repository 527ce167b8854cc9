"""Stored pages: property values kept as encoded JSON fragments plus comparable index values.

Keeping a page as strings and flat values (not nested dicts) makes 100,000 pages cheap to hold
(the garbage collector has almost nothing to walk) and a query answer a string join.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from dataclasses import dataclass, field
from datetime import datetime
from json import encoder as _json_encoder
from typing import Any, Final

from ._common import JSON, as_utc, format_timestamp, parse_date_value, plain_text

__all__ = ["BOT_USER", "PageRec", "empty_value", "encode_json", "index_value", "quoted"]

BOT_USER: Final = "00000000-0000-4000-8000-00000000b07e"
_USER_JSON: Final = json.dumps({"object": "user", "id": BOT_USER})
_TEXT_TYPES: Final = frozenset({"title", "rich_text", "url", "email", "phone_number"})


_C_ENCODER: Any = getattr(_json_encoder, "c_make_encoder", None)
_make = (
    None
    if _C_ENCODER is None
    else _C_ENCODER(
        None, None, _json_encoder.encode_basestring_ascii, None, ":", ",", False, False, True
    )
)


def encode_json(value: Any) -> str:
    """Compact JSON of a small value (the C encoder, built once, when available)."""
    if _make is None:  # pragma: no cover - pure-Python json
        return json.dumps(value, separators=(",", ":"))
    return "".join(_make(value, 0))


@functools.lru_cache(maxsize=1024)
def quoted(name: str) -> str:
    """A property name as a JSON string, for building objects by hand."""
    return json.dumps(name)


@dataclass(slots=True)
class PageRec:
    """A page. `encoded[name]` is `"name":{value object}`; `index[name]` its comparable value."""

    id: str
    parent: str  # encoded JSON of the parent object
    data_source_id: str | None
    created: datetime
    edited: datetime
    in_trash: bool = False
    encoded: dict[str, str] = field(default_factory=dict)
    index: dict[str, Any] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)

    def set(self, name: str, value: JSON) -> None:
        """Store one property value object (`{"id", "type", <type>: ...}`)."""
        type_ = value["type"]
        self.encoded[name] = quoted(name) + ":" + encode_json(value)
        self.index[name] = index_value(type_, value.get(type_))
        self.types[name] = type_

    def set_encoded(self, name: str, fragment: str, index: Any, type_: str) -> None:
        """Store a value already encoded (used for shared empty values)."""
        self.encoded[name] = fragment
        self.index[name] = index
        self.types[name] = type_

    def copy(self) -> PageRec:
        """A copy that later changes to this page leave alone."""
        return dataclasses.replace(
            self, encoded=dict(self.encoded), index=dict(self.index), types=dict(self.types)
        )

    def drop(self, name: str) -> None:
        self.encoded.pop(name, None)
        self.index.pop(name, None)
        self.types.pop(name, None)

    def rename(self, old: str, new: str) -> None:
        fragment = self.encoded.pop(old, None)
        if fragment is not None:
            self.encoded[new] = quoted(new) + fragment[len(quoted(old)) :]
            self.index[new] = self.index.pop(old)
            self.types[new] = self.types.pop(old)

    def value(self, name: str) -> JSON | None:
        """The decoded value object of one property (None if the page has no such property)."""
        fragment = self.encoded.get(name)
        if fragment is None:
            return None
        decoded: JSON = json.loads("{" + fragment + "}")[name]
        return decoded

    def encode(self) -> str:
        """The page as Notion returns it, encoded as JSON."""
        created = format_timestamp(self.created)
        edited = format_timestamp(self.edited)
        trashed = "true" if self.in_trash else "false"
        properties = ",".join(self.encoded.values())
        compact = self.id.replace("-", "")
        return (
            f'{{"object":"page","id":"{self.id}","created_time":"{created}",'
            f'"last_edited_time":"{edited}","created_by":{_USER_JSON},'
            f'"last_edited_by":{_USER_JSON},"cover":null,"icon":null,"parent":{self.parent},'
            f'"in_trash":{trashed},"is_locked":false,"properties":{{{properties}}},'
            f'"url":"https://www.notion.so/{compact}","public_url":null}}'
        )

    def to_json(self) -> JSON:
        decoded: JSON = json.loads(self.encode())
        return decoded


def index_value(type_: str, raw: Any) -> Any:
    """A flat, comparable form of a property value: None (or "" for text) when empty."""
    if type_ in _TEXT_TYPES:
        if isinstance(raw, list):
            return plain_text(raw)
        return raw if isinstance(raw, str) else ""
    if raw is None:
        return None
    if type_ in ("select", "status"):
        return raw["name"]
    if type_ == "multi_select":
        return tuple(o["name"] for o in raw)
    if type_ in ("people", "relation"):
        return tuple(o["id"] for o in raw)
    if type_ == "date":
        return as_utc(parse_date_value(raw["start"]))
    if type_ == "formula":  # the result alone: its Python type tells the formula type
        result = raw.get(raw.get("type", ""))
        if isinstance(result, dict):  # a date result
            return as_utc(parse_date_value(result["start"]))
        return result
    if type_ in ("number", "checkbox"):
        return raw
    return None


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
