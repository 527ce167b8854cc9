"""Entry <-> Notion page conversion: what is written, and pages people broke by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from notionkit import make_entry

from notion_client import (
    Date,
    Number,
    Page,
    Parent,
    PropertyValue,
    RichText,
    Select,
    Title,
)
from timesheet.entries.model import TimeEntry
from timesheet.entries.schema import (
    MalformedEntryError,
    from_page,
    parse_page,
    to_properties,
)

T0 = datetime(2026, 11, 16, 9, 0, tzinfo=timezone(timedelta(hours=1)))
PAGE_ID = "1a2b3c4d-5e6f-47a8-b9c0-d1e2f3a4b5c6"


def _page(props: dict[str, PropertyValue]) -> Page:
    stamp = datetime(2026, 11, 16, tzinfo=UTC)
    return Page(
        id=PAGE_ID,
        url=f"https://www.notion.so/Acme-{PAGE_ID.replace('-', '')}",
        created_time=stamp,
        last_edited_time=stamp,
        in_trash=False,
        parent=Parent("data_source_id", "ds"),
        properties=props,
    )


def _entry(**fields: Any) -> TimeEntry:
    """`make_entry` 1 of user 42 with note "n", from this module's T0 (09:00 at UTC+1)."""
    return make_entry(user="42", start=T0, note="n", **fields)


def test_to_properties_running_entry_leaves_end_out() -> None:
    props = to_properties(_entry())
    assert props == {
        "Name": Title("Acme"),
        "Client": Select("Acme"),
        "Start": Date(T0),
        "User": RichText("42"),
        "Entry ID": RichText("00000000-0000-4000-8000-000000000001"),
        "Note": RichText("n"),
    }
    ended = to_properties(_entry(end=T0 + timedelta(hours=1), client=""))
    assert ended["End"] == Date(T0 + timedelta(hours=1))
    assert ended["Client"] == Select(None)


def test_round_trip_through_a_page() -> None:
    entry = _entry(end=T0 + timedelta(minutes=90))
    got = from_page(_page(dict(to_properties(entry))))
    assert got == _entry(end=T0 + timedelta(minutes=90), page_id=PAGE_ID, url=got.url)
    assert got.url and PAGE_ID.replace("-", "") in got.url


def test_pages_made_by_hand_parse_with_defaults() -> None:
    entry = from_page(_page({"Start": Date(T0), "End": Date(None)}))
    assert (entry.entry_id, entry.user_id, entry.client, entry.name, entry.note) == ("",) * 5
    assert entry.running


@pytest.mark.parametrize(
    ("props", "reason"),
    [
        ({}, "no Start property"),
        ({"Start": Date(T0)}, "no End property"),
        ({"Start": Date(None)}, "Start is empty"),
        ({"Start": Number(3)}, "Start is not a date property"),
        ({"Start": Date(date(2026, 11, 16))}, "Start has a date but no time"),
        ({"Start": Date(T0), "End": Date(date(2026, 11, 16))}, "End has a date but no time"),
        ({"Start": Date(T0), "End": Date(T0 - timedelta(seconds=1))}, "End is before Start"),
    ],
)
def test_unusable_pages_are_reported_not_crashed_on(
    props: dict[str, PropertyValue], reason: str
) -> None:
    page = _page({**props, "User": RichText("42")})
    entry, skipped = parse_page(page)
    assert entry is None and skipped is not None
    assert (skipped.page_id, skipped.url, skipped.reason) == (PAGE_ID, page.url, reason)
    assert skipped.user_id == "42"  # the report names it in that user's table
    assert str(skipped) == f"page {page.url}: {reason}"
    with pytest.raises(MalformedEntryError) as caught:
        from_page(page)
    assert caught.value.reason == reason and caught.value.page_id == PAGE_ID


def test_zero_length_entry_is_fine() -> None:
    entry, problem = parse_page(_page({"Start": Date(T0), "End": Date(T0)}))
    assert problem is None and entry is not None and entry.end == T0
