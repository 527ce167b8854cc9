"""Typed page property values (title, date, select, ...), read from and written to Notion JSON.

Part of the models (re-exported by `_models`): one set of frozen dataclasses serves both
directions, `from_json` parses what Notion returns, `to_json` writes what Notion expects.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, ClassVar, Final, Self, TypeAlias
from zoneinfo import ZoneInfo

from ._types import JSONObject

__all__ = [
    "MAX_ARRAY_ITEMS",
    "MAX_RICH_TEXT_ITEMS",
    "MAX_TEXT_LENGTH",
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
    "parse_datetime",
    "parse_property_value",
    "plain_text",
    "rich_text_json",
]

MAX_TEXT_LENGTH: Final = 2000
"""Characters per rich-text item (Notion counts UTF-16 code units)."""
MAX_RICH_TEXT_ITEMS: Final = 100
"""Items per rich-text array."""
MAX_ARRAY_ITEMS: Final = 100
"""Elements in multi_select / relation / people arrays."""


# --- helpers -------------------------------------------------------------------------------


def plain_text(items: Any) -> str:
    """Concatenate the `plain_text` of a rich-text array (tolerates `text.content` only)."""
    if not isinstance(items, list):
        return ""
    parts: list[str] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        text = item.get("plain_text")
        if text is None:
            text = (item.get("text") or {}).get("content", "")
        parts.append(str(text))
    return "".join(parts)


def _split_text(text: str) -> Iterator[str]:
    # Split on UTF-16 length (Notion's measure) without ever cutting a surrogate pair.
    chunk: list[str] = []
    size = 0
    for char in text:
        width = 2 if ord(char) > 0xFFFF else 1
        if size + width > MAX_TEXT_LENGTH:
            yield "".join(chunk)
            chunk, size = [], 0
        chunk.append(char)
        size += width
    if chunk:
        yield "".join(chunk)


def rich_text_json(text: str) -> list[JSONObject]:
    """A rich-text array for `text`: items of at most 2,000 characters, at most 100 items."""
    chunks = list(_split_text(text))
    if len(chunks) > MAX_RICH_TEXT_ITEMS:
        raise ValueError(
            f"text of {len(text)} characters needs {len(chunks)} rich-text items; "
            f"Notion allows at most {MAX_RICH_TEXT_ITEMS} of {MAX_TEXT_LENGTH} characters"
        )
    return [{"text": {"content": chunk}} for chunk in chunks]


def parse_datetime(value: str) -> datetime:
    """Parse an ISO 8601 datetime from Notion; a value without offset is taken as UTC."""
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _parse_date_or_datetime(value: str, time_zone: str | None) -> datetime | date:
    if "T" not in value and len(value) == 10:
        return date.fromisoformat(value)
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(time_zone) if time_zone else UTC)
    return parsed


def _write_date(value: datetime | date | None, time_zone: str | None, what: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        return value.isoformat()
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got naive datetime {value.isoformat()}")
    if time_zone is not None:
        # With an explicit IANA zone Notion wants local wall time without an offset.
        return value.astimezone(ZoneInfo(time_zone)).replace(tzinfo=None).isoformat()
    return value.isoformat()


def _names(items: Any) -> tuple[str, ...]:
    return tuple(str(item["name"]) for item in items or () if isinstance(item, dict))


def _ids(items: Any) -> tuple[str, ...]:
    return tuple(str(item["id"]) for item in items or () if isinstance(item, dict))


def _check_array(kind: str, values: tuple[str, ...]) -> None:
    if len(values) > MAX_ARRAY_ITEMS:
        raise ValueError(f"{kind} takes at most {MAX_ARRAY_ITEMS} elements, got {len(values)}")


# --- property values -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Title:
    """A title property: plain text (formatting is dropped when reading)."""

    text: str
    type: ClassVar[str] = "title"

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Self:
        return cls(plain_text(raw.get("title")))

    def to_json(self) -> JSONObject:
        return {"title": rich_text_json(self.text)}


@dataclass(frozen=True, slots=True)
class RichText:
    """A rich_text property: plain text (formatting is dropped when reading)."""

    text: str
    type: ClassVar[str] = "rich_text"

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Self:
        return cls(plain_text(raw.get("rich_text")))

    def to_json(self) -> JSONObject:
        return {"rich_text": rich_text_json(self.text)}


@dataclass(frozen=True, slots=True)
class Select:
    """A select property; `None` is empty (and clears on write)."""

    name: str | None
    type: ClassVar[str] = "select"

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Self:
        value = raw.get("select")
        return cls(str(value["name"]) if isinstance(value, dict) else None)

    def to_json(self) -> JSONObject:
        return {"select": None if self.name is None else {"name": self.name}}


@dataclass(frozen=True, slots=True)
class Status:
    """A status property; `None` is empty."""

    name: str | None
    type: ClassVar[str] = "status"

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Self:
        value = raw.get("status")
        return cls(str(value["name"]) if isinstance(value, dict) else None)

    def to_json(self) -> JSONObject:
        return {"status": None if self.name is None else {"name": self.name}}


@dataclass(frozen=True, slots=True)
class MultiSelect:
    """A multi_select property (option names, in Notion's order)."""

    names: tuple[str, ...]
    type: ClassVar[str] = "multi_select"

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Self:
        return cls(_names(raw.get("multi_select")))

    def to_json(self) -> JSONObject:
        _check_array("multi_select", self.names)
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
            _parse_date_or_datetime(str(value["start"]), time_zone),
            _parse_date_or_datetime(str(end), time_zone) if end else None,
            time_zone,
        )

    def value_json(self) -> JSONObject | None:
        """The inner `{start, end[, time_zone]}` object, or None when empty."""
        if self.start is None:
            if self.end is not None:
                raise ValueError("a date with an end needs a start")
            return None
        body: JSONObject = {
            "start": _write_date(self.start, self.time_zone, "Date.start"),
            "end": _write_date(self.end, self.time_zone, "Date.end"),
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
class People:
    """A people property (user ids)."""

    ids: tuple[str, ...]
    type: ClassVar[str] = "people"

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Self:
        return cls(_ids(raw.get("people")))

    def to_json(self) -> JSONObject:
        _check_array("people", self.ids)
        return {"people": [{"object": "user", "id": user_id} for user_id in self.ids]}


@dataclass(frozen=True, slots=True)
class Relation:
    """A relation property (related page ids)."""

    ids: tuple[str, ...]
    type: ClassVar[str] = "relation"

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Self:
        return cls(_ids(raw.get("relation")))

    def to_json(self) -> JSONObject:
        _check_array("relation", self.ids)
        return {"relation": [{"id": page_id} for page_id in self.ids]}


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
class CreatedTime:
    """A created_time property (read only; Notion rounds it down to the minute)."""

    value: datetime
    type: ClassVar[str] = "created_time"

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Self:
        return cls(parse_datetime(str(raw["created_time"])))

    def to_json(self) -> JSONObject:
        """The response shape; Notion refuses it on write."""
        return {"created_time": self.value.isoformat()}


@dataclass(frozen=True, slots=True)
class LastEditedTime:
    """A last_edited_time property (read only; Notion rounds it down to the minute)."""

    value: datetime
    type: ClassVar[str] = "last_edited_time"

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Self:
        return cls(parse_datetime(str(raw["last_edited_time"])))

    def to_json(self) -> JSONObject:
        """The response shape; Notion refuses it on write."""
        return {"last_edited_time": self.value.isoformat()}


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
