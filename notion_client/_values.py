"""Typed page property values (title, date, select, ...), read from and written to Notion JSON.

One set of frozen dataclasses serves both directions: `from_json` parses what Notion returns,
`to_json` writes what Notion expects. Values of the same shape (two text types, two option types,
two id arrays, two timestamps) share a private base that reads and writes the key named `type`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar, Final, Self, TypeAlias

from ._fragments import (
    MAX_TEXT_LENGTH,
    check_array,
    ids_of,
    names_of,
    parse_date_or_datetime,
    parse_datetime,
    plain_text,
    rich_text_json,
    write_date,
)
from ._types import JSONObject

__all__ = [
    "Checkbox",
    "CreatedTime",
    "Date",
    "Formula",
    "LastEditedTime",
    "MultiSelect",
    "Number",
    "People",
    "PropertyValue",
    "Relation",
    "RichText",
    "Select",
    "Status",
    "Title",
    "UnknownProperty",
    "Url",
    "parse_property_value",
]


# --- shared shapes -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _TextValue:
    """Plain text under the key `type` (formatting is dropped when reading)."""

    text: str
    type: ClassVar[str]

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Self:
        return cls(plain_text(raw.get(cls.type)))

    def to_json(self) -> JSONObject:
        return {self.type: rich_text_json(self.text)}


@dataclass(frozen=True, slots=True)
class _OptionValue:
    """One option name under the key `type`; `None` is empty."""

    name: str | None
    type: ClassVar[str]

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Self:
        value = raw.get(cls.type)
        return cls(str(value["name"]) if isinstance(value, dict) else None)

    def to_json(self) -> JSONObject:
        return {self.type: None if self.name is None else {"name": self.name}}


@dataclass(frozen=True, slots=True)
class _IdsValue:
    """An array of objects named by id under the key `type`."""

    ids: tuple[str, ...]
    type: ClassVar[str]
    item_fields: ClassVar[Mapping[str, str]] = {}
    """What each written element carries besides its `id`."""

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Self:
        return cls(ids_of(raw.get(cls.type)))

    def to_json(self) -> JSONObject:
        check_array(self.type, self.ids)
        return {self.type: [{**self.item_fields, "id": id_} for id_ in self.ids]}


@dataclass(frozen=True, slots=True)
class _TimestampValue:
    """A timestamp Notion sets (read only; Notion rounds it down to the minute)."""

    value: datetime
    type: ClassVar[str]

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Self:
        return cls(parse_datetime(str(raw[cls.type])))

    def to_json(self) -> JSONObject:
        """The response shape; Notion refuses it on write."""
        return {self.type: self.value.isoformat()}


# --- property values -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Title(_TextValue):
    """A title property: plain text (formatting is dropped when reading)."""

    type: ClassVar[str] = "title"


@dataclass(frozen=True, slots=True)
class RichText(_TextValue):
    """A rich_text property: plain text (formatting is dropped when reading)."""

    type: ClassVar[str] = "rich_text"


@dataclass(frozen=True, slots=True)
class Select(_OptionValue):
    """A select property; `None` is empty (and clears on write)."""

    type: ClassVar[str] = "select"


@dataclass(frozen=True, slots=True)
class Status(_OptionValue):
    """A status property; `None` is empty."""

    type: ClassVar[str] = "status"


@dataclass(frozen=True, slots=True)
class MultiSelect:
    """A multi_select property (option names, in Notion's order)."""

    names: tuple[str, ...]
    type: ClassVar[str] = "multi_select"

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Self:
        return cls(names_of(raw.get("multi_select")))

    def to_json(self) -> JSONObject:
        check_array("multi_select", self.names)
        return {"multi_select": [{"name": name} for name in self.names]}


@dataclass(frozen=True, slots=True)
class Date:
    """A date property: aware datetimes or dates; `Date(None)` is empty and clears on write."""

    start: datetime | date | None
    end: datetime | date | None = None
    time_zone: str | None = None
    type: ClassVar[str] = "date"

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Self:
        return cls.from_value(raw.get("date"))

    @classmethod
    def from_value(cls, value: Any) -> Self:
        """Parse the inner `{start, end, time_zone}` object (or null)."""
        if not isinstance(value, dict) or not value.get("start"):
            return cls(None)
        time_zone = value.get("time_zone")
        end = value.get("end")
        return cls(
            parse_date_or_datetime(str(value["start"]), time_zone),
            parse_date_or_datetime(str(end), time_zone) if end else None,
            time_zone,
        )

    def value_json(self) -> JSONObject | None:
        """The inner `{start, end[, time_zone]}` object, or None when empty."""
        if self.start is None:
            if self.end is not None:
                raise ValueError("a date with an end needs a start")
            return None
        body: JSONObject = {
            "start": write_date(self.start, self.time_zone, "Date.start"),
            "end": write_date(self.end, self.time_zone, "Date.end"),
        }
        if self.time_zone is not None:
            body["time_zone"] = self.time_zone
        return body

    def to_json(self) -> JSONObject:
        return {"date": self.value_json()}


@dataclass(frozen=True, slots=True)
class Number:
    """A number property; `None` is empty (and clears on write)."""

    value: float | None
    type: ClassVar[str] = "number"

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Self:
        return cls(raw.get("number"))

    def to_json(self) -> JSONObject:
        return {"number": self.value}


@dataclass(frozen=True, slots=True)
class Checkbox:
    """A checkbox property."""

    value: bool
    type: ClassVar[str] = "checkbox"

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Self:
        return cls(bool(raw.get("checkbox")))

    def to_json(self) -> JSONObject:
        return {"checkbox": self.value}


@dataclass(frozen=True, slots=True)
class Url:
    """A url property; `None` is empty (and clears on write)."""

    url: str | None
    type: ClassVar[str] = "url"

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Self:
        value = raw.get("url")
        return cls(None if value is None else str(value))

    def to_json(self) -> JSONObject:
        if self.url is not None and len(self.url) > MAX_TEXT_LENGTH:
            raise ValueError(f"a URL may have at most {MAX_TEXT_LENGTH} characters")
        return {"url": self.url}


@dataclass(frozen=True, slots=True)
class People(_IdsValue):
    """A people property (user ids)."""

    type: ClassVar[str] = "people"
    item_fields: ClassVar[Mapping[str, str]] = {"object": "user"}


@dataclass(frozen=True, slots=True)
class Relation(_IdsValue):
    """A relation property (related page ids)."""

    type: ClassVar[str] = "relation"


@dataclass(frozen=True, slots=True)
class Formula:
    """A formula result (read only): string, number, boolean, date or None."""

    value: str | float | bool | Date | None
    type: ClassVar[str] = "formula"

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Self:
        result = raw.get("formula") or {}
        kind = result.get("type")
        if kind == "date":
            parsed = Date.from_value(result.get("date"))
            return cls(None if parsed.start is None else parsed)
        if kind in ("string", "number", "boolean"):
            value = result.get(kind)
            return cls(value if isinstance(value, str | int | float | bool) else None)
        return cls(None)

    def to_json(self) -> JSONObject:
        """The response shape (`{"formula": {"type": .., ..}}`); Notion refuses it on write."""
        value = self.value
        if isinstance(value, Date):
            return {"formula": {"type": "date", "date": value.value_json()}}
        if isinstance(value, bool):
            return {"formula": {"type": "boolean", "boolean": value}}
        if isinstance(value, int | float):
            return {"formula": {"type": "number", "number": value}}
        return {"formula": {"type": "string", "string": value}}


@dataclass(frozen=True, slots=True)
class CreatedTime(_TimestampValue):
    """A created_time property (read only; Notion rounds it down to the minute)."""

    type: ClassVar[str] = "created_time"


@dataclass(frozen=True, slots=True)
class LastEditedTime(_TimestampValue):
    """A last_edited_time property (read only; Notion rounds it down to the minute)."""

    type: ClassVar[str] = "last_edited_time"


@dataclass(frozen=True, slots=True)
class UnknownProperty:
    """A property of a type this client does not model, kept as Notion sent it."""

    type: str  # an instance field here, a ClassVar on the modelled values
    raw: Mapping[str, Any]

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Self:
        return cls(str(raw.get("type", "")), dict(raw))

    def to_json(self) -> JSONObject:
        return {self.type: self.raw.get(self.type)}


PropertyValue: TypeAlias = (
    Title
    | RichText
    | Select
    | Status
    | MultiSelect
    | Date
    | Number
    | Checkbox
    | Url
    | People
    | Relation
    | Formula
    | CreatedTime
    | LastEditedTime
    | UnknownProperty
)

_VALUE_TYPES: Final[dict[str, type[PropertyValue]]] = {
    cls.type: cls
    for cls in (
        Title, RichText, Select, Status, MultiSelect, Date, Number, Checkbox, Url,
        People, Relation, Formula, CreatedTime, LastEditedTime,
    )
}  # fmt: skip


def parse_property_value(raw: Mapping[str, Any]) -> PropertyValue:
    """Parse one page property value object; unknown or malformed ones are kept raw."""
    cls = _VALUE_TYPES.get(str(raw.get("type")))
    if cls is None:
        return UnknownProperty.from_json(raw)
    try:
        return cls.from_json(raw)
    except (KeyError, TypeError, ValueError):
        return UnknownProperty.from_json(raw)
