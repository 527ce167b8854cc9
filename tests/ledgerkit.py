"""Test kit for the ledger and the engine: users, an entry factory, waiting on the event loop.

- `planned()` is notionkit's `make_entry` as these tests record entries: `entry_id` ``n`` of a
  user, named ``task n``, starting ``10 * n`` minutes after `T0`, not yet in Notion.
- `Sleeper` is an injected sleep that the test releases by hand (the replayer's interval and
  backoff, the engine's lease polling).
- `until()` lets the event loop run until a condition holds.
- `FakeClock` is a settable ``time.time`` for a `Ledger` (leases, pruning).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Final

from notionkit import ALICE, BOB, T0, make_entry

from timesheet.entries.model import TimeEntry

__all__ = ["ALICE", "BOB", "CAROL", "MANAGER", "FakeClock", "Sleeper", "planned", "until"]

CAROL: Final = "100000000000000003"
#: A user with Manage Server: may end anyone's timer.
MANAGER: Final = "100000000000000099"


def planned(n: int, user: str = ALICE, **fields: Any) -> TimeEntry:
    """`make_entry` ``n`` of ``user``: client Acme, named ``task n`` with note ``note n``,
    starting ``10 * n`` minutes after `T0`, running; ``fields`` override any of these."""
    defaults = {"name": f"task {n}", "note": f"note {n}", "start": T0 + timedelta(minutes=10 * n)}
    return make_entry(n, user=user, **{**defaults, **fields})


class FakeClock:
    """A settable ``time.time`` for a `Ledger`: ``clock.now += 61`` and a lease has expired."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@dataclass
class Sleeper:
    """An injected sleep: records each delay; returns at once for the first ``free`` calls,
    then blocks until `release`."""

    free: int = 0
    delays: list[float] = field(default_factory=list)
    _gate: asyncio.Event = field(default_factory=asyncio.Event)

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        if len(self.delays) > self.free:
            await self._gate.wait()
            self._gate.clear()

    def release(self) -> None:
        """Let the sleep in progress (or the next one) return."""
        self._gate.set()


async def until(condition: Callable[[], bool]) -> None:
    """Let the event loop run until ``condition()`` holds (at most ~10 s)."""
    for _ in range(10_000):
        if condition():
            return
        await asyncio.sleep(0.001)
    raise AssertionError("condition never became true")
