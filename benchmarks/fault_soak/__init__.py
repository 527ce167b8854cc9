"""Fault-injection soak: users start, end and list timers while Notion fails; nothing lost.

Users run as asyncio tasks against the in-memory Notion through the real NotionClient, the
EntryStore and the Tracker with its Engine over the SQLite ledger, and a background Replayer.
Notion's query index lags writes (3 s by default, real time), 10% of requests get a 5xx
(seeded), it goes fully down twice, sends bursts of 429 with Retry-After and of 503, has
latency spikes and drops the answers of applied creates and updates. Retry waits are
simulated (a per-command clock that the injected sleep advances), so nothing really sleeps
but the latency spikes and the pauses between commands.

With ``--processes 2`` a second OS process runs every user too, with half the commands, on
the same DATA_DIR ledger and the same Notion (served over loopback by the first): each
user's commands reach the engine from both processes at once.

Afterwards the ledger is replayed until empty and every command is checked against Notion
in the ledger's order (see ``_check``): nothing lost, no Entry ID on two pages, at most one
running timer per user, every Start and End the command's time, every answer right.

Run: ``uv run python -m benchmarks.fault_soak [--users 20] [--ops 1000] [--seed 1]
[--processes 1|2] [--lag 3] [--think 0.2]``; exits 1 if any check fails.
"""

from __future__ import annotations

from ._check import Verdict
from ._model import Command, Shown, SoakConfig
from ._report import describe, main
from ._run import SoakResult, run_soak

__all__ = [
    "Command",
    "Shown",
    "SoakConfig",
    "SoakResult",
    "Verdict",
    "describe",
    "main",
    "run_soak",
]
