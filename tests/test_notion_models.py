"""Parsing real Notion response shapes into models, and writing models back as Notion JSON."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from notion_client import (
    MAX_RICH_TEXT_ITEMS,
    MAX_TEXT_LENGTH,
    UNDEFINED,
    Checkbox,
    CreatedTime,
    Database,
    DataSource,
    DataSourceRef,
    Date,
    Formula,
    LastEditedTime,
    MultiSelect,
    Number,
    Page,
    Parent,
    People,
    PropertySchema,
    Relation,
    RichText,
    Select,
    Status,
    Title,
    UnknownProperty,
    Url,
    parse_property_value,
)

FIXTURES = Path(__file__).parent / "notion_fixtures"
CET = timezone(timedelta(hours=1))


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


# --- reading -------------------------------------------------------------------------------


def test_page_from_reference_example() -> None:
    page = Page.from_json(load("page.json"))

    assert page.id == "be633bf1-dfa0-436d-b259-571129a590e5"
    assert page.url == "https://www.notion.so/Bug-bash-be633bf1dfa0436db259571129a590e5"
    assert page.created_time == datetime(2026, 11, 16, 8, 59, tzinfo=UTC)
    assert page.last_edited_time == datetime(2026, 11, 16, 10, 31, tzinfo=UTC)
    assert page.in_trash is False
    assert page.parent == Parent("data_source_id", "1a44be12-0953-4631-b498-9e5817518db8")
    props = page.properties
    assert props["Name"] == Title("Bug bash")
    assert props["Note"] == RichText("Fixed the login bug")
    assert props["Client"] == Select("Acme")
    assert props["Status"] == Status("Not started")
    assert props["Tags"] == MultiSelect(("billable", "remote"))
    assert props["Start"] == Date(datetime(2026, 11, 16, 9, 0, tzinfo=CET))
    assert props["End"] == Date(None)
    assert props["Due date"] == Date(date(2026, 11, 16), date(2026, 11, 20))
    assert props["Hours"] == Formula(1.5)
    assert props["Rate"] == Number(120)
    assert props["Done"] == Checkbox(False)
    assert props["Link"] == Url("https://example.com/ticket/1")
    assert props["Owner"] == People(("c2f20311-9e54-4d11-8c79-7398424ae41e",))
    assert props["Project"] == Relation(("dd456007-6c66-4bba-957e-ea501dcda3a6",))
    assert props["Created"] == CreatedTime(datetime(2026, 11, 16, 8, 59, tzinfo=UTC))
    assert props["Edited"] == LastEditedTime(datetime(2026, 11, 16, 10, 31, tzinfo=UTC))


def test_page_start_keeps_offset_and_is_aware() -> None:
    start = Page.from_json(load("page.json")).date("Start")
    assert start is not None and isinstance(start.start, datetime)
    assert start.start.utcoffset() == timedelta(hours=1)
    assert start.start.astimezone(UTC) == datetime(2026, 11, 16, 8, 0, tzinfo=UTC)


def test_unknown_property_type_is_kept_raw() -> None:
    raw = load("page.json")
    page = Page.from_json(raw)
    ticket = page.properties["Ticket"]
    assert isinstance(ticket, UnknownProperty)
    assert ticket.type == "unique_id"
    assert ticket.raw == raw["properties"]["Ticket"]


def test_malformed_known_type_is_kept_raw_not_crashing() -> None:
    raw = {"id": "x", "type": "created_time", "created_time": "not a date"}
    value = parse_property_value(raw)
    assert value == UnknownProperty("created_time", raw)


def test_page_accessors() -> None:
    page = Page.from_json(load("page.json"))
    assert page.text("Name") == "Bug bash"
    assert page.text("Note") == "Fixed the login bug"
    assert page.text("Link") == "https://example.com/ticket/1"
    assert page.select("Client") == "Acme"
    assert page.select("Status") == "Not started"
    assert page.date("End") is None
    assert page.date("Due date") == Date(date(2026, 11, 16), date(2026, 11, 20))
    assert page.number("Rate") == 120
    assert page.number("Hours") == 1.5


def test_page_accessor_missing_property_names_it() -> None:
    page = Page.from_json(load("page.json"))
    with pytest.raises(KeyError, match="Nope"):
        page.text("Nope")
    with pytest.raises(KeyError, match="Missing"):
        page.date("Missing")


def test_page_accessor_wrong_type() -> None:
    page = Page.from_json(load("page.json"))
    with pytest.raises(TypeError, match="Client"):
        page.number("Client")


def test_empty_values_read_as_empty() -> None:
    raw = load("page.json")
    raw["properties"]["Name"]["title"] = []
    raw["properties"]["Client"]["select"] = None
    raw["properties"]["Rate"]["number"] = None
    raw["properties"]["Link"]["url"] = None
    raw["properties"]["Hours"]["formula"] = {"type": "number", "number": None}
    page = Page.from_json(raw)
    assert page.text("Name") == ""
    assert page.text("Link") == ""
    assert page.select("Client") is None
    assert page.number("Rate") is None
    assert page.number("Hours") is None


def test_archived_is_read_as_in_trash_for_older_versions() -> None:
    raw = load("page.json")
    del raw["in_trash"]
    raw["archived"] = True
    assert Page.from_json(raw).in_trash is True


def test_formula_results() -> None:
    def formula(result: dict[str, Any]) -> Any:
        value = parse_property_value({"id": "f", "type": "formula", "formula": result})
        assert isinstance(value, Formula)
        return value.value

    assert formula({"type": "string", "string": "hi"}) == "hi"
    assert formula({"type": "boolean", "boolean": True}) is True
    assert formula({"type": "number", "number": 2}) == 2
    assert formula({"type": "date", "date": {"start": "2026-11-16", "end": None}}) == Date(
        date(2026, 11, 16)
    )
    assert formula({"type": "date", "date": None}) is None


def test_date_with_time_zone_and_no_offset_is_made_aware() -> None:
    value = Date.from_value(
        {"start": "2026-11-16T09:00:00", "end": None, "time_zone": "Europe/Berlin"}
    )
    assert value.start == datetime(2026, 11, 16, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))


def test_data_source_from_reference_example() -> None:
    ds = DataSource.from_json(load("data_source.json"))
    assert ds.id == "248104cd-477e-80af-bc30-000bd28de8f9"
    assert ds.database_id == "248104cd-477e-80fd-b757-e945d38000bd"
    assert ds.title == "Time entries"
    assert ds.properties["Name"] == PropertySchema("Name", "title", id="title")
    assert ds.properties["Client"].options == ("Acme", "Globex")
    assert ds.properties["Status"].options == ("Not started", "Done")
    assert ds.properties["Start"].type == "date"
    assert ds.properties["Hours"].expression == (
        'dateBetween(prop("End"), prop("Start"), "minutes") / 60'
    )
    assert ds.properties["Rate"].number_format == "euro"
    assert ds.properties["Entry ID"] == PropertySchema("Entry ID", "rich_text", id="EnT%40")
    assert ds.properties["Ticket"].type == "unique_id"


def test_database_from_reference_example() -> None:
    db = Database.from_json(load("database.json"))
    assert db.id == "248104cd-477e-80fd-b757-e945d38000bd"
    assert db.title == "Time entries"
    assert db.url == "https://www.notion.so/248104cd477e80fdb757e945d38000bd"
    assert db.data_sources == (
        DataSourceRef("248104cd-477e-80af-bc30-000bd28de8f9", "Time entries"),
        DataSourceRef("4f1c2a8e-9b7d-4e3a-8c61-2d5f0e9a7b13", "Archive 2025"),
    )


def test_models_are_frozen() -> None:
    with pytest.raises(AttributeError):
        Title("a").text = "b"  # type: ignore[misc]
    page = Page.from_json(load("page.json"))
    with pytest.raises(AttributeError):
        page.in_trash = True  # type: ignore[misc]


# --- writing -------------------------------------------------------------------------------


def test_simple_values_write_notions_shapes() -> None:
    assert Title("Acme").to_json() == {"title": [{"text": {"content": "Acme"}}]}
    assert RichText("n").to_json() == {"rich_text": [{"text": {"content": "n"}}]}
    assert RichText("").to_json() == {"rich_text": []}
    assert Select("Acme").to_json() == {"select": {"name": "Acme"}}
    assert Status("Done").to_json() == {"status": {"name": "Done"}}
    assert MultiSelect(("a", "b")).to_json() == {"multi_select": [{"name": "a"}, {"name": "b"}]}
    assert Number(1.5).to_json() == {"number": 1.5}
    assert Checkbox(True).to_json() == {"checkbox": True}
    assert Url("https://x.test").to_json() == {"url": "https://x.test"}
    assert People(("u1",)).to_json() == {"people": [{"object": "user", "id": "u1"}]}
    assert Relation(("p1",)).to_json() == {"relation": [{"id": "p1"}]}


def test_none_clears() -> None:
    assert Select(None).to_json() == {"select": None}
    assert Status(None).to_json() == {"status": None}
    assert Number(None).to_json() == {"number": None}
    assert Url(None).to_json() == {"url": None}
    assert Date(None).to_json() == {"date": None}


def test_aware_datetime_written_with_offset() -> None:
    start = datetime(2026, 11, 16, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    end = datetime(2026, 11, 16, 10, 30, 15, 250000, tzinfo=UTC)
    assert Date(start, end).to_json() == {
        "date": {"start": "2026-11-16T09:00:00+01:00", "end": "2026-11-16T10:30:15.250000+00:00"}
    }


def test_date_only_written_as_day() -> None:
    assert Date(date(2026, 11, 16)).to_json() == {"date": {"start": "2026-11-16", "end": None}}


def test_naive_datetime_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Date(datetime(2026, 11, 16, 9, 0)).to_json()
    with pytest.raises(ValueError, match="timezone-aware"):
        Date(datetime(2026, 11, 16, 9, 0, tzinfo=UTC), datetime(2026, 11, 16, 10)).to_json()


def test_end_without_start_refused() -> None:
    with pytest.raises(ValueError, match="start"):
        Date(None, datetime(2026, 11, 16, 9, tzinfo=UTC)).to_json()


def test_time_zone_writes_local_time_without_offset() -> None:
    start = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)
    assert Date(start, time_zone="Europe/Berlin").to_json() == {
        "date": {"start": "2026-11-16T09:00:00", "end": None, "time_zone": "Europe/Berlin"}
    }


def test_date_round_trips_through_json() -> None:
    value = Date(datetime(2026, 11, 16, 9, 0, tzinfo=CET), datetime(2026, 11, 16, 10, tzinfo=CET))
    assert Date.from_json(value.to_json()) == value


def test_long_text_split_into_2000_char_items() -> None:
    text = "x" * (MAX_TEXT_LENGTH * 2 + 5)
    items = RichText(text).to_json()["rich_text"]
    assert [len(item["text"]["content"]) for item in items] == [2000, 2000, 5]
    assert "".join(item["text"]["content"] for item in items) == text


def test_split_counts_utf16_and_never_cuts_a_surrogate_pair() -> None:
    text = "a" + "😀" * 1000  # 1 + 2000 UTF-16 units
    items = Title(text).to_json()["title"]
    assert [item["text"]["content"] for item in items] == ["a" + "😀" * 999, "😀"]


def test_at_most_100_items() -> None:
    RichText("y" * MAX_TEXT_LENGTH * MAX_RICH_TEXT_ITEMS).to_json()
    with pytest.raises(ValueError, match="at most 100"):
        RichText("y" * (MAX_TEXT_LENGTH * MAX_RICH_TEXT_ITEMS + 1)).to_json()


def test_array_limits() -> None:
    with pytest.raises(ValueError, match="multi_select"):
        MultiSelect(tuple(str(i) for i in range(101))).to_json()
    with pytest.raises(ValueError, match="relation"):
        Relation(tuple(str(i) for i in range(101))).to_json()


def test_schema_writes() -> None:
    assert PropertySchema("Name", "title").to_json() == {"title": {}}
    assert PropertySchema("Start", "date").to_json() == {"date": {}}
    assert PropertySchema("Client", "select", options=("Acme", "Globex")).to_json() == {
        "select": {"options": [{"name": "Acme"}, {"name": "Globex"}]}
    }
    assert PropertySchema("Hours", "number").to_json() == {"number": {"format": "number"}}
    assert PropertySchema("Fee", "number", number_format="euro").to_json() == {
        "number": {"format": "euro"}
    }
    assert PropertySchema("H", "formula", expression='prop("A")').to_json() == {
        "formula": {"expression": 'prop("A")'}
    }
    with pytest.raises(ValueError, match="expression"):
        PropertySchema("H", "formula").to_json()


def test_read_values_write_back_the_same_json() -> None:
    raw = load("page.json")["properties"]
    for name in ("Client", "Status", "Rate", "Done", "Link", "End"):
        value = parse_property_value(raw[name])
        key = raw[name]["type"]
        written = value.to_json()[key]
        original = raw[name][key]
        if isinstance(original, dict) and "name" in original:
            assert written == {"name": original["name"]}
        else:
            assert written == original


def test_undefined_sentinel_is_falsy_and_distinct_from_none() -> None:
    assert not UNDEFINED
    assert UNDEFINED is not None
    assert repr(UNDEFINED) == "UNDEFINED"
