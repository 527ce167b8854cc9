"""Checks on what people type into a timer (names, notes, clients) and on the clock."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Final

from timesheet.entries.errors import InvalidInput, UnknownClient

__all__ = ["MAX_CLIENT_LENGTH", "MAX_TEXT_LENGTH", "check_client", "check_text", "to_millis"]

#: Notion's limit per rich-text item, counted in UTF-16 code units as Notion does.
MAX_TEXT_LENGTH: Final = 2000
#: Notion's limit on a select option name.
MAX_CLIENT_LENGTH: Final = 100


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def check_text(field: str, value: str, *, limit: int = MAX_TEXT_LENGTH) -> str:
    """``value`` stripped; InvalidInput if it is blank or longer than ``limit`` (UTF-16)."""
    stripped = value.strip()
    if not stripped:
        raise InvalidInput(field, "is empty" if not value else "is blank")
    length = _utf16_len(stripped)
    if length > limit:
        raise InvalidInput(field, f"is too long ({length:,} characters, max {limit:,})")
    return stripped


def to_millis(moment: datetime) -> datetime:
    """``moment`` to the millisecond (what Notion stores); refuses naive datetimes."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("the tracker clock must return timezone-aware datetimes")
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def check_client(
    client: str | None, presets: Sequence[str], *, presets_only: bool, custom: bool
) -> str:
    """The client name to write: a preset's own spelling, else the checked free text.

    ``custom``: the timer has a name of its own, so the client may be left empty (unless
    ``presets_only``).
    """
    raw = client or ""
    stripped = raw.strip()
    if not stripped:
        if custom and not presets_only:
            return ""
        if presets_only:
            raise UnknownClient(raw, presets)
        raise InvalidInput("client", "is empty" if not raw else "is blank")
    for preset in presets:
        if preset.casefold() == stripped.casefold():
            return preset
    if presets_only:
        raise UnknownClient(stripped, presets)
    if "," in stripped:
        raise InvalidInput("client", "can't contain a comma (Notion select options)")
    return check_text("client", stripped, limit=MAX_CLIENT_LENGTH)
