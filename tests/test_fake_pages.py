"""In-memory Notion pages: shapes, minute rounding, validation, select options, formulas, trash."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from notionkit import TOKEN, Clock, wire_client

from notion_client.fake import FakeNotion

HOURS = (
    'if(empty(prop("End")), toNumber(""), dateBetween(prop("End"), prop("Start"), "minutes") / 60)'
)
SCHEMA: dict[str, Any] = {
    "Name": {"title": {}},
    "Client": {"select": {"options": [{"name": "Acme"}]}},
    "Tags": {"multi_select": {}},
    "State": {"status": {}},
    "Start": {"date": {}},
    "End": {"date": {}},
    "Note": {"rich_text": {}},
    "Count": {"number": {"format": "number"}},
    "Done": {"checkbox": {}},
    "Link": {"url": {}},
    "Hours": {"formula": {"expression": HOURS}},
    "Other": {"formula": {"expression": 'concat(prop("Name"), "!")'}},
}


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 16, 9, 5, 42, 123000, tzinfo=UTC))


@pytest.fixture
def fake(clock: Clock) -> FakeNotion:
    return FakeNotion(token=TOKEN, clock=clock)


@pytest.fixture
def ds(fake: FakeNotion) -> str:
    return fake.add_database(fake.add_parent_page(), "Entries", SCHEMA)[1]


@pytest.fixture
async def api(fake: FakeNotion) -> AsyncIterator[httpx.AsyncClient]:
    async with wire_client(fake) as client:
        yield client


def title(text: str) -> dict[str, Any]:
    return {"title": [{"text": {"content": text}}]}


def date(start: str | None, end: str | None = None) -> dict[str, Any]:
    return {"date": None if start is None else {"start": start, "end": end}}


async def create(api: httpx.AsyncClient, ds: str, props: dict[str, Any]) -> httpx.Response:
    return await api.post(
        "/v1/pages",
        json={"parent": {"type": "data_source_id", "data_source_id": ds}, "properties": props},
    )


async def test_a_created_page_looks_like_notions(api: httpx.AsyncClient, ds: str) -> None:
    response = await create(
        api,
        ds,
        {
            "Name": title("Acme"),
            "Client": {"select": {"name": "Acme"}},
            "Start": date("2026-11-16T09:00:00+01:00"),
            "Note": {"rich_text": [{"text": {"content": "a"}}, {"text": {"content": "b"}}]},
            "Count": {"number": 2.5},
            "Done": {"checkbox": True},
        },
    )
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["object"] == "page"
    assert page["url"] == "https://www.notion.so/" + page["id"].replace("-", "")
    assert page["in_trash"] is False
    assert page["parent"]["type"] == "data_source_id" and page["parent"]["data_source_id"] == ds
    assert page["created_time"] == page["last_edited_time"] == "2026-11-16T09:05:00.000Z"
    props = page["properties"]
    assert set(props) == set(SCHEMA)
    assert props["Name"]["id"] == "title"
    assert [(t["type"], t["plain_text"]) for t in props["Name"]["title"]] == [("text", "Acme")]
    assert props["Name"]["title"][0]["text"] == {"content": "Acme", "link": None}
    assert "".join(t["plain_text"] for t in props["Note"]["rich_text"]) == "ab"
    assert props["Client"]["select"]["name"] == "Acme"
    assert props["Start"]["date"] == {
        "start": "2026-11-16T09:00:00.000+01:00",
        "end": None,
        "time_zone": None,
    }
    assert props["End"] == {"id": props["End"]["id"], "type": "date", "date": None}
    assert props["Count"]["number"] == 2.5 and props["Done"]["checkbox"] is True
    assert props["Tags"]["multi_select"] == [] and props["State"]["status"] is None
    assert props["Link"]["url"] is None
    for name, value in props.items():
        assert value["type"] == next(iter(SCHEMA[name]))
        assert isinstance(value["id"], str) and value["id"]


async def test_times_are_rounded_down_to_the_minute_and_edits_move_last_edited(
    api: httpx.AsyncClient, ds: str, clock: Clock
) -> None:
    page = (await create(api, ds, {"Name": title("x")})).json()
    clock.now += timedelta(minutes=3, seconds=50)
    response = await api.patch(
        f"/v1/pages/{page['id']}", json={"properties": {"Count": {"number": 1}}}
    )
    edited = response.json()
    assert edited["created_time"] == "2026-11-16T09:05:00.000Z"
    assert edited["last_edited_time"] == "2026-11-16T09:09:00.000Z"
    assert edited["properties"]["Name"]["title"][0]["plain_text"] == "x"  # untouched
    assert edited["properties"]["Count"]["number"] == 1


async def test_dates_keep_their_offset_and_milliseconds_and_naive_ones_are_utc(
    api: httpx.AsyncClient, ds: str
) -> None:
    page = (
        await create(
            api,
            ds,
            {
                "Start": date("2026-11-16T09:00:00.123456-05:00", "2026-11-16T10:00:00"),
                "End": {"date": {"start": "2026-11-16T09:00:00", "time_zone": "Europe/Berlin"}},
            },
        )
    ).json()["properties"]
    assert page["Start"]["date"] == {
        "start": "2026-11-16T09:00:00.123-05:00",
        "end": "2026-11-16T10:00:00.000+00:00",
        "time_zone": None,
    }
    assert page["End"]["date"]["start"] == "2026-11-16T09:00:00.000+01:00"
    page = (await create(api, ds, {"Start": date("2026-11-16")})).json()["properties"]
    assert page["Start"]["date"]["start"] == "2026-11-16"


async def test_select_and_multi_select_options_are_created_on_first_use(
    api: httpx.AsyncClient, ds: str, fake: FakeNotion
) -> None:
    for _ in range(2):
        response = await create(
            api,
            ds,
            {
                "Client": {"select": {"name": "Globex"}},
                "Tags": {"multi_select": [{"name": "a"}, {"name": "b"}, {"name": "a"}]},
            },
        )
        assert response.status_code == 200, response.text
    props = response.json()["properties"]
    schema = (await api.get(f"/v1/data_sources/{ds}")).json()["properties"]
    options = schema["Client"]["select"]["options"]
    assert [o["name"] for o in options] == ["Acme", "Globex"]
    assert props["Client"]["select"]["id"] == options[1]["id"]
    assert props["Client"]["select"]["color"] == options[1]["color"]
    assert [o["name"] for o in schema["Tags"]["multi_select"]["options"]] == ["a", "b"]
    assert [o["name"] for o in props["Tags"]["multi_select"]] == ["a", "b"]
    by_id = await create(api, ds, {"Client": {"select": {"id": options[0]["id"]}}})
    assert by_id.json()["properties"]["Client"]["select"]["name"] == "Acme"
    assert fake.data_source(ds)["properties"]["Client"]["select"]["options"] == options


async def test_status_options_must_exist(api: httpx.AsyncClient, ds: str) -> None:
    ok = await create(api, ds, {"State": {"status": {"name": "In progress"}}})
    assert ok.json()["properties"]["State"]["status"]["name"] == "In progress"
    bad = await create(api, ds, {"State": {"status": {"name": "Nope"}}})
    assert bad.status_code == 400 and bad.json()["code"] == "validation_error"


@pytest.mark.parametrize(
    "props",
    [
        {"Ghost": {"rich_text": []}},
        {"Client": {"date": {"start": "2026-11-16"}}},
        {"Client": {"select": {"name": "A,B"}}},
        {"Client": "Acme"},
        {"Start": {"date": {"start": "16/11/2026"}}},
        {"Start": {"date": {"start": "2026-11-16T09:00:00+01:00", "time_zone": "Europe/Berlin"}}},
        {"Start": {"date": {"end": "2026-11-16"}}},
        {"Note": {"rich_text": [{"text": {"content": "x" * 2001}}]}},
        {"Note": {"rich_text": [{"text": {"content": "x"}}] * 101}},
        {"Note": {"rich_text": "plain"}},
        {"Count": {"number": "3"}},
        {"Count": {"number": True}},
        {"Done": {"checkbox": None}},
        {"Tags": {"multi_select": [{"name": str(i)} for i in range(101)]}},
        {"Hours": {"formula": {"number": 1}}},
        {"Name": {"type": "rich_text", "title": []}},
    ],
)
async def test_invalid_values_are_400_validation_error_and_nothing_is_written(
    api: httpx.AsyncClient, ds: str, fake: FakeNotion, props: dict[str, Any]
) -> None:
    body = {"Client": {"select": {"name": "NewCo"}}, **props}  # a valid new option alongside
    response = await create(api, ds, body)
    assert response.status_code == 400, response.text
    error = response.json()
    assert error["object"] == "error" and error["code"] == "validation_error"
    assert fake.pages(ds) == []
    options = fake.data_source(ds)["properties"]["Client"]["select"]["options"]
    assert [o["name"] for o in options] == ["Acme"]


async def test_text_of_exactly_2000_characters_in_100_items_is_fine(
    api: httpx.AsyncClient, ds: str
) -> None:
    items = [{"text": {"content": "y" * 2000}}] * 100
    response = await create(api, ds, {"Note": {"rich_text": items}})
    assert response.status_code == 200
    assert len(response.json()["properties"]["Note"]["rich_text"]) == 100


async def test_the_hours_formula_is_computed_and_null_while_running(
    api: httpx.AsyncClient, ds: str
) -> None:
    page = (await create(api, ds, {"Start": date("2026-11-16T09:00:00+01:00")})).json()
    assert page["properties"]["Hours"]["formula"] == {"type": "number", "number": None}
    response = await api.patch(
        f"/v1/pages/{page['id']}", json={"properties": {"End": date("2026-11-16T09:20:00Z")}}
    )
    props = response.json()["properties"]
    assert props["Hours"]["formula"] == {"type": "number", "number": 1.33}
    assert props["Hours"]["type"] == "formula"
    assert props["Other"]["formula"] == {"type": "number", "number": None}


async def test_trash_hides_from_queries_but_retrieve_still_works(
    api: httpx.AsyncClient, ds: str, fake: FakeNotion
) -> None:
    page_id = (await create(api, ds, {"Name": title("gone")})).json()["id"]
    trashed = await api.patch(f"/v1/pages/{page_id}", json={"in_trash": True})
    assert trashed.json()["in_trash"] is True
    assert (await api.get(f"/v1/pages/{page_id}")).json()["in_trash"] is True
    query = await api.post(f"/v1/data_sources/{ds}/query", json={})
    assert query.json()["results"] == []
    assert fake.pages(ds) == [] and len(fake.pages(ds, include_trashed=True)) == 1
    edit = await api.patch(f"/v1/pages/{page_id}", json={"properties": {"Count": {"number": 1}}})
    assert edit.status_code == 400
    restored = await api.patch(
        f"/v1/pages/{page_id}", json={"in_trash": False, "properties": {"Count": {"number": 1}}}
    )
    assert restored.json()["in_trash"] is False
    assert restored.json()["properties"]["Count"]["number"] == 1
    assert len((await api.post(f"/v1/data_sources/{ds}/query", json={})).json()["results"]) == 1
    archived = await api.patch(f"/v1/pages/{page_id}", json={"archived": True})
    assert archived.status_code == 400


async def test_a_database_parent_resolves_to_its_first_data_source(
    api: httpx.AsyncClient, fake: FakeNotion
) -> None:
    db, ds = fake.add_database(fake.add_parent_page(), "Other", {"Name": {"title": {}}})
    response = await api.post(
        "/v1/pages",
        json={
            "parent": {"type": "database_id", "database_id": db},
            "properties": {"Name": title("x")},
        },
    )
    assert response.json()["parent"] == {
        "type": "data_source_id",
        "data_source_id": ds,
        "database_id": db,
    }
    unknown = await api.post("/v1/pages", json={"parent": {"type": "workspace", "workspace": True}})
    assert unknown.status_code == 400


async def test_seeding_helpers_validate_and_return_copies(fake: FakeNotion, ds: str) -> None:
    page_id = fake.add_page(
        ds, {"Name": title("seeded")}, created_time=datetime(2026, 1, 2, 3, 4, 59, tzinfo=UTC)
    )
    [page] = fake.pages(ds)
    assert page["id"] == page_id and page["created_time"] == "2026-01-02T03:04:00.000Z"
    page["properties"].clear()
    assert fake.page(page_id)["properties"]["Name"]["title"][0]["plain_text"] == "seeded"
    with pytest.raises(ValueError, match="Ghost is not a property that exists"):
        fake.add_page(ds, {"Ghost": {"rich_text": []}})
    with pytest.raises(ValueError, match="Could not find"):
        fake.add_page("0f0e0d0c-0b0a-4909-8807-060504030201", {})


def test_add_database_takes_property_schema_objects(fake: FakeNotion) -> None:
    from notion_client import PropertySchema

    parent = fake.add_parent_page("Workspace")
    db, ds = fake.add_database(
        parent,
        "Typed",
        {
            "Name": PropertySchema("Name", "title"),
            "Client": PropertySchema("Client", "select", options=("Acme", "Beta")),
            "Rate": PropertySchema("Rate", "number", number_format="dollar"),
        },
    )
    props = fake.data_source(ds)["properties"]
    assert props["Name"]["type"] == "title"
    assert [o["name"] for o in props["Client"]["select"]["options"]] == ["Acme", "Beta"]
    assert props["Rate"]["number"] == {"format": "dollar"}
    assert fake.data_source(ds)["parent"] == {"type": "database_id", "database_id": db}
    with pytest.raises(ValueError, match="Could not find page"):
        fake.add_database("0f0e0d0c-0b0a-4909-8807-060504030201", "x", {"Name": {"title": {}}})
