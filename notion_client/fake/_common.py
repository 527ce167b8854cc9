"""Shared pieces of the in-memory Notion: API errors, ids, timestamps, rich text."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

__all__ = [
    "JSON",
    "ApiError",
    "FakeResponse",
    "as_utc",
    "bad_request",
    "canonical_id",
    "format_datetime",
    "format_timestamp",
    "invalid",
    "new_id",
    "not_found",
    "parse_date_value",
    "plain_text",
    "rich_text_items",
    "round_to_minute",
    "text_item",
    "truncate_ms",
]

JSON = dict[str, Any]

_HEX32: Final = re.compile(r"^[0-9a-fA-F]{32}$")


class ApiError(Exception):
    """An error Notion would answer with: raised by handlers, turned into an error body."""

    def __init__(
        self, status: int, code: str, message: str, *, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})


@dataclass(slots=True)
class FakeResponse:
    """What the fake answers: status, headers and an encoded JSON body (or a dropped response)."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    drop: bool = False


def bad_request(message: str, code: str = "validation_error") -> ApiError:
    """A 400 error (validation_error unless told otherwise)."""
    return ApiError(400, code, message)


def invalid(message: str) -> ApiError:
    """A 400 validation_error about the request body, worded like Notion's."""
    return ApiError(400, "validation_error", f"body failed validation: {message}")


def not_found(kind: str, object_id: str) -> ApiError:
    """Notion's 404 for an unknown or unshared object."""
    return ApiError(
        404,
        "object_not_found",
        f"Could not find {kind} with ID: {object_id}. Make sure the relevant pages and "
        "databases are shared with your integration.",
    )


def new_id() -> str:
    """A fresh Notion-style id (UUID with dashes)."""
    return str(uuid.uuid4())


def canonical_id(raw: str, what: str) -> str:
    """Accept ids with or without dashes; return the dashed lowercase form."""
    compact = raw.replace("-", "")
    if not _HEX32.match(compact):
        raise bad_request(
            f'path failed validation: path.{what} should be a valid uuid, instead was `"{raw}"`.'
        )
    c = compact.lower()
    return f"{c[:8]}-{c[8:12]}-{c[12:16]}-{c[16:20]}-{c[20:]}"


def round_to_minute(moment: datetime) -> datetime:
    """Notion rounds created/last edited times down to the minute."""
    utc = moment.astimezone(UTC)
    return utc - timedelta(seconds=utc.second, microseconds=utc.microsecond)


def truncate_ms(moment: datetime) -> datetime:
    """Drop sub-millisecond precision (Notion keeps milliseconds)."""
    extra = moment.microsecond % 1000
    return moment - timedelta(microseconds=extra) if extra else moment


def format_timestamp(moment: datetime) -> str:
    """created_time / last_edited_time as Notion prints them: 2026-11-16T09:05:00.000Z."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


def format_datetime(moment: datetime) -> str:
    """A date property datetime, keeping its offset: 2026-11-16T09:00:00.000+01:00."""
    return moment.isoformat(timespec="milliseconds")


def parse_date_value(text: str) -> date | datetime:
    """Parse an ISO date or datetime; a datetime without zone is taken as UTC."""
    if len(text) == 10:
        return date.fromisoformat(text)
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def as_utc(value: date | datetime) -> datetime:
    """An instant for comparisons: a date-only value is midnight UTC of that day."""
    if isinstance(value, datetime):
        return truncate_ms(value.astimezone(UTC))
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


def rich_text_items(text: str) -> list[JSON]:
    """Rich text objects for a plain string, as Notion returns them."""
    if not text:
        return []
    return [text_item(text[i : i + 2000]) for i in range(0, len(text), 2000)]


def text_item(content: str, link: JSON | None = None) -> JSON:
    return {
        "type": "text",
        "text": {"content": content, "link": link},
        "annotations": {
            "bold": False,
            "italic": False,
            "strikethrough": False,
            "underline": False,
            "code": False,
            "color": "default",
        },
        "plain_text": content,
        "href": None if link is None else link.get("url"),
    }


def plain_text(items: list[JSON]) -> str:
    """Concatenated plain_text of a rich text array."""
    return "".join(str(item.get("plain_text", "")) for item in items)
