"""Checks on what people type into a timer (names, notes, clients) and on the clock.

Text is normalised first (NFC; zero-width characters removed: they make two names that look
the same different clients), then control characters are refused: they shift the columns of
a table and split rows. Notes may keep line breaks.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import datetime
from typing import Final

from timesheet.entries.errors import InvalidInput, UnknownClient

__all__ = [
    "MAX_CLIENT_LENGTH",
    "MAX_TEXT_LENGTH",
    "check_client",
    "check_text",
    "normalise",
    "to_millis",
]

#: Notion's limit per rich-text item, counted in UTF-16 code units as Notion does.
MAX_TEXT_LENGTH: Final = 2000
#: Notion's limit on a select option name.
MAX_CLIENT_LENGTH: Final = 100
#: Fields whose text may run over several lines.
_MULTILINE_FIELDS: Final = frozenset({"note"})

#: Invisible characters removed: zero-width space, non-joiner, joiner, word joiner, BOM.
_ZERO_WIDTH: Final = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
#: Refused besides the C0/C1 controls and the line and paragraph separators: the marks that
#: reorder text (a name could show a column in another place).
_DIRECTION_MARKS: Final = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_LINE_BREAK: Final = "a line break"
_CALLED: Final = {
    "\t": "a tab",
    "\r": "a carriage return",
    **dict.fromkeys("\n\x0b\x0c\x85\u2028\u2029", _LINE_BREAK),
    **dict.fromkeys(_DIRECTION_MARKS, "a direction mark"),
}


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def normalise(text: str) -> str:
    """``text`` in NFC with the zero-width characters removed."""
    return unicodedata.normalize("NFC", text).translate(_ZERO_WIDTH)


def _refuse_controls(field: str, text: str, *, multiline: bool) -> None:
    for ch in text:
        if multiline and ch == "\n":
            continue
        if ch in _DIRECTION_MARKS or unicodedata.category(ch) in ("Cc", "Zl", "Zp"):
            called = _CALLED.get(ch)
            shown = f"U+{ord(ch):04X}" + (f", {called}" if called else "")
            kept = "; only line breaks are kept" if multiline else ""
            raise InvalidInput(field, f"contains a control character ({shown}){kept}")


def check_text(
    field: str, value: str, *, limit: int = MAX_TEXT_LENGTH, multiline: bool | None = None
) -> str:
    """``value`` normalised and stripped; InvalidInput if it is blank, holds a control
    character (a line break is allowed when ``multiline``, by default for a note; CRLF becomes
    LF), or is longer than ``limit`` (UTF-16)."""
    if multiline is None:
        multiline = field in _MULTILINE_FIELDS
    text = normalise(value)
    if multiline:
        text = text.replace("\r\n", "\n")
    stripped = text.strip()
    if not stripped:
        raise InvalidInput(field, "is empty" if not value else "is blank")
    _refuse_controls(field, stripped, multiline=multiline)
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
    stripped = normalise(raw).strip()
    if not stripped:
        if custom and not presets_only:
            return ""
        if presets_only:
            raise UnknownClient(raw, presets)
        raise InvalidInput("client", "is empty" if not raw else "is blank")
    _refuse_controls("client", stripped, multiline=False)
    for preset in presets:
        if normalise(preset).casefold() == stripped.casefold():
            return preset
    if presets_only:
        raise UnknownClient(stripped, presets)
    if "," in stripped:
        raise InvalidInput("client", "can't contain a comma (Notion select options)")
    return check_text("client", stripped, limit=MAX_CLIENT_LENGTH)
