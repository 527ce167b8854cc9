"""The figures a run prints, and the command line."""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from ._model import Command, SoakConfig
from ._run import SoakResult, run_soak

__all__ = ["describe", "main"]

#: Problems listed under the figures (the counts say how many there are in all).
_SHOWN_PROBLEMS: Final = 12


def _pct(values: Sequence[float], q: int) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def _row(name: str, group: Sequence[Command]) -> str:
    wall = sorted(c.wall_ms for c in group)
    requests = sum(c.requests for c in group) / len(group)
    waits = sorted(c.waited for c in group)
    return (
        f"    {name:<22} {len(group):>5} {_pct(wall, 50):>8.1f} {_pct(wall, 95):>8.1f} "
        f"{wall[-1]:>8.1f} {requests:>9.2f} {_pct(waits, 95):>9.1f}"
    )


def _injected(result: SoakResult) -> str:
    c, n = result.config, result.injected
    parts = [
        f"index lag {c.index_lag:g} s",
        f"{c.error_rate:.0%} random 5xx",
        f"{n['outages']} outages (every request 5xx)",
        f"{n['429 bursts']} bursts of {c.rate_limit_count} x 429 (Retry-After {c.retry_after:g} s)",
        f"{n['503 bursts']} burst(s) of {c.server_error_count} x 503",
        f"{n['dropped creates']} dropped creates",
        f"{n['dropped updates']} dropped updates",
        f"{n['latency spikes']} latency spikes "
        f"({c.spike_seconds[0] * 1000:g}-{c.spike_seconds[1] * 1000:g} ms)",
    ]
    return "; ".join(parts)


def describe(result: SoakResult) -> list[str]:
    """The figures, as printed by ``main``."""
    c, cmds, v = result.config, result.commands, result.verdict
    who = "1 process" if c.processes == 1 else "2 processes (every user's commands from both)"
    outcomes = {o: sum(x.outcome == o for x in cmds) for o in ("nothing_running", "end_saved")}
    local = sum(x.outcome == "active_local" for x in cmds)
    lines = [
        f"fault soak: {who}, {c.users} users, {len(cmds)} commands, seed {c.seed}, "
        f"think time U(0, {c.think_seconds * 1000:.0f} ms)",
        f"  injected: {_injected(result)}",
        f"  lag: {result.lag_bites} of {len(cmds)} commands came within {c.index_lag:g} s of "
        "their user's previous start/end (the index could not list its write yet)",
        *(
            [
                f"  two processes: {result.overlaps} of process 2's commands were sent while "
                "process 1 had one of the same user's in flight"
            ]
            if c.processes == 2
            else []
        ),
        f"  run: {result.run_seconds:.2f} s wall; starts/ends direct {result.direct}, queued "
        f"{result.queued} (EndSaved {outcomes['end_saved']}); 'nothing running' "
        f"{outcomes['nothing_running']}; /active from the ledger alone {local}",
        "  per command (latency = wall ms of the tracker call, retry waits simulated, not slept):",
        f"    {'':<22} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} "
        f"{'requests':>9} {'p95 wait':>9}",
    ]
    groups = (
        ("start", [x for x in cmds if x.kind == "start"]),
        ("end", [x for x in cmds if x.kind == "end"]),
        ("active", [x for x in cmds if x.kind == "active"]),
        ("all", cmds),
        ("queued", [x for x in cmds if x.queued]),
        ("during outages", [x for x in cmds if x.in_outage]),
        ("met a failure (retried)", [x for x in cmds if x.retries]),
    )
    lines.extend(_row(name, group) for name, group in groups if group)
    requests = result.notion_requests
    by_endpoint = ", ".join(f"{k} {n}" for k, n in sorted(requests.items()))
    drain_rate = result.replayed_after / result.drain_seconds if result.drain_seconds else 0.0
    lines += [
        f"  Notion requests: {sum(requests.values())} ({by_endpoint}); by commands "
        f"{sum(x.requests for x in cmds)}, background replayer(s) {result.replayer_requests}, "
        f"final replay {result.drain_requests}",
        f"  replay: {result.replayed_during_run} ops by the background replayer(s) during the "
        f"run, {result.replayed_after} after it in {result.drain_passes} pass(es) "
        f"({result.drain_seconds:.2f} s, {drain_rate:.0f} ops/s)",
        f"  check: {v.entries} entries, {v.pages} pages: lost {v.lost}, doubled {v.doubled}, "
        f"two-running {v.two_running}, wrong times {v.wrong_times}, wrong replies "
        f"{v.wrong_replies}, errors {v.errors}, stray {v.stray}, pending {v.pending}, "
        f"set aside {v.set_aside} -> {'OK' if result.ok else 'FAILED'}",
    ]
    problems = result.problems
    lines.extend(f"    {p}" for p in problems[:_SHOWN_PROBLEMS])
    if len(problems) > _SHOWN_PROBLEMS:
        lines.append(f"    ... and {len(problems) - _SHOWN_PROBLEMS} more")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.fault_soak",
        description="Fault-injection soak of the tracking engine; exit 1 if any check fails.",
    )
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--ops", type=int, default=1000, help="commands in all")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--processes", type=int, choices=(1, 2), default=1)
    parser.add_argument("--lag", type=float, default=3.0, help="index lag, real seconds")
    parser.add_argument("--think", type=float, default=0.2, help="max pause (s) between commands")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)  # the retries' warnings would drown the figures
    config = SoakConfig(
        users=args.users,
        operations=args.ops,
        seed=args.seed,
        processes=args.processes,
        index_lag=args.lag,
        think_seconds=args.think,
    )
    with tempfile.TemporaryDirectory() as tmp:
        result = asyncio.run(run_soak(config, Path(tmp)))
    print("\n".join(describe(result)))
    return 0 if result.ok else 1
