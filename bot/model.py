"""The bot's shared resources: settings, Notion client, entry store, ledger and tracker."""

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
from timesheet.clients.notion import ClientBook
from timesheet.config import Settings
from timesheet.entries.store import CREATE_SETTLE, EntryStore
from timesheet.health.notion_watch import NotionWatch, ObservedTransport, probe_database
from timesheet.health.status import RemindersDue
from timesheet.targets.store import TargetStore
from timesheet.tracking.engine import Engine
from timesheet.tracking.ledger import Ledger
from timesheet.tracking.replay import Replayer
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

    Every write is an operation in the ledger in DATA_DIR, shared by every process; a command
    applies its user's pending operations on its way in. ``replayer`` applies what Notion
    could not take, woken when something stays pending, once started (the bot starts it;
    ``timetrack sync`` does a full pass from a terminal).
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
        self._ledger: Ledger | None = None
        self._replayer: Replayer | None = None
        self._options: list[str] = []
        self._options_read_at: float | None = None
        self._clients: ClientBook | None = None
        self._targets: TargetStore | None = None
        #: Whether Notion answers, from every request this process makes (see /healthz).
        self.notion_watch = NotionWatch()
        #: How many forgotten-timer reminders are due (set by the reminders feature).
        self.reminders_due: RemindersDue | None = None
        #: Called when an operation is set aside for good (the health monitor's wake-up).
        self.ops_failed: Callable[[], object] | None = None

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
            transport=CountingTransport(ObservedTransport(inner, self.notion_watch)),
            retry=self._retry,
            rate_limit=self._rate_limit,
        )
        self._ledger = Ledger.in_dir(self.settings.data_dir)
        store = EntryStore(
            self._notion,
            self.settings.notion_database_id,
            cache=self._ledger,
            create_settle=CREATE_SETTLE,
        )
        engine = Engine(store, self._ledger, on_failed=self._op_failed)
        self._tracker = Tracker(
            store,
            ledger=self._ledger,
            engine=engine,
            clock=self._clock,
            presets=self.settings.preset_clients,
            presets_only=self.settings.presets_only,
            on_pending=self._pending,
        )
        self._replayer = Replayer(engine, sleep=self._replay_sleep)
        self._clients = ClientBook.from_settings(
            self._notion, self.settings, ttl=self._ttl, monotonic=self._monotonic
        )
        targets_id = self.settings.notion_targets_database_id
        if targets_id is not None:
            # One store for the process: its data source is looked up once, not per command.
            self._targets = TargetStore(
                self._notion, targets_id, week_start=self.settings.week_start
            )

    async def probe_notion(self) -> None:
        """One cheap request (retrieve the database), recorded in ``notion_watch``."""
        assert self.settings.notion_database_id is not None
        await probe_database(self.notion, self.settings.notion_database_id, self.notion_watch)

    def _op_failed(self, op_id: int) -> None:
        if self.ops_failed is not None:
            self.ops_failed()

    def _pending(self) -> None:
        if self._replayer is not None:
            self._replayer.notify()

    async def close(self) -> None:
        """Stop the replayer, close the Notion client and the ledger."""
        replayer, self._replayer = self._replayer, None
        if replayer is not None:
            await replayer.stop()
        notion, self._notion, self._tracker = self._notion, None, None
        self._clients = self._targets = None
        if notion is not None:
            await notion.aclose()
        ledger, self._ledger = self._ledger, None
        if ledger is not None:
            ledger.close()

    async def __aenter__(self) -> Model:
        """Open (the terminal's way); with PRESETS_ONLY the Clients database's clients are
        read first, so a command accepts them as it accepts PRESET_CLIENTS."""
        await self.open()
        if self.settings.presets_only and self.settings.notion_clients_database_id:
            await self.accepted_clients()
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
    def ledger(self) -> Ledger:
        return _opened(self._ledger)

    @property
    def engine(self) -> Engine:
        return self.tracker.engine

    @property
    def replayer(self) -> Replayer:
        return _opened(self._replayer)

    @property
    def clients(self) -> ClientBook:
        """The Clients database (when set) merged with RATES/CURRENCY."""
        return _opened(self._clients)

    @property
    def targets(self) -> TargetStore | None:
        """The Targets database; None when NOTION_TARGETS_DATABASE_ID is unset."""
        _opened(self._notion)
        return self._targets

    @property
    def store(self) -> EntryStore:
        return self.tracker.store

    def now(self) -> datetime:
        """The bot's clock (aware)."""
        return self.tracker.now()

    async def client_choices(self) -> list[str]:
        """PRESET_CLIENTS, the Clients database's clients not archived (`accepted_clients`),
        then the entries database's other Client options (read at most once a TTL).

        With PRESETS_ONLY only the presets and the Clients database's, since nothing else
        would be accepted. When Notion can't be read the presets (and the last options read)
        are still offered.
        """
        presets = await self.accepted_clients()
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

    async def accepted_clients(self) -> list[str]:
        """PRESET_CLIENTS, then the Clients database's clients not archived (read at most once
        a TTL; never raises for Notion). The tracker takes them as presets from then on: with
        PRESETS_ONLY they are accepted, and a name typed in another case gets their spelling.
        """
        presets = list(self.settings.preset_clients)
        if self.settings.notion_clients_database_id is None:
            return presets
        known = {p.casefold() for p in presets}
        for name in await self.clients.active_names():
            if name.casefold() not in known:
                known.add(name.casefold())
                presets.append(name)
        self.tracker.presets = tuple(presets)
        return presets
