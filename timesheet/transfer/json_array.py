"""A JSON file that should hold an array of records, read with one-line refusals."""

from __future__ import annotations

import json
import re
from typing import Final

from timesheet.transfer.records import NotThisFormat

__all__ = ["read_array"]

#: A comma before the closing bracket: timew's own manual shows its export that way.
_TRAILING_COMMA: Final = re.compile(r",(\s*\]\s*)$")


def read_array(data: bytes, *, what: str) -> list[object]:
    """The JSON array in ``data`` (UTF-8, a byte order mark forgiven, and a trailing comma
    before the final ``]``); `NotThisFormat` naming ``what`` the file should be otherwise."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NotThisFormat(f"not {what}: not UTF-8 text (byte {exc.start + 1})") from None
    try:
        value = json.loads(_TRAILING_COMMA.sub(r"\1", text))
    except json.JSONDecodeError as exc:
        raise NotThisFormat(
            f"not {what}: not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None
    if not isinstance(value, list):
        raise NotThisFormat(f"not {what}: not a JSON array (a {_json_kind(value)})")
    return value


def _json_kind(value: object) -> str:
    if isinstance(value, dict):
        return "JSON object"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    return "number"
