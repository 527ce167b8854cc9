"""The bot's shared resources: settings, Notion client, entry store, outbox and tracker."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar

import httpx

from bot.logs import CountingTransport
from notion_client import NotionClient, NotionError, RateLimit, RetryPolicy
from timesheet.config import Settings
from timesheet.entries.store import EntryStore
from timesheet.tracking.ledger import Outbox
from timesheet.tracking.replay import OutboxReplayer
from timesheet.tracking.tracker import Tracker

__all__ = ["CLIENT_OPTIONS_TTL", "Model"]

#: Seconds the database's Client options are reused before being read again.
CLIENT_OPTIONS_TTL = 300.0

_log = logging.getLogger("timetrack.bot")
_R = TypeVar("_R")


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _opened(resource: _R | None) -> _R:
    """A resource `Model.open()` creates; RuntimeError before it (or after `close()`)."""
    if resource is None:
        raise RuntimeError("the model is not open")
    return resource


class Model:
    """Owns the Notion client and the domain objects; `open()` on start, `close()` on stop.

    What Notion can't take after the client's retries goes to the outbox in DATA_DIR (the
    tracker decides); ``replayer`` replays it, woken by every enqueue, once started (the bot
    starts it; the terminal commands leave it to ``timetrack sync``).
    Plugins reach the model as ``ctx.client.model`` (see `bot.command_run.model_of`).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], datetime] = _utc_now,
        retry: RetryPolicy | None = None,
        rate_limit: RateLimit | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        client_options_ttl: float = CLIENT_OPTIONS_TTL,
        replay_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        settings.require("NOTION_TOKEN", "NOTION_DATABASE_ID")
        self.settings = settings
        self._transport = transport
        self._clock = clock
        self._retry = retry
        self._rate_limit = rate_limit
        self._monotonic = monotonic
        self._ttl = client_options_ttl
        self._replay_sleep = replay_sleep
        self._notion: NotionClient | None = None
        self._tracker: Tracker | None = None
        self._outbox: Outbox | None = None
        self._replayer: OutboxReplayer | None = None
        self._options: list[str] = []
        self._options_read_at: float | None = None

    async def open(self) -> None:
        """Create the Notion client (no request is made until a command needs one)."""
        if self._notion is not None:
            return
        assert self.settings.notion_token is not None
        assert self.settings.notion_database_id is not None
        inner = self._transport if self._transport is not None else httpx.AsyncHTTPTransport()
        self._notion = NotionClient(
            self.settings.notion_token,
            base_url=self.settings.notion_base_url,
            transport=CountingTransport(inner),
            retry=self._retry,
            rate_limit=self._rate_limit,
        )
        store = EntryStore(self._notion, self.settings.notion_database_id)
        self._outbox = Outbox.in_dir(self.settings.data_dir)
        self._tracker = Tracker(
            store,
            clock=self._clock,
            presets=self.settings.preset_clients,
            presets_only=self.settings.presets_only,
            outbox=self._outbox,
            on_queued=self._queued,
        )
        self._replayer = OutboxReplayer(
            self._outbox, store, tracker=self._tracker, sleep=self._replay_sleep
        )

    def _queued(self) -> None:
        if self._replayer is not None:
            self._replayer.notify()

    async def close(self) -> None:
        """Stop the replayer, close the Notion client and the outbox."""
        replayer, self._replayer = self._replayer, None
        if replayer is not None:
            await replayer.stop()
        notion, self._notion, self._tracker = self._notion, None, None
        if notion is not None:
            await notion.aclose()
        outbox, self._outbox = self._outbox, None
        if outbox is not None:
            outbox.close()

    async def __aenter__(self) -> Model:
        await self.open()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @property
    def notion(self) -> NotionClient:
        return _opened(self._notion)

    @property
    def tracker(self) -> Tracker:
        return _opened(self._tracker)

    @property
    def outbox(self) -> Outbox:
        return _opened(self._outbox)

    @property
    def replayer(self) -> OutboxReplayer:
        return _opened(self._replayer)

    @property
    def store(self) -> EntryStore:
        return self.tracker.store

    def now(self) -> datetime:
        """The bot's clock (aware)."""
        return self.tracker.now()

    async def client_choices(self) -> list[str]:
        """PRESET_CLIENTS, then the database's other Client options (read at most once a TTL).

        With PRESETS_ONLY only the presets, since nothing else would be accepted.
        When Notion can't be read the presets (and the last options read) are still offered.
        """
        presets = list(self.settings.preset_clients)
        if self.settings.presets_only:
            return presets
        now = self._monotonic()
        stale = self._options_read_at is None or now - self._options_read_at >= self._ttl
        if stale:
            # Set first: a failing Notion is not asked again on every keystroke.
            self._options_read_at = now
            try:
                self._options = await self.store.client_options()
            except NotionError as exc:
                _log.warning("could not read the Client options: %s", type(exc).__name__)
        known = {p.casefold() for p in presets}
        return presets + [o for o in self._options if o.casefold() not in known]
