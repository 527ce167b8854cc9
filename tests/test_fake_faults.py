"""In-memory Notion fault injection: failures, 429s, dropped responses, random 5xx, latency."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from notionkit import TOKEN, WIRES, wire_client

from notion_client.fake import ENDPOINTS, FakeNotion


@pytest.fixture
def fake() -> FakeNotion:
    return FakeNotion(token=TOKEN)


@pytest.fixture
def ds(fake: FakeNotion) -> str:
    schema = {"Name": {"title": {}}, "Client": {"select": {}}, "End": {"date": {}}}
    return fake.add_database(fake.add_parent_page(), "Entries", schema)[1]


@pytest.fixture(params=WIRES)
async def api(request: pytest.FixtureRequest, fake: FakeNotion) -> AsyncIterator[httpx.AsyncClient]:
    async with wire_client(fake, request.param) as client:
        yield client


def new_page(ds: str, name: str = "Acme") -> dict[str, Any]:
    return {
        "parent": {"type": "data_source_id", "data_source_id": ds},
        "properties": {
            "Name": {"title": [{"text": {"content": name}}]},
            "Client": {"select": {"name": name}},
        },
    }


async def test_fail_next_answers_an_error_without_applying(
    api: httpx.AsyncClient, fake: FakeNotion, ds: str
) -> None:
    fake.faults.fail_next(503, endpoint="create_page")
    assert (await api.post(f"/v1/data_sources/{ds}/query", json={})).status_code == 200
    failed = await api.post("/v1/pages", json=new_page(ds))
    assert failed.status_code == 503
    body = failed.json()
    assert (body["object"], body["status"], body["code"]) == ("error", 503, "service_unavailable")
    assert fake.pages(ds) == []
    assert fake.data_source(ds)["properties"]["Client"]["select"]["options"] == []
    assert (await api.post("/v1/pages", json=new_page(ds))).status_code == 200
    assert len(fake.pages(ds)) == 1
    assert fake.requests["create_page"] == 2


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (500, "internal_server_error"),
        (502, "bad_gateway"),
        (504, "gateway_timeout"),
        (529, "service_overload"),
        (409, "conflict_error"),
    ],
)
async def test_fail_next_counts_down_across_any_endpoint(
    api: httpx.AsyncClient, fake: FakeNotion, ds: str, status: int, code: str
) -> None:
    fake.faults.fail_next(status, count=2)
    assert fake.faults.pending == 2
    first = await api.get(f"/v1/data_sources/{ds}")
    second = await api.post(f"/v1/data_sources/{ds}/query", json={})
    assert [first.status_code, second.status_code] == [status, status]
    assert second.json()["code"] == code
    assert (await api.get(f"/v1/data_sources/{ds}")).status_code == 200
    assert fake.faults.pending == 0


async def test_rate_limit_next_is_429_with_retry_after(
    api: httpx.AsyncClient, fake: FakeNotion, ds: str
) -> None:
    fake.faults.rate_limit_next(retry_after=2, endpoint="query_data_source")
    fake.faults.rate_limit_next(retry_after=0.5, endpoint="query_data_source")
    first = await api.post(f"/v1/data_sources/{ds}/query", json={})
    assert first.status_code == 429
    assert first.headers["Retry-After"] == "2"
    assert first.json()["code"] == "rate_limited"
    second = await api.post(f"/v1/data_sources/{ds}/query", json={})
    assert second.headers["Retry-After"] == "0.5"
    assert (await api.post(f"/v1/data_sources/{ds}/query", json={})).status_code == 200
    assert fake.requests["query_data_source"] == 3


async def test_a_dropped_create_is_applied_but_never_answered(
    api: httpx.AsyncClient, fake: FakeNotion, ds: str
) -> None:
    fake.faults.drop_response_next("create_page")
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        await asyncio.wait_for(api.post("/v1/pages", json=new_page(ds, "Dropped")), 5)
    [page] = fake.pages(ds)
    assert page["properties"]["Name"]["title"][0]["plain_text"] == "Dropped"
    again = await api.post("/v1/pages", json=new_page(ds, "Next"))
    assert again.status_code == 200
    assert len(fake.pages(ds)) == 2
    assert fake.requests["create_page"] == 2


async def test_a_dropped_update_is_applied_too(
    api: httpx.AsyncClient, fake: FakeNotion, ds: str
) -> None:
    page_id = fake.add_page(ds, {"Name": {"title": [{"text": {"content": "x"}}]}})
    fake.faults.drop_response_next(endpoint="update_page", count=1)
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        await asyncio.wait_for(
            api.patch(
                f"/v1/pages/{page_id}",
                json={"properties": {"End": {"date": {"start": "2026-11-16"}}}},
            ),
            5,
        )
    assert fake.page(page_id)["properties"]["End"]["date"]["start"] == "2026-11-16"
    assert (await api.get(f"/v1/pages/{page_id}")).status_code == 200


async def test_random_errors_follow_the_seed_and_are_never_applied(
    fake: FakeNotion, ds: str
) -> None:
    async def statuses(seed: int) -> list[int]:
        other = FakeNotion(token=TOKEN)
        schema = {"Name": {"title": {}}, "Client": {"select": {}}}
        other_ds = other.add_database(other.add_parent_page(), "E", schema)[1]
        other.faults.error_rate = 0.3
        other.faults.seed(seed)
        async with wire_client(other) as client:
            got = [
                (await client.post("/v1/pages", json=new_page(other_ds))).status_code
                for _ in range(40)
            ]
        assert len(other.pages(other_ds)) == got.count(200)
        return got

    first, second = await statuses(7), await statuses(7)
    assert first == second
    assert set(first) <= {200, 500, 503} and 200 in first and set(first) - {200}
    assert first != await statuses(8)


async def test_an_error_rate_of_one_fails_everything_with_5xx(
    api: httpx.AsyncClient, fake: FakeNotion, ds: str
) -> None:
    fake.faults.error_rate = 1.0
    got = {(await api.get(f"/v1/data_sources/{ds}")).status_code for _ in range(10)}
    assert got <= {500, 503}
    fake.faults.clear()
    assert (await api.get(f"/v1/data_sources/{ds}")).status_code == 200


async def test_latency_delays_each_request_without_blocking_others(
    api: httpx.AsyncClient, fake: FakeNotion, ds: str
) -> None:
    seen: list[str] = []

    def extra(endpoint: str) -> float:
        seen.append(endpoint)
        return 0.01

    fake.faults.latency = 0.04
    fake.faults.latency_fn = extra
    started = time.perf_counter()
    responses = await asyncio.wait_for(
        asyncio.gather(*(api.get(f"/v1/data_sources/{ds}") for _ in range(5))), 5
    )
    elapsed = time.perf_counter() - started
    assert [r.status_code for r in responses] == [200] * 5
    assert 0.045 <= elapsed < 0.25 * 5
    assert seen == ["retrieve_data_source"] * 5


def test_faults_refuse_unknown_endpoints_and_statuses(fake: FakeNotion) -> None:
    assert "create_page" in ENDPOINTS and len(ENDPOINTS) == 8
    with pytest.raises(ValueError, match="unknown endpoint"):
        fake.faults.fail_next(503, endpoint="create_pages")
    with pytest.raises(ValueError, match="unknown endpoint"):
        fake.faults.drop_response_next("trash_page")
    with pytest.raises(ValueError, match="418"):
        fake.faults.fail_next(418)
    fake.faults.fail_next(503, count=3)
    fake.faults.drop_response_next()
    assert fake.faults.pending == 4
    fake.faults.clear()
    assert fake.faults.pending == 0


async def test_concurrent_creates_over_http_are_all_kept(fake: FakeNotion, ds: str) -> None:
    async with wire_client(fake, "http") as client:
        responses = await asyncio.wait_for(
            asyncio.gather(
                *(client.post("/v1/pages", json=new_page(ds, "Same")) for _ in range(30))
            ),
            10,
        )
    assert {r.status_code for r in responses} == {200}
    assert len({r.json()["id"] for r in responses}) == 30
    options = fake.data_source(ds)["properties"]["Client"]["select"]["options"]
    assert [o["name"] for o in options] == ["Same"]
    assert fake.requests["create_page"] == 30
