"""Notion filters and sorts: a typed vocabulary (`prop`, `timestamp`) over frozen wire objects."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Final, Literal, TypeAlias

from ._query_conditions import (
    EMPTY_OBJECT,
    CheckboxConditions,
    Condition,
    ContainsConditions,
    DateConditions,
    FormulaCondition,
    NumberConditions,
    SelectConditions,
    TextConditions,
    check_operator,
)

__all__ = [
    "MAX_FILTER_DEPTH",
    "CompoundFilter",
    "Condition",
    "Filter",
    "FilterTooDeepError",
    "FormulaCondition",
    "FormulaRef",
    "PropertyFilter",
    "PropertyRef",
    "Sort",
    "TimestampFilter",
    "TimestampRef",
    "prop",
    "timestamp",
]

TimestampName: TypeAlias = Literal["created_time", "last_edited_time"]
SortDirection: TypeAlias = Literal["ascending", "descending"]

# Notion accepts an and/or group inside an and/or group, and no deeper.
MAX_FILTER_DEPTH: Final = 2
_TIMESTAMPS: Final = ("created_time", "last_edited_time")
_DIRECTIONS: Final = ("ascending", "descending")


class FilterTooDeepError(ValueError):
    """A compound filter nests and/or groups deeper than Notion's two levels."""


class Filter(ABC):
    """A query filter. Combine with `&` / `|`; `to_json()` gives Notion's filter object."""

    __slots__ = ()

    @abstractmethod
    def to_json(self) -> dict[str, Any]:
        """A fresh dict, exactly Notion's filter JSON."""

    @property
    def depth(self) -> int:
        """How many and/or groups deep this filter nests (a single condition is 0)."""
        return 0

    def __and__(self, other: Filter) -> CompoundFilter:
        if not isinstance(other, Filter):
            return NotImplemented
        return _combine("and", self, other)

    def __or__(self, other: Filter) -> CompoundFilter:
        if not isinstance(other, Filter):
            return NotImplemented
        return _combine("or", self, other)

    def __bool__(self) -> bool:
        # `a and b` would silently drop `a`; make that mistake loud.
        raise TypeError(
            "a Filter has no truth value: combine filters with & and | (not `and`/`or`), "
            "and test for a missing filter with `is None`"
        )


@dataclass(frozen=True, slots=True, repr=False)
class PropertyFilter(Filter):
    """`{"property": name, type: condition}`, e.g. `{"property": "End", "date": {...}}`."""

    property: str
    type: str
    condition: Condition | FormulaCondition

    def __post_init__(self) -> None:
        if self.type == "formula":
            if not isinstance(self.condition, FormulaCondition):
                raise ValueError("a formula filter needs a FormulaCondition")
        elif isinstance(self.condition, FormulaCondition):
            raise ValueError(f"a FormulaCondition belongs in a formula filter, not {self.type!r}")
        else:
            check_operator(self.type, self.condition.operator)

    def to_json(self) -> dict[str, Any]:
        return {"property": self.property, self.type: self.condition.to_json()}

    def __repr__(self) -> str:
        if isinstance(self.condition, FormulaCondition):
            path = f"formula.{self.condition.type}{_call(self.condition.condition)}"
        else:
            path = f"{self.type}{_call(self.condition)}"
        return f"prop({self.property!r}).{path}"


@dataclass(frozen=True, slots=True, repr=False)
class TimestampFilter(Filter):
    """`{"timestamp": "created_time", "created_time": condition}` (a date condition)."""

    timestamp: TimestampName
    condition: Condition

    def __post_init__(self) -> None:
        _check_timestamp(self.timestamp)
        check_operator("date", self.condition.operator)

    def to_json(self) -> dict[str, Any]:
        return {"timestamp": self.timestamp, self.timestamp: self.condition.to_json()}

    def __repr__(self) -> str:
        return f"timestamp({self.timestamp!r}){_call(self.condition)}"


@dataclass(frozen=True, slots=True, repr=False)
class CompoundFilter(Filter):
    """`{"and": [...]}` or `{"or": [...]}`; refused at construction when nested too deep."""

    operator: Literal["and", "or"]
    filters: tuple[Filter, ...]

    def __post_init__(self) -> None:
        if self.operator not in ("and", "or"):
            raise ValueError(f"a compound filter is 'and' or 'or', not {self.operator!r}")
        object.__setattr__(self, "filters", tuple(self.filters))
        if not self.filters:
            raise ValueError(f"an {self.operator!r} filter needs at least one filter")
        for member in self.filters:
            if not isinstance(member, Filter):
                raise TypeError(f"not a Filter: {member!r}")
        if self.depth > MAX_FILTER_DEPTH:
            raise FilterTooDeepError(
                f"this filter nests and/or groups {self.depth} levels deep, but Notion allows at "
                f"most {MAX_FILTER_DEPTH} (an and/or group inside an and/or group); regroup the "
                f"conditions or split the query: {self!r}"
            )

    @property
    def depth(self) -> int:
        return 1 + max(member.depth for member in self.filters)

    def to_json(self) -> dict[str, Any]:
        return {self.operator: [member.to_json() for member in self.filters]}

    def __repr__(self) -> str:
        if len(self.filters) < 2:
            return f"CompoundFilter({self.operator!r}, {self.filters!r})"
        parts = (f"({m!r})" if isinstance(m, CompoundFilter) else repr(m) for m in self.filters)
        return (" & " if self.operator == "and" else " | ").join(parts)


def _combine(operator: Literal["and", "or"], left: Filter, right: Filter) -> CompoundFilter:
    return CompoundFilter(operator, (*_members(operator, left), *_members(operator, right)))


def _members(operator: str, member: Filter) -> Iterable[Filter]:
    """A group of the same kind is spliced in: `(a & b) & c` is `a & b & c`."""
    if isinstance(member, CompoundFilter) and member.operator == operator:
        return member.filters
    return (member,)


def _call(condition: Condition) -> str:
    """The builder call that makes `condition`, e.g. `.on_or_after('2026-11-16')`."""
    no_argument = condition.value is True and condition.operator in ("is_empty", "is_not_empty")
    if no_argument or condition.value is EMPTY_OBJECT:
        return f".{condition.operator}()"
    return f".{condition.operator}({condition.value!r})"


def _check_timestamp(name: str) -> None:
    if name not in _TIMESTAMPS:
        raise ValueError(f"timestamp is 'created_time' or 'last_edited_time', not {name!r}")


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class Sort:
    """One sort: `{"property": "Start", "direction": "ascending"}` or by `timestamp`."""

    property: str | None = None
    timestamp: TimestampName | None = None
    direction: SortDirection = "ascending"

    def __post_init__(self) -> None:
        if (self.property is None) == (self.timestamp is None):
            raise ValueError("a Sort needs exactly one of property= and timestamp=")
        if self.timestamp is not None:
            _check_timestamp(self.timestamp)
        if self.direction not in _DIRECTIONS:
            raise ValueError(f"direction is 'ascending' or 'descending', not {self.direction!r}")

    def to_json(self) -> dict[str, Any]:
        if self.property is not None:
            return {"property": self.property, "direction": self.direction}
        return {"timestamp": self.timestamp, "direction": self.direction}

    def __repr__(self) -> str:
        if self.property is not None:
            return f"prop({self.property!r}).{self.direction}()"
        return f"timestamp({self.timestamp!r}).{self.direction}()"


class PropertyRef:
    """`prop(name)`: pick the property's type, then a condition; or sort by it."""

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        if not isinstance(name, str) or not name:
            raise ValueError(f"a property name is a non-empty str, not {name!r}")
        self._name = name

    def __repr__(self) -> str:
        return f"prop({self._name!r})"

    def _make(self, filter_type: str) -> Callable[[Condition], PropertyFilter]:
        name = self._name
        return lambda condition: PropertyFilter(name, filter_type, condition)

    @property
    def title(self) -> TextConditions[PropertyFilter]:
        return TextConditions(self._make("title"))

    @property
    def rich_text(self) -> TextConditions[PropertyFilter]:
        return TextConditions(self._make("rich_text"))

    @property
    def url(self) -> TextConditions[PropertyFilter]:
        return TextConditions(self._make("url"))

    @property
    def email(self) -> TextConditions[PropertyFilter]:
        return TextConditions(self._make("email"))

    @property
    def phone_number(self) -> TextConditions[PropertyFilter]:
        return TextConditions(self._make("phone_number"))

    @property
    def number(self) -> NumberConditions[PropertyFilter]:
        return NumberConditions(self._make("number"))

    @property
    def checkbox(self) -> CheckboxConditions[PropertyFilter]:
        return CheckboxConditions(self._make("checkbox"))

    @property
    def select(self) -> SelectConditions[PropertyFilter]:
        return SelectConditions(self._make("select"))

    @property
    def status(self) -> SelectConditions[PropertyFilter]:
        return SelectConditions(self._make("status"))

    @property
    def multi_select(self) -> ContainsConditions[PropertyFilter]:
        return ContainsConditions(self._make("multi_select"))

    @property
    def people(self) -> ContainsConditions[PropertyFilter]:
        return ContainsConditions(self._make("people"))

    @property
    def relation(self) -> ContainsConditions[PropertyFilter]:
        return ContainsConditions(self._make("relation"))

    @property
    def date(self) -> DateConditions[PropertyFilter]:
        return DateConditions(self._make("date"))

    @property
    def formula(self) -> FormulaRef:
        return FormulaRef(self._name)

    def ascending(self) -> Sort:
        return Sort(property=self._name, direction="ascending")

    def descending(self) -> Sort:
        return Sort(property=self._name, direction="descending")


class FormulaRef:
    """`prop(name).formula`: pick the formula's result type, then a condition."""

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return f"prop({self._name!r}).formula"

    def _make(self, result_type: str) -> Callable[[Condition], PropertyFilter]:
        name = self._name
        return lambda c: PropertyFilter(name, "formula", FormulaCondition(result_type, c))

    @property
    def string(self) -> TextConditions[PropertyFilter]:
        return TextConditions(self._make("string"))

    @property
    def checkbox(self) -> CheckboxConditions[PropertyFilter]:
        return CheckboxConditions(self._make("checkbox"))

    @property
    def number(self) -> NumberConditions[PropertyFilter]:
        return NumberConditions(self._make("number"))

    @property
    def date(self) -> DateConditions[PropertyFilter]:
        return DateConditions(self._make("date"))


class TimestampRef(DateConditions[TimestampFilter]):
    """`timestamp(name)`: date conditions on created_time / last_edited_time, or sort by it."""

    __slots__ = ("_name",)

    def __init__(self, name: TimestampName) -> None:
        _check_timestamp(name)
        self._name: TimestampName = name
        super().__init__(lambda condition: TimestampFilter(name, condition))

    def __repr__(self) -> str:
        return f"timestamp({self._name!r})"

    def ascending(self) -> Sort:
        return Sort(timestamp=self._name, direction="ascending")

    def descending(self) -> Sort:
        return Sort(timestamp=self._name, direction="descending")


def prop(name: str) -> PropertyRef:
    """Start a property filter or sort: `prop("Start").date.on_or_after(t)`."""
    return PropertyRef(name)


def timestamp(name: TimestampName) -> TimestampRef:
    """Start a timestamp filter or sort: `timestamp("created_time").past_week()`."""
    return TimestampRef(name)
