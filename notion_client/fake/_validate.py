"""Validation of written property values, turning them into the values a page shows."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ._common import (
    JSON,
    bad_request,
    format_datetime,
    invalid,
    text_item,
    truncate_ms,
)
from ._page import PageRec
from ._schema import (
    COLORS,
    READ_ONLY_TYPES,
    DataSourceRec,
    check_option_name,
    compute_formula,
)

__all__ = ["apply_properties", "refresh_formulas"]

MAX_TEXT: Final = 2000
MAX_ITEMS: Final = 100

# Options to add once every property validated: (schema, option name, value to fill in).
_Pending = list[tuple[JSON, str, JSON]]


def apply_properties(source: DataSourceRec, page: PageRec, raw: Any) -> None:
    """Validate a `properties` body against the schema and store it on the page (all or nothing)."""
    if not isinstance(raw, dict):
        raise invalid("body.properties should be an object.")
    pending: _Pending = []
    updates: dict[str, JSON] = {}
    for key, value in raw.items():
        schema = source.lookup(key)
        if schema is None:
            raise bad_request(f"{key} is not a property that exists.")
        name: str = schema["name"]
        type_: str = schema["type"]
        if type_ in READ_ONLY_TYPES:
            raise bad_request(f"{name} is a {type_} property, which cannot be written.")
        if not isinstance(value, dict) or type_ not in value:
            raise bad_request(f"{name} is expected to be {type_}.")
        declared = value.get("type")
        if declared is not None and declared != type_:
            raise bad_request(f"{name} is expected to be {type_}.")
        where = f"body.properties.{name}.{type_}"
        stored: JSON = {
            "id": schema["id"],
            "type": type_,
            type_: _CONVERTERS[type_](value[type_], schema, where, pending),
        }
        if type_ == "relation":
            stored["has_more"] = False
        updates[name] = stored
    for schema, option, placeholder in pending:
        options: list[JSON] = schema[schema["type"]]["options"]
        found = next((o for o in options if o["name"] == option), None)
        if found is None:
            found = {
                "id": source.next_property_id(),
                "name": option,
                "color": COLORS[len(options) % len(COLORS)],
                "description": None,
            }
            options.append(found)
        placeholder.update(id=found["id"], name=option, color=found["color"])
    for name, stored in updates.items():
        page.set(name, stored)
    refresh_formulas(source, page)


def refresh_formulas(source: DataSourceRec, page: PageRec) -> None:
    """Recompute the page's formula values from its other properties."""
    for schema in source.properties.values():
        if schema["type"] == "formula":
            value = {
                "id": schema["id"],
                "type": "formula",
                "formula": compute_formula(schema, page.index),
            }
            page.set(schema["name"], value)


def _rich_text(value: Any, schema: JSON, where: str, pending: _Pending) -> list[JSON]:
    if not isinstance(value, list):
        raise invalid(f"{where} should be an array.")
    if len(value) > MAX_ITEMS:
        raise invalid(f"{where}.length should be ≤ `{MAX_ITEMS}`, instead was `{len(value)}`.")
    items = []
    for i, item in enumerate(value):
        here = f"{where}[{i}]"
        if not isinstance(item, dict):
            raise invalid(f"{here} should be an object.")
        kind = item.get(
            "type", "text" if "text" in item else "equation" if "equation" in item else None
        )
        if kind == "equation" and isinstance(item.get("equation"), dict):
            expr = item["equation"].get("expression")
            if not isinstance(expr, str):
                raise invalid(f"{here}.equation.expression should be a string.")
            items.append(
                {
                    "type": "equation",
                    "equation": {"expression": expr},
                    "annotations": text_item("")["annotations"],
                    "plain_text": expr,
                    "href": None,
                }
            )
            continue
        text = item.get("text")
        if kind != "text" or not isinstance(text, dict) or not isinstance(text.get("content"), str):
            raise invalid(f"{here}.text.content should be a string.")
        content: str = text["content"]
        if len(content) > MAX_TEXT:
            raise invalid(
                f"{here}.text.content.length should be ≤ `{MAX_TEXT}`, "
                f"instead was `{len(content)}`."
            )
        link = text.get("link")
        if link is not None and not (isinstance(link, dict) and isinstance(link.get("url"), str)):
            raise invalid(f"{here}.text.link should be an object or `null`.")
        made = text_item(content, link)
        if isinstance(item.get("annotations"), dict):
            made["annotations"].update(item["annotations"])
        items.append(made)
    return items


def _find_option(value: Any, schema: JSON, where: str, pending: _Pending, create: bool) -> JSON:
    options: list[JSON] = schema[schema["type"]]["options"]
    if not isinstance(value, dict):
        raise invalid(f"{where} should be an object or `null`.")
    if isinstance(value.get("id"), str):
        for option in options:
            if option["id"] == value["id"]:
                return {"id": option["id"], "name": option["name"], "color": option["color"]}
        raise invalid(f"{where}.id `{value['id']}` is not an option.")
    name = value.get("name")
    if not isinstance(name, str):
        raise invalid(f"{where}.name should be a string.")
    for option in options:
        if option["name"] == name:
            return {"id": option["id"], "name": name, "color": option["color"]}
    if not create:
        raise bad_request(f"Invalid status option. Status option `{name}` does not exist.")
    check_option_name(name, where)
    placeholder: JSON = {"id": "", "name": name, "color": "default"}
    pending.append((schema, name, placeholder))
    return placeholder


def _select(value: Any, schema: JSON, where: str, pending: _Pending) -> JSON | None:
    if value is None:
        return None
    return _find_option(value, schema, where, pending, create=schema["type"] == "select")


def _array(value: Any, where: str) -> list[Any]:
    """`value` when it is an array of at most `MAX_ITEMS` elements (refused otherwise)."""
    if not isinstance(value, list):
        raise invalid(f"{where} should be an array.")
    if len(value) > MAX_ITEMS:
        raise invalid(f"{where}.length should be ≤ `{MAX_ITEMS}`.")
    return value


def _multi_select(value: Any, schema: JSON, where: str, pending: _Pending) -> list[JSON]:
    chosen: list[JSON] = []
    for i, item in enumerate(_array(value, where)):
        option = _find_option(item, schema, f"{where}[{i}]", pending, create=True)
        if all(o["name"] != option["name"] for o in chosen):
            chosen.append(option)
    return chosen


def _moment(value: Any, zone: ZoneInfo | None, where: str) -> str:
    if not isinstance(value, str):
        raise invalid(f"{where} should be a string.")
    try:
        if len(value) == 10:
            return date.fromisoformat(value).isoformat()
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise invalid(
            f"{where} should be a valid ISO 8601 date string, instead was `{value}`."
        ) from None
    if zone is not None:
        if moment.tzinfo is not None:
            raise bad_request(f"{where}: a date with time_zone must not carry an offset.")
        moment = moment.replace(tzinfo=zone)
    elif moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return format_datetime(truncate_ms(moment))


def _date(value: Any, schema: JSON, where: str, pending: _Pending) -> JSON | None:
    if value is None:
        return None
    if not isinstance(value, dict) or "start" not in value:
        raise invalid(f"{where}.start should be defined.")
    zone_name = value.get("time_zone")
    zone = None
    if zone_name is not None:
        try:
            zone = ZoneInfo(str(zone_name))
        except (ZoneInfoNotFoundError, ValueError):
            raise invalid(f"{where}.time_zone `{zone_name}` is invalid.") from None
    start = _moment(value["start"], zone, f"{where}.start")
    end = value.get("end")
    return {
        "start": start,
        "end": None if end is None else _moment(end, zone, f"{where}.end"),
        "time_zone": None,
    }


def _number(value: Any, schema: JSON, where: str, pending: _Pending) -> float | int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise invalid(f"{where} should be a number or `null`.")
    return value


def _checkbox(value: Any, schema: JSON, where: str, pending: _Pending) -> bool:
    if not isinstance(value, bool):
        raise invalid(f"{where} should be a boolean.")
    return value


def _string(value: Any, schema: JSON, where: str, pending: _Pending) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid(f"{where} should be a string or `null`.")
    if len(value) > MAX_TEXT:
        raise invalid(f"{where}.length should be ≤ `{MAX_TEXT}`.")
    return value


def _id_list(value: Any, schema: JSON, where: str, pending: _Pending) -> list[JSON]:
    out = []
    for i, item in enumerate(_array(value, where)):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise invalid(f"{where}[{i}].id should be a string.")
        out.append(
            {"object": "user", "id": item["id"]}
            if schema["type"] == "people"
            else {"id": item["id"]}
        )
    return out


def _files(value: Any, schema: JSON, where: str, pending: _Pending) -> list[Any]:
    if not isinstance(value, list):
        raise invalid(f"{where} should be an array.")
    return list(value)


_Converter = Callable[[Any, JSON, str, _Pending], Any]
_CONVERTERS: Final[dict[str, _Converter]] = {
    "title": _rich_text,
    "rich_text": _rich_text,
    "select": _select,
    "status": _select,
    "multi_select": _multi_select,
    "date": _date,
    "number": _number,
    "checkbox": _checkbox,
    "url": _string,
    "email": _string,
    "phone_number": _string,
    "people": _id_list,
    "relation": _id_list,
    "files": _files,
}
