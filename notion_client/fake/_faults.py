"""Fault injection for the in-memory Notion: latency, failures, dropped answers, noise, lag."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from ._common import ApiError

__all__ = ["ENDPOINTS", "ERROR_CODES", "Faults"]

ENDPOINTS: Final = (
    "retrieve_database",
    "create_database",
    "retrieve_data_source",
    "update_data_source",
    "query_data_source",
    "create_page",
    "retrieve_page",
    "update_page",
)

ERROR_CODES: Final = {
    400: ("validation_error", "Injected validation error."),
    401: ("unauthorized", "API token is invalid."),
    403: ("restricted_resource", "Insufficient permissions for this endpoint."),
    404: ("object_not_found", "Could not find object."),
    409: ("conflict_error", "Conflict occurred while saving. Please try again."),
    429: ("rate_limited", "You have been rate limited. Please try again in a few minutes."),
    500: ("internal_server_error", "Unexpected error occurred."),
    502: ("bad_gateway", "Bad gateway."),
    503: ("service_unavailable", "Notion is unavailable, please try again later."),
    504: ("gateway_timeout", "Notion timed out while processing the request."),
    529: ("service_overload", "Notion is overloaded, please try again later."),
}


@dataclass(slots=True)
class _Queued:
    kind: str  # "fail" (an error response, not applied) or "drop" (applied, no response)
    endpoint: str | None
    remaining: int
    status: int = 0
    retry_after: float | None = None


def _check_endpoint(endpoint: str | None) -> None:
    if endpoint is not None and endpoint not in ENDPOINTS:
        raise ValueError(f"unknown endpoint {endpoint!r}; expected one of {', '.join(ENDPOINTS)}")


class Faults:
    """Mutable fault settings of one FakeNotion.

    `latency` seconds are slept before every request, plus `latency_fn(endpoint)` when set.
    Queued faults are one-shot and consumed in the order they were queued, by the first
    requests whose endpoint matches (`endpoint=None` matches every endpoint).
    `error_rate` answers that fraction of requests with a random 503 or 500 (see `seed`).

    `index_lag` seconds, read on the fake's clock, is how far the query index lags writes, as
    Notion's does: `query_data_source` sees pages as they were that long ago. A page created
    more recently is missing; one updated (properties or `in_trash`) more recently is filtered,
    sorted and returned with its older values. Retrieving a page, and the answers to creating
    and updating one, are always fresh. Seeded pages (`FakeNotion.add_page`) and schema changes
    are indexed at once; versions are kept only while the lag is positive, so raising it later
    does not reach back past writes made before. 0 (the default) switches it off.
    """

    def __init__(self) -> None:
        self.latency: float = 0.0
        self.latency_fn: Callable[[str], float] | None = None
        self.error_rate: float = 0.0
        self.index_lag: float = 0.0
        self._random = random.Random()
        self._queue: list[_Queued] = []

    def seed(self, seed: int) -> None:
        """Make the random failures of `error_rate` reproducible."""
        self._random.seed(seed)

    def fail_next(
        self,
        status: int = 503,
        count: int = 1,
        endpoint: str | None = None,
        *,
        retry_after: float | None = None,
    ) -> None:
        """Answer the next `count` matching requests with an error `status` (not applied)."""
        _check_endpoint(endpoint)
        if status not in ERROR_CODES:
            raise ValueError(f"status {status} is not one of {sorted(ERROR_CODES)}")
        self._queue.append(_Queued("fail", endpoint, count, status, retry_after))

    def rate_limit_next(
        self, retry_after: float = 1, count: int = 1, endpoint: str | None = None
    ) -> None:
        """Answer the next `count` matching requests with 429 rate_limited and a Retry-After."""
        self.fail_next(429, count, endpoint, retry_after=retry_after)

    def drop_response_next(self, endpoint: str | None = "create_page", count: int = 1) -> None:
        """Apply the next `count` matching requests, then drop the connection without answering."""
        _check_endpoint(endpoint)
        self._queue.append(_Queued("drop", endpoint, count))

    def clear(self) -> None:
        """Forget queued faults and switch latency, random errors and index lag off."""
        self._queue.clear()
        self.latency = 0.0
        self.latency_fn = None
        self.error_rate = 0.0
        self.index_lag = 0.0

    @property
    def pending(self) -> int:
        """How many queued one-shot faults are still to fire."""
        return sum(q.remaining for q in self._queue)

    def delay(self, endpoint: str) -> float:
        """Seconds to wait before answering a request to `endpoint`."""
        extra = self.latency_fn(endpoint) if self.latency_fn is not None else 0.0
        return max(0.0, self.latency + extra)

    def _take(self, kind: str, endpoint: str) -> _Queued | None:
        for queued in self._queue:
            if queued.kind == kind and queued.endpoint in (None, endpoint):
                queued.remaining -= 1
                if queued.remaining <= 0:
                    self._queue.remove(queued)
                return queued
        return None

    def error_for(self, endpoint: str) -> ApiError | None:
        """The injected error for this request, if any (queued first, then random)."""
        queued = self._take("fail", endpoint)
        if queued is not None:
            return injected_error(queued.status, queued.retry_after)
        if self.error_rate > 0 and self._random.random() < self.error_rate:
            return injected_error(self._random.choice((503, 500)), None)
        return None

    def take_drop(self, endpoint: str) -> bool:
        """Whether this (applied) request's response is to be dropped."""
        return self._take("drop", endpoint) is not None


def injected_error(status: int, retry_after: float | None) -> ApiError:
    """An ApiError for an injected status, with Retry-After when given (or for 429)."""
    code, message = ERROR_CODES[status]
    headers: dict[str, str] = {}
    if retry_after is None and status == 429:
        retry_after = 1
    if retry_after is not None:
        value = int(retry_after) if float(retry_after).is_integer() else retry_after
        headers["Retry-After"] = str(value)
    return ApiError(status, code, message, headers=headers)
