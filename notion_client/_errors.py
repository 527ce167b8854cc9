"""Exceptions raised by the Notion client, and the mapping from error responses to them.

```
NotionError
 ├── NotionAPIError(status, code, message, request_id)   Notion answered with an error
 │    ├── UnauthorizedError            401 unauthorized
 │    ├── RestrictedResourceError      403 restricted_resource
 │    ├── ObjectNotFoundError          404 object_not_found (also "not shared with the integration")
 │    ├── ValidationError              400 validation_error, invalid_request, invalid_json, ...
 │    ├── ConflictError                409 conflict_error
 │    ├── RateLimitedError             429 rate_limited / 529 service_overload (retry_after)
 │    └── ServerError                  5xx
 ├── NotionTransportError              no HTTP response (`ambiguous`: the request may have applied)
 │    ├── NotionTimeoutError
 │    └── NotionConnectionError
 └── IncompleteQueryError              a query hit Notion's 10,000-row cap
```

No message built here ever contains the integration token: callers pass `secrets` and every
text taken from the wire is scrubbed of them.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable
from typing import Any, Final

import httpx

__all__ = [
    "ConflictError",
    "IncompleteQueryError",
    "NotionAPIError",
    "NotionConnectionError",
    "NotionError",
    "NotionErrorCode",
    "NotionTimeoutError",
    "NotionTransportError",
    "ObjectNotFoundError",
    "RateLimitedError",
    "RestrictedResourceError",
    "ServerError",
    "UnauthorizedError",
    "ValidationError",
    "error_from_response",
    "is_unavailable",
    "parse_retry_after",
    "redact",
]

_REDACTED: Final = "[REDACTED]"
_MAX_BODY_IN_MESSAGE: Final = 300


class NotionErrorCode(enum.StrEnum):
    """Error codes Notion puts in the `code` field of an error object."""

    INVALID_JSON = "invalid_json"
    INVALID_REQUEST_URL = "invalid_request_url"
    INVALID_REQUEST = "invalid_request"
    VALIDATION_ERROR = "validation_error"
    MISSING_VERSION = "missing_version"
    UNAUTHORIZED = "unauthorized"
    RESTRICTED_RESOURCE = "restricted_resource"
    OBJECT_NOT_FOUND = "object_not_found"
    CONFLICT_ERROR = "conflict_error"
    RATE_LIMITED = "rate_limited"
    INTERNAL_SERVER_ERROR = "internal_server_error"
    SERVICE_UNAVAILABLE = "service_unavailable"
    DATABASE_CONNECTION_UNAVAILABLE = "database_connection_unavailable"
    GATEWAY_TIMEOUT = "gateway_timeout"
    SERVICE_OVERLOAD = "service_overload"


class NotionError(Exception):
    """Base class of every error raised by `notion_client`."""


class NotionAPIError(NotionError):
    """Notion answered with an HTTP error status."""

    def __init__(
        self,
        status: int,
        code: NotionErrorCode | str,
        message: str,
        request_id: str | None = None,
    ) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.request_id = request_id
        text = f"{status} {code}: {message}"
        if request_id:
            text += f" (request_id {request_id})"
        super().__init__(text)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status!r}, code={str(self.code)!r}, "
            f"message={self.message!r}, request_id={self.request_id!r})"
        )


class UnauthorizedError(NotionAPIError):
    """401: the token is missing, invalid or revoked."""


class RestrictedResourceError(NotionAPIError):
    """403: the integration lacks the capability for this operation."""


class ObjectNotFoundError(NotionAPIError):
    """404: no such object, or it is not shared with the integration."""


class ValidationError(NotionAPIError):
    """400: the request was malformed or did not match the schema."""


class ConflictError(NotionAPIError):
    """409: the transaction conflicted with another edit."""


class RateLimitedError(NotionAPIError):
    """429 rate_limited or 529 service_overload: nothing was applied; retry later."""

    def __init__(
        self,
        status: int,
        code: NotionErrorCode | str,
        message: str,
        request_id: str | None = None,
        *,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(status, code, message, request_id)
        self.retry_after = retry_after


class ServerError(NotionAPIError):
    """5xx: Notion failed; a write may or may not have been applied."""


class NotionTransportError(NotionError):
    """No HTTP response arrived. `ambiguous` is True when a write may have been applied."""

    def __init__(self, message: str, *, ambiguous: bool) -> None:
        self.message = message
        self.ambiguous = ambiguous
        super().__init__(message)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, ambiguous={self.ambiguous!r})"


class NotionTimeoutError(NotionTransportError):
    """The request timed out."""


class NotionConnectionError(NotionTransportError):
    """The connection could not be made, or broke before a response arrived."""


class IncompleteQueryError(NotionError):
    """Notion stopped a query early (10,000-row cap); the result would be incomplete."""

    def __init__(self, data_source_id: str, reason: str | None, rows_seen: int) -> None:
        self.data_source_id = data_source_id
        self.reason = reason
        self.rows_seen = rows_seen
        super().__init__(
            f"query of data source {data_source_id} is incomplete after {rows_seen} rows "
            f"({reason or 'no reason given'}); narrow the filter"
        )


def is_unavailable(exc: BaseException) -> bool:
    """True when Notion can't be reached right now (queue the work and try later)."""
    return isinstance(exc, ServerError | RateLimitedError | NotionTransportError)


def redact(text: str, secrets: Iterable[str]) -> str:
    """Replace every occurrence of each non-empty secret in `text`."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, _REDACTED)
    return text


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a `Retry-After` header (Notion sends integer seconds); None if unusable."""
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    if seconds != seconds or seconds < 0 or seconds == float("inf"):
        return None
    return seconds


_CLASS_BY_CODE: Final[dict[str, type[NotionAPIError]]] = {
    NotionErrorCode.INVALID_JSON: ValidationError,
    NotionErrorCode.INVALID_REQUEST_URL: ValidationError,
    NotionErrorCode.INVALID_REQUEST: ValidationError,
    NotionErrorCode.VALIDATION_ERROR: ValidationError,
    NotionErrorCode.MISSING_VERSION: ValidationError,
    NotionErrorCode.UNAUTHORIZED: UnauthorizedError,
    NotionErrorCode.RESTRICTED_RESOURCE: RestrictedResourceError,
    NotionErrorCode.OBJECT_NOT_FOUND: ObjectNotFoundError,
    NotionErrorCode.CONFLICT_ERROR: ConflictError,
    NotionErrorCode.RATE_LIMITED: RateLimitedError,
    NotionErrorCode.SERVICE_OVERLOAD: RateLimitedError,
    NotionErrorCode.INTERNAL_SERVER_ERROR: ServerError,
    NotionErrorCode.SERVICE_UNAVAILABLE: ServerError,
    NotionErrorCode.DATABASE_CONNECTION_UNAVAILABLE: ServerError,
    NotionErrorCode.GATEWAY_TIMEOUT: ServerError,
}

_DEFAULT_CODE_BY_STATUS: Final[dict[int, NotionErrorCode]] = {
    400: NotionErrorCode.INVALID_REQUEST,
    401: NotionErrorCode.UNAUTHORIZED,
    403: NotionErrorCode.RESTRICTED_RESOURCE,
    404: NotionErrorCode.OBJECT_NOT_FOUND,
    409: NotionErrorCode.CONFLICT_ERROR,
    429: NotionErrorCode.RATE_LIMITED,
    500: NotionErrorCode.INTERNAL_SERVER_ERROR,
    502: NotionErrorCode.INTERNAL_SERVER_ERROR,
    503: NotionErrorCode.SERVICE_UNAVAILABLE,
    504: NotionErrorCode.GATEWAY_TIMEOUT,
    529: NotionErrorCode.SERVICE_OVERLOAD,
}


def _class_for(status: int, code: str) -> type[NotionAPIError]:
    # The HTTP status is authoritative for retry-relevant classes: a 5xx is a server error
    # and 429/529 are rate limits whatever the body says.
    if status in (429, 529):
        return RateLimitedError
    if status >= 500:
        return ServerError
    if code in _CLASS_BY_CODE:
        return _CLASS_BY_CODE[code]
    return {
        400: ValidationError,
        401: UnauthorizedError,
        403: RestrictedResourceError,
        404: ObjectNotFoundError,
        409: ConflictError,
    }.get(status, NotionAPIError)


def _code(value: str) -> NotionErrorCode | str:
    try:
        return NotionErrorCode(value)
    except ValueError:
        return value


def error_from_response(response: httpx.Response, *, secrets: Iterable[str] = ()) -> NotionAPIError:
    """Turn an error response into the matching `NotionAPIError` subclass."""
    secrets = tuple(secrets)
    status = response.status_code
    body: Any
    try:
        body = json.loads(response.content)
    except ValueError:
        body = None
    default_code = _DEFAULT_CODE_BY_STATUS.get(status)
    if isinstance(body, dict):
        code = str(body.get("code") or default_code or "unknown_error")
        message = str(body.get("message") or response.reason_phrase or "")
        request_id = body.get("request_id")
        request_id = str(request_id) if request_id is not None else None
    else:
        code = str(default_code or "unknown_error")
        text = response.content.decode("utf-8", "replace").strip()
        message = text[:_MAX_BODY_IN_MESSAGE] or response.reason_phrase or "error"
        request_id = None
    message = redact(message, secrets)
    cls = _class_for(status, code)
    if cls is RateLimitedError:
        return RateLimitedError(
            status,
            _code(code),
            message,
            request_id,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )
    return cls(status, _code(code), message, request_id)
