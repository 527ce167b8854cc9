"""In-memory Notion queries: every filter family, sorts, cursors, trash, the 10,000-row cap."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from notionkit import TOKEN, wire_client

from notion_client.fake import FakeNotion

NOW = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)  # a Wednesday
HOURS = 'dateBetween(prop("End"), prop("Start"), "minutes") / 60'
SCHEMA: dict[str, Any] = {
    "Name": {"title": {}},
    "Note": {"rich_text": {}},
    "Client": {"select": {}},
    "Tags": {"multi_select": {}},
    "State": {"status": {}},
    "Count": {"number": {}},
    "Done": {"checkbox": {}},
    "Start": {"date": {}},
    "End": {"date": {}},
    "Hours": {"formula": {"expression": HOURS}},
}
A, B, C, D, E = "Alpha Project", "beta", "Gamma", "", "delta"


def _text(kind: str, value: str) -> dict[str, Any]:
    return {kind: [{"text": {"content": value}}] if value else []}


def _row(
    name: str,
    note: str,
    client: str | None,
    tags: list[str],
    state: str | None,
    count: float | None,
    done: bool,
    start: str | None,
    end: str | None,
) -> dict[str, Any]:
    return {
        "Name": _text("title", name),
        "Note": _text("rich_text", note),
        "Client": {"select": None if client is None else {"name": client}},
        "Tags": {"multi_select": [{"name": t} for t in tags]},
        "State": {"status": None if state is None else {"name": state}},
        "Count": {"number": count},
        "Done": {"checkbox": done},
        "Start": {"date": None if start is None else {"start": start}},
        "End": {"date": None if end is None else {"start": end}},
    }


ROWS = [
    _row(
        A,
        "hello World",
        "Acme",
        ["a", "b"],
        "Done",
        1,
        True,
        "2026-11-16T09:00:00.000Z",
        "2026-11-16T10:30:00Z",
    ),
    _row(B, "", "Globex", ["b"], None, 5, False, "2026-11-16T23:30:00-01:00", None),
    _row(C, "world peace", None, [], "In progress", None, False, "2026-11-10", "2026-11-10"),
    _row(
        D, "x", "Acme", [], None, 10, False, "2026-11-16T09:00:00.001Z", "2026-11-16T09:30:00.001Z"
    ),
    _row(E, "", None, [], None, -2, False, "2026-12-20T10:00:00Z", None),
]


@pytest.fixture
def fake() -> FakeNotion:
    return FakeNotion(token=TOKEN, clock=lambda: NOW)


@pytest.fixture
def ds(fake: FakeNotion) -> str:
    ds = fake.add_database(fake.add_parent_page(), "Entries", SCHEMA)[1]
    for day, row in enumerate(ROWS, start=1):
        fake.add_page(ds, row, created_time=datetime(2026, 11, day, 10, 0, 30, tzinfo=UTC))
    return ds


@pytest.fixture
async def api(fake: FakeNotion) -> AsyncIterator[httpx.AsyncClient]:
    async with wire_client(fake) as client:
        yield client


async def names(api: httpx.AsyncClient, ds: str, body: dict[str, Any]) -> list[str]:
    response = await api.post(f"/v1/data_sources/{ds}/query", json=body)
    assert response.status_code == 200, response.text
    return [
        "".join(t["plain_text"] for t in page["properties"]["Name"]["title"])
        for page in response.json()["results"]
    ]


def prop(name: str, kind: str, op: str, value: Any = True) -> dict[str, Any]:
    return {"property": name, kind: {op: value}}


FILTERS = [
    # text (title and rich_text)
    (prop("Name", "title", "equals", "beta"), {B}),
    (prop("Name", "title", "does_not_equal", "beta"), {A, C, D, E}),
    (prop("Name", "title", "contains", "ta"), {B, E}),
    (prop("Name", "title", "contains", "ALPHA"), {A}),
    (prop("Name", "title", "does_not_contain", "a"), {D}),
    (prop("Name", "title", "starts_with", "g"), {C}),
    (prop("Name", "title", "ends_with", "ject"), {A}),
    (prop("Name", "title", "is_empty"), {D}),
    (prop("Name", "title", "is_not_empty"), {A, B, C, E}),
    (prop("Note", "rich_text", "contains", "world"), {A, C}),
    (prop("Note", "rich_text", "is_empty"), {B, E}),
    # number
    (prop("Count", "number", "equals", 5), {B}),
    (prop("Count", "number", "does_not_equal", 5), {A, C, D, E}),
    (prop("Count", "number", "greater_than", 1), {B, D}),
    (prop("Count", "number", "less_than", 1), {E}),
    (prop("Count", "number", "greater_than_or_equal_to", 1), {A, B, D}),
    (prop("Count", "number", "less_than_or_equal_to", 1.0), {A, E}),
    (prop("Count", "number", "is_empty"), {C}),
    (prop("Count", "number", "is_not_empty"), {A, B, D, E}),
    # checkbox
    (prop("Done", "checkbox", "equals", True), {A}),
    (prop("Done", "checkbox", "does_not_equal", True), {B, C, D, E}),
    # select, status, multi_select
    (prop("Client", "select", "equals", "Acme"), {A, D}),
    (prop("Client", "select", "does_not_equal", "Acme"), {B, C, E}),
    (prop("Client", "select", "is_empty"), {C, E}),
    (prop("Client", "select", "is_not_empty"), {A, B, D}),
    (prop("State", "status", "equals", "Done"), {A}),
    (prop("State", "status", "is_empty"), {B, D, E}),
    (prop("Tags", "multi_select", "contains", "b"), {A, B}),
    (prop("Tags", "multi_select", "does_not_contain", "a"), {B, C, D, E}),
    (prop("Tags", "multi_select", "is_empty"), {C, D, E}),
    (prop("Tags", "multi_select", "is_not_empty"), {A, B}),
    # dates: to the millisecond, offsets, date-only values as whole UTC days, naive as UTC
    (prop("Start", "date", "before", "2026-11-16T09:00:00.001Z"), {A, C}),
    (prop("Start", "date", "on_or_before", "2026-11-16T09:00:00.001Z"), {A, C, D}),
    (prop("Start", "date", "after", "2026-11-16T09:00:00Z"), {B, D, E}),
    (prop("Start", "date", "on_or_after", "2026-11-16T09:00:00Z"), {A, B, D, E}),
    (prop("Start", "date", "equals", "2026-11-16T10:00:00+01:00"), {A}),
    (prop("Start", "date", "equals", "2026-11-16T09:00:00"), {A}),
    (prop("Start", "date", "equals", "2026-11-16T09:00:00.000400Z"), {A}),
    (prop("Start", "date", "equals", "2026-11-16"), {A, D}),
    (prop("Start", "date", "equals", "2026-11-10"), {C}),
    (prop("Start", "date", "before", "2026-11-16"), {C}),
    (prop("Start", "date", "on_or_before", "2026-11-16"), {A, C, D}),
    (prop("Start", "date", "after", "2026-11-16"), {B, E}),
    (prop("Start", "date", "on_or_after", "2026-11-17"), {B, E}),
    (prop("Start", "date", "is_empty"), set()),
    (prop("End", "date", "is_empty"), {B, E}),
    (prop("End", "date", "is_not_empty"), {A, C, D}),
    # relative dates (now: Wednesday 2026-11-18 12:00 UTC)
    (prop("Start", "date", "past_week", {}), {A, B, D}),
    (prop("Start", "date", "past_month", {}), {A, B, C, D}),
    (prop("Start", "date", "past_year", {}), {A, B, C, D}),
    (prop("Start", "date", "this_week", {}), {A, B, D}),
    (prop("Start", "date", "next_week", {}), set()),
    (prop("Start", "date", "next_month", {}), set()),
    (prop("Start", "date", "next_year", {}), {E}),
    # timestamps (created on Nov 1..5 at 10:00:30, stored as 10:00)
    ({"timestamp": "created_time", "created_time": {"on_or_after": "2026-11-03"}}, {C, D, E}),
    ({"timestamp": "created_time", "created_time": {"before": "2026-11-01T10:00:01Z"}}, {A}),
    ({"timestamp": "created_time", "created_time": {"equals": "2026-11-02T10:00:00Z"}}, {B}),
    ({"timestamp": "created_time", "created_time": {"past_week": {}}}, set()),
    ({"timestamp": "last_edited_time", "last_edited_time": {"past_month": {}}}, {A, B, C, D, E}),
    # formula (Hours)
    ({"property": "Hours", "formula": {"number": {"greater_than": 1}}}, {A}),
    ({"property": "Hours", "formula": {"number": {"equals": 0.5}}}, {D}),
    ({"property": "Hours", "formula": {"number": {"is_empty": True}}}, {B, E}),
    ({"property": "Hours", "formula": {"number": {"is_not_empty": True}}}, {A, C, D}),
    ({"property": "Hours", "formula": {"string": {"equals": "1.5"}}}, set()),
    # compounds
    (
        {
            "and": [
                prop("Client", "select", "equals", "Acme"),
                prop("Count", "number", "greater_than", 1),
            ]
        },
        {D},
    ),
    (
        {
            "or": [
                prop("Client", "select", "equals", "Globex"),
                prop("Count", "number", "less_than", 0),
            ]
        },
        {B, E},
    ),
    (
        {
            "and": [
                prop("Start", "date", "before", "2026-11-17"),
                {
                    "or": [
                        prop("End", "date", "on_or_after", "2026-11-16"),
                        prop("End", "date", "is_empty"),
                    ]
                },
            ]
        },
        {A, D},
    ),
    (
        {
            "or": [
                {"and": [prop("Done", "checkbox", "equals", True)]},
                {"and": [prop("Count", "number", "equals", 10)]},
            ]
        },
        {A, D},
    ),
    ({"and": []}, {A, B, C, D, E}),
]


@pytest.mark.parametrize(("filter_", "expected"), FILTERS, ids=[repr(f[0])[:80] for f in FILTERS])
async def test_filters(
    api: httpx.AsyncClient, ds: str, filter_: dict[str, Any], expected: set[str]
) -> None:
    found = await names(api, ds, {"filter": filter_})
    assert sorted(found) == sorted(expected)


async def test_last_edited_time_filter_sees_edits(
    api: httpx.AsyncClient, fake: FakeNotion, ds: str
) -> None:
    [page] = [p for p in fake.pages(ds) if p["properties"]["Count"]["number"] == 5]
    await api.patch(f"/v1/pages/{page['id']}", json={"properties": {"Done": {"checkbox": True}}})
    body = {"filter": {"timestamp": "last_edited_time", "last_edited_time": {"past_week": {}}}}
    assert await names(api, ds, body) == [B]


@pytest.mark.parametrize(
    "filter_",
    [
        prop("Ghost", "rich_text", "equals", "x"),
        prop("Client", "date", "equals", "2026-11-16"),
        prop("Count", "number", "bigger", 1),
        prop("Count", "number", "equals", "1"),
        prop("Count", "number", "is_empty", False),
        prop("Start", "date", "after", "next tuesday"),
        prop("Done", "checkbox", "equals", "yes"),
        {"property": "Count", "number": {"equals": 1, "less_than": 3}},
        {"timestamp": "deleted_time", "deleted_time": {"past_week": {}}},
        {"and": [{"or": [{"and": [prop("Done", "checkbox", "equals", True)]}]}]},
        {"and": prop("Done", "checkbox", "equals", True)},
        {"property": "Hours", "formula": {"rollup": {"equals": 1}}},
        "Client = Acme",
    ],
)
async def test_bad_filters_are_400_validation_error(
    api: httpx.AsyncClient, ds: str, filter_: Any
) -> None:
    response = await api.post(f"/v1/data_sources/{ds}/query", json={"filter": filter_})
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "validation_error"


SORTS = [
    ([{"property": "Start", "direction": "ascending"}], [C, A, D, B, E]),
    ([{"property": "Start", "direction": "descending"}], [E, B, D, A, C]),
    ([{"property": "End", "direction": "ascending"}], [C, D, A, B, E]),
    ([{"property": "End", "direction": "descending"}], [A, D, C, B, E]),
    ([{"property": "Count", "direction": "descending"}], [D, B, A, E, C]),
    ([{"property": "Name", "direction": "ascending"}], [A, B, E, C, D]),
    ([{"property": "Client", "direction": "ascending"}], [A, D, B, C, E]),
    (
        [
            {"property": "Client", "direction": "ascending"},
            {"property": "Start", "direction": "descending"},
        ],
        [D, A, B, E, C],
    ),
    ([{"property": "Hours", "direction": "ascending"}], [C, D, A, B, E]),
    ([{"timestamp": "created_time", "direction": "descending"}], [E, D, C, B, A]),
    ([{"timestamp": "last_edited_time", "direction": "ascending"}], [A, B, C, D, E]),
    ([], [A, B, C, D, E]),
]


@pytest.mark.parametrize(("sorts", "expected"), SORTS)
async def test_sorts_are_stable_with_empty_values_last(
    api: httpx.AsyncClient, ds: str, sorts: list[dict[str, str]], expected: list[str]
) -> None:
    assert await names(api, ds, {"sorts": sorts}) == expected


@pytest.mark.parametrize(
    "sorts",
    [
        [{"property": "Ghost", "direction": "ascending"}],
        [{"property": "Start", "direction": "up"}],
        [{"timestamp": "deleted_time", "direction": "ascending"}],
        {"property": "Start"},
    ],
)
async def test_bad_sorts_are_400(api: httpx.AsyncClient, ds: str, sorts: Any) -> None:
    response = await api.post(f"/v1/data_sources/{ds}/query", json={"sorts": sorts})
    assert response.status_code == 400 and response.json()["code"] == "validation_error"


def _seed_many(fake: FakeNotion, count: int) -> str:
    ds = fake.add_database(
        fake.add_parent_page(), "Many", {"Name": {"title": {}}, "N": {"number": {}}}
    )[1]
    for i in range(count):
        fake.add_page(ds, {"Name": _text("title", f"p{i}"), "N": {"number": i}})
    return ds


async def _all_pages(api: httpx.AsyncClient, ds: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    pages: list[dict[str, Any]] = []
    responses = []
    cursor = None
    while True:
        response = await api.post(
            f"/v1/data_sources/{ds}/query",
            json={**body, **({"start_cursor": cursor} if cursor else {})},
        )
        assert response.status_code == 200, response.text
        payload = response.json()
        responses.append(payload)
        pages.extend(payload["results"])
        if not payload["has_more"]:
            assert payload["next_cursor"] is None
            return pages
        cursor = payload["next_cursor"]
        assert isinstance(cursor, str) and cursor
        assert "request_status" not in payload


async def test_250_pages_come_in_3_requests_in_creation_order(
    api: httpx.AsyncClient, fake: FakeNotion
) -> None:
    ds = _seed_many(fake, 250)
    first = (await api.post(f"/v1/data_sources/{ds}/query", json={})).json()
    assert (first["object"], first["type"], len(first["results"]), first["has_more"]) == (
        "list",
        "page_or_data_source",
        100,
        True,
    )
    fake.requests.clear()
    pages = await _all_pages(api, ds, {})
    assert fake.requests["query_data_source"] == 3
    assert [p["properties"]["N"]["number"] for p in pages] == list(range(250))
    assert "request_status" not in first


async def test_page_size_is_at_most_100_and_cursors_are_checked(
    api: httpx.AsyncClient, fake: FakeNotion
) -> None:
    ds = _seed_many(fake, 30)
    other = _seed_many(fake, 30)
    for size in (101, 0, "10", True):
        response = await api.post(f"/v1/data_sources/{ds}/query", json={"page_size": size})
        assert response.status_code == 400 and response.json()["code"] == "validation_error"
    first = (await api.post(f"/v1/data_sources/{ds}/query", json={"page_size": 7})).json()
    assert len(first["results"]) == 7
    cursor = first["next_cursor"]
    again = [
        (
            await api.post(
                f"/v1/data_sources/{ds}/query", json={"page_size": 7, "start_cursor": cursor}
            )
        ).json()
        for _ in range(2)
    ]
    assert again[0]["results"] == again[1]["results"]  # a retried cursor gives the same page
    assert again[0]["results"][0]["properties"]["N"]["number"] == 7
    for bad_cursor, where in ((cursor, other), ("nonsense", ds)):
        response = await api.post(
            f"/v1/data_sources/{where}/query", json={"start_cursor": bad_cursor}
        )
        assert response.status_code == 400


async def test_trashed_pages_are_left_out_even_mid_pagination(
    api: httpx.AsyncClient, fake: FakeNotion
) -> None:
    ds = _seed_many(fake, 30)
    ids = [p["id"] for p in fake.pages(ds)]
    await api.patch(f"/v1/pages/{ids[0]}", json={"in_trash": True})
    first = (await api.post(f"/v1/data_sources/{ds}/query", json={"page_size": 10})).json()
    assert [p["properties"]["N"]["number"] for p in first["results"]] == list(range(1, 11))
    await api.patch(f"/v1/pages/{ids[15]}", json={"in_trash": True})
    rest = await _all_pages(api, ds, {"page_size": 10, "start_cursor": first["next_cursor"]})
    numbers = [p["properties"]["N"]["number"] for p in rest]
    assert numbers == [n for n in range(11, 30) if n != 15]


async def test_more_rows_than_the_result_limit_end_incomplete(
    api: httpx.AsyncClient, fake: FakeNotion
) -> None:
    ds = _seed_many(fake, 300)
    fake.result_limit = 250
    assert fake.result_limit == 250
    pages: list[dict[str, Any]] = []
    body: dict[str, Any] = {}
    for expected in (100, 100, 50):
        payload = (await api.post(f"/v1/data_sources/{ds}/query", json=body)).json()
        assert len(payload["results"]) == expected
        pages.extend(payload["results"])
        body = {"start_cursor": payload["next_cursor"]}
    assert payload["has_more"] is False and payload["next_cursor"] is None
    assert payload["request_status"] == {
        "type": "incomplete",
        "incomplete_reason": "query_result_limit_reached",
    }
    assert len({p["id"] for p in pages}) == 250
    exactly = {"filter": {"property": "N", "number": {"less_than": 250}}}
    complete = await _all_pages(api, ds, exactly)
    assert len(complete) == 250
    last = (
        await api.post(f"/v1/data_sources/{ds}/query", json={**exactly, "page_size": 100})
    ).json()
    assert "request_status" not in last


async def test_queries_work_over_real_http(fake: FakeNotion) -> None:
    ds = _seed_many(fake, 120)
    async with wire_client(fake, "http") as api:
        pages = await _all_pages(
            api,
            ds,
            {
                "filter": {"property": "N", "number": {"greater_than_or_equal_to": 10}},
                "sorts": [{"property": "N", "direction": "descending"}],
            },
        )
    assert [p["properties"]["N"]["number"] for p in pages] == list(range(119, 9, -1))
