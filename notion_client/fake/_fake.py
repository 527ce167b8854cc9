"""FakeNotion: routing, auth and version checks, faults and counters around the stateful store."""

from __future__ import annotations

import asyncio
import json
import re
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from typing import Any, Final, TypeVar

import httpx

from ._common import JSON, ApiError, FakeResponse, bad_request, new_id
from ._faults import Faults
from ._server import serve as _serve
from ._state import DEFAULT_RESULT_LIMIT, NotionState
from ._transport import FakeTransport

__all__ = ["NOTION_VERSIONS", "FakeNotion"]

NOTION_VERSIONS: Final = frozenset({"2022-06-28", "2025-09-03", "2026-03-11"})
_ID: Final = r"([^/]+)"
_ROUTES: Final = (
    ("GET", re.compile(rf"^/v1/databases/{_ID}/?$"), "retrieve_database"),
    ("POST", re.compile(r"^/v1/databases/?$"), "create_database"),
    ("GET", re.compile(rf"^/v1/data_sources/{_ID}/?$"), "retrieve_data_source"),
    ("PATCH", re.compile(rf"^/v1/data_sources/{_ID}/?$"), "update_data_source"),
    ("POST", re.compile(rf"^/v1/data_sources/{_ID}/query/?$"), "query_data_source"),
    ("POST", re.compile(r"^/v1/pages/?$"), "create_page"),
    ("GET", re.compile(rf"^/v1/pages/{_ID}/?$"), "retrieve_page"),
    ("PATCH", re.compile(rf"^/v1/pages/{_ID}/?$"), "update_page"),
)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _route(method: str, path: str) -> tuple[str, str] | None:
    for verb, pattern, endpoint in _ROUTES:
        if verb == method.upper() and (found := pattern.match(path)):
            return endpoint, found.group(1) if pattern.groups else ""
    return None


class FakeNotion:
    """An in-memory Notion (API version 2026-03-11 shapes) for tests, demos and benchmarks.

    Use it in-process with `transport()` or over HTTP with `async with fake.serve() as url`.
    `requests` counts requests per endpoint; `faults` injects latency, failures and a lagging
    query index (`faults.index_lag`, timed by `clock`: advance a settable clock in tests).
    """

    def __init__(
        self,
        *,
        token: str = "secret_test",
        clock: Callable[[], datetime] = _utcnow,
        result_limit: int = DEFAULT_RESULT_LIMIT,
    ) -> None:
        self.token = token
        self.faults = Faults()
        self.requests: Counter[str] = Counter()
        self._state = NotionState(clock, result_limit, lambda: self.faults.index_lag)
        # Handlers never await, so one lock (also good across threads) keeps mutations atomic.
        self._lock = threading.Lock()

    @property
    def result_limit(self) -> int:
        """Rows one query may return before it is cut short as `incomplete` (Notion: 10,000)."""
        return self._state.result_limit

    @result_limit.setter
    def result_limit(self, value: int) -> None:
        self._state.result_limit = value

    @property
    def clock(self) -> Callable[[], datetime]:
        """Source of "now" (aware datetimes) for timestamps and relative date filters."""
        return self._state.clock

    @clock.setter
    def clock(self, value: Callable[[], datetime]) -> None:
        self._state.clock = value

    # -- plugging in -----------------------------------------------------------------------
    def transport(self) -> httpx.AsyncBaseTransport:
        """An httpx transport answering from this fake, in-process."""
        return FakeTransport(self)

    def serve(self, host: str = "127.0.0.1", port: int = 0) -> AbstractAsyncContextManager[str]:
        """Serve over real HTTP: `async with fake.serve() as base_url` (port 0 picks a free one)."""
        return _serve(self, host, port)

    # -- seeding and inspection --------------------------------------------------------------
    def add_parent_page(self, title: str = "Workspace") -> str:
        """A top-level page to create databases under; returns its id."""
        with self._lock:
            return self._state.add_parent_page(title)

    def add_database(
        self, parent_id: str, title: str, schema: Mapping[str, Any]
    ) -> tuple[str, str]:
        """Create a database with one data source; values are PropertySchema or schema dicts."""
        with self._lock:
            return _seeding(lambda: self._state.add_database(parent_id, title, schema))

    def add_page(
        self, data_source_id: str, properties: JSON, *, created_time: datetime | None = None
    ) -> str:
        """Add a page from raw property value JSON (validated as on the wire); returns its id.

        Unlike a page created over the wire, it is in query results at once, whatever the lag.
        """
        body = {
            "parent": {"type": "data_source_id", "data_source_id": data_source_id},
            "properties": properties,
        }
        with self._lock:
            return _seeding(lambda: self._state.new_page(body, created_time)).id

    def pages(self, data_source_id: str, *, include_trashed: bool = False) -> list[JSON]:
        """Copies of the stored page JSON of a data source (trashed ones left out by default)."""
        with self._lock:
            found = _seeding(lambda: self._state.pages_of(data_source_id, include_trashed))
            return [page.to_json() for page in found]

    def page(self, page_id: str) -> JSON:
        """A copy of one stored page's JSON, trashed or not."""
        with self._lock:
            return _seeding(lambda: self._state.page(page_id)).to_json()

    def data_source(self, data_source_id: str) -> JSON:
        """A copy of a data source's JSON (schema with its select options)."""
        with self._lock:
            encoded = _seeding(lambda: self._state.retrieve_data_source(data_source_id))
        decoded: JSON = json.loads(encoded)
        return decoded

    # -- the wire ------------------------------------------------------------------------------
    async def handle(
        self, method: str, path: str, headers: Mapping[str, str], body: bytes
    ) -> FakeResponse:
        """Answer one request; `headers` keys are lower case."""
        request_id = new_id()
        route = _route(method, path)
        if route is None:
            return _error(bad_request("Invalid request URL.", "invalid_request_url"), request_id)
        endpoint, object_id = route
        with self._lock:
            self.requests[endpoint] += 1
        drop = False
        delay = self.faults.delay(endpoint)
        if delay > 0:
            await asyncio.sleep(delay)
        try:
            with self._lock:
                injected = self.faults.error_for(endpoint)
            if injected is not None:
                raise injected
            self._check_headers(headers)
            payload = _parse_body(method, body)
            with self._lock:
                try:
                    result = self._call(endpoint, object_id, payload)
                    encoded = (result[:-1] + f',"request_id":"{request_id}"}}').encode()
                finally:
                    drop = self.faults.take_drop(endpoint)
            return FakeResponse(200, _headers(request_id), encoded, drop)
        except ApiError as error:
            response = _error(error, request_id)
            response.drop = drop
            return response

    def _check_headers(self, headers: Mapping[str, str]) -> None:
        if headers.get("authorization") != f"Bearer {self.token}":
            raise ApiError(401, "unauthorized", "API token is invalid.")
        version = headers.get("notion-version")
        if version is None:
            raise bad_request(
                "Notion-Version header failed validation: Notion-Version header should be "
                "defined, instead was `undefined`.",
                "missing_version",
            )
        if version not in NOTION_VERSIONS:
            raise bad_request(
                f"Notion-Version header failed validation: `{version}` is not a valid version."
            )

    def _call(self, endpoint: str, object_id: str, body: JSON) -> str:
        state = self._state
        if endpoint == "retrieve_database":
            return state.retrieve_database(object_id)
        if endpoint == "create_database":
            return state.create_database(body)
        if endpoint == "retrieve_data_source":
            return state.retrieve_data_source(object_id)
        if endpoint == "update_data_source":
            return state.update_data_source(object_id, body)
        if endpoint == "query_data_source":
            return state.query_data_source(object_id, body)
        if endpoint == "create_page":
            return state.create_page(body)
        if endpoint == "retrieve_page":
            return state.retrieve_page(object_id)
        return state.update_page(object_id, body)


def _parse_body(method: str, body: bytes) -> JSON:
    if method.upper() == "GET" or not body.strip():
        return {}
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise bad_request("Error parsing JSON body.", "invalid_json") from None
    if not isinstance(payload, dict):
        raise bad_request("body failed validation: body should be an object.")
    return payload


def _headers(request_id: str) -> dict[str, str]:
    return {"Content-Type": "application/json; charset=utf-8", "x-request-id": request_id}


def _error(error: ApiError, request_id: str) -> FakeResponse:
    body = {
        "object": "error",
        "status": error.status,
        "code": error.code,
        "message": error.message,
        "request_id": request_id,
    }
    return FakeResponse(
        error.status, {**_headers(request_id), **error.headers}, json.dumps(body).encode()
    )


_T = TypeVar("_T")


def _seeding(action: Callable[[], _T]) -> _T:
    try:
        return action()
    except ApiError as error:
        raise ValueError(error.message) from None
