"""Exact wire format of every NotionClient endpoint (respx), pagination and incomplete queries."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from notionkit import fast_client

from notion_client import (
    Database,
    DataSource,
    Date,
    IncompleteQueryError,
    NotionClient,
    Page,
    PropertySchema,
    RateLimit,
    RichText,
    Select,
    Title,
    prop,
)

FIXTURES = Path(__file__).parent / "notion_fixtures"
BASE = "https://api.notion.com"
TOKEN = "secret_wire_test_token"
PAGE_ID = "be633bf1-dfa0-436d-b259-571129a590e5"
DS_ID = "248104cd-477e-80af-bc30-000bd28de8f9"
DB_ID = "248104cd-477e-80fd-b757-e945d38000bd"


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.fixture
async def client() -> AsyncIterator[NotionClient]:
    async with fast_client(token=TOKEN) as client:
        yield client


@pytest.fixture
def router() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE, assert_all_called=True) as router:
        yield router


def sent(route: respx.Route, index: int = -1) -> httpx.Request:
    request: httpx.Request = route.calls[index].request
    return request


def body(request: httpx.Request) -> Any:
    return json.loads(request.content)


def assert_headers(request: httpx.Request) -> None:
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["Notion-Version"] == "2026-03-11"
    assert request.headers["Content-Type"] == "application/json"


async def test_retrieve_database(client: NotionClient, router: respx.MockRouter) -> None:
    route = router.get(f"/v1/databases/{DB_ID}").respond(200, json=load("database.json"))
    db = await client.retrieve_database(DB_ID)
    assert isinstance(db, Database) and db.data_sources[0].id == DS_ID
    request = sent(route)
    assert request.method == "GET" and request.content == b""
    assert_headers(request)
    assert client.request_count == 1


async def test_retrieve_data_source(client: NotionClient, router: respx.MockRouter) -> None:
    route = router.get(f"/v1/data_sources/{DS_ID}").respond(200, json=load("data_source.json"))
    ds = await client.retrieve_data_source(DS_ID)
    assert isinstance(ds, DataSource) and "Client" in ds.properties
    assert_headers(sent(route))


async def test_update_data_source(client: NotionClient, router: respx.MockRouter) -> None:
    route = router.patch(f"/v1/data_sources/{DS_ID}").respond(200, json=load("data_source.json"))
    await client.update_data_source(
        DS_ID,
        {
            "Note": PropertySchema("Note", "rich_text"),
            "Client": PropertySchema("Client", "select", options=("Acme",)),
            "Old": None,
        },
    )
    request = sent(route)
    assert request.method == "PATCH"
    assert_headers(request)
    assert body(request) == {
        "properties": {
            "Note": {"rich_text": {}},
            "Client": {"select": {"options": [{"name": "Acme"}]}},
            "Old": None,
        }
    }


async def test_create_page(client: NotionClient, router: respx.MockRouter) -> None:
    route = router.post("/v1/pages").respond(200, json=load("page.json"))
    start = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)
    page = await client.create_page(
        DS_ID, {"Name": Title("Acme"), "Client": Select("Acme"), "Start": Date(start)}
    )
    assert isinstance(page, Page) and page.id == PAGE_ID
    request = sent(route)
    assert request.method == "POST"
    assert_headers(request)
    assert body(request) == {
        "parent": {"type": "data_source_id", "data_source_id": DS_ID},
        "properties": {
            "Name": {"title": [{"text": {"content": "Acme"}}]},
            "Client": {"select": {"name": "Acme"}},
            "Start": {"date": {"start": "2026-11-16T08:00:00+00:00", "end": None}},
        },
    }


async def test_retrieve_page(client: NotionClient, router: respx.MockRouter) -> None:
    route = router.get(f"/v1/pages/{PAGE_ID}").respond(200, json=load("page.json"))
    page = await client.retrieve_page(PAGE_ID)
    assert page.text("Name") == "Bug bash"
    assert sent(route).method == "GET"
    assert_headers(sent(route))


async def test_update_page_sends_only_given_properties(
    client: NotionClient, router: respx.MockRouter
) -> None:
    route = router.patch(f"/v1/pages/{PAGE_ID}").respond(200, json=load("page.json"))
    end = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)
    await client.update_page(PAGE_ID, {"End": Date(end), "Note": RichText("")})
    request = sent(route)
    assert request.method == "PATCH"
    assert_headers(request)
    assert body(request) == {
        "properties": {
            "End": {"date": {"start": "2026-11-16T10:00:00+00:00", "end": None}},
            "Note": {"rich_text": []},
        }
    }


async def test_update_page_in_trash_only_when_given(
    client: NotionClient, router: respx.MockRouter
) -> None:
    route = router.patch(f"/v1/pages/{PAGE_ID}").respond(200, json=load("page.json"))
    await client.update_page(PAGE_ID, {}, in_trash=False)
    assert body(sent(route)) == {"properties": {}, "in_trash": False}


async def test_trash_page(client: NotionClient, router: respx.MockRouter) -> None:
    trashed = load("page.json") | {"in_trash": True}
    route = router.patch(f"/v1/pages/{PAGE_ID}").respond(200, json=trashed)
    page = await client.trash_page(PAGE_ID)
    assert page.in_trash is True
    assert body(sent(route)) == {"in_trash": True}
    assert_headers(sent(route))


async def test_create_database(client: NotionClient, router: respx.MockRouter) -> None:
    route = router.post("/v1/databases").respond(200, json=load("database.json"))
    db = await client.create_database(
        "255104cd-477e-808c-b279-d39ab803a7d2",
        "Time entries",
        {
            "Name": PropertySchema("Name", "title"),
            "Start": PropertySchema("Start", "date"),
            "Hours": PropertySchema("Hours", "formula", expression="1"),
        },
    )
    assert db.title == "Time entries"
    request = sent(route)
    assert request.method == "POST"
    assert_headers(request)
    assert body(request) == {
        "parent": {"type": "page_id", "page_id": "255104cd-477e-808c-b279-d39ab803a7d2"},
        "title": [{"text": {"content": "Time entries"}}],
        "initial_data_source": {
            "properties": {
                "Name": {"title": {}},
                "Start": {"date": {}},
                "Hours": {"formula": {"expression": "1"}},
            }
        },
    }


def _page(i: int) -> dict[str, Any]:
    page: dict[str, Any] = load("page.json") | {"id": f"page-{i}"}
    return page


def _list(pages: list[dict[str, Any]], cursor: str | None) -> dict[str, Any]:
    listing: dict[str, Any] = load("query_list.json") | {
        "results": pages,
        "next_cursor": cursor,
        "has_more": cursor is not None,
    }
    return listing


async def test_query_follows_cursors_with_filter_and_sorts(
    client: NotionClient, router: respx.MockRouter
) -> None:
    route = router.post(f"/v1/data_sources/{DS_ID}/query").mock(
        side_effect=[
            httpx.Response(200, json=_list([_page(0), _page(1)], "cursor-1")),
            httpx.Response(200, json=_list([_page(2)], "cursor-2")),
            httpx.Response(200, json=_list([], None)),
        ]
    )
    f = prop("End").date.is_empty() & prop("Client").select.equals("Acme")
    pages = [
        p
        async for p in client.query_data_source(
            DS_ID, filter=f, sorts=[prop("Start").ascending()], page_size=2
        )
    ]
    assert [p.id for p in pages] == ["page-0", "page-1", "page-2"]
    assert route.call_count == 3 and client.request_count == 3
    expected = {
        "filter": f.to_json(),
        "sorts": [{"property": "Start", "direction": "ascending"}],
        "page_size": 2,
    }
    assert body(sent(route, 0)) == expected
    assert body(sent(route, 1)) == expected | {"start_cursor": "cursor-1"}
    assert body(sent(route, 2)) == expected | {"start_cursor": "cursor-2"}
    assert all(call.request.method == "POST" for call in route.calls)
    assert_headers(sent(route, 0))


async def test_query_without_filter_sends_page_size_only(
    client: NotionClient, router: respx.MockRouter
) -> None:
    route = router.post(f"/v1/data_sources/{DS_ID}/query").respond(
        200, json=_list([_page(0)], None)
    )
    pages = [p async for p in client.query_data_source(DS_ID)]
    assert len(pages) == 1
    assert body(sent(route)) == {"page_size": 100}


@pytest.mark.parametrize("size", [0, 101, -1])
def test_query_page_size_validated_before_any_request(size: int) -> None:
    client = NotionClient(TOKEN, rate_limit=RateLimit(rate=0))
    with pytest.raises(ValueError, match="page_size"):
        client.query_data_source(DS_ID, page_size=size)
    assert client.request_count == 0


async def test_incomplete_query_is_refused(client: NotionClient, router: respx.MockRouter) -> None:
    incomplete = _list([_page(9)], None) | {
        "request_status": {
            "type": "incomplete",
            "incomplete_reason": "query_result_limit_reached",
        }
    }
    router.post(f"/v1/data_sources/{DS_ID}/query").mock(
        side_effect=[
            httpx.Response(200, json=_list([_page(0)], "c1")),
            httpx.Response(200, json=incomplete),
        ]
    )
    seen: list[str] = []
    with pytest.raises(IncompleteQueryError, match="query_result_limit_reached") as info:
        async for page in client.query_data_source(DS_ID):
            seen.append(page.id)
    assert seen == ["page-0"]  # the truncated batch is never handed out
    assert info.value.data_source_id == DS_ID


async def test_ids_are_path_quoted(client: NotionClient, router: respx.MockRouter) -> None:
    route = router.get("/v1/pages/a%2F..%2Fb").respond(200, json=load("page.json"))
    await client.retrieve_page("a/../b")
    assert route.called


async def test_base_url_is_configurable() -> None:
    with respx.mock(base_url="http://127.0.0.1:8765", assert_all_called=True) as local:
        route = local.get(f"/v1/pages/{PAGE_ID}").respond(200, json=load("page.json"))
        async with NotionClient(
            TOKEN, base_url="http://127.0.0.1:8765/", rate_limit=RateLimit(rate=0)
        ) as client:
            await client.retrieve_page(PAGE_ID)
        assert route.called


async def test_custom_notion_version_and_transport() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=load("page.json"))

    async with NotionClient(
        TOKEN,
        notion_version="2025-09-03",
        transport=httpx.MockTransport(handler),
        rate_limit=RateLimit(rate=0),
    ) as client:
        await asyncio.wait_for(client.retrieve_page(PAGE_ID), 5)
    assert seen[0].headers["Notion-Version"] == "2025-09-03"
    assert str(seen[0].url) == f"{BASE}/v1/pages/{PAGE_ID}"


def test_repr_hides_token() -> None:
    client = NotionClient(TOKEN)
    assert TOKEN not in repr(client)
    assert TOKEN not in str(client)
