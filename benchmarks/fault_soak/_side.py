"""One process's side of the soak: its users as asyncio tasks on a Tracker, an Engine and a
Replayer over the shared ledger, every retry wait simulated."""

from __future__ import annotations

import asyncio
import contextvars
import random
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx

from bot.logs import CountingTransport, count_requests, start_counting
from notion_client import DEFAULT_BASE_URL, NotionClient, RateLimit, RetryPolicy
from timesheet.entries.errors import NothingRunning
from timesheet.entries.store import EntryStore
from timesheet.tracking.engine import DrainReport, Engine
from timesheet.tracking.ledger import Ledger
from timesheet.tracking.operations import Operation, StartOp
from timesheet.tracking.replay import Replayer
from timesheet.tracking.results import EndSaved
from timesheet.tracking.tracker import Tracker

from ._model import CLIENTS, T0, TOKEN, Command, Shown, SoakConfig, user_id_of

__all__ = [
    "ObservedLedger",
    "SharedClock",
    "SideResult",
    "SideSpec",
    "open_engine",
    "run_side",
    "share",
    "simulated_waits",
]


# -- simulated waiting ------------------------------------------------------------------------


@dataclass(slots=True)
class _Waited:
    """One command's (or one replayer's) simulated back-off seconds and retries."""

    seconds: float = 0.0
    retries: int = 0


_WAITED: contextvars.ContextVar[_Waited | None] = contextvars.ContextVar("waited", default=None)


def simulated_waits() -> None:
    """Count the retry waits of the current task (and the tasks it starts) afresh."""
    _WAITED.set(_Waited())


async def _simulated_sleep(delay: float) -> None:
    """The retry policy's sleep: counts the wait, yields to the loop, does not wait."""
    waited = _WAITED.get()
    if waited is not None:
        waited.seconds += delay
        waited.retries += 1
    await asyncio.sleep(0)


def _simulated_clock() -> float:
    """The retry policy's clock: the current task's simulated waiting (for ``max_total``)."""
    waited = _WAITED.get()
    return 0.0 if waited is None else waited.seconds


async def _scaled_sleep(delay: float) -> None:
    """The replayer's pauses (interval, backoff), 1000x shorter."""
    await asyncio.sleep(delay / 1000)


# -- the bots' clock and the ledger as the soak sees it ----------------------------------------


class SharedClock:
    """The bots' wall clock, one for every process: ``T0`` plus the real time since ``epoch``
    times ``speed``, to the millisecond, strictly increasing in a process. ``tick()`` moves it
    just before a command; the tracker reads it (``__call__``) before its first await."""

    def __init__(self, epoch: float, speed: float) -> None:
        self._epoch = epoch
        self._speed = speed
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def tick(self) -> datetime:
        millis = int((time.time() - self._epoch) * self._speed * 1000)
        now = T0 + timedelta(milliseconds=millis)
        self.now = max(now, self.now + timedelta(milliseconds=1))
        return self.now


#: The command the current task is running (None between commands and in the replayer).
_COMMAND: contextvars.ContextVar[Command | None] = contextvars.ContextVar("command", default=None)


class ObservedLedger(Ledger):
    """The ledger, telling the command that records an operation its id (the order the engine
    applies a user's operations in, across processes, is the order of these ids)."""

    def record(self, *ops: Operation) -> list[int]:
        ids = super().record(*ops)
        command = _COMMAND.get()
        if command is not None:
            command.op_ids.extend(ids)
            for op in ops:
                if isinstance(op, StartOp):
                    command.entry_id = op.entry.entry_id
        return ids


# -- one side -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SideSpec:
    """What a process needs to run its side: the run, which process it is, where Notion and
    the ledger are, and the instant the bots' clock reads ``T0``."""

    config: SoakConfig
    process: int
    database_id: str
    data_dir: str
    epoch: float
    base_url: str = DEFAULT_BASE_URL

    def to_json(self) -> dict[str, Any]:
        return {
            "config": self.config.to_json(),
            "process": self.process,
            "database_id": self.database_id,
            "data_dir": self.data_dir,
            "epoch": self.epoch,
            "base_url": self.base_url,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SideSpec:
        return cls(**{**data, "config": SoakConfig.from_json(data["config"])})


@dataclass(slots=True)
class SideResult:
    """Every command of one process, and what its background replayer did."""

    commands: list[Command] = field(default_factory=list)
    replayed: int = 0
    replayer_requests: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "commands": [c.to_json() for c in self.commands],
            "replayed": self.replayed,
            "replayer_requests": self.replayer_requests,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SideResult:
        commands = [Command.from_json(c) for c in data["commands"]]
        return cls(commands, data["replayed"], data["replayer_requests"])


def share(total: int, parts: int) -> list[int]:
    """``total`` split into ``parts`` near-equal shares, the larger ones first."""
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def _id_source(seed: int, process: int) -> Callable[[], str]:
    rng = random.Random(f"ids:{seed}:{process}")
    return lambda: str(uuid.UUID(int=rng.getrandbits(128), version=4))


@asynccontextmanager
async def open_engine(spec: SideSpec, transport: httpx.AsyncBaseTransport) -> AsyncIterator[Engine]:
    """A Notion client (retries with simulated waits, no rate limit) through ``transport``,
    the ledger of ``spec.data_dir`` and an engine on both, as the bot opens them."""
    seed, process = spec.config.seed, spec.process
    retry = RetryPolicy(
        sleep=_simulated_sleep,
        clock=_simulated_clock,
        random=random.Random(f"retry:{seed}:{process}").random,
    )
    async with NotionClient(
        TOKEN,
        base_url=spec.base_url,
        transport=CountingTransport(transport),
        retry=retry,
        rate_limit=RateLimit(rate=0),
    ) as client:
        with ObservedLedger.in_dir(spec.data_dir) as ledger:
            store = EntryStore(
                client, spec.database_id, cache=ledger, create_settle=spec.config.create_settle
            )
            yield Engine(store, ledger)


async def _run(tracker: Tracker, command: Command, client: str) -> bool | None:
    """Send ``command``, note its answer; whether a timer runs now as far as it says (None:
    it does not say)."""
    if command.kind == "start":
        started = await tracker.start(command.user_id, client)
        command.outcome, command.queued = "started", started.queued
        command.shown = [Shown.of(started.entry)]
        stopped = (started.stopped, *started.also_stopped)
        command.stopped = [Shown.of(e) for e in stopped if e is not None]
        return True
    if command.kind == "end":
        try:
            ended = await tracker.end(command.user_id)
        except NothingRunning:
            command.outcome = "nothing_running"
            return False
        if isinstance(ended, EndSaved):
            command.outcome, command.queued = "end_saved", True
        else:
            command.outcome, command.queued = "ended", ended.queued
            command.shown = [Shown.of(e) for e in (ended.entry, *ended.also_ended)]
        return False
    view = await tracker.active_view(command.user_id)
    command.outcome = "active" if view.notion_reachable else "active_local"
    command.shown = [Shown.of(e) for e in view.entries]
    return bool(view.entries)


@dataclass(slots=True)
class _Side:
    spec: SideSpec
    tracker: Tracker
    clock: SharedClock
    before_command: Callable[[], None]
    commands: list[Command] = field(default_factory=list)

    async def user(self, index: int, operations: int) -> None:
        """One user's commands, one after another, with a pause before each."""
        config, process = self.spec.config, self.spec.process
        user_id = user_id_of(index)
        rng = random.Random(f"user:{config.seed}:{process}:{index}")
        running = False
        for seq in range(operations):
            await asyncio.sleep(rng.uniform(0, config.think_seconds))
            if rng.random() < config.active_share:
                kind = "active"
            elif running and rng.random() < 0.6:
                kind = "end"
            else:
                kind = "start"
            client = rng.choice(CLIENTS)
            self.before_command()
            command = Command(process, user_id, seq, kind, self.clock.tick(), time.time())
            _COMMAND.set(command)
            waited = _Waited()
            _WAITED.set(waited)
            requests = start_counting()  # the bot's own per-command count of Notion requests
            began = time.perf_counter()
            try:
                says = await _run(self.tracker, command, client)
            except Exception as exc:
                command.outcome, command.error = "error", f"{type(exc).__name__}: {exc}"
                says = None
            command.wall_ms = (time.perf_counter() - began) * 1000
            command.waited, command.retries = waited.seconds, waited.retries
            command.requests = requests.count
            _COMMAND.set(None)
            self.commands.append(command)
            if says is not None:
                running = says


async def run_side(
    spec: SideSpec,
    transport: httpx.AsyncBaseTransport,
    *,
    before_command: Callable[[], None] = lambda: None,
    ready: Callable[[], Awaitable[object]] | None = None,
) -> SideResult:
    """Run this process's share of the commands: every user when there is one process, else
    every user too, with half the commands each. ``before_command`` applies the faults due;
    ``ready`` is awaited once everything is open, just before the first command."""
    config = spec.config
    result = SideResult()
    simulated_waits()  # the replayer's own, inherited by its task
    async with open_engine(spec, transport) as engine:
        clock = SharedClock(spec.epoch, config.clock_speed)
        tracker = Tracker(
            engine.store,
            ledger=engine.ledger,
            engine=engine,
            clock=clock,
            presets=CLIENTS,
            new_id=_id_source(config.seed, spec.process),
        )

        def count(report: DrainReport) -> None:
            result.replayed += report.replayed

        replayer = Replayer(
            engine,
            interval=5.0,
            initial_backoff=1.0,
            max_backoff=20.0,
            sleep=_scaled_sleep,
            random=random.Random(f"replayer:{config.seed}:{spec.process}").random,
            on_report=count,
        )
        tracker.on_pending = replayer.notify
        side = _Side(spec, tracker, clock, before_command)
        per_user: Sequence[int] = share(
            share(config.operations, config.processes)[spec.process], config.users
        )
        if ready is not None:
            await ready()
        with count_requests() as replayer_requests:  # the replayer's task inherits it
            replayer.start()
        try:
            await asyncio.gather(*(side.user(i, n) for i, n in enumerate(per_user)))
        finally:
            await replayer.stop()
        result.commands = side.commands
        result.replayer_requests = replayer_requests.count
    return result
