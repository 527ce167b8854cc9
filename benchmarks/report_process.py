"""`timetrack report` as a whole process against the in-memory Notion served over HTTP.

Spawns the console script (``--script`` picks another checkout's, e.g. main's, side by side)
and times it from spawn to exit. The fake records when each request arrives, so the run splits
into: before the first request (interpreter start, imports), the network (requests x latency,
the requests being sequential) and what is left (waiting on the limiter, aggregation,
rendering, teardown). A cold run starts from an empty DATA_DIR (the data source id is learnt:
2 requests); a warm one finds it in the ledger (1 request).
"""

from __future__ import annotations

import asyncio
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from notion_client.fake import FakeNotion
from timesheet.entries.model import TimeEntry
from timesheet.entries.schema import expected_schema, to_properties

__all__ = ["SCRIPT", "ProcessRun", "import_costs", "print_process_figures", "seed_fake"]

#: This environment's `timetrack` console script.
SCRIPT = Path(sys.executable).with_name("timetrack")
_TOKEN = "secret_bench"


@dataclass(frozen=True)
class ProcessRun:
    wall: float  # spawn to exit
    requests: int
    network: float  # requests x latency
    first_request: float  # spawn to the first request's arrival
    after_network: float  # last answer to exit
    cpu: float  # the process's user + system CPU time

    @property
    def overhead(self) -> float:
        return self.wall - self.network


def seed_fake(entries: Sequence[TimeEntry]) -> tuple[FakeNotion, str, str]:
    """A fake holding ``entries`` (written without requests): fake, database id, data source id."""
    fake = FakeNotion(token=_TOKEN)
    parent = fake.add_parent_page("Bench")
    database_id, ds_id = fake.add_database(parent, "Time entries", expected_schema(()))
    for entry in entries:
        properties = {name: value.to_json() for name, value in to_properties(entry).items()}
        fake.add_page(ds_id, properties)
    return fake, database_id, ds_id


async def _one_run(
    fake: FakeNotion, url: str, env: dict[str, str], script: Path, args: Sequence[str]
) -> ProcessRun:
    arrivals: list[float] = []

    def note_arrival(_: str) -> float:
        arrivals.append(time.perf_counter())
        return 0.0

    fake.faults.latency_fn = note_arrival
    fake.requests.clear()
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(
        str(script),
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await proc.communicate()
    wall = time.perf_counter() - t0
    now_used = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (now_used.ru_utime - used.ru_utime) + (now_used.ru_stime - used.ru_stime)
    fake.faults.latency_fn = None
    if proc.returncode != 0 or not arrivals:
        raise RuntimeError(f"{script} {' '.join(args)} failed: {err.decode()[-500:]}")
    latency = fake.faults.latency
    return ProcessRun(
        wall=wall,
        requests=len(arrivals),
        network=len(arrivals) * latency,
        first_request=arrivals[0] - t0,
        after_network=t0 + wall - (arrivals[-1] + latency),
        cpu=cpu,
    )


async def measure_process(
    entries: Sequence[TimeEntry],
    latency: float,
    runs: int,
    codes: Sequence[Path | None],
    week: str,
) -> list[dict[str, list[ProcessRun]]]:
    """``runs`` cold and ``runs`` warm runs of ``timetrack report --week week`` for each of
    ``codes`` (None: this checkout; a folder: another checkout's source, run on this
    environment's packages), interleaved so that a machine's changing load hits each alike."""
    fake, database_id, _ = seed_fake(entries)
    found: list[dict[str, list[ProcessRun]]] = [{"cold": [], "warm": []} for _ in codes]
    args = ("report", "--week", week)
    async with fake.serve(host="127.0.0.1", port=0) as url:
        fake.faults.latency = latency
        for _ in range(runs):
            for kind in ("cold", "warm"):
                for code, runs_of in zip(codes, found, strict=True):
                    with tempfile.TemporaryDirectory() as data_dir:
                        env = {
                            "PATH": os.environ.get("PATH", ""),
                            "NOTION_TOKEN": _TOKEN,
                            "NOTION_DATABASE_ID": database_id,
                            "NOTION_BASE_URL": url,
                            "TIMEZONE": "Europe/London",
                            "DATA_DIR": data_dir,
                            **({} if code is None else {"PYTHONPATH": str(code)}),
                        }
                        if kind == "warm":  # learn the data source id once, untimed
                            await _one_run(fake, url, env, SCRIPT, args)
                        runs_of[kind].append(await _one_run(fake, url, env, SCRIPT, args))
    return found


def print_process_figures(label: str, found: dict[str, list[ProcessRun]]) -> None:
    print(f"{label}: whole process, spawn to exit (min / median of {len(found['cold'])} runs)")
    print(f"  {'':6}{'requests':>9}{'network':>9}{'wall':>15}{'above network':>17}"
          f"{'to 1st request':>16}{'after last answer':>19}{'CPU':>13}")  # fmt: skip
    for kind, runs in found.items():
        print(
            f"  {kind:6}{runs[0].requests:>9}{runs[0].network:>8.2f}s"
            f"{_min_median([r.wall for r in runs]):>15}"
            f"{_min_median([r.overhead for r in runs]):>17}"
            f"{_min_median([r.first_request for r in runs]):>16}"
            f"{_min_median([r.after_network for r in runs]):>19}"
            f"{_min_median([r.cpu for r in runs]):>13}"
        )


def _min_median(values: list[float]) -> str:
    return f"{min(values):.2f}/{statistics.median(values):.2f}s"


def import_costs(script: Path, modules: Sequence[str]) -> dict[str, float]:
    """Cumulative import time (s) of ``modules`` as ``python -X importtime`` reports them when
    ``script``'s interpreter imports them (each in a fresh process)."""
    python = script.with_name("python")
    costs: dict[str, float] = {}
    for module in modules:
        done = subprocess.run(
            [str(python), "-X", "importtime", "-c", f"import {module}"],
            capture_output=True,
            text=True,
            check=True,
        )
        for line in done.stderr.splitlines():
            parts = [p.strip() for p in line.removeprefix("import time:").split("|")]
            if len(parts) == 3 and parts[2] == module:
                costs[module] = int(parts[1]) / 1e6
    return costs
