"""The background replayer: applies every lane's pending operations when woken, every
``interval``, and with backoff while Notion is down."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable

from notion_client import backoff_ceiling
from timesheet.tracking.engine import DrainReport, Engine

__all__ = ["Replayer"]

_log = logging.getLogger("timesheet.outbox")

Sleep = Callable[[float], Awaitable[object]]


class Replayer:
    """Background task replaying the ledger: when woken, every ``interval``, with backoff.

    ``notify()`` (the tracker calls it when an operation is left pending) wakes an idle
    replayer at once. After a pass that stopped because Notion is unavailable or refusing,
    it sleeps with exponential backoff (``initial_backoff`` doubling up to ``max_backoff``,
    half-jittered) and ignores wake-ups until then: a new pending operation during an outage
    only means Notion is still failing.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        interval: float = 60.0,
        initial_backoff: float = 2.0,
        max_backoff: float = 300.0,
        sleep: Sleep = asyncio.sleep,
        random: Callable[[], float] = random.random,
        on_report: Callable[[DrainReport], object] | None = None,
    ) -> None:
        self._engine = engine
        self._interval = interval
        self._initial_backoff = initial_backoff
        self._max_backoff = max_backoff
        self._sleep = sleep
        self._random = random
        self._on_report = on_report
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._failures = 0
        self.last_report: DrainReport | None = None

    def notify(self) -> None:
        """Something is pending (or Notion answered again): replay soon."""
        self._wake.set()

    def backoff(self, failures: int) -> float:
        """Delay after ``failures`` consecutive failed passes: exponential, half-jittered."""
        delay = backoff_ceiling(failures, self._initial_backoff, self._max_backoff)
        return delay * (0.5 + self._random() / 2)

    async def run(self) -> None:
        """Replay until cancelled."""
        while True:
            self._wake.clear()
            report: DrainReport | None
            try:
                report = await self._engine.replay()
            except Exception:
                _log.exception("ledger replay failed")
                report = None
            if report is not None:
                self.last_report = report
                if report.replayed or report.failed or (report.stopped and not report.busy):
                    _log.info("%s", report.summary())
                if self._on_report is not None:
                    self._on_report(report)
            if report is None or report.retry_later or report.blocked:
                self._failures += 1
                await self._sleep(self.backoff(self._failures))
            else:
                self._failures = 0
                await self._wait(self._interval)

    async def _wait(self, delay: float) -> None:
        if self._wake.is_set():
            return
        sleeper = asyncio.ensure_future(self._sleep(delay))
        waker = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({sleeper, waker}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sleeper, waker):
                task.cancel()
            await asyncio.gather(sleeper, waker, return_exceptions=True)

    def start(self) -> asyncio.Task[None]:
        """Run in the background (idempotent)."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self.run(), name="ledger-replayer")
        return self._task

    async def stop(self) -> None:
        """Stop the task; an operation in flight stays pending (idempotent)."""
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
