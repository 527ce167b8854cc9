"""The in-memory Notion as a real HTTP server on a loopback address (aiohttp)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from ._fake import FakeNotion

__all__ = ["serve"]


class _Dropped(web.HTTPException):
    """Raised after the connection was closed on purpose: nothing is sent."""

    status_code = 500


def _application(fake: FakeNotion) -> web.Application:
    async def handler(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        headers = {k.lower(): v for k, v in request.headers.items()}
        answer = await fake.handle(request.method, request.path, headers, body)
        if answer.drop:
            if request.transport is not None:
                request.transport.abort()
            raise _Dropped()
        return web.Response(status=answer.status, headers=answer.headers, body=answer.body)

    app = web.Application(client_max_size=4 * 1024 * 1024)
    app.router.add_route("*", "/{tail:.*}", handler)
    return app


@asynccontextmanager
async def serve(fake: FakeNotion, host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[str]:
    """Serve `fake` over HTTP until the block exits; yields the base URL (http://host:port)."""
    runner = web.AppRunner(_application(fake), access_log=None, handle_signals=False)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound = runner.addresses[0][1] if runner.addresses else port
        yield f"http://{host}:{bound}"
    finally:
        await runner.cleanup()
