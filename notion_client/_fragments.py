"""The JSON fragments property values are made of (rich text, dates, arrays), read and written."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from ._types import JSONObject

__all__ = [
    "MAX_ARRAY_ITEMS",
    "MAX_RICH_TEXT_ITEMS",
    "MAX_TEXT_LENGTH",
    "check_array",
    "ids_of",
    "names_of",
    "parse_date_or_datetime",
    "parse_datetime",
    "plain_text",
    "rich_text_json",
    "write_date",
]

MAX_TEXT_LENGTH: Final = 2000
"""Characters per rich-text item (Notion counts UTF-16 code units)."""
MAX_RICH_TEXT_ITEMS: Final = 100
"""Items per rich-text array."""
MAX_ARRAY_ITEMS: Final = 100
"""Elements in multi_select / relation / people arrays."""


# --- rich text -----------------------------------------------------------------------------


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


# --- dates ---------------------------------------------------------------------------------


def parse_datetime(value: str) -> datetime:
    """Parse an ISO 8601 datetime from Notion; a value without offset is taken as UTC."""
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def parse_date_or_datetime(value: str, time_zone: str | None) -> datetime | date:
    """A date property's start or end: a date, or a datetime (naive ones are in `time_zone`)."""
    if "T" not in value and len(value) == 10:
        return date.fromisoformat(value)
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(time_zone) if time_zone else UTC)
    return parsed


def write_date(value: datetime | date | None, time_zone: str | None, what: str) -> str | None:
    """A date property's start or end as Notion expects it; `what` names it in errors."""
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


# --- arrays --------------------------------------------------------------------------------


def names_of(items: Any) -> tuple[str, ...]:
    """The `name` of each object in an array (options of a multi_select)."""
    return tuple(str(item["name"]) for item in items or () if isinstance(item, dict))


def ids_of(items: Any) -> tuple[str, ...]:
    """The `id` of each object in an array (people, related pages)."""
    return tuple(str(item["id"]) for item in items or () if isinstance(item, dict))


def check_array(kind: str, values: tuple[str, ...]) -> None:
    """Refuse to write more elements than Notion takes in one array property."""
    if len(values) > MAX_ARRAY_ITEMS:
        raise ValueError(f"{kind} takes at most {MAX_ARRAY_ITEMS} elements, got {len(values)}")
