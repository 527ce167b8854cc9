"""Query builder: exact Notion JSON, flattening, nesting limit, immutability, repr, sorts."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from notion_client._query import (
    MAX_FILTER_DEPTH,
    CompoundFilter,
    Condition,
    Filter,
    FilterTooDeepError,
    FormulaCondition,
    PropertyFilter,
    Sort,
    TimestampFilter,
    prop,
    timestamp,
)

PARIS = ZoneInfo("Europe/Paris")
T0 = datetime(2026, 11, 16, 9, 0, tzinfo=PARIS)
T0_JSON = "2026-11-16T09:00:00.000+01:00"

A = prop("End").date.is_empty()
B = prop("Client").select.equals("Acme")
C = prop("User").rich_text.equals("123")
D = prop("Done").checkbox.equals(True)
E = prop("Hours").number.greater_than(1)


# --- one condition of every family, compared with Notion's JSON -------------------------------

TEXT_TYPES = ["title", "rich_text", "url", "email", "phone_number"]


@pytest.mark.parametrize("kind", TEXT_TYPES)
def test_text_family_conditions(kind: str) -> None:
    text = getattr(prop("P"), kind)
    cases: list[tuple[Filter, dict[str, Any]]] = [
        (text.equals("x"), {"equals": "x"}),
        (text.does_not_equal("x"), {"does_not_equal": "x"}),
        (text.contains("x"), {"contains": "x"}),
        (text.does_not_contain("x"), {"does_not_contain": "x"}),
        (text.starts_with("x"), {"starts_with": "x"}),
        (text.ends_with("x"), {"ends_with": "x"}),
        (text.is_empty(), {"is_empty": True}),
        (text.is_not_empty(), {"is_not_empty": True}),
    ]
    for built, condition in cases:
        assert built.to_json() == {"property": "P", kind: condition}


def test_number_conditions() -> None:
    n = prop("Hours").number
    assert n.equals(2).to_json() == {"property": "Hours", "number": {"equals": 2}}
    assert n.does_not_equal(2.5).to_json() == {
        "property": "Hours",
        "number": {"does_not_equal": 2.5},
    }
    assert n.greater_than(1).to_json()["number"] == {"greater_than": 1}
    assert n.less_than(1).to_json()["number"] == {"less_than": 1}
    assert n.greater_than_or_equal_to(0).to_json()["number"] == {"greater_than_or_equal_to": 0}
    assert n.less_than_or_equal_to(8).to_json()["number"] == {"less_than_or_equal_to": 8}
    assert n.is_empty().to_json()["number"] == {"is_empty": True}
    assert n.is_not_empty().to_json()["number"] == {"is_not_empty": True}


def test_checkbox_conditions() -> None:
    assert D.to_json() == {"property": "Done", "checkbox": {"equals": True}}
    built = prop("Done").checkbox.does_not_equal(False)
    assert built.to_json() == {"property": "Done", "checkbox": {"does_not_equal": False}}


@pytest.mark.parametrize("kind", ["select", "status"])
def test_select_and_status_conditions(kind: str) -> None:
    sel = getattr(prop("S"), kind)
    assert sel.equals("Acme").to_json() == {"property": "S", kind: {"equals": "Acme"}}
    assert sel.does_not_equal("Acme").to_json() == {
        "property": "S",
        kind: {"does_not_equal": "Acme"},
    }
    assert sel.is_empty().to_json() == {"property": "S", kind: {"is_empty": True}}
    assert sel.is_not_empty().to_json() == {"property": "S", kind: {"is_not_empty": True}}


@pytest.mark.parametrize("kind", ["multi_select", "people", "relation"])
def test_contains_family_conditions(kind: str) -> None:
    ref = getattr(prop("Tags"), kind)
    assert ref.contains("a").to_json() == {"property": "Tags", kind: {"contains": "a"}}
    assert ref.does_not_contain("a").to_json() == {
        "property": "Tags",
        kind: {"does_not_contain": "a"},
    }
    assert ref.is_empty().to_json() == {"property": "Tags", kind: {"is_empty": True}}
    assert ref.is_not_empty().to_json() == {"property": "Tags", kind: {"is_not_empty": True}}


def test_date_conditions_with_values() -> None:
    d = prop("Start").date
    for name in ["equals", "before", "after", "on_or_before", "on_or_after"]:
        built = getattr(d, name)(T0)
        assert built.to_json() == {"property": "Start", "date": {name: T0_JSON}}
    assert d.is_empty().to_json() == {"property": "Start", "date": {"is_empty": True}}
    assert d.is_not_empty().to_json() == {"property": "Start", "date": {"is_not_empty": True}}


RELATIVE = [
    "past_week",
    "past_month",
    "past_year",
    "this_week",
    "next_week",
    "next_month",
    "next_year",
]


@pytest.mark.parametrize("name", RELATIVE)
def test_relative_date_conditions_take_an_empty_object(name: str) -> None:
    built = getattr(prop("Start").date, name)()
    assert built.to_json() == {"property": "Start", "date": {name: {}}}
    assert json.dumps(built.to_json()) == f'{{"property": "Start", "date": {{"{name}": {{}}}}}}'


def test_formula_conditions() -> None:
    f = prop("Hours").formula
    assert f.number.greater_than(1).to_json() == {
        "property": "Hours",
        "formula": {"number": {"greater_than": 1}},
    }
    assert f.string.contains("x").to_json() == {
        "property": "Hours",
        "formula": {"string": {"contains": "x"}},
    }
    assert f.checkbox.equals(False).to_json() == {
        "property": "Hours",
        "formula": {"checkbox": {"equals": False}},
    }
    assert f.date.on_or_after(date(2026, 11, 16)).to_json() == {
        "property": "Hours",
        "formula": {"date": {"on_or_after": "2026-11-16"}},
    }
    assert f.date.next_week().to_json() == {
        "property": "Hours",
        "formula": {"date": {"next_week": {}}},
    }


@pytest.mark.parametrize("name", ["created_time", "last_edited_time"])
def test_timestamp_filters(name: Any) -> None:
    ts = timestamp(name)
    assert ts.on_or_after(T0).to_json() == {"timestamp": name, name: {"on_or_after": T0_JSON}}
    assert ts.before(date(2026, 1, 2)).to_json() == {
        "timestamp": name,
        name: {"before": "2026-01-02"},
    }
    assert ts.past_week().to_json() == {"timestamp": name, name: {"past_week": {}}}


def test_unknown_timestamp_is_refused() -> None:
    with pytest.raises(ValueError, match="created_time"):
        timestamp("archived_time")  # type: ignore[arg-type]


# --- values -------------------------------------------------------------------------------------


def test_datetimes_keep_their_offset_and_are_cut_to_milliseconds() -> None:
    def after(value: datetime) -> Any:
        return prop("S").date.after(value).to_json()["date"]["after"]

    assert after(datetime(2026, 11, 16, 8, 0, 5, 123987, tzinfo=UTC)) == (
        "2026-11-16T08:00:05.123+00:00"
    )
    minus7 = timezone(timedelta(hours=-7))
    assert after(datetime(2026, 6, 1, 23, 59, tzinfo=minus7)) == "2026-06-01T23:59:00.000-07:00"
    # Paris in summer (DST): +02:00.
    assert after(datetime(2026, 7, 1, 9, 0, tzinfo=PARIS)) == "2026-07-01T09:00:00.000+02:00"


def test_dates_serialise_as_plain_days() -> None:
    assert prop("S").date.equals(date(2026, 11, 16)).to_json()["date"] == {"equals": "2026-11-16"}


def test_naive_datetime_is_refused_with_a_clear_message() -> None:
    with pytest.raises(ValueError, match="naive datetime 2026-11-16T09:00:00"):
        prop("Start").date.on_or_after(datetime(2026, 11, 16, 9, 0))
    with pytest.raises(ValueError, match="naive"):
        timestamp("created_time").before(datetime(2026, 11, 16))
    with pytest.raises(ValueError, match="naive"):
        prop("Start").date.before("2026-11-16T09:00:00")


def test_iso_strings_are_accepted_and_normalised() -> None:
    assert prop("S").date.before("2026-11-16T08:00:00Z").to_json()["date"] == {
        "before": "2026-11-16T08:00:00.000+00:00"
    }
    assert prop("S").date.before("2026-11-16").to_json()["date"] == {"before": "2026-11-16"}
    with pytest.raises(ValueError, match="not an ISO 8601"):
        prop("S").date.before("next tuesday")


def test_wrong_value_types_are_refused() -> None:
    with pytest.raises(TypeError):
        prop("Hours").number.equals(True)
    with pytest.raises(TypeError):
        prop("Hours").number.equals("1")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="finite"):
        prop("Hours").number.greater_than(float("nan"))
    with pytest.raises(TypeError):
        prop("Done").checkbox.equals(1)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        prop("Client").select.equals(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        prop("S").date.before(1700000000)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="property name"):
        prop("")


def test_wire_objects_refuse_conditions_notion_does_not_have() -> None:
    with pytest.raises(ValueError, match="no 'contains'"):
        PropertyFilter("Start", "date", Condition("contains", "x"))
    with pytest.raises(ValueError, match="unknown filter type"):
        PropertyFilter("Start", "rollup", Condition("equals", "x"))
    with pytest.raises(ValueError, match="formula"):
        PropertyFilter("Hours", "formula", Condition("equals", 1))
    with pytest.raises(ValueError, match="formula"):
        FormulaCondition("rollup", Condition("equals", 1))
    with pytest.raises(ValueError, match="no 'starts_with'"):
        TimestampFilter("created_time", Condition("starts_with", "x"))


# --- compounds ----------------------------------------------------------------------------------


def test_and_or_json() -> None:
    assert (A & B).to_json() == {
        "and": [
            {"property": "End", "date": {"is_empty": True}},
            {"property": "Client", "select": {"equals": "Acme"}},
        ]
    }
    assert (A | B).to_json() == {"or": [A.to_json(), B.to_json()]}


def test_contract_example_two_levels() -> None:
    t_end = T0 + timedelta(days=7)
    f = prop("Start").date.before(t_end) & (
        prop("End").date.on_or_after(T0) | prop("End").date.is_empty()
    )
    assert f.to_json() == {
        "and": [
            {"property": "Start", "date": {"before": "2026-11-23T09:00:00.000+01:00"}},
            {
                "or": [
                    {"property": "End", "date": {"on_or_after": T0_JSON}},
                    {"property": "End", "date": {"is_empty": True}},
                ]
            },
        ]
    }
    assert f.depth == 2


def test_same_kind_groups_are_flattened() -> None:
    assert ((A & B) & C).filters == (A, B, C)
    assert (A & (B & C)).filters == (A, B, C)
    assert ((A & B) & (C & D)).filters == (A, B, C, D)
    assert ((A | B) | (C | D)).filters == (A, B, C, D)
    assert (A & B & C & D & E).to_json() == {"and": [f.to_json() for f in (A, B, C, D, E)]}


def test_different_kind_groups_nest() -> None:
    f = (A | B) & C
    assert f.operator == "and"
    assert f.filters == (A | B, C)
    g = (A & B) | (C & D)
    assert g.to_json() == {
        "or": [{"and": [A.to_json(), B.to_json()]}, {"and": [C.to_json(), D.to_json()]}]
    }


def test_combining_returns_new_objects_and_never_mutates() -> None:
    ab = A & B
    before = ab.to_json()
    abc = ab & C
    assert abc is not ab
    assert ab.filters == (A, B)
    assert ab.to_json() == before
    out = ab.to_json()
    out["and"].append({"junk": 1})
    out["and"][0]["date"]["is_empty"] = False
    assert ab.to_json() == before
    with pytest.raises(dataclasses.FrozenInstanceError):
        ab.filters = ()  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        A.property = "Other"  # type: ignore[misc]


def test_filters_are_values() -> None:
    assert prop("End").date.is_empty() == A
    assert prop("End").date.is_not_empty() != A
    assert len({A & B, prop("End").date.is_empty() & B}) == 1


def test_python_and_or_are_refused() -> None:
    with pytest.raises(TypeError, match="& and \\|"):
        _ = A and B
    with pytest.raises(TypeError):
        bool(A & B)


def test_combining_with_a_non_filter_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        _ = A & {"property": "x"}  # type: ignore[operator]


def test_compound_refuses_empty_and_bad_operator() -> None:
    with pytest.raises(ValueError, match="at least one"):
        CompoundFilter("and", ())
    with pytest.raises(ValueError, match="'and' or 'or'"):
        CompoundFilter("xor", (A, B))  # type: ignore[arg-type]


# --- the two-level limit ------------------------------------------------------------------------


def test_two_levels_are_allowed() -> None:
    f = (A | B) & (C | D)
    assert f.depth == MAX_FILTER_DEPTH == 2
    assert ((A | B) & C & (D | E)).depth == 2
    # Flattening keeps a same-kind extension at two levels.
    assert (((A | B) & C) & D).depth == 2
    assert (((A | B) & C) & (D & E)).depth == 2


def test_three_levels_are_refused_when_built() -> None:
    inner = (A | B) & C
    with pytest.raises(FilterTooDeepError) as excinfo:
        _ = inner | D
    message = str(excinfo.value)
    assert "3 levels deep" in message
    assert "at most 2" in message
    assert "prop('End').date.is_empty()" in message
    assert isinstance(excinfo.value, ValueError)
    with pytest.raises(FilterTooDeepError):
        _ = D | ((A & B) | C) & E


def test_direct_construction_is_checked_too() -> None:
    with pytest.raises(FilterTooDeepError):
        CompoundFilter("and", (CompoundFilter("or", (CompoundFilter("and", (A, B)), C)), D))


LEAVES = [A, B, C, D, E, timestamp("created_time").past_week()]


def _json_depth(node: dict[str, Any]) -> int:
    for key in ("and", "or"):
        if key in node:
            return 1 + max(_json_depth(child) for child in node[key])
    return 0


def _no_same_kind_child(node: dict[str, Any]) -> bool:
    for key in ("and", "or"):
        if key in node:
            return all(key not in child and _no_same_kind_child(child) for child in node[key])
    return True


@st.composite
def built(draw: st.DrawFn) -> Callable[[], Filter]:
    """A deferred expression tree of & and | over leaves (deferred so building can fail)."""

    def tree(depth: int) -> Callable[[], Filter]:
        if depth == 0 or draw(st.booleans()):
            leaf = draw(st.sampled_from(LEAVES))
            return lambda: leaf
        left, right = tree(depth - 1), tree(depth - 1)
        if draw(st.booleans()):
            return lambda: left() & right()
        return lambda: left() | right()

    return tree(4)


@settings(max_examples=200, deadline=None)
@given(built())
def test_any_expression_is_either_valid_notion_json_or_refused(make: Callable[[], Filter]) -> None:
    try:
        f = make()
    except FilterTooDeepError:
        return
    out = f.to_json()
    assert _json_depth(out) == f.depth <= MAX_FILTER_DEPTH
    assert _no_same_kind_child(out)
    assert eval(repr(f), {"prop": prop, "timestamp": timestamp}) == f


# --- repr ---------------------------------------------------------------------------------------


def test_repr_prints_the_vocabulary() -> None:
    assert repr(A & B) == "prop('End').date.is_empty() & prop('Client').select.equals('Acme')"
    assert repr((A | B) & C) == (
        "(prop('End').date.is_empty() | prop('Client').select.equals('Acme')) & "
        "prop('User').rich_text.equals('123')"
    )
    assert repr(prop("Hours").formula.number.greater_than(1)) == (
        "prop('Hours').formula.number.greater_than(1)"
    )
    assert repr(timestamp("last_edited_time").past_week()) == (
        "timestamp('last_edited_time').past_week()"
    )
    assert repr(prop("Start").date.on_or_after(T0)) == (
        f"prop('Start').date.on_or_after('{T0_JSON}')"
    )
    assert repr(prop("Done").checkbox.equals(False)) == "prop('Done').checkbox.equals(False)"
    assert repr(prop("Start").ascending()) == "prop('Start').ascending()"
    assert repr(timestamp("created_time").descending()) == "timestamp('created_time').descending()"


def test_repr_round_trips() -> None:
    namespace = {"prop": prop, "timestamp": timestamp}
    samples: list[Filter | Sort] = [
        A & B,
        (A | B) & (C | prop("It's").title.contains('say "hi"')),
        prop("Start").date.before(T0) & prop("Hours").formula.date.past_year(),
        timestamp("created_time").on_or_after(date(2026, 1, 1)) | E,
        prop("Start").descending(),
        timestamp("last_edited_time").ascending(),
    ]
    for sample in samples:
        assert eval(repr(sample), namespace) == sample


# --- sorts --------------------------------------------------------------------------------------


def test_sorts() -> None:
    assert prop("Start").ascending().to_json() == {"property": "Start", "direction": "ascending"}
    assert prop("Start").descending().to_json() == {"property": "Start", "direction": "descending"}
    assert timestamp("created_time").descending().to_json() == {
        "timestamp": "created_time",
        "direction": "descending",
    }
    assert Sort(property="Start") == prop("Start").ascending()


def test_sort_validation() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        Sort()
    with pytest.raises(ValueError, match="exactly one"):
        Sort(property="Start", timestamp="created_time")
    with pytest.raises(ValueError, match="direction"):
        Sort(property="Start", direction="up")  # type: ignore[arg-type]
