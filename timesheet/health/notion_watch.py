"""Whether Notion answers: learnt from every request the bot makes anyway, and from a cheap
probe (one retrieve of the database) when nothing was heard for ``max_age`` seconds."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Final, Literal

import httpx

from notion_client import (
    NotionClient,
    NotionError,
    ObjectNotFoundError,
    RestrictedResourceError,
    UnauthorizedError,
    is_unavailable,
)

__all__ = [
    "PROBE_EVERY",
    "NotionState",
    "NotionWatch",
    "ObservedTransport",
    "Reachability",
    "probe_database",
]

_log = logging.getLogger("timetrack.health")

#: Seconds an observation stays fresh: at most one probe per this many seconds.
PROBE_EVERY: Final = 30.0

#: ``ok``: Notion answers; ``unreachable``: timeouts, refused connections, 5xx, overload;
#: ``refused``: the token is refused (401); ``missing``: the database is not found or not shared.
Reachability = Literal["ok", "unreachable", "refused", "missing"]


@dataclass(frozen=True, slots=True)
class NotionState:
    """What is known of Notion now. ``kind`` None: nothing heard yet. Times are Unix seconds:
    ``heard_at`` the last observation, ``down_since`` the first failure after the last
    success (None while it answers)."""

    kind: Reachability | None
    problem: str | None = None
    heard_at: float | None = None
    down_since: float | None = None

    @property
    def reachable(self) -> bool | None:
        return None if self.kind is None else self.kind == "ok"


def _problem(kind: Reachability, detail: str) -> str:
    return {
        "ok": "",
        "unreachable": f"Notion unreachable ({detail})",
        "refused": "Notion refuses NOTION_TOKEN (401): check the integration's secret",
        "missing": "Notion can't find NOTION_DATABASE_ID: share the database with the integration",
    }[kind]


class NotionWatch:
    """Reachability of Notion, as this process saw it (see `NotionState`)."""

    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._state = NotionState(None)
        #: The probe under way, shared by every caller (and kept referenced while it runs).
        self._probing: asyncio.Future[None] | None = None

    @property
    def state(self) -> NotionState:
        return self._state

    def record(self, kind: Reachability, detail: str = "") -> None:
        now = self._clock()
        if kind == "ok":
            self._state = NotionState("ok", None, now, None)
            return
        down = self._state.down_since if self._state.down_since is not None else now
        self._state = NotionState(kind, _problem(kind, detail), now, down)

    def record_error(self, exc: NotionError) -> None:
        """What Notion's error reading the database says of Notion as a whole: the token
        refused, the database missing, Notion unreachable, or (any other) it answers."""
        if isinstance(exc, UnauthorizedError):
            self.record("refused")
        elif isinstance(exc, ObjectNotFoundError | RestrictedResourceError):
            self.record("missing")
        elif is_unavailable(exc):
            self.record("unreachable", type(exc).__name__)
        else:
            self.record("ok")  # it answered: the request was ours to fix

    def observe(self, status: int | None, detail: str = "") -> None:
        """One response's HTTP ``status`` (None: no answer at all). Other 4xx say nothing
        about Notion as a whole (a page not found) and are ignored."""
        if status is None or status >= 500:
            self.record("unreachable", detail or f"HTTP {status}")
        elif status == 401:
            self.record("refused")
        elif status < 400:
            self.record("ok")

    def stale(self, max_age: float = PROBE_EVERY) -> bool:
        heard = self._state.heard_at
        return heard is None or self._clock() - heard >= max_age

    async def current(
        self,
        probe: Callable[[], Awaitable[None]],
        *,
        max_age: float = PROBE_EVERY,
        wait: float = 5.0,
    ) -> NotionState:
        """The state, probing first when nothing was heard for ``max_age`` seconds (one
        probe at a time, shared by every caller; a caller waits at most ``wait`` seconds, the
        probe goes on)."""
        if self.stale(max_age):
            if self._probing is None or self._probing.done():
                self._probing = asyncio.ensure_future(self._probe(probe))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._probing), wait)
        return self._state

    async def _probe(self, probe: Callable[[], Awaitable[None]]) -> None:
        try:
            await probe()
        except Exception as exc:  # a probe must never take the caller down
            _log.warning("Notion probe failed: %s", type(exc).__name__)
            self.record("unreachable", type(exc).__name__)


async def probe_database(client: NotionClient, database_id: str, watch: NotionWatch) -> None:
    """Retrieve the database once and record what that says (never raises a NotionError)."""
    try:
        await client.retrieve_database(database_id)
    except NotionError as exc:
        watch.record_error(exc)
    else:
        watch.record("ok")


class ObservedTransport(httpx.AsyncBaseTransport):
    """An httpx transport telling a `NotionWatch` how each Notion request went."""

    def __init__(self, inner: httpx.AsyncBaseTransport, watch: NotionWatch) -> None:
        self._inner = inner
        self._watch = watch

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            response = await self._inner.handle_async_request(request)
        except httpx.TransportError as exc:
            self._watch.observe(None, type(exc).__name__)
            raise
        self._watch.observe(response.status_code)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()
