"""A local stand-in for a Discord webhook: captures each multipart request, answers as scripted."""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

WEBHOOK_TOKEN = "tok3n-SECRET_abcdefghijklmnop"


@dataclass
class Captured:
    path: str
    query: dict[str, str]
    payload: dict[str, Any]
    files: dict[str, tuple[str, str, bytes]]  # field -> (filename, content type, bytes)


@dataclass
class FakeDiscord:
    """Answers scripted responses in order (then 200 with a message) and records each request."""

    script: deque[web.StreamResponse | str] = field(default_factory=deque)
    requests: list[Captured] = field(default_factory=list)
    url: str = ""

    async def handle(self, request: web.Request) -> web.StreamResponse:
        payload: dict[str, Any] = {}
        files: dict[str, tuple[str, str, bytes]] = {}
        # A message with no attachment (an alert) is sent as plain JSON.
        json_body = request.content_type == "application/json"
        form = {} if json_body else await request.post()
        if json_body:
            payload = await request.json()
        for name, value in form.items():
            if isinstance(value, web.FileField):
                files[name] = (value.filename, value.content_type, value.file.read())
            elif name == "payload_json":
                payload = json.loads(str(value))
        self.requests.append(Captured(request.path, dict(request.query), payload, files))
        step = self.script.popleft() if self.script else None
        if step == "drop":
            assert request.transport is not None
            request.transport.close()
            await asyncio.sleep(1)  # the client sees the connection closed without an answer
        if isinstance(step, web.StreamResponse):
            return step
        return web.json_response({"id": "1300000000000000042", "channel_id": "1"})


@asynccontextmanager
async def serve_discord(token: str = WEBHOOK_TOKEN) -> AsyncIterator[FakeDiscord]:
    """Serve a FakeDiscord on 127.0.0.1; its ``url`` is the webhook URL (with ``token``)."""
    fake = FakeDiscord()
    app = web.Application()
    app.router.add_post("/api/webhooks/{id}/{token}", fake.handle)
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    fake.url = str(server.make_url(f"/api/webhooks/123456789012345678/{token}"))
    try:
        yield fake
    finally:
        await server.close()
