"""Refuse HTTP interactions that are stale (timestamp off by more than 5 minutes) or replayed.

hikari checks the Ed25519 signature of ``timestamp + body``, and nothing else: a captured
request could be sent again (the same bytes started a second timer), however old. Here

- a request whose X-Signature-Timestamp is more than ``window`` seconds off our clock, past
  or future, gets HTTP 401 before anything else is looked at;
- the id of every correctly signed interaction is remembered for twice the window (a
  future-dated timestamp stays acceptable until ``timestamp + window``), in bounded memory,
  so the same id again gets HTTP 409 and does nothing.

`GuardedRESTBot` is hikari's RESTBot serving through `GuardedInteractionServer`, a subclass of
hikari's own interaction server that only overrides ``on_interaction``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket as socket_
import ssl
import time
from collections import OrderedDict
from collections.abc import Callable, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import hikari
import nacl.exceptions
import nacl.signing
from aiohttp import web
from hikari.api import interaction_server as server_api

__all__ = [
    "DEFAULT_CAPACITY",
    "FRESHNESS_WINDOW",
    "GuardedInteractionServer",
    "GuardedRESTBot",
    "InteractionGuard",
]

#: Seconds a request's timestamp may be off our clock, either way.
FRESHNESS_WINDOW: Final = 300.0
#: Interaction ids remembered at most; far above what Discord sends one bot in 10 minutes.
DEFAULT_CAPACITY: Final = 100_000

STALE_STATUS: Final = 401
REPLAYED_STATUS: Final = 409

_log = logging.getLogger("timetrack.bot")


class InteractionGuard:
    """Decides whether a request is fresh, and whether an interaction id is new.

    ``clock`` gives Unix seconds (what Discord signs); ``monotonic`` times the memory, so a
    wall-clock jump never forgets ids early. Ids are kept ``2 * window`` seconds, the oldest
    dropped first when more than ``capacity`` are held.
    """

    def __init__(
        self,
        *,
        window: float = FRESHNESS_WINDOW,
        capacity: int = DEFAULT_CAPACITY,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if window <= 0 or capacity < 1:
            raise ValueError("window must be positive and capacity at least 1")
        self.window = window
        self.capacity = capacity
        self._clock = clock
        self._monotonic = monotonic
        self._expiry: OrderedDict[str, float] = OrderedDict()

    def fresh(self, timestamp: bytes) -> bool:
        """Whether the X-Signature-Timestamp (Unix seconds) is within the window of now."""
        try:
            sent = int(timestamp.decode("ascii"))
        except (UnicodeDecodeError, ValueError):
            return False
        return abs(self._clock() - sent) <= self.window

    def first_time(self, interaction_id: str) -> bool:
        """True the first time an id is seen (and remember it); False for a replay."""
        now = self._monotonic()
        while self._expiry and next(iter(self._expiry.values())) <= now:
            self._expiry.popitem(last=False)
        if interaction_id in self._expiry:
            return False
        if len(self._expiry) >= self.capacity:
            self._expiry.popitem(last=False)
            _log.warning(
                "more than %d interactions in %.0f s: forgetting the oldest id",
                self.capacity,
                2 * self.window,
            )
        self._expiry[interaction_id] = now + 2 * self.window
        return True

    def __len__(self) -> int:
        return len(self._expiry)


@dataclass(frozen=True, slots=True)
class _Refusal:
    """A plain-text error answer (hikari's ``Response`` protocol)."""

    status_code: int
    payload: bytes
    content_type: str = "text/plain"
    charset: str = "UTF-8"
    headers: MutableMapping[str, str] | None = None
    files: Sequence[hikari.files.Resource[hikari.files.AsyncReader]] = ()


def _interaction_id(body: bytes) -> str | None:
    try:
        payload: Any = json.loads(body)
    except ValueError:
        return None  # hikari answers 400 for it
    raw = payload.get("id") if isinstance(payload, dict) else None
    return str(raw) if raw is not None else None


class GuardedInteractionServer(hikari.impl.InteractionServer):
    """hikari's interaction server, refusing stale requests (401) and replayed ids (409).

    The signature is checked here before an id is remembered, so nobody without Discord's key
    can fill the memory or block an id; hikari checks it again (about 0.1 ms) and dispatches.
    """

    __slots__ = ("_guard", "_routes", "_verify_key")

    def __init__(
        self,
        guard: InteractionGuard,
        *,
        public_key: bytes,
        entity_factory: hikari.api.EntityFactory,
        rest_client: hikari.api.RESTClient,
        routes: Sequence[web.RouteDef] = (),
    ) -> None:
        super().__init__(
            entity_factory=entity_factory, rest_client=rest_client, public_key=public_key
        )
        self._guard = guard
        self._verify_key = nacl.signing.VerifyKey(public_key)
        self._routes = tuple(routes)

    async def start(
        self,
        *,
        backlog: int = 128,
        host: str | Sequence[str] | None = None,
        port: int | None = None,
        path: str | None = None,
        reuse_address: bool | None = None,
        reuse_port: bool | None = None,
        socket: socket_.socket | None = None,
        shutdown_timeout: float = 60.0,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        """hikari's start, serving ``routes`` (GET /healthz) beside the interactions: hikari
        builds its aiohttp application inside ``start`` with POST / only, and an aiohttp
        router can't take routes once it serves. Same sites, same shutdown (hikari's close)."""
        if not self._routes:
            await super().start(
                backlog=backlog,
                host=host,
                port=port,
                path=path,
                reuse_address=reuse_address,
                reuse_port=reuse_port,
                socket=socket,
                shutdown_timeout=shutdown_timeout,
                ssl_context=ssl_context,
            )
            return
        if self._server:
            raise hikari.ComponentStateConflictError("the interaction server is running")
        self._close_event = asyncio.Event()
        self._is_closing = False
        app = web.Application()
        app.add_routes([web.post("/", self.aiohttp_hook), *self._routes])
        runner = web.AppRunner(app, access_log=logging.getLogger("hikari.interaction_server"))
        await runner.setup()
        self._server = runner
        common: dict[str, Any] = {"shutdown_timeout": shutdown_timeout, "ssl_context": ssl_context}
        tcp = {
            **common,
            "backlog": backlog,
            "reuse_address": reuse_address,
            "reuse_port": reuse_port,
        }
        sites: list[web.BaseSite] = []
        if host is not None or port is not None or (path is None and socket is None):
            hosts = [host] if isinstance(host, str) or host is None else list(host)
            sites += [web.TCPSite(runner, h, port, **tcp) for h in hosts]
        if path is not None:
            sites.append(web.UnixSite(runner, path, backlog=backlog, **common))
        if socket is not None:
            sites.append(web.SockSite(runner, socket, backlog=backlog, **common))
        for site in sites:
            await site.start()

    def _signed(self, body: bytes, signature: bytes, timestamp: bytes) -> bool:
        try:
            self._verify_key.verify(timestamp + body, signature)
        except (nacl.exceptions.BadSignatureError, ValueError):
            return False
        return True

    async def on_interaction(
        self, body: bytes, signature: bytes, timestamp: bytes
    ) -> server_api.Response:
        if not self._guard.fresh(timestamp):
            _log.warning(
                "refused an interaction whose timestamp is more than %.0f s off",
                self._guard.window,
            )
            return _Refusal(STALE_STATUS, b"Request timestamp too old or too new")
        if self._signed(body, signature, timestamp):
            interaction_id = _interaction_id(body)
            if interaction_id is not None and not self._guard.first_time(interaction_id):
                _log.warning("ignored interaction %s: it was already received", interaction_id)
                return _Refusal(REPLAYED_STATUS, b"Interaction already received")
        # A bad signature is hikari's to refuse (400) and log.
        return await super().on_interaction(body, signature, timestamp)


class GuardedRESTBot(hikari.RESTBot):
    """hikari's RESTBot whose interaction server is a `GuardedInteractionServer`."""

    __slots__ = ()

    def __init__(
        self,
        token: str,
        *,
        public_key: str,
        guard: InteractionGuard | None = None,
        logs: str | int | dict[str, Any] | None = "INFO",
        rest_url: str | None = None,
        routes: Sequence[web.RouteDef] = (),
    ) -> None:
        super().__init__(
            token,
            "Bot",
            public_key=public_key,
            logs=logs,
            banner=None,
            suppress_optimization_warning=True,
            rest_url=rest_url,
        )
        # RESTBot takes no interaction server of ours, and reaches its own only through this
        # attribute (start, close, listeners, on_interaction): replacing it before anything
        # is registered swaps the whole server.
        self._server = GuardedInteractionServer(
            guard or InteractionGuard(),
            public_key=bytes.fromhex(public_key),
            entity_factory=self.entity_factory,
            rest_client=self.rest,
            routes=routes,
        )
