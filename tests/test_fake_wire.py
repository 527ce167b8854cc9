"""In-memory Notion on the wire: auth, version, error bodies, ids, routes, schemas, counters."""

from __future__ import annotations

import asyncio
import sys
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from notionkit import TOKEN, WIRES, wire_client

from notion_client.fake import FakeNotion

SCHEMA: dict[str, Any] = {
    "Name": {"title": {}},
    "Client": {"select": {"options": [{"name": "Acme"}]}},
    "Start": {"date": {}},
    "End": {"date": {}},
}
MISSING = "0f0e0d0c-0b0a-4909-8807-060504030201"


@pytest.fixture
def fake() -> FakeNotion:
    return FakeNotion(token=TOKEN)


@pytest.fixture
def ids(fake: FakeNotion) -> tuple[str, str, str]:
    parent = fake.add_parent_page("Workspace")
    db, ds = fake.add_database(parent, "Time entries", SCHEMA)
    return parent, db, ds


@pytest.fixture(params=WIRES)
async def api(request: pytest.FixtureRequest, fake: FakeNotion) -> AsyncIterator[httpx.AsyncClient]:
    async with wire_client(fake, request.param) as client:
        yield client


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["object"] == "error"
    assert body["status"] == status
    assert body["code"] == code
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["request_id"], str) and body["request_id"]
    assert response.headers["content-type"].startswith("application/json")
    return body


def new_database(
    parent: str, properties: dict[str, Any], *, title: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The body of a create-database request: one data source with ``properties``, in page
    ``parent``; ``title`` only when given."""
    body: dict[str, Any] = {"parent": {"type": "page_id", "page_id": parent}}
    if title is not None:
        body["title"] = title
    body["initial_data_source"] = {"properties": properties}
    return body


@pytest.mark.parametrize(
    "authorization", [None, "Bearer wrong", TOKEN, f"Basic {TOKEN}", f"bearer{TOKEN}"]
)
async def test_a_missing_or_wrong_token_is_401_unauthorized(
    api: httpx.AsyncClient, ids: tuple[str, str, str], authorization: str | None
) -> None:
    headers = {"Notion-Version": "2026-03-11"}
    if authorization is not None:
        headers["Authorization"] = authorization
    api.headers.pop("Authorization")
    response = await api.get(f"/v1/databases/{ids[1]}", headers=headers)
    body = assert_error(response, 401, "unauthorized")
    assert TOKEN not in body["message"]


async def test_the_right_token_is_accepted(
    api: httpx.AsyncClient, ids: tuple[str, str, str]
) -> None:
    response = await api.get(f"/v1/databases/{ids[1]}")
    assert response.status_code == 200
    assert response.json()["object"] == "database"


async def test_notion_version_is_required_and_checked(
    api: httpx.AsyncClient, ids: tuple[str, str, str]
) -> None:
    api.headers.pop("Notion-Version")
    response = await api.get(f"/v1/databases/{ids[1]}")
    assert_error(response, 400, "missing_version")
    response = await api.get(f"/v1/databases/{ids[1]}", headers={"Notion-Version": "1999-01-01"})
    assert_error(response, 400, "validation_error")
    response = await api.get(f"/v1/databases/{ids[1]}", headers={"Notion-Version": "2025-09-03"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "kind"),
    [
        ("GET", "/v1/pages/{}", "page"),
        ("PATCH", "/v1/pages/{}", "page"),
        ("GET", "/v1/databases/{}", "database"),
        ("GET", "/v1/data_sources/{}", "data source"),
        ("PATCH", "/v1/data_sources/{}", "data source"),
        ("POST", "/v1/data_sources/{}/query", "data source"),
    ],
)
async def test_unknown_ids_are_404_object_not_found_like_notion(
    api: httpx.AsyncClient, ids: tuple[str, str, str], method: str, path: str, kind: str
) -> None:
    kwargs: dict[str, Any] = {} if method == "GET" else {"json": {}}
    response = await api.request(method, path.format(MISSING), **kwargs)
    body = assert_error(response, 404, "object_not_found")
    assert body["message"] == (
        f"Could not find {kind} with ID: {MISSING}. Make sure the relevant pages and databases "
        "are shared with your integration."
    )


async def test_ids_of_one_kind_are_not_found_as_another(
    api: httpx.AsyncClient, ids: tuple[str, str, str]
) -> None:
    parent, db, ds = ids
    assert_error(await api.get(f"/v1/pages/{db}"), 404, "object_not_found")
    assert_error(await api.get(f"/v1/databases/{ds}"), 404, "object_not_found")
    assert_error(await api.get(f"/v1/data_sources/{db}"), 404, "object_not_found")
    assert_error(await api.get(f"/v1/databases/{parent}"), 404, "object_not_found")


async def test_ids_without_dashes_work_and_malformed_ids_are_400(
    api: httpx.AsyncClient, ids: tuple[str, str, str]
) -> None:
    parent = ids[0]
    response = await api.get(f"/v1/pages/{parent.replace('-', '').upper()}")
    assert response.status_code == 200
    assert response.json()["id"] == parent
    assert_error(await api.get("/v1/pages/not-an-id"), 400, "validation_error")


async def test_unknown_routes_and_the_legacy_database_query_are_invalid_request_url(
    api: httpx.AsyncClient, ids: tuple[str, str, str]
) -> None:
    assert_error(
        await api.post(f"/v1/databases/{ids[1]}/query", json={}), 400, "invalid_request_url"
    )
    assert_error(await api.delete(f"/v1/pages/{ids[0]}"), 400, "invalid_request_url")
    assert_error(await api.get("/v1/users"), 400, "invalid_request_url")


async def test_a_body_that_is_not_json_is_invalid_json(
    api: httpx.AsyncClient, ids: tuple[str, str, str]
) -> None:
    response = await api.post(
        "/v1/pages", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert_error(response, 400, "invalid_json")
    response = await api.post("/v1/pages", json=[1, 2])
    assert_error(response, 400, "validation_error")


async def test_retrieve_database_lists_its_data_sources(
    api: httpx.AsyncClient, ids: tuple[str, str, str]
) -> None:
    parent, db, ds = ids
    body = (await api.get(f"/v1/databases/{db}")).json()
    assert body["id"] == db
    assert body["data_sources"] == [{"id": ds, "name": "Time entries"}]
    assert body["parent"] == {"type": "page_id", "page_id": parent}
    assert body["title"][0]["plain_text"] == "Time entries"
    assert body["in_trash"] is False
    assert body["url"] == "https://www.notion.so/" + db.replace("-", "")
    assert isinstance(body["request_id"], str)


async def test_retrieve_data_source_shows_the_schema(
    api: httpx.AsyncClient, ids: tuple[str, str, str]
) -> None:
    _, db, ds = ids
    body = (await api.get(f"/v1/data_sources/{ds}")).json()
    assert body["object"] == "data_source"
    assert body["parent"] == {"type": "database_id", "database_id": db}
    props = body["properties"]
    assert set(props) == {"Name", "Client", "Start", "End"}
    assert props["Name"]["id"] == "title" and props["Name"]["type"] == "title"
    assert props["Start"]["type"] == "date" and props["Start"]["date"] == {}
    assert [o["name"] for o in props["Client"]["select"]["options"]] == ["Acme"]
    assert len({p["id"] for p in props.values()}) == 4


async def test_create_database_makes_a_database_with_one_data_source(
    api: httpx.AsyncClient, ids: tuple[str, str, str]
) -> None:
    parent = ids[0]
    properties = {
        "Name": {"title": {}},
        "Hours": {"number": {"format": "number"}},
        "Kind": {"select": {"options": [{"name": "Billable", "color": "green"}]}},
    }
    title = [{"type": "text", "text": {"content": "Hours 2027"}}]
    response = await api.post("/v1/databases", json=new_database(parent, properties, title=title))
    assert response.status_code == 200, response.text
    made = response.json()
    assert made["object"] == "database"
    assert made["title"][0]["plain_text"] == "Hours 2027"
    [source] = made["data_sources"]
    assert source["name"] == "Hours 2027"
    schema = (await api.get(f"/v1/data_sources/{source['id']}")).json()["properties"]
    assert schema["Hours"]["number"] == {"format": "number"}
    assert schema["Kind"]["select"]["options"][0]["color"] == "green"
    assert (await api.get(f"/v1/databases/{made['id']}")).json()["data_sources"] == [source]


async def test_create_database_refuses_bad_parents_and_schemas(
    api: httpx.AsyncClient, ids: tuple[str, str, str]
) -> None:
    parent = ids[0]
    ok_props = {"Name": {"title": {}}}
    response = await api.post("/v1/databases", json=new_database(MISSING, ok_props))
    assert_error(response, 404, "object_not_found")
    for props in (
        {"Note": {"rich_text": {}}},
        {"A": {"title": {}}, "B": {"title": {}}},
        {"Name": {"title": {}}, "X": {"bogus": {}}},
    ):
        response = await api.post("/v1/databases", json=new_database(parent, props))
        assert_error(response, 400, "validation_error")


async def test_update_data_source_adds_renames_and_removes_properties(
    api: httpx.AsyncClient, fake: FakeNotion, ids: tuple[str, str, str]
) -> None:
    _, _, ds = ids
    page_id = fake.add_page(ds, {"Name": {"title": [{"text": {"content": "Acme"}}]}})
    response = await api.patch(
        f"/v1/data_sources/{ds}",
        json={
            "properties": {"Note": {"rich_text": {}}, "Client": {"name": "Customer"}, "End": None}
        },
    )
    assert response.status_code == 200, response.text
    props = response.json()["properties"]
    assert set(props) == {"Name", "Customer", "Start", "Note"}
    assert [o["name"] for o in props["Customer"]["select"]["options"]] == ["Acme"]
    page = (await api.get(f"/v1/pages/{page_id}")).json()
    assert page["properties"]["Note"] == {
        "id": props["Note"]["id"],
        "type": "rich_text",
        "rich_text": [],
    }
    assert "End" not in page["properties"] and "Customer" in page["properties"]
    # Adding options to an existing select keeps the old ones.
    response = await api.patch(
        f"/v1/data_sources/{ds}",
        json={"properties": {"Customer": {"select": {"options": [{"name": "Beta"}]}}}},
    )
    options = response.json()["properties"]["Customer"]["select"]["options"]
    assert [o["name"] for o in options] == ["Acme", "Beta"]


async def test_update_data_source_refuses_bad_changes(
    api: httpx.AsyncClient, ids: tuple[str, str, str]
) -> None:
    ds = ids[2]
    for props in (
        {"Ghost": None},
        {"Name": None},
        {"Other": {"title": {}}},
        {"Client": {"name": "Start"}},
        {"X": {"formula": {}}},
    ):
        response = await api.patch(f"/v1/data_sources/{ds}", json={"properties": props})
        assert_error(response, 400, "validation_error")
    schema = (await api.get(f"/v1/data_sources/{ds}")).json()["properties"]
    assert set(schema) == set(SCHEMA)


async def test_requests_are_counted_per_endpoint_including_failed_ones(
    api: httpx.AsyncClient, fake: FakeNotion, ids: tuple[str, str, str]
) -> None:
    parent, db, ds = ids
    await api.get(f"/v1/databases/{db}")
    await api.get(f"/v1/data_sources/{ds}")
    await api.patch(f"/v1/data_sources/{ds}", json={"properties": {}})
    await api.post(f"/v1/data_sources/{ds}/query", json={})
    await api.post(f"/v1/data_sources/{ds}/query", json={})
    created = await api.post(
        "/v1/pages",
        json={"parent": {"type": "data_source_id", "data_source_id": ds}, "properties": {}},
    )
    page_id = created.json()["id"]
    await api.get(f"/v1/pages/{page_id}")
    await api.patch(f"/v1/pages/{page_id}", json={"in_trash": True})
    await api.post("/v1/databases", json=new_database(parent, {"Name": {"title": {}}}, title=[]))
    await api.get(f"/v1/pages/{MISSING}")
    await api.get(f"/v1/pages/{page_id}", headers={"Authorization": "Bearer nope"})
    await api.get("/v1/unknown")
    assert fake.requests == Counter(
        retrieve_database=1,
        retrieve_data_source=1,
        update_data_source=1,
        query_data_source=2,
        create_page=1,
        retrieve_page=3,
        update_page=1,
        create_database=1,
    )


async def test_python_m_notion_client_fake_serves_until_stopped() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "notion_client.fake",
        "--token",
        "secret_cli",
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        lines = [
            (await asyncio.wait_for(process.stdout.readline(), 20)).decode().strip()
            for _ in range(2)
        ]
        settings = dict(line.split("=", 1) for line in lines)
        headers = {"Authorization": "Bearer secret_cli", "Notion-Version": "2026-03-11"}
        async with httpx.AsyncClient(base_url=settings["NOTION_BASE_URL"], headers=headers) as api:
            response = await api.get(f"/v1/pages/{settings['NOTION_PARENT_PAGE_ID']}")
        assert response.status_code == 200
        assert response.json()["properties"]["title"]["title"][0]["plain_text"] == "Workspace"
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 10)
