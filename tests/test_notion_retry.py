"""Retries (Retry-After, backoff with jitter, bounded total, no blind create retries) and the
token-bucket limiter, all on a fake clock: nothing here really sleeps."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from notion_client import (
    NotionClient,
    NotionConnectionError,
    NotionTimeoutError,
    ObjectNotFoundError,
    PropertySchema,
    RateLimit,
    RateLimitedError,
    RetryPolicy,
    ServerError,
    Title,
    ValidationError,
)

FIXTURES = Path(__file__).parent / "notion_fixtures"
TOKEN = "secret_retry_test_token"
PAGE = json.loads((FIXTURES / "page.json").read_text(encoding="utf-8"))
DATABASE = json.loads((FIXTURES / "database.json").read_text(encoding="utf-8"))

Step = httpx.Response | Exception
T = TypeVar("T")


class FakeTime:
    """A monotonic clock that only moves when something sleeps on it."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def error(status: int, code: str, retry_after: str | None = None) -> httpx.Response:
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    body = {"object": "error", "status": status, "code": code, "message": code, "request_id": "r"}
    return httpx.Response(status, json=body, headers=headers)


def ok(body: dict[str, Any] = PAGE) -> httpx.Response:
    return httpx.Response(200, json=body)


def make_client(
    steps: Sequence[Step],
    time: FakeTime,
    *,
    random: Callable[[], float] = lambda: 1.0,
    rate_limit: RateLimit | None = None,
    **policy: Any,
) -> tuple[NotionClient, list[httpx.Request]]:
    """A client whose transport plays `steps` in order (responses, or exceptions to raise)."""
    requests: list[httpx.Request] = []
    queue = list(steps)

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        step = queue.pop(0)
        if isinstance(step, Exception):
            raise step
        return step

    client = NotionClient(
        TOKEN,
        transport=httpx.MockTransport(handler),
        retry=RetryPolicy(sleep=time.sleep, clock=time.clock, random=random, **policy),
        rate_limit=rate_limit or RateLimit(rate=0),
    )
    return client, requests


async def run(coro: Awaitable[T]) -> T:
    return await asyncio.wait_for(coro, 5)


# --- which failures are retried, and how long we wait --------------------------------------


async def test_429_waits_retry_after() -> None:
    time = FakeTime()
    client, requests = make_client([error(429, "rate_limited", "2"), ok()], time)
    page = await run(client.retrieve_page("p"))
    assert page.id == PAGE["id"]
    assert time.sleeps == [2.0]
    assert client.request_count == 2 == len(requests)


async def test_529_is_handled_like_429() -> None:
    time = FakeTime()
    client, _ = make_client([error(529, "service_overload", "1"), ok()], time)
    await run(client.retrieve_page("p"))
    assert time.sleeps == [1.0]


async def test_429_without_retry_after_backs_off() -> None:
    time = FakeTime()
    client, _ = make_client([error(429, "rate_limited"), ok()], time)
    await run(client.retrieve_page("p"))
    assert time.sleeps == [0.5]


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_5xx_backoff_grows_exponentially_then_gives_up(status: int) -> None:
    time = FakeTime()
    client, requests = make_client([error(status, "internal_server_error")] * 5, time)
    with pytest.raises(ServerError) as info:
        await run(client.retrieve_page("p"))
    assert info.value.status == status
    assert time.sleeps == [0.5, 1.0, 2.0, 4.0]
    assert len(requests) == client.request_count == 5


async def test_backoff_capped_by_max_delay() -> None:
    time = FakeTime()
    client, _ = make_client(
        [error(503, "service_unavailable")] * 6, time, base_delay=1.0, max_delay=3.0,
        max_attempts=6, max_total=100.0,
    )  # fmt: skip
    with pytest.raises(ServerError):
        await run(client.retrieve_page("p"))
    assert time.sleeps == [1.0, 2.0, 3.0, 3.0, 3.0]


async def test_full_jitter_scales_the_delay() -> None:
    time = FakeTime()
    draws = iter([0.5, 0.25])
    client, _ = make_client(
        [error(503, "service_unavailable")] * 2 + [ok()], time, random=lambda: next(draws)
    )
    await run(client.retrieve_page("p"))
    assert time.sleeps == [0.25, 0.25]  # 0.5 * 0.5, then 0.25 * 1.0


async def test_total_retry_time_is_bounded() -> None:
    time = FakeTime()
    client, requests = make_client([error(429, "rate_limited", "20")] * 5, time, max_total=30.0)
    with pytest.raises(RateLimitedError) as info:
        await run(client.retrieve_page("p"))
    assert time.sleeps == [20.0]  # a second 20 s wait would end after 30 s
    assert len(requests) == 2
    assert info.value.retry_after == 20.0


async def test_backoff_stops_before_exceeding_max_total() -> None:
    time = FakeTime()
    steps: list[Step] = [error(503, "service_unavailable")] * 5
    client, requests = make_client(steps, time, base_delay=4.0, max_delay=8.0, max_total=10.0)
    with pytest.raises(ServerError):
        await run(client.retrieve_page("p"))
    assert time.sleeps == [4.0]  # 4 + 8 > 10
    assert len(requests) == 2


async def test_max_total_counts_time_spent_waiting_for_responses() -> None:
    time = FakeTime()
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        time.now += 9.0  # each attempt takes 9 s before failing
        return error(503, "service_unavailable")

    client = NotionClient(
        TOKEN,
        transport=httpx.MockTransport(handler),
        retry=RetryPolicy(sleep=time.sleep, clock=time.clock, random=lambda: 1.0, max_total=19.0),
        rate_limit=RateLimit(rate=0),
    )
    with pytest.raises(ServerError):
        await run(client.retrieve_page("p"))
    assert time.sleeps == [0.5]  # a third attempt would start at 9 + 0.5 + 9 + 1.0 > 19 s
    assert len(requests) == 2


async def test_max_attempts_one_disables_retries() -> None:
    time = FakeTime()
    client, requests = make_client([error(503, "service_unavailable")], time, max_attempts=1)
    with pytest.raises(ServerError):
        await run(client.retrieve_page("p"))
    assert time.sleeps == [] and len(requests) == 1


@pytest.mark.parametrize(
    ("response", "exc"),
    [
        (error(400, "validation_error"), ValidationError),
        (error(404, "object_not_found"), ObjectNotFoundError),
    ],
)
async def test_client_errors_are_not_retried(
    response: httpx.Response, exc: type[Exception]
) -> None:
    time = FakeTime()
    client, requests = make_client([response], time)
    with pytest.raises(exc):
        await run(client.retrieve_page("p"))
    assert len(requests) == 1 and time.sleeps == []


async def test_get_retried_after_timeout_and_connection_error() -> None:
    time = FakeTime()
    client, requests = make_client(
        [httpx.ReadTimeout("read timed out"), httpx.ConnectError("refused"), ok()], time
    )
    await run(client.retrieve_page("p"))
    assert len(requests) == 3 and time.sleeps == [0.5, 1.0]


async def test_patch_retried_after_5xx_and_timeout() -> None:
    time = FakeTime()
    client, requests = make_client(
        [error(502, "internal_server_error"), httpx.ReadTimeout("slow"), ok()], time
    )
    await run(client.trash_page("p"))
    assert [r.method for r in requests] == ["PATCH"] * 3


async def test_patch_timeout_that_exhausts_retries_is_ambiguous() -> None:
    time = FakeTime()
    client, _ = make_client([httpx.ReadTimeout("slow")] * 2, time, max_attempts=2)
    with pytest.raises(NotionTimeoutError) as info:
        await run(client.update_page("p", {"Name": Title("x")}))
    assert info.value.ambiguous is True


async def test_query_post_retried_on_503_mid_pagination() -> None:
    time = FakeTime()
    first = {"object": "list", "results": [PAGE], "next_cursor": "c1", "has_more": True}
    last = {"object": "list", "results": [PAGE], "next_cursor": None, "has_more": False}
    client, requests = make_client([ok(first), error(503, "service_unavailable"), ok(last)], time)
    pages = [p async for p in client.query_data_source("ds")]
    assert len(pages) == 2
    assert [json.loads(r.content).get("start_cursor") for r in requests] == [None, "c1", "c1"]


# --- creates are never blindly retried ------------------------------------------------------


@pytest.mark.parametrize("status", [500, 503, 504])
async def test_create_page_not_retried_on_5xx(status: int) -> None:
    time = FakeTime()
    client, requests = make_client([error(status, "internal_server_error"), ok()], time)
    with pytest.raises(ServerError):
        await run(client.create_page("ds", {"Name": Title("Acme")}))
    assert len(requests) == 1 and time.sleeps == []


async def test_create_page_timeout_is_ambiguous_and_not_retried() -> None:
    time = FakeTime()
    client, requests = make_client([httpx.ReadTimeout("timed out"), ok()], time)
    with pytest.raises(NotionTimeoutError) as info:
        await run(client.create_page("ds", {"Name": Title("Acme")}))
    assert info.value.ambiguous is True
    assert len(requests) == 1 and client.request_count == 1


async def test_create_page_dropped_connection_is_ambiguous() -> None:
    time = FakeTime()
    client, requests = make_client(
        [httpx.RemoteProtocolError("Server disconnected without sending a response.")], time
    )
    with pytest.raises(NotionConnectionError) as info:
        await run(client.create_page("ds", {"Name": Title("Acme")}))
    assert info.value.ambiguous is True and len(requests) == 1


async def test_create_page_retried_on_429() -> None:
    time = FakeTime()
    client, requests = make_client([error(429, "rate_limited", "1"), ok()], time)
    await run(client.create_page("ds", {"Name": Title("Acme")}))
    assert len(requests) == 2 and time.sleeps == [1.0]


async def test_create_page_retried_when_connection_never_opened() -> None:
    time = FakeTime()
    client, requests = make_client([httpx.ConnectError("connection refused"), ok()], time)
    await run(client.create_page("ds", {"Name": Title("Acme")}))
    assert len(requests) == 2


async def test_create_page_connect_failure_is_not_ambiguous() -> None:
    time = FakeTime()
    client, _ = make_client([httpx.ConnectError("connection refused")] * 2, time, max_attempts=2)
    with pytest.raises(NotionConnectionError) as info:
        await run(client.create_page("ds", {"Name": Title("Acme")}))
    assert info.value.ambiguous is False


async def test_create_database_not_retried_on_503() -> None:
    time = FakeTime()
    client, requests = make_client([error(503, "service_unavailable"), ok(DATABASE)], time)
    with pytest.raises(ServerError):
        await run(client.create_database("parent", "T", {"Name": PropertySchema("Name", "title")}))
    assert len(requests) == 1


async def test_read_timeout_on_get_is_not_ambiguous() -> None:
    time = FakeTime()
    client, _ = make_client([httpx.ReadTimeout("slow")], time, max_attempts=1)
    with pytest.raises(NotionTimeoutError) as info:
        await run(client.retrieve_page("p"))
    assert info.value.ambiguous is False


# --- the token bucket -------------------------------------------------------------------------


async def test_bucket_allows_a_burst_then_spaces_requests() -> None:
    time = FakeTime()
    bucket = RateLimit(rate=3.0, burst=3, clock=time.clock, sleep=time.sleep)
    for _ in range(5):
        await bucket.acquire()
    assert time.sleeps == pytest.approx([1 / 3, 1 / 3])


async def test_bucket_refills_up_to_burst_only() -> None:
    time = FakeTime()
    bucket = RateLimit(rate=3.0, burst=3, clock=time.clock, sleep=time.sleep)
    for _ in range(3):
        await bucket.acquire()
    time.now += 60  # long idle: still only a burst of 3
    for _ in range(4):
        await bucket.acquire()
    assert time.sleeps == pytest.approx([1 / 3])


async def test_bucket_average_rate_over_many_requests() -> None:
    time = FakeTime()
    bucket = RateLimit(rate=3.0, burst=3, clock=time.clock, sleep=time.sleep)
    start = time.now
    for _ in range(30):
        await bucket.acquire()
    assert time.now - start == pytest.approx(27 / 3)


async def test_concurrent_callers_queue_in_order() -> None:
    now = 0.0
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:  # records, does not advance: all callers at t=0
        sleeps.append(seconds)

    bucket = RateLimit(rate=2.0, burst=1, clock=lambda: now, sleep=sleep)
    await asyncio.wait_for(asyncio.gather(*(bucket.acquire() for _ in range(4))), 5)
    assert sorted(sleeps) == pytest.approx([0.5, 1.0, 1.5])


async def test_rate_zero_disables_limiting() -> None:
    time = FakeTime()
    bucket = RateLimit(rate=0, clock=time.clock, sleep=time.sleep)
    for _ in range(100):
        await bucket.acquire()
    assert time.sleeps == []


def test_rate_limit_validates() -> None:
    with pytest.raises(ValueError):
        RateLimit(rate=-1)
    with pytest.raises(ValueError):
        RateLimit(burst=0)
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)


async def test_limiter_is_shared_by_all_calls_and_retries_of_a_client() -> None:
    limiter_time = FakeTime()
    retry_time = FakeTime()
    bucket = RateLimit(rate=3.0, burst=3, clock=limiter_time.clock, sleep=limiter_time.sleep)
    steps: list[Step] = [ok(), ok(), error(503, "service_unavailable"), ok(), ok()]
    client, requests = make_client(steps, retry_time, rate_limit=bucket)
    await run(client.retrieve_page("a"))
    await run(client.update_page("b", {}))
    await run(client.retrieve_page("c"))  # one 503 + retry: two tokens
    await run(client.trash_page("d"))
    assert len(requests) == 5 == client.request_count
    assert limiter_time.sleeps == pytest.approx([1 / 3, 1 / 3])


def test_default_limit_is_three_per_second_burst_three() -> None:
    client = NotionClient(TOKEN)
    assert (client.rate_limit.rate, client.rate_limit.burst) == (3.0, 3)
    other = NotionClient(TOKEN)
    assert other.rate_limit is not client.rate_limit
