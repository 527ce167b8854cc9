"""NotionClient: the async, typed, rate-limited and retrying client for Notion's REST API."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Final, Literal, Self
from urllib.parse import quote

import httpx

from ._errors import (
    IncompleteQueryError,
    NotionAPIError,
    NotionConnectionError,
    NotionError,
    NotionTimeoutError,
    NotionTransportError,
    RateLimitedError,
    ServerError,
    error_from_response,
    redact,
)
from ._fragments import rich_text_json
from ._models import Database, DataSource, Page, PropertySchema
from ._retry import RateLimit, RetryPolicy
from ._types import UNDEFINED, JSONObject, UndefinedOr
from ._values import PropertyValue

if TYPE_CHECKING:
    from ._query import Filter, Sort

__all__ = ["DEFAULT_BASE_URL", "MAX_PAGE_SIZE", "NOTION_VERSION", "NotionClient"]

NOTION_VERSION: Final = "2026-03-11"
"""The `Notion-Version` this client speaks."""
DEFAULT_BASE_URL: Final = "https://api.notion.com"
MAX_PAGE_SIZE: Final = 100
DEFAULT_TIMEOUT: Final = 30.0

_log = logging.getLogger("notion_client")

# What a request does, which decides how a failure is retried:
#  "read"   - GET and query POST: no effect; retried on 429/529, 5xx and transport errors.
#  "write"  - PATCH: setting the same values twice is harmless; retried like reads, but a
#             transport failure after sending is reported as `ambiguous`.
#  "create" - POST creating an object: retried only when Notion certainly did not apply it
#             (429/529, or a connection that was never established).
RetryMode = Literal["read", "write", "create"]

_RETRYABLE_STATUS: Final = frozenset({500, 502, 503, 504})
# httpx errors raised before any byte of the request could reach Notion.
_NOT_SENT: Final = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def _id(value: str) -> str:
    if not value:
        raise ValueError("an object id must not be empty")
    return quote(value, safe="-")


class NotionClient:
    """Async client for the Notion endpoints timetrack uses. Use as `async with NotionClient(...)`.

    Every request passes the shared token bucket (`rate_limit`) and is retried per `retry`;
    `request_count` counts the HTTP requests actually sent, retries included.
    """

    def __init__(
        self,
        token: str,
        *,
        notion_version: str = NOTION_VERSION,
        base_url: str = DEFAULT_BASE_URL,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        rate_limit: RateLimit | None = None,
    ) -> None:
        if not token:
            raise ValueError("a Notion token is required")
        self._token = token
        self.notion_version = notion_version
        self.base_url = base_url.rstrip("/")
        self.retry = retry if retry is not None else RetryPolicy()
        self.rate_limit = rate_limit if rate_limit is not None else RateLimit()
        self.request_count = 0
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            transport=transport,
            timeout=timeout,
            headers={
                "Authorization": f"Bearer {token}",
                "Notion-Version": notion_version,
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
        )

    def __repr__(self) -> str:
        return f"NotionClient(base_url={self.base_url!r}, notion_version={self.notion_version!r})"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        await self._http.aclose()

    # --- databases and data sources ---------------------------------------------------------

    async def retrieve_database(self, database_id: str) -> Database:
        """Retrieve a database and its data sources.

        https://developers.notion.com/reference/retrieve-a-database
        """
        return Database.from_json(await self._request("GET", f"/v1/databases/{_id(database_id)}"))

    async def create_database(
        self, parent_page_id: str, title: str, properties: Mapping[str, PropertySchema]
    ) -> Database:
        """Create a database (with one data source of the given schema) under a page.

        Not retried after an ambiguous failure: it may have been created.
        https://developers.notion.com/reference/database-create
        """
        body = {
            "parent": {"type": "page_id", "page_id": parent_page_id},
            "title": rich_text_json(title),
            "initial_data_source": {"properties": _schema_json(properties)},
        }
        raw = await self._request("POST", "/v1/databases", body, mode="create")
        return Database.from_json(raw)

    async def retrieve_data_source(self, data_source_id: str) -> DataSource:
        """Retrieve a data source and its schema.

        https://developers.notion.com/reference/retrieve-a-data-source
        """
        raw = await self._request("GET", f"/v1/data_sources/{_id(data_source_id)}")
        return DataSource.from_json(raw)

    async def update_data_source(
        self, data_source_id: str, properties: Mapping[str, PropertySchema | None]
    ) -> DataSource:
        """Add or change properties of a data source (`None` removes one).

        https://developers.notion.com/reference/update-a-data-source
        """
        body = {"properties": _schema_json(properties)}
        path = f"/v1/data_sources/{_id(data_source_id)}"
        raw = await self._request("PATCH", path, body, mode="write")
        return DataSource.from_json(raw)

    def query_data_source(
        self,
        data_source_id: str,
        filter: Filter | None = None,
        sorts: Sequence[Sort] | None = None,
        page_size: int = MAX_PAGE_SIZE,
    ) -> AsyncIterator[Page]:
        """Iterate over every page matching `filter`, in `sorts` order, following cursors.

        Raises `IncompleteQueryError` if Notion stops early (10,000-row cap) rather than
        passing off a partial result as complete.
        https://developers.notion.com/reference/query-a-data-source
        """
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}, got {page_size}")
        body: JSONObject = {"page_size": page_size}
        if filter is not None:
            body["filter"] = filter.to_json()
        if sorts:
            body["sorts"] = [sort.to_json() for sort in sorts]
        return self._query_pages(data_source_id, body)

    async def _query_pages(self, data_source_id: str, body: JSONObject) -> AsyncIterator[Page]:
        path = f"/v1/data_sources/{_id(data_source_id)}/query"
        seen = 0
        while True:
            raw = await self._request("POST", path, body)
            status = raw.get("request_status") or {}
            if status.get("type") == "incomplete":
                rows = seen + len(raw.get("results") or ())
                raise IncompleteQueryError(data_source_id, status.get("incomplete_reason"), rows)
            for result in raw.get("results") or ():
                # Since 2025-09-03 results may hold other objects (e.g. data sources of a wiki).
                if result.get("object", "page") == "page":
                    seen += 1
                    yield Page.from_json(result)
            cursor = raw.get("next_cursor")
            if not raw.get("has_more") or not cursor:
                return
            body = {**body, "start_cursor": cursor}

    # --- pages ----------------------------------------------------------------------------

    async def create_page(
        self, data_source_id: str, properties: Mapping[str, PropertyValue]
    ) -> Page:
        """Create a page (row) in a data source.

        Not retried after an ambiguous failure (5xx, timeout, broken connection): the page
        may exist. Such failures raise with `ambiguous=True` on transport errors.
        https://developers.notion.com/reference/post-page
        """
        body = {
            "parent": {"type": "data_source_id", "data_source_id": data_source_id},
            "properties": _values_json(properties),
        }
        return Page.from_json(await self._request("POST", "/v1/pages", body, mode="create"))

    async def retrieve_page(self, page_id: str) -> Page:
        """Retrieve a page and its property values.

        https://developers.notion.com/reference/retrieve-a-page
        """
        return Page.from_json(await self._request("GET", f"/v1/pages/{_id(page_id)}"))

    async def update_page(
        self,
        page_id: str,
        properties: Mapping[str, PropertyValue],
        *,
        in_trash: UndefinedOr[bool] = UNDEFINED,
    ) -> Page:
        """Change the given properties of a page (others are left alone); optionally (un)trash.

        https://developers.notion.com/reference/patch-page
        """
        body: JSONObject = {"properties": _values_json(properties)}
        if in_trash is not UNDEFINED:
            body["in_trash"] = in_trash
        raw = await self._request("PATCH", f"/v1/pages/{_id(page_id)}", body, mode="write")
        return Page.from_json(raw)

    async def trash_page(self, page_id: str) -> Page:
        """Move a page to the trash (Notion has no hard delete).

        https://developers.notion.com/reference/archive-a-page
        """
        body = {"in_trash": True}
        raw = await self._request("PATCH", f"/v1/pages/{_id(page_id)}", body, mode="write")
        return Page.from_json(raw)

    # --- transport ------------------------------------------------------------------------

    async def _request(
        self, method: str, path: str, body: JSONObject | None = None, *, mode: RetryMode = "read"
    ) -> JSONObject:
        """Send one API call through the limiter, retrying per the policy; return its JSON."""
        policy = self.retry
        started = policy.clock()
        attempt = 0
        while True:
            attempt += 1
            await self.rate_limit.acquire()
            try:
                return await self._send(method, path, body, mode)
            except NotionError as error:
                delay = self._retry_delay(error, mode, attempt)
                if delay is None or attempt >= policy.max_attempts:
                    raise
                if policy.clock() - started + delay > policy.max_total:
                    raise
                _log.warning(
                    "Notion %s %s failed (%s); retry %d in %.2fs",
                    method, path, _describe(error), attempt, delay,
                )  # fmt: skip
            await policy.sleep(delay)

    def _retry_delay(self, error: NotionError, mode: RetryMode, attempt: int) -> float | None:
        """Seconds to wait before retrying after `error`, or None when it must not be retried."""
        if isinstance(error, RateLimitedError):
            # 429/529 mean "not applied": safe to retry even a create.
            if error.retry_after is not None:
                return error.retry_after
            return self.retry.backoff(attempt)
        if mode == "create":
            if isinstance(error, NotionTransportError) and not error.ambiguous:
                return self.retry.backoff(attempt)
            return None
        if isinstance(error, NotionTransportError) or (
            isinstance(error, ServerError) and error.status in _RETRYABLE_STATUS
        ):
            return self.retry.backoff(attempt)
        return None

    async def _send(
        self, method: str, path: str, body: JSONObject | None, mode: RetryMode
    ) -> JSONObject:
        """One HTTP request; its JSON object, or the matching `NotionError` raised."""
        self.request_count += 1
        try:
            response = await self._http.request(method, path, json=body)
        except httpx.TransportError as exc:
            raise self._transport_error(exc, mutating=mode != "read") from None
        if not response.is_success:
            raise error_from_response(response, secrets=(self._token,))
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise NotionAPIError(
                response.status_code, "invalid_response", "the response is not a JSON object"
            )
        return data

    def _transport_error(
        self, exc: httpx.TransportError, *, mutating: bool
    ) -> NotionTransportError:
        # Built from the exception's class and text only: its request carries the token.
        sent = not isinstance(exc, _NOT_SENT)
        detail = redact(f"{type(exc).__name__}: {exc}".rstrip(": "), (self._token,))
        timed_out = isinstance(exc, httpx.TimeoutException)
        cls = NotionTimeoutError if timed_out else NotionConnectionError
        message = f"Notion request {'timed out' if timed_out else 'failed'} ({detail})"
        if sent and mutating:
            message += "; it may have been applied"
        return cls(message, ambiguous=sent and mutating)


def _describe(error: NotionError) -> str:
    if isinstance(error, NotionAPIError):
        return f"{error.status} {error.code}"
    return type(error).__name__


def _values_json(properties: Mapping[str, PropertyValue]) -> JSONObject:
    return {name: value.to_json() for name, value in properties.items()}


def _schema_json(properties: Mapping[str, PropertySchema | None]) -> JSONObject:
    body: JSONObject = {}
    for name, schema in properties.items():
        if schema is None:
            body[name] = None
            continue
        config = schema.to_json()
        if schema.name and schema.name != name:
            config["name"] = schema.name  # renames the property `name`
        body[name] = config
    return body
