"""Filter conditions: the `{operator: value}` wire object and one typed builder per filter type."""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from types import MappingProxyType
from typing import Any, Final, Generic, TypeAlias, TypeVar

__all__ = [
    "EMPTY_OBJECT",
    "OPERATORS",
    "CheckboxConditions",
    "Condition",
    "ConditionValue",
    "ContainsConditions",
    "DateConditions",
    "FormulaCondition",
    "NumberConditions",
    "SelectConditions",
    "TextConditions",
    "check_operator",
    "date_value",
]


class _EmptyObject(enum.Enum):
    """The `{}` that relative date conditions (`past_week`, ...) take as their value."""

    EMPTY = "{}"

    def __repr__(self) -> str:
        return "{}"


EMPTY_OBJECT: Final = _EmptyObject.EMPTY

ConditionValue: TypeAlias = "str | int | float | bool | _EmptyObject"

_TEXT: Final = frozenset(
    {"equals", "does_not_equal", "contains", "does_not_contain", "starts_with", "ends_with",
     "is_empty", "is_not_empty"}
)
_NUMBER: Final = frozenset(
    {"equals", "does_not_equal", "greater_than", "less_than", "greater_than_or_equal_to",
     "less_than_or_equal_to", "is_empty", "is_not_empty"}
)
_CHECKBOX: Final = frozenset({"equals", "does_not_equal"})
_SELECT: Final = frozenset({"equals", "does_not_equal", "is_empty", "is_not_empty"})
_CONTAINS: Final = frozenset({"contains", "does_not_contain", "is_empty", "is_not_empty"})
_RELATIVE_DATE: Final = frozenset(
    {"past_week", "past_month", "past_year", "this_week", "next_week", "next_month", "next_year"}
)
_DATE: Final = frozenset(
    {"equals", "before", "after", "on_or_before", "on_or_after", "is_empty", "is_not_empty"}
) | _RELATIVE_DATE

# Operators Notion accepts per filter type; formula results use the "string"/... keys.
OPERATORS: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {
        "title": _TEXT, "rich_text": _TEXT, "url": _TEXT, "email": _TEXT, "phone_number": _TEXT,
        "string": _TEXT, "number": _NUMBER, "checkbox": _CHECKBOX, "select": _SELECT,
        "status": _SELECT, "multi_select": _CONTAINS, "people": _CONTAINS, "relation": _CONTAINS,
        "date": _DATE,
    }
)
_FORMULA_TYPES: Final = frozenset({"string", "checkbox", "number", "date"})
_DATE_ONLY: Final = re.compile(r"\d{4}-\d{2}-\d{2}")


def check_operator(filter_type: str, operator: str) -> None:
    """Raise ValueError unless Notion accepts `operator` for a `filter_type` filter."""
    allowed = OPERATORS.get(filter_type)
    if allowed is None or filter_type == "string":
        raise ValueError(f"unknown filter type {filter_type!r}")
    if operator not in allowed:
        raise ValueError(f"{filter_type!r} filters have no {operator!r} condition")


@dataclass(frozen=True, slots=True)
class Condition:
    """One condition exactly as Notion writes it: `{operator: value}`."""

    operator: str
    value: ConditionValue

    def to_json(self) -> dict[str, Any]:
        return {self.operator: {} if isinstance(self.value, _EmptyObject) else self.value}


@dataclass(frozen=True, slots=True)
class FormulaCondition:
    """A condition on a formula's result: `{result_type: {operator: value}}`."""

    type: str
    condition: Condition

    def __post_init__(self) -> None:
        if self.type not in _FORMULA_TYPES:
            raise ValueError(
                f"formula results are string, checkbox, number or date, not {self.type!r}"
            )
        if self.condition.operator not in OPERATORS[self.type]:
            raise ValueError(f"formula {self.type!r} has no {self.condition.operator!r} condition")

    def to_json(self) -> dict[str, Any]:
        return {self.type: self.condition.to_json()}


def date_value(value: datetime | date | str) -> str:
    """Serialise a filter date: aware datetime -> ISO 8601 with offset, to the millisecond.

    A `date` gives YYYY-MM-DD. ISO strings are accepted (that is what `repr` prints) and
    normalised the same way. Naive datetimes are refused: Notion would silently read them as UTC.
    """
    if isinstance(value, str):
        value = _parse_iso(value)
    if isinstance(value, datetime):
        if value.utcoffset() is None:
            raise ValueError(
                f"naive datetime {value.isoformat()} in a filter: Notion would read it as UTC; "
                "give it a time zone (e.g. tzinfo=ZoneInfo(...)) or pass a date"
            )
        # Notion compares to the millisecond; isoformat truncates the microseconds.
        return value.isoformat(timespec="milliseconds")
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(
        f"a date filter needs a datetime, date or ISO string, not {type(value).__name__}"
    )


def _parse_iso(text: str) -> datetime | date:
    try:
        if _DATE_ONLY.fullmatch(text):
            return date.fromisoformat(text)
        return datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not an ISO 8601 date or datetime: {text!r}") from None


def _text(value: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"a text condition needs a str, not {type(value).__name__}")
    return value


def _number(value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"a number condition needs an int or float, not {type(value).__name__}")
    if not math.isfinite(value):
        raise ValueError(f"a number condition needs a finite number, not {value!r}")
    return value


F = TypeVar("F")


class _Conditions(Generic[F]):
    """Base of the builders: `make` wraps a Condition into the filter it belongs to."""

    __slots__ = ("_make",)

    def __init__(self, make: Callable[[Condition], F]) -> None:
        self._make = make

    def _condition(self, operator: str, value: ConditionValue) -> F:
        return self._make(Condition(operator, value))


class _EmptyChecks(_Conditions[F]):
    __slots__ = ()

    def is_empty(self) -> F:
        return self._condition("is_empty", True)

    def is_not_empty(self) -> F:
        return self._condition("is_not_empty", True)


class TextConditions(_EmptyChecks[F]):
    """title, rich_text, url, email, phone_number, and string formula results."""

    __slots__ = ()

    def equals(self, value: str) -> F:
        return self._condition("equals", _text(value))

    def does_not_equal(self, value: str) -> F:
        return self._condition("does_not_equal", _text(value))

    def contains(self, value: str) -> F:
        return self._condition("contains", _text(value))

    def does_not_contain(self, value: str) -> F:
        return self._condition("does_not_contain", _text(value))

    def starts_with(self, value: str) -> F:
        return self._condition("starts_with", _text(value))

    def ends_with(self, value: str) -> F:
        return self._condition("ends_with", _text(value))


class NumberConditions(_EmptyChecks[F]):
    """number properties and number formula results."""

    __slots__ = ()

    def equals(self, value: float) -> F:
        return self._condition("equals", _number(value))

    def does_not_equal(self, value: float) -> F:
        return self._condition("does_not_equal", _number(value))

    def greater_than(self, value: float) -> F:
        return self._condition("greater_than", _number(value))

    def less_than(self, value: float) -> F:
        return self._condition("less_than", _number(value))

    def greater_than_or_equal_to(self, value: float) -> F:
        return self._condition("greater_than_or_equal_to", _number(value))

    def less_than_or_equal_to(self, value: float) -> F:
        return self._condition("less_than_or_equal_to", _number(value))


class CheckboxConditions(_Conditions[F]):
    """checkbox properties and checkbox formula results."""

    __slots__ = ()

    def equals(self, value: bool) -> F:
        return self._condition("equals", _bool(value))

    def does_not_equal(self, value: bool) -> F:
        return self._condition("does_not_equal", _bool(value))


def _bool(value: bool) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"a checkbox condition needs a bool, not {type(value).__name__}")
    return value


class SelectConditions(_EmptyChecks[F]):
    """select and status properties (by option name)."""

    __slots__ = ()

    def equals(self, name: str) -> F:
        return self._condition("equals", _text(name))

    def does_not_equal(self, name: str) -> F:
        return self._condition("does_not_equal", _text(name))


class ContainsConditions(_EmptyChecks[F]):
    """multi_select (option names), people (user ids) and relation (page ids)."""

    __slots__ = ()

    def contains(self, value: str) -> F:
        return self._condition("contains", _text(value))

    def does_not_contain(self, value: str) -> F:
        return self._condition("does_not_contain", _text(value))


class DateConditions(_EmptyChecks[F]):
    """date properties, date formula results and the created/last edited timestamps."""

    __slots__ = ()

    def equals(self, value: datetime | date | str) -> F:
        return self._condition("equals", date_value(value))

    def before(self, value: datetime | date | str) -> F:
        return self._condition("before", date_value(value))

    def after(self, value: datetime | date | str) -> F:
        return self._condition("after", date_value(value))

    def on_or_before(self, value: datetime | date | str) -> F:
        return self._condition("on_or_before", date_value(value))

    def on_or_after(self, value: datetime | date | str) -> F:
        return self._condition("on_or_after", date_value(value))

    def past_week(self) -> F:
        return self._condition("past_week", EMPTY_OBJECT)

    def past_month(self) -> F:
        return self._condition("past_month", EMPTY_OBJECT)

    def past_year(self) -> F:
        return self._condition("past_year", EMPTY_OBJECT)

    def this_week(self) -> F:
        return self._condition("this_week", EMPTY_OBJECT)

    def next_week(self) -> F:
        return self._condition("next_week", EMPTY_OBJECT)

    def next_month(self) -> F:
        return self._condition("next_month", EMPTY_OBJECT)

    def next_year(self) -> F:
        return self._condition("next_year", EMPTY_OBJECT)
