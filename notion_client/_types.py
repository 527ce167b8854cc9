"""The UNDEFINED sentinel: "leave this field out", as opposed to None, which clears it."""

from __future__ import annotations

import enum
from typing import Any, Final, Literal, TypeAlias, TypeVar

__all__ = ["UNDEFINED", "JSONObject", "UndefinedOr", "UndefinedType"]

T = TypeVar("T")

JSONObject: TypeAlias = dict[str, Any]
"""A decoded JSON object as Notion sends and receives it."""


class UndefinedType(enum.Enum):
    """Type of the `UNDEFINED` sentinel (an enum so mypy narrows `x is UNDEFINED`)."""

    UNDEFINED = enum.auto()

    def __repr__(self) -> str:
        return "UNDEFINED"

    def __str__(self) -> str:
        return "UNDEFINED"

    def __bool__(self) -> Literal[False]:
        return False


UNDEFINED: Final = UndefinedType.UNDEFINED
"""Leave the field out of the request (sending `null` to Notion clears a property)."""

UndefinedOr: TypeAlias = T | Literal[UndefinedType.UNDEFINED]
"""A value of type `T`, or `UNDEFINED` to omit it."""
