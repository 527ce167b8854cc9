"""Fault-injection soak: concurrent users start and end timers while Notion fails; nothing lost.

Users run as asyncio tasks against the in-memory Notion through the real NotionClient, the
EntryStore, the Tracker with its SQLite outbox and a background OutboxReplayer. Notion answers
10% of requests with a 5xx (seeded), goes fully down twice, sends bursts of 429 with
Retry-After, has latency spikes and drops responses of applied creates and updates. Retry
waits are simulated (a per-command clock that the injected sleep advances), so nothing
really sleeps except the latency spikes. Afterwards the outbox is replayed until empty and
every operation is checked against the ground truth recorded with the simulated clock.

Run: ``uv run python -m benchmarks.fault_soak [--users 20] [--ops 1000] [--seed 1] [--think 0.2]``
"""

from __future__ import annotations

import argparse
import asyncio
import contextvars
import logging
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

from bot.logs import CountingTransport, start_counting
from notion_client import NotionClient, Page, RateLimit, RetryPolicy
from notion_client.fake import FakeNotion
from timesheet.entries.schema import expected_schema, from_page
from timesheet.entries.store import EntryStore
from timesheet.tracking.ledger import Outbox
from timesheet.tracking.replay import OutboxReplayer, replay
from timesheet.tracking.tracker import EndQueued, Tracker

__all__ = ["SoakConfig", "SoakResult", "main", "run_soak"]

TOKEN: Final = "secret_soak"
CLIENTS: Final = ("Acme", "Globex", "Initech")
T0: Final = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)


# -- simulated waiting ------------------------------------------------------------------------


@dataclass(slots=True)
class _Waited:
    """One command's (or one replayer task's) simulated back-off seconds and retries."""

    seconds: float = 0.0
    retries: int = 0


_WAITED: contextvars.ContextVar[_Waited | None] = contextvars.ContextVar("waited", default=None)


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


class _SimClock:
    """The bot's wall clock: advanced by the users, one step per command."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: int) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


# -- configuration and results ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SoakConfig:
    """One run. Fault windows are placed by operation number, as fractions of ``operations``."""

    users: int = 20
    operations: int = 1000
    seed: int = 1
    error_rate: float = 0.1
    outages: tuple[tuple[float, float], ...] = ((0.15, 0.22), (0.55, 0.62))
    rate_limit_bursts: tuple[float, ...] = (0.35, 0.80)
    rate_limit_count: int = 60
    retry_after: float = 10.0
    server_error_bursts: tuple[float, ...] = (0.45,)
    server_error_count: int = 40
    drop_create_every: int = 23
    drop_update_every: int = 29
    spike_probability: float = 0.02
    spike_seconds: tuple[float, float] = (0.002, 0.01)
    #: Real pause before each command, uniform in [0, think_seconds]: people type, so the
    #: replayer gets the loop between commands (without it, 20 users replaying nothing but
    #: queued commands starve the replayer).
    think_seconds: float = 0.2


@dataclass(slots=True)
class _Command:
    kind: str
    wall_ms: float
    waited: float
    retries: int
    requests: int
    queued: bool
    in_outage: bool


@dataclass(slots=True)
class _Truth:
    entry_id: str
    user_id: str
    start: datetime
    end: datetime | None = None


@dataclass(slots=True)
class SoakResult:
    """Figures of one run and every problem found by the final check (empty: all correct)."""

    config: SoakConfig
    commands: list[_Command] = field(default_factory=list)
    run_seconds: float = 0.0
    drain_seconds: float = 0.0
    drain_passes: int = 0
    replayed_during_run: int = 0
    replayed_after: int = 0
    blind_ends: int = 0
    entries: int = 0
    pages: int = 0
    notion_requests: Counter[str] = field(default_factory=Counter)
    client_requests: int = 0
    drain_requests: int = 0
    injected: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def queued(self) -> int:
        return sum(c.queued for c in self.commands)

    @property
    def direct(self) -> int:
        return len(self.commands) - self.queued

    @property
    def throughput(self) -> float:
        return len(self.commands) / self.run_seconds if self.run_seconds else 0.0


def _pct(values: Sequence[float], q: int) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


# -- the run ----------------------------------------------------------------------------------


class _Faults:
    """Applies the fault schedule as operations are issued (op number -> faults)."""

    def __init__(self, fake: FakeNotion, config: SoakConfig, result: SoakResult) -> None:
        self._fake = fake
        self._config = config
        self._result = result
        n = config.operations
        self._outages = [(int(a * n), int(b * n)) for a, b in config.outages]
        self._limits = {int(f * n) for f in config.rate_limit_bursts}
        self._bursts = {int(f * n) for f in config.server_error_bursts}
        self._count = 0
        self._drops: dict[str, int] = {}
        rng = random.Random(config.seed * 7919)
        low, high = config.spike_seconds

        def spikes(_: str) -> float:
            if rng.random() < config.spike_probability:
                result.injected["latency spikes"] += 1
                return rng.uniform(low, high)
            return 0.0

        fake.faults.seed(config.seed)
        fake.faults.error_rate = config.error_rate
        fake.faults.latency_fn = spikes

    def next_operation(self) -> bool:
        """Apply the faults due at this operation; True during an outage (Notion down)."""
        n, self._count = self._count, self._count + 1
        faults, config, injected = self._fake.faults, self._config, self._result.injected
        down = any(a <= n < b for a, b in self._outages)
        faults.error_rate = 1.0 if down else config.error_rate
        if any(n == a for a, _ in self._outages):
            injected["outages"] += 1
        if n in self._limits:
            faults.rate_limit_next(retry_after=config.retry_after, count=config.rate_limit_count)
            injected["429 bursts"] += 1
        if n in self._bursts:
            faults.fail_next(503, count=config.server_error_count)
            injected["503 bursts"] += 1
        if n and n % config.drop_create_every == 0:
            self._drop("create_page", "dropped creates")
        if n and n % config.drop_update_every == 0:
            self._drop("update_page", "dropped updates")
        return down

    def _drop(self, endpoint: str, what: str) -> None:
        # One outstanding drop per endpoint: drops queued while nobody writes would pile up
        # and hit one request's retries back to back (that is an outage, tested elsewhere).
        seen = self._fake.requests[endpoint]
        if self._drops.get(endpoint, -1) < seen:
            self._drops[endpoint] = seen
            self._fake.faults.drop_response_next(endpoint)
            self._result.injected[what] += 1


def _id_source(seed: int) -> Callable[[], str]:
    rng = random.Random(seed)
    return lambda: str(uuid.UUID(int=rng.getrandbits(128), version=4))


async def _user(
    index: int,
    operations: int,
    tracker: Tracker,
    clock: _SimClock,
    faults: _Faults,
    truth: list[_Truth],
    result: SoakResult,
) -> None:
    user_id = f"{100000000000000000 + index}"
    rng = random.Random(result.config.seed * 1000 + index)
    running: _Truth | None = None
    think = result.config.think_seconds
    for _ in range(operations):
        await asyncio.sleep(rng.uniform(0, think))
        kind = "end" if running is not None and rng.random() < 0.6 else "start"
        in_outage = faults.next_operation()
        waited = _Waited()
        _WAITED.set(waited)
        requests = start_counting()  # the bot's own per-command count of Notion requests
        at = clock.advance(rng.randint(1, 300))  # the tracker reads it before any await
        began = time.perf_counter()
        if kind == "start":
            started = await tracker.start(user_id, rng.choice(CLIENTS))
            queued = started.queued
            if started.entry.start != at:
                result.problems.append(f"start of user {user_id} took {started.entry.start}")
            if running is not None:
                running.end = at
            running = _Truth(started.entry.entry_id, user_id, at)
            truth.append(running)
        else:
            assert running is not None
            try:
                ended = await tracker.end(user_id)
            except EndQueued:
                queued = True
                result.blind_ends += 1
            else:
                queued = ended.queued
                if ended.entry.entry_id != running.entry_id or ended.entry.end != at:
                    result.problems.append(f"end of user {user_id} ended {ended.entry}")
            running.end = at
            running = None
        wall = (time.perf_counter() - began) * 1000
        result.commands.append(
            _Command(kind, wall, waited.seconds, waited.retries, requests.count, queued, in_outage)
        )


def _check(
    fake: FakeNotion, ds_id: str, outbox: Outbox, truth: list[_Truth], r: SoakResult
) -> None:
    """Every operation in Notion exactly once with its Start and End; the outbox empty."""
    pages = [from_page(Page.from_json(raw)) for raw in fake.pages(ds_id)]
    r.entries, r.pages = len(truth), len(pages)
    counts = Counter(p.entry_id for p in pages)
    r.problems.extend(f"Entry ID {k} on {n} pages" for k, n in counts.items() if n > 1)
    by_id = {p.entry_id: p for p in pages}
    expected = {t.entry_id for t in truth}
    r.problems.extend(
        f"page {p.page_id}: no such start" for p in pages if p.entry_id not in expected
    )
    for t in truth:
        page = by_id.get(t.entry_id)
        if page is None:
            r.problems.append(f"entry {t.entry_id} of user {t.user_id} is missing")
        elif (page.user_id, page.start, page.end) != (t.user_id, t.start, t.end):
            r.problems.append(
                f"entry {t.entry_id}: Notion has {page.start}..{page.end}, "
                f"expected {t.start}..{t.end}"
            )
    if len(outbox):
        r.problems.append(f"{len(outbox)} operations still pending")
    r.problems.extend(f"set aside: {why}" for _, why in outbox.failed_reasons())


async def run_soak(config: SoakConfig, data_dir: Path) -> SoakResult:
    """Run the soak with an outbox in ``data_dir``; the result says what happened."""
    result = SoakResult(config)
    fake = FakeNotion(token=TOKEN)
    parent = fake.add_parent_page("Workspace")
    db_id, ds_id = fake.add_database(parent, "Time entries", expected_schema(CLIENTS))
    retry = RetryPolicy(
        sleep=_simulated_sleep,
        clock=_simulated_clock,
        random=random.Random(config.seed).random,
    )
    clock = _SimClock(T0)
    truth: list[_Truth] = []
    _WAITED.set(_Waited())  # the replayer task inherits its own simulated clock from here

    async def scaled_sleep(delay: float) -> None:  # the replayer's pauses, 1000x shorter
        await asyncio.sleep(delay / 1000)

    async with NotionClient(
        token=TOKEN,
        transport=CountingTransport(fake.transport()),
        retry=retry,
        rate_limit=RateLimit(rate=0),
    ) as client:
        store = EntryStore(client, db_id)
        with Outbox(data_dir / "outbox.sqlite3") as outbox:
            tracker = Tracker(
                store,
                clock=clock,
                presets=CLIENTS,
                new_id=_id_source(config.seed),
                outbox=outbox,
            )

            def count(report: object) -> None:
                result.replayed_during_run += getattr(report, "replayed", 0)

            replayer = OutboxReplayer(
                outbox,
                store,
                tracker=tracker,
                interval=5.0,
                initial_backoff=1.0,
                max_backoff=20.0,
                sleep=scaled_sleep,
                random=random.Random(config.seed + 1).random,
                on_report=count,
            )
            tracker.on_queued = replayer.notify
            faults = _Faults(fake, config, result)
            per_user = [config.operations // config.users] * config.users
            for i in range(config.operations % config.users):
                per_user[i] += 1
            began = time.perf_counter()
            replayer.start()
            try:
                await asyncio.gather(
                    *(
                        _user(i, n, tracker, clock, faults, truth, result)
                        for i, n in enumerate(per_user)
                    )
                )
            finally:
                await replayer.stop()
            result.run_seconds = time.perf_counter() - began

            fake.faults.clear()
            before = sum(fake.requests.values())
            began = time.perf_counter()
            while len(outbox) and result.drain_passes < 20:
                result.drain_passes += 1
                report = await replay(outbox, store, tracker=tracker)
                result.replayed_after += report.replayed
            result.drain_seconds = time.perf_counter() - began
            result.drain_requests = sum(fake.requests.values()) - before
            result.notion_requests = Counter(fake.requests)
            result.client_requests = client.request_count
            _check(fake, ds_id, outbox, truth, result)
    return result


# -- the command ------------------------------------------------------------------------------


def _group_line(name: str, group: Sequence[_Command]) -> str:
    wall = sorted(x.wall_ms for x in group)
    waits = sorted(x.waited for x in group)
    requests = sum(x.requests for x in group) / len(group)
    return (
        f"  {name} ({len(group)}): latency p50 {_pct(wall, 50):.1f} ms, "
        f"p95 {_pct(wall, 95):.1f} ms; retry wait (simulated) p50 {_pct(waits, 50):.1f} s, "
        f"p95 {_pct(waits, 95):.1f} s, max {waits[-1]:.1f} s; {requests:.1f} requests/command"
    )


def describe(result: SoakResult) -> list[str]:
    """The figures, as printed by ``main``."""
    c, cmds = result.config, result.commands
    injected = ", ".join(f"{n} {what}" for what, n in sorted(result.injected.items()))
    lines = [
        f"fault soak: {c.users} users, {len(cmds)} start/end operations, seed {c.seed}, "
        f"think time U(0, {c.think_seconds * 1000:.0f} ms)",
        f"  faults: {c.error_rate:.0%} random 5xx; {injected}",
        f"  run: {result.run_seconds:.2f} s wall, {result.throughput:.0f} ops/s; "
        f"direct {result.direct}, queued {result.queued} "
        f"(/end saved while Notion could not say what runs: {result.blind_ends})",
        "  latency = wall time of the tracker call (retry waits simulated, not slept)",
    ]
    groups = (
        ("all commands", cmds),
        ("during outages (Notion down)", [x for x in cmds if x.in_outage]),
        ("that met a Notion failure (retried)", [x for x in cmds if x.retries]),
        ("direct", [x for x in cmds if not x.queued]),
        ("queued after Notion failed", [x for x in cmds if x.queued and x.retries]),
        ("queued behind the user's pending ops", [x for x in cmds if x.queued and not x.retries]),
    )
    lines.extend(_group_line(name, group) for name, group in groups if group)
    requests = result.notion_requests
    by_endpoint = ", ".join(f"{k} {v}" for k, v in sorted(requests.items()))
    drain_rate = result.replayed_after / result.drain_seconds if result.drain_seconds else 0.0
    lines += [
        f"  Notion requests: {sum(requests.values())} ({by_endpoint}); "
        f"{result.drain_requests} of them by the final replay",
        f"  replay: {result.replayed_during_run} ops replayed by the background replayer during "
        f"the run, {result.replayed_after} after it in {result.drain_passes} pass(es) "
        f"({result.drain_seconds:.2f} s, {drain_rate:.0f} ops/s)",
        f"  check: {result.entries} entries, {result.pages} pages, "
        f"{len(result.problems)} problem(s) -> {'OK' if result.ok else 'FAILED'}",
    ]
    lines.extend(f"    {p}" for p in result.problems[:20])
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--ops", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--think", type=float, default=0.2, help="max pause (s) between commands")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)  # the retries' warnings would drown the figures
    config = SoakConfig(
        users=args.users, operations=args.ops, seed=args.seed, think_seconds=args.think
    )
    with tempfile.TemporaryDirectory() as tmp:
        result = asyncio.run(run_soak(config, Path(tmp)))
    print("\n".join(describe(result)))
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
