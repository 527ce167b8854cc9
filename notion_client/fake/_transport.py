"""The in-memory Notion as an httpx transport (in-process, no sockets)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from ._fake import FakeNotion

__all__ = ["FakeTransport"]


class FakeTransport(httpx.AsyncBaseTransport):
    """Hands each request to a FakeNotion; a dropped response surfaces as a protocol error."""

    def __init__(self, fake: FakeNotion) -> None:
        self._fake = fake

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        headers = {k.lower(): v for k, v in request.headers.items()}
        answer = await self._fake.handle(request.method, request.url.path, headers, body)
        if answer.drop:
            # What httpx raises when a server closes the connection instead of answering.
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            )
        return httpx.Response(
            answer.status, headers=answer.headers, content=answer.body, request=request
        )
