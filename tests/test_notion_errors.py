"""Error responses and transport failures map to the right exceptions, none showing the token."""

from __future__ import annotations

import asyncio
import json
import traceback
from pathlib import Path
from typing import Any

import httpx
import pytest

from notion_client import (
    ConflictError,
    IncompleteQueryError,
    NotionAPIError,
    NotionClient,
    NotionConnectionError,
    NotionError,
    NotionErrorCode,
    NotionTimeoutError,
    NotionTransportError,
    ObjectNotFoundError,
    RateLimit,
    RateLimitedError,
    RestrictedResourceError,
    RetryPolicy,
    ServerError,
    Title,
    UnauthorizedError,
    ValidationError,
    error_from_response,
    is_unavailable,
)

FIXTURES = Path(__file__).parent / "notion_fixtures"
TOKEN = "secret_ErrOrTeSt0123456789abcdefTOKEN"


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def notion_error(status: int, code: str, message: str = "m") -> dict[str, Any]:
    return {"object": "error", "status": status, "code": code, "message": message,
            "request_id": "req-1"}  # fmt: skip


def client_for(handler: Any) -> NotionClient:
    return NotionClient(
        TOKEN,
        transport=httpx.MockTransport(handler),
        retry=RetryPolicy(max_attempts=1),
        rate_limit=RateLimit(rate=0),
    )


async def fail_with(response: httpx.Response) -> NotionError:
    async with client_for(lambda request: response) as client:
        with pytest.raises(NotionError) as info:
            await asyncio.wait_for(client.retrieve_page("p"), 5)
    return info.value


def assert_no_token(exc: BaseException) -> None:
    text = "".join(traceback.format_exception(exc))
    assert TOKEN not in str(exc)
    assert TOKEN not in repr(exc)
    assert TOKEN not in text
    for value in vars(exc).values():
        assert TOKEN not in repr(value)


def test_hierarchy() -> None:
    for cls in (UnauthorizedError, RestrictedResourceError, ObjectNotFoundError,
                ValidationError, ConflictError, RateLimitedError, ServerError):  # fmt: skip
        assert issubclass(cls, NotionAPIError)
    assert issubclass(NotionTimeoutError, NotionTransportError)
    assert issubclass(NotionConnectionError, NotionTransportError)
    for base in (NotionAPIError, NotionTransportError, IncompleteQueryError):
        assert issubclass(base, NotionError)
    assert not issubclass(NotionTransportError, NotionAPIError)


def test_error_codes_are_strings() -> None:
    assert isinstance(NotionErrorCode.RATE_LIMITED, str)
    assert json.dumps({"code": NotionErrorCode.RATE_LIMITED}) == '{"code": "rate_limited"}'
    assert NotionErrorCode("object_not_found") is NotionErrorCode.OBJECT_NOT_FOUND
    assert str(NotionErrorCode.SERVICE_OVERLOAD) == "service_overload"


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (400, "validation_error", ValidationError),
        (400, "invalid_json", ValidationError),
        (400, "invalid_request_url", ValidationError),
        (400, "invalid_request", ValidationError),
        (400, "missing_version", ValidationError),
        (401, "unauthorized", UnauthorizedError),
        (403, "restricted_resource", RestrictedResourceError),
        (404, "object_not_found", ObjectNotFoundError),
        (409, "conflict_error", ConflictError),
        (429, "rate_limited", RateLimitedError),
        (500, "internal_server_error", ServerError),
        (502, "internal_server_error", ServerError),
        (503, "service_unavailable", ServerError),
        (503, "database_connection_unavailable", ServerError),
        (504, "gateway_timeout", ServerError),
        (529, "service_overload", RateLimitedError),
    ],
)
async def test_error_mapping_through_the_client(status: int, code: str, cls: type) -> None:
    exc = await fail_with(httpx.Response(status, json=notion_error(status, code, "boom")))
    assert type(exc) is cls
    assert isinstance(exc, NotionAPIError)
    assert (exc.status, exc.code, exc.message, exc.request_id) == (status, code, "boom", "req-1")
    assert isinstance(exc.code, NotionErrorCode)
    assert str(exc) == f"{status} {code}: boom (request_id req-1)"


def test_validation_error_from_reference_body() -> None:
    body = load("error_validation.json")
    exc = error_from_response(httpx.Response(400, json=body))
    assert isinstance(exc, ValidationError)
    assert exc.code is NotionErrorCode.VALIDATION_ERROR
    assert exc.message.startswith("body failed validation")
    assert exc.request_id == body["request_id"]


def test_not_found_means_not_shared_too() -> None:
    exc = error_from_response(httpx.Response(404, json=load("error_not_found.json")))
    assert isinstance(exc, ObjectNotFoundError)
    assert "shared with your integration" in exc.message


def test_rate_limited_reads_retry_after_seconds() -> None:
    response = httpx.Response(
        429, json=load("error_rate_limited.json"), headers={"Retry-After": "3"}
    )
    exc = error_from_response(response)
    assert isinstance(exc, RateLimitedError) and exc.retry_after == 3.0
    no_header = error_from_response(httpx.Response(429, json=load("error_rate_limited.json")))
    assert isinstance(no_header, RateLimitedError) and no_header.retry_after is None
    junk = error_from_response(
        httpx.Response(429, json=load("error_rate_limited.json"), headers={"Retry-After": "soon"})
    )
    assert isinstance(junk, RateLimitedError) and junk.retry_after is None


def test_non_json_error_body_from_a_proxy() -> None:
    exc = error_from_response(httpx.Response(502, text="<html>Bad Gateway</html>"))
    assert isinstance(exc, ServerError)
    assert exc.status == 502 and "Bad Gateway" in exc.message and exc.request_id is None


def test_unknown_code_and_status_fall_back() -> None:
    exc = error_from_response(httpx.Response(418, json=notion_error(418, "teapot")))
    assert type(exc) is NotionAPIError and exc.code == "teapot"
    exc = error_from_response(httpx.Response(400, json=notion_error(400, "brand_new_code")))
    assert type(exc) is ValidationError


def test_is_unavailable() -> None:
    assert is_unavailable(ServerError(503, "service_unavailable", "x"))
    assert is_unavailable(RateLimitedError(429, "rate_limited", "x", retry_after=1))
    assert is_unavailable(NotionTimeoutError("t", ambiguous=True))
    assert is_unavailable(NotionConnectionError("c", ambiguous=False))
    assert not is_unavailable(ValidationError(400, "validation_error", "x"))
    assert not is_unavailable(ObjectNotFoundError(404, "object_not_found", "x"))
    assert not is_unavailable(ValueError("x"))


# --- the token never shows --------------------------------------------------------------------


async def test_unauthorized_error_has_no_token() -> None:
    body = notion_error(401, "unauthorized", "API token is invalid.")
    exc = await fail_with(httpx.Response(401, json=body))
    assert isinstance(exc, UnauthorizedError)
    assert_no_token(exc)


async def test_token_echoed_in_an_error_body_is_redacted() -> None:
    body = notion_error(400, "validation_error", f"bad header: Bearer {TOKEN}")
    exc = await fail_with(httpx.Response(400, json=body))
    assert "[REDACTED]" in str(exc)
    assert_no_token(exc)
    exc = await fail_with(httpx.Response(502, text=f"proxy saw Authorization: Bearer {TOKEN}"))
    assert_no_token(exc)


@pytest.mark.parametrize(
    ("raised", "cls"),
    [
        (httpx.ConnectError, NotionConnectionError),
        (httpx.ReadError, NotionConnectionError),
        (httpx.RemoteProtocolError, NotionConnectionError),
        (httpx.ConnectTimeout, NotionTimeoutError),
        (httpx.ReadTimeout, NotionTimeoutError),
        (httpx.WriteTimeout, NotionTimeoutError),
        (httpx.PoolTimeout, NotionTimeoutError),
    ],
)
async def test_transport_errors_never_carry_the_token(
    raised: type[httpx.TransportError], cls: type[NotionTransportError]
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["Authorization"] == f"Bearer {TOKEN}"
        # An httpx error whose request (and even text) carries the token.
        raise raised(f"failed with {request.headers['Authorization']}", request=request)

    async with client_for(handler) as client:
        with pytest.raises(cls) as info:
            await asyncio.wait_for(client.create_page("ds", {"Name": Title("x")}), 5)
    exc = info.value
    assert_no_token(exc)
    assert exc.__cause__ is None and exc.__suppress_context__
    assert raised.__name__ in str(exc)


async def test_timeout_message_says_a_write_may_have_applied() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    async with client_for(handler) as client:
        with pytest.raises(NotionTimeoutError) as info:
            await asyncio.wait_for(client.create_page("ds", {"Name": Title("x")}), 5)
    assert info.value.ambiguous
    assert "may have been applied" in str(info.value)


def test_incomplete_query_error_message() -> None:
    exc = IncompleteQueryError("ds-1", "query_result_limit_reached", 10000)
    assert "ds-1" in str(exc) and "10000" in str(exc) and "query_result_limit_reached" in str(exc)
