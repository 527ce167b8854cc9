"""Query filters and sorts: Notion's filter JSON compiled once into per-page predicates."""

from __future__ import annotations

import calendar
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

from ._common import JSON, as_utc, bad_request, invalid, parse_date_value, truncate_ms
from ._page import PageRec
from ._schema import DataSourceRec

__all__ = ["MAX_DEPTH", "Predicate", "compile_filter", "sort_pages"]

Predicate = Callable[[PageRec], bool]
Getter = Callable[[PageRec], Any]
MAX_DEPTH: Final = 2
TEXT_TYPES: Final = frozenset({"title", "rich_text", "url", "email", "phone_number"})
RELATIVE: Final = frozenset(
    {"past_week", "past_month", "past_year", "this_week", "next_week", "next_month", "next_year"}
)


def compile_filter(raw: Any, source: DataSourceRec, now: datetime) -> Predicate:
    """Validate a query filter and turn it into a predicate over pages."""
    return _compile(raw, source, now, 0, "body.filter")


def _compile(raw: Any, source: DataSourceRec, now: datetime, depth: int, where: str) -> Predicate:
    if not isinstance(raw, dict):
        raise invalid(f"{where} should be an object.")
    for kind in ("and", "or"):
        if kind in raw:
            if len(raw) != 1 or not isinstance(raw[kind], list):
                raise invalid(f"{where}.{kind} should be an array alone.")
            if depth + 1 > MAX_DEPTH:
                raise invalid(f"{where} is nested more than {MAX_DEPTH} levels deep.")
            parts = [
                _compile(item, source, now, depth + 1, f"{where}.{kind}[{i}]")
                for i, item in enumerate(raw[kind])
            ]
            if kind == "and":
                return lambda page: all(part(page) for part in parts)
            return lambda page: any(part(page) for part in parts)
    if "timestamp" in raw:
        stamp = raw["timestamp"]
        if stamp not in ("created_time", "last_edited_time") or not isinstance(
            raw.get(stamp), dict
        ):
            raise invalid(f"{where}.timestamp `{stamp}` is not supported.")
        getter: Getter = _created if stamp == "created_time" else _edited
        return _date_condition(raw[stamp], getter, now, f"{where}.{stamp}")
    if "property" not in raw:
        raise invalid(f"{where} should define a property, timestamp, and or or.")
    name = raw["property"]
    schema = source.lookup(name) if isinstance(name, str) else None
    if schema is None:
        raise bad_request(f"Could not find property with name or id: {name}")
    kinds = [k for k in raw if k not in ("property", "type")]
    if len(kinds) != 1 or not isinstance(raw[kinds[0]], dict):
        raise invalid(f"{where} should have exactly one condition.")
    kind = kinds[0]
    ptype = schema["type"]
    cond = raw[kind]
    here = f"{where}.{kind}"
    if kind != ptype and not (kind == "date" and ptype in ("created_time", "last_edited_time")):
        raise bad_request(
            f"database property {ptype} does not match filter {kind} (property `{schema['name']}`)."
        )
    pname: str = schema["name"]
    if ptype == "formula":
        return _formula_condition(cond, pname, now, here)
    return _condition(kind, ptype, cond, _getter(ptype, pname), now, here)


def _condition(
    kind: str, ptype: str, cond: JSON, get: Getter, now: datetime, where: str
) -> Predicate:
    if kind in TEXT_TYPES or kind == "string":
        return _text_condition(cond, get, where)
    if kind == "number":
        return _number_condition(cond, get, where)
    if kind == "checkbox":
        return _checkbox_condition(cond, get, where)
    if kind in ("select", "status"):
        return _select_condition(cond, get, where)
    if kind in ("multi_select", "people", "relation"):
        return _contains_condition(cond, get, where)
    if kind in ("date", "created_time", "last_edited_time"):
        return _date_condition(cond, get, now, where)
    raise invalid(f"filtering on `{kind}` is not supported.")


def _one(cond: JSON, allowed: Sequence[str], where: str) -> tuple[str, Any]:
    if len(cond) != 1:
        raise invalid(f"{where} should have exactly one condition.")
    op, value = next(iter(cond.items()))
    if op not in allowed:
        raise invalid(f"{where}.{op} is not a valid condition.")
    if op in ("is_empty", "is_not_empty") and value is not True:
        raise invalid(f"{where}.{op} should be `true`.")
    return op, value


def _expect(value: Any, types: type | tuple[type, ...], where: str, what: str) -> None:
    if isinstance(value, bool) and bool not in (types if isinstance(types, tuple) else (types,)):
        raise invalid(f"{where} should be {what}.")
    if not isinstance(value, types):
        raise invalid(f"{where} should be {what}.")


_EMPTY_OPS: Final = ("is_empty", "is_not_empty")


def _empty_check(op: str, get: Getter, is_empty: Callable[[Any], bool]) -> Predicate:
    if op == "is_empty":
        return lambda page: is_empty(get(page))
    return lambda page: not is_empty(get(page))


def _text_condition(cond: JSON, get: Getter, where: str) -> Predicate:
    ops = ("equals", "does_not_equal", "contains", "does_not_contain", "starts_with", "ends_with")
    op, value = _one(cond, (*ops, *_EMPTY_OPS), where)
    if op in _EMPTY_OPS:
        return _empty_check(op, get, lambda v: not v)
    _expect(value, str, f"{where}.{op}", "a string")
    folded = value.casefold()
    if op == "equals":
        return lambda page: (get(page) or "") == value
    if op == "does_not_equal":
        return lambda page: (get(page) or "") != value
    if op == "contains":
        return lambda page: folded in (get(page) or "").casefold()
    if op == "does_not_contain":
        return lambda page: folded not in (get(page) or "").casefold()
    if op == "starts_with":
        return lambda page: (get(page) or "").casefold().startswith(folded)
    return lambda page: (get(page) or "").casefold().endswith(folded)


def _number_condition(cond: JSON, get: Getter, where: str) -> Predicate:
    ops = (
        "equals",
        "does_not_equal",
        "greater_than",
        "less_than",
        "greater_than_or_equal_to",
        "less_than_or_equal_to",
    )
    op, value = _one(cond, (*ops, *_EMPTY_OPS), where)
    if op in _EMPTY_OPS:
        return _empty_check(op, get, lambda v: v is None)
    _expect(value, (int, float), f"{where}.{op}", "a number")
    if op == "does_not_equal":
        return lambda page: get(page) != value
    compare: Callable[[Any], bool] = {
        "equals": lambda v: v == value,
        "greater_than": lambda v: v > value,
        "less_than": lambda v: v < value,
        "greater_than_or_equal_to": lambda v: v >= value,
        "less_than_or_equal_to": lambda v: v <= value,
    }[op]

    def check(page: PageRec) -> bool:
        v = get(page)
        return v is not None and compare(v)

    return check


def _checkbox_condition(cond: JSON, get: Getter, where: str) -> Predicate:
    op, value = _one(cond, ("equals", "does_not_equal"), where)
    _expect(value, bool, f"{where}.{op}", "a boolean")
    if op == "equals":
        return lambda page: bool(get(page)) is value
    return lambda page: bool(get(page)) is not value


def _select_condition(cond: JSON, get: Getter, where: str) -> Predicate:
    op, value = _one(cond, ("equals", "does_not_equal", *_EMPTY_OPS), where)
    if op in _EMPTY_OPS:
        return _empty_check(op, get, lambda v: v is None)
    _expect(value, str, f"{where}.{op}", "a string")
    if op == "equals":
        return lambda page: get(page) == value
    return lambda page: get(page) != value


def _contains_condition(cond: JSON, get: Getter, where: str) -> Predicate:
    op, value = _one(cond, ("contains", "does_not_contain", *_EMPTY_OPS), where)
    if op in _EMPTY_OPS:
        return _empty_check(op, get, lambda v: not v)
    _expect(value, str, f"{where}.{op}", "a string")
    if op == "contains":
        return lambda page: value in (get(page) or ())
    return lambda page: value not in (get(page) or ())


def _shift_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _relative_window(op: str, now: datetime) -> tuple[datetime, datetime]:
    """[low, high] bounds of a relative date condition; day-granular on the UTC calendar."""
    now = truncate_ms(now.astimezone(UTC))
    today = now.date()
    if op == "this_week":
        monday = _midnight(today - timedelta(days=today.weekday()))
        return monday, monday + timedelta(days=7) - timedelta(milliseconds=1)
    if op.startswith("past_"):
        back = {
            "past_week": today - timedelta(days=7),
            "past_month": _shift_months(today, -1),
            "past_year": _shift_months(today, -12),
        }[op]
        return _midnight(back), now
    ahead = {
        "next_week": today + timedelta(days=7),
        "next_month": _shift_months(today, 1),
        "next_year": _shift_months(today, 12),
    }[op]
    return _midnight(today), _midnight(ahead) + timedelta(days=1) - timedelta(milliseconds=1)


def _date_condition(cond: JSON, get: Getter, now: datetime, where: str) -> Predicate:
    ops = ("equals", "before", "after", "on_or_before", "on_or_after")
    op, value = _one(cond, (*ops, *_EMPTY_OPS, *RELATIVE), where)
    if op in _EMPTY_OPS:
        return _empty_check(op, get, lambda v: v is None)
    if op in RELATIVE:
        if not isinstance(value, dict):
            raise invalid(f"{where}.{op} should be an object.")
        low, high = _relative_window(op, now)
        return lambda page: (v := get(page)) is not None and low <= v <= high
    try:
        parsed = parse_date_value(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise invalid(f"{where}.{op} should be a valid ISO 8601 date string.")
    if isinstance(parsed, datetime):
        low = high = as_utc(parsed)
    else:  # a date-only value stands for the whole UTC day [low, high]
        low = _midnight(parsed)
        high = low + timedelta(days=1) - timedelta(milliseconds=1)
    compare: Callable[[datetime], bool] = {
        "equals": lambda v: low <= v <= high,
        "before": lambda v: v < low,
        "after": lambda v: v > high,
        "on_or_before": lambda v: v <= high,
        "on_or_after": lambda v: v >= low,
    }[op]

    def check(page: PageRec) -> bool:
        v = get(page)
        return v is not None and compare(v)

    return check


def _formula_condition(cond: JSON, pname: str, now: datetime, where: str) -> Predicate:
    if len(cond) != 1:
        raise invalid(f"{where} should have exactly one condition.")
    kind, inner = next(iter(cond.items()))
    if kind not in ("string", "checkbox", "number", "date") or not isinstance(inner, dict):
        raise invalid(f"{where}.{kind} is not a formula condition.")

    def get(page: PageRec) -> Any:
        result = page.index.get(pname)
        return result if _FORMULA_TYPES[kind](result) else None

    return _condition(kind, "formula", inner, get, now, f"{where}.{kind}")


_FORMULA_TYPES: Final[dict[str, Callable[[Any], bool]]] = {
    "string": lambda v: isinstance(v, str),
    "checkbox": lambda v: isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "date": lambda v: isinstance(v, datetime),
}


def _created(page: PageRec) -> datetime:
    return page.created


def _edited(page: PageRec) -> datetime:
    return page.edited


def _getter(ptype: str, name: str) -> Getter:
    """How to read a comparable value of one property from a page (None when empty)."""
    if ptype == "created_time":
        return _created
    if ptype == "last_edited_time":
        return _edited
    if ptype in TEXT_TYPES:
        return lambda page: page.index.get(name) or ""
    return lambda page: page.index.get(name)


def sort_pages(pages: list[PageRec], sorts: Any, source: DataSourceRec) -> list[PageRec]:
    """Sort pages stably by each sort in turn; empty values always come last."""
    if sorts is None:
        return pages
    if not isinstance(sorts, list):
        raise invalid("body.sorts should be an array.")
    keys: list[tuple[Getter, bool]] = []
    for i, sort in enumerate(sorts):
        where = f"body.sorts[{i}]"
        if not isinstance(sort, dict):
            raise invalid(f"{where} should be an object.")
        direction = sort.get("direction", "ascending")
        if direction not in ("ascending", "descending"):
            raise invalid(f"{where}.direction should be ascending or descending.")
        if "timestamp" in sort:
            stamp = sort["timestamp"]
            if stamp not in ("created_time", "last_edited_time"):
                raise invalid(f"{where}.timestamp `{stamp}` is invalid.")
            keys.append(
                (_created if stamp == "created_time" else _edited, direction == "descending")
            )
            continue
        name = sort.get("property")
        schema = source.lookup(name) if isinstance(name, str) else None
        if schema is None:
            raise bad_request(f"Could not find sort property with name or id: {name}")
        keys.append((_sort_getter(schema, source), direction == "descending"))
    ordered = list(pages)
    for get, descending in reversed(keys):
        decorated = [(get(page), page) for page in ordered]
        full = [item for item in decorated if item[0] is not None]
        full.sort(key=lambda item: item[0], reverse=descending)
        ordered = [page for _, page in full] + [page for value, page in decorated if value is None]
    return ordered


def _sort_getter(schema: JSON, source: DataSourceRec) -> Getter:
    ptype, name = schema["type"], schema["name"]
    base = _getter(ptype, name)
    if ptype in TEXT_TYPES:
        return lambda page: (base(page) or None) and base(page).casefold()
    if ptype in ("select", "status"):
        order = {o["name"]: i for i, o in enumerate(schema[ptype]["options"])}
        return lambda page: None if (v := base(page)) is None else order.get(v, len(order))
    if ptype in ("multi_select", "people", "relation"):
        return lambda page: tuple(v) if (v := base(page)) else None
    return base
