"""The run: Notion failing every way, one or two processes of users, the final replay, the check."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Final

import httpx

from notion_client import Page
from notion_client.fake import FakeNotion
from timesheet.entries.schema import expected_schema, from_page

from ._check import Verdict, check
from ._faults import FaultSchedule
from ._model import CLIENTS, TOKEN, Command, SoakConfig
from ._side import SideResult, SideSpec, open_engine, run_side, share, simulated_waits

__all__ = ["SoakResult", "run_soak"]

#: Where ``python -m benchmarks...`` finds the package (the repository root).
_ROOT: Final = Path(__file__).resolve().parents[2]
#: Real seconds the second process may take to open, and to run its side.
_START_TIMEOUT: Final = 60.0
_RUN_TIMEOUT: Final = 600.0
#: Final replay passes before the check gives up on an ever-pending ledger.
_DRAIN_PASSES: Final = 20


@dataclass(slots=True)
class SoakResult:
    """Figures of one run and every problem the final check found (none: all correct)."""

    config: SoakConfig
    commands: list[Command] = field(default_factory=list)
    run_seconds: float = 0.0
    drain_seconds: float = 0.0
    drain_passes: int = 0
    replayed_during_run: int = 0
    replayed_after: int = 0
    replayer_requests: int = 0
    drain_requests: int = 0
    lag_bites: int = 0
    overlaps: int = 0
    notion_requests: Counter[str] = field(default_factory=Counter)
    injected: Counter[str] = field(default_factory=Counter)
    verdict: Verdict = field(default_factory=Verdict)
    #: The harness's own failures (the second process dying), before the verdict's.
    failures: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        return [*self.failures, *self.verdict.problems]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def queued(self) -> int:
        return sum(c.queued for c in self.commands)

    @property
    def direct(self) -> int:
        return sum(not c.queued for c in self.commands if c.kind != "active")


def _lag_bites(commands: list[Command], lag: float) -> int:
    """Commands sent within ``lag`` seconds of their user's previous start or end (from any
    process): the index cannot list what that one wrote yet."""
    by_user: dict[str, list[Command]] = defaultdict(list)
    for c in commands:
        by_user[c.user_id].append(c)
    bites = 0
    for cmds in by_user.values():
        last_write: float | None = None
        for c in sorted(cmds, key=lambda c: c.began):
            if last_write is not None and c.began - last_write < lag:
                bites += 1
            if c.kind != "active":
                last_write = c.began
    return bites


def _overlaps(commands: list[Command]) -> int:
    """Commands of process 2 sent while process 1 had a command of the same user in flight."""
    spans: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for c in commands:
        if c.process == 0:
            spans[c.user_id].append((c.began, c.began + c.wall_ms / 1000))
    return sum(
        any(a < c.began + c.wall_ms / 1000 and c.began < b for a, b in spans[c.user_id])
        for c in commands
        if c.process == 1
    )


async def _second_process(
    spec: SideSpec, data_dir: Path, begin: Callable[[], object]
) -> tuple[SideResult | None, str]:
    """Run process 2's side in a new interpreter; ``begin()`` once it is ready and told to
    go. Its result, or None and why."""
    spec_path, out_path = data_dir / "process-2.json", data_dir / "process-2.out.json"
    err_path = data_dir / "process-2.err"
    spec_path.write_text(json.dumps(spec.to_json()))
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(_ROOT), os.environ.get("PYTHONPATH")])),
    }
    with err_path.open("wb") as err:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "benchmarks.fault_soak._worker",
            str(spec_path),
            str(out_path),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=err,
            cwd=_ROOT,
            env=env,
        )
    assert proc.stdin is not None and proc.stdout is not None
    try:
        line = await asyncio.wait_for(proc.stdout.readline(), _START_TIMEOUT)
        if line.strip() == b"ready":
            proc.stdin.write(b"go\n")
            await proc.stdin.drain()
            begin()
        code = await asyncio.wait_for(proc.wait(), _RUN_TIMEOUT)
    except TimeoutError:
        code = None
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    if code == 0 and out_path.exists():
        return SideResult.from_json(json.loads(out_path.read_text())), ""
    tail = err_path.read_text(errors="replace").strip().splitlines()[-5:]
    return None, f"process 2 exited with {code}: " + " | ".join(tail)


async def _sides(
    spec: SideSpec,
    transport: Callable[[], httpx.AsyncBaseTransport],
    schedule: FaultSchedule,
    data_dir: Path,
    result: SoakResult,
) -> list[SideResult]:
    """Run every process's side at once (process 1 here, process 2 in a new interpreter)."""
    began = time.perf_counter()
    if spec.config.processes == 1:
        mine = await run_side(spec, transport(), before_command=schedule.next_operation)
        result.run_seconds = time.perf_counter() - began
        return [mine]
    go = asyncio.Event()

    async def first() -> SideResult:
        nonlocal began
        await go.wait()
        began = time.perf_counter()
        return await run_side(spec, transport(), before_command=schedule.next_operation)

    async def second() -> SideResult | None:
        other, why = await _second_process(replace(spec, process=1), data_dir, go.set)
        if other is None:
            result.failures.append(why)
            go.set()
        return other

    async with asyncio.TaskGroup() as group:  # one failing stops the other (and process 2)
        here = group.create_task(first())
        there = group.create_task(second())
    result.run_seconds = time.perf_counter() - began
    sides = [here.result(), there.result()]
    return [side for side in sides if side is not None]


async def _final_replay(
    spec: SideSpec, transport: httpx.AsyncBaseTransport, fake: FakeNotion, result: SoakResult
) -> tuple[int, list[tuple[int, str]]]:
    """Notion healthy again (its index still lagging): replay until nothing is pending.
    What is left pending and set aside."""
    fake.faults.clear()
    fake.faults.index_lag = spec.config.index_lag
    simulated_waits()
    before = sum(fake.requests.values())
    began = time.perf_counter()
    async with open_engine(spec, transport) as engine:
        ledger = engine.ledger
        while len(ledger) and result.drain_passes < _DRAIN_PASSES:
            result.drain_passes += 1
            report = await engine.replay()
            result.replayed_after += report.replayed
            if report.busy:
                await asyncio.sleep(0.1)
        left = len(ledger), ledger.failed_reasons()
    result.drain_seconds = time.perf_counter() - began
    result.drain_requests = sum(fake.requests.values()) - before
    return left


async def run_soak(config: SoakConfig, data_dir: Path) -> SoakResult:
    """Run the soak with the ledger in ``data_dir``, an existing directory (the DATA_DIR
    every process shares)."""
    if config.processes not in (1, 2):
        raise ValueError("processes must be 1 or 2")
    result = SoakResult(config)
    fake = FakeNotion(token=TOKEN)
    parent = fake.add_parent_page("Workspace")
    db_id, ds_id = fake.add_database(parent, "Time entries", expected_schema(CLIENTS))
    schedule = FaultSchedule(fake, config, share(config.operations, config.processes)[0])
    spec = SideSpec(config, 0, db_id, str(data_dir), time.time())
    async with contextlib.AsyncExitStack() as stack:
        transport: Callable[[], httpx.AsyncBaseTransport] = fake.transport
        if config.processes == 2:
            url = await stack.enter_async_context(fake.serve())
            spec, transport = replace(spec, base_url=url), httpx.AsyncHTTPTransport
        sides = await _sides(spec, transport, schedule, data_dir, result)
        schedule.close()
        pending, set_aside = await _final_replay(spec, transport(), fake, result)
    for side in sides:
        result.commands.extend(side.commands)
        result.replayed_during_run += side.replayed
        result.replayer_requests += side.replayer_requests
    for c in result.commands:
        c.in_outage = schedule.in_outage(c.began)
    result.injected = schedule.injected
    result.notion_requests = Counter(fake.requests)
    result.lag_bites = _lag_bites(result.commands, config.index_lag)
    result.overlaps = _overlaps(result.commands)
    pages = [from_page(Page.from_json(raw)) for raw in fake.pages(ds_id)]
    result.verdict = check(result.commands, pages, pending, set_aside)
    return result
