"""The engine: applies a user's ledger operations in order, one process at a time."""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Final

from timesheet.entries.store import EntryStore
from timesheet.tracking.apply import apply, classify
from timesheet.tracking.ledger import Ledger

__all__ = ["DrainReport", "Engine"]

_log = logging.getLogger("timesheet.outbox")
_MAX_REASON_CHARS: Final = 300
#: How often a process waiting for another's lane looks again.
LEASE_POLL: Final = 0.02

Sleep = Callable[[float], Awaitable[object]]


def reason(exc: BaseException) -> str:
    """One line naming a failure, for the ledger and logs (never a token: see NotionError)."""
    text = str(exc).splitlines()[0] if str(exc) else ""
    line = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return line[:_MAX_REASON_CHARS]


@dataclass(slots=True)
class DrainReport:
    """What applying operations did: counts, one line each, and why it stopped early.

    ``errors``: the exception each operation that did not go through met, by op id.
    ``stopped``: Notion unavailable (``retry_later``), refusing every request (``blocked``),
    or the lane held by another process (``busy``).
    """

    replayed: int = 0
    failed: int = 0
    remaining: int = 0
    stopped: str | None = None
    retry_later: bool = False
    blocked: bool = False
    busy: bool = False
    elapsed: float = 0.0
    lines: list[str] = field(default_factory=list)
    errors: dict[int, Exception] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Everything pending reached Notion and nothing was refused."""
        return self.failed == 0 and self.remaining == 0

    def add(self, other: DrainReport) -> None:
        self.replayed += other.replayed
        self.failed += other.failed
        self.retry_later |= other.retry_later
        self.blocked |= other.blocked
        self.busy |= other.busy
        self.stopped = self.stopped or other.stopped
        self.lines.extend(other.lines)
        self.errors.update(other.errors)

    def summary(self) -> str:
        text = f"ledger: {self.replayed} applied, {self.failed} failed, {self.remaining} pending"
        if self.stopped:
            text += f" (stopped: {self.stopped})"
        return text


class Engine:
    """Applies ledger operations to Notion with ``apply``; the same path for a command's first
    attempt, the drain before a command, the background replayer and ``timetrack sync``.

    A lane (one user's operations) is applied by one task of this process (an asyncio lock)
    and one process of all sharing the ledger (its lease), oldest operation first; the lane
    stops at the first operation Notion can't take now, so none overtakes another.
    """

    def __init__(
        self,
        store: EntryStore,
        ledger: Ledger,
        *,
        sleep: Sleep = asyncio.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        on_failed: Callable[[int], object] | None = None,
    ) -> None:
        self.store = store
        self.ledger = ledger
        #: Told the id of each operation set aside (alerts); must not raise.
        self.on_failed = on_failed
        self._sleep = sleep
        self._monotonic = monotonic
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    def _lock(self, lane: str) -> asyncio.Lock:
        lock = self._locks.get(lane)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[lane] = lock
        return lock

    async def drain(self, lane: str, *, wait: float = 0.0) -> DrainReport:
        """Apply ``lane``'s pending operations in order, waiting up to ``wait`` seconds for
        the lane if another task or process holds it (``busy`` if it still does).

        Stops by ref whose owner was unknown when they were saved wait in the asker's lane;
        those saved before this lane's first pending operation go first (best effort), so a
        later start or stop of the owner never overtakes them."""
        for other in self.ledger.unowned_stops_before(lane):
            earlier = await self._drain_lane(other, wait=0.0)
            self._log_lines(earlier)
        return await self._drain_lane(lane, wait=wait)

    @staticmethod
    def _log_lines(report: DrainReport) -> None:
        for line in report.lines:
            _log.info("%s", line)

    async def _drain_lane(self, lane: str, *, wait: float) -> DrainReport:
        began = self._monotonic()
        report = DrainReport()
        lock = self._lock(lane)
        while lock.locked():  # polled: a lock acquired as a timeout fires would be lost
            if self._monotonic() - began >= wait:
                report.busy = True
                report.stopped = "another task is applying this user's operations"
                return report
            await self._sleep(LEASE_POLL)
        await lock.acquire()  # free and no waiter: taken at once, without yielding
        try:
            while not self.ledger.try_lease(lane):
                if self._monotonic() - began >= wait:
                    report.busy = True
                    report.stopped = "another process is applying this user's operations"
                    return report
                await self._sleep(LEASE_POLL)
            try:
                await self._apply_lane(lane, report)
            finally:
                self.ledger.release_lease(lane)
        finally:
            lock.release()
            report.remaining = self.ledger.pending_count(lane)
            report.elapsed = self._monotonic() - began
        return report

    async def _apply_lane(self, lane: str, report: DrainReport) -> None:
        while True:
            rec = self.ledger.next_pending(lane)
            if rec is None:
                return
            # Renew: each operation gets a whole lease. A lease that expired during the last
            # one may have been taken over: the lane is that process's now.
            attempts = self.ledger.claim(lane, rec.op_id)
            if attempts is None:
                report.busy = True
                report.stopped = "another process is applying this user's operations"
                return
            rec = replace(rec, attempts=attempts)
            try:
                result = await apply(rec, self.store, self.ledger)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                outcome = classify(exc)
                why = reason(exc)
                report.errors[rec.op_id] = exc
                if outcome == "failed":
                    self.ledger.mark_failed(rec.op_id, why)
                    report.failed += 1
                    report.lines.append(f"failed: {rec.describe()}: {why}")
                    _log.warning("operation %d failed for good: %s", rec.op_id, why)
                    if self.on_failed is not None:
                        self.on_failed(rec.op_id)
                    continue
                self.ledger.record_failure(rec.op_id, why)
                if outcome is None:
                    raise
                if outcome == "retry":
                    report.retry_later = True
                    report.stopped = f"Notion unavailable ({why})"
                else:
                    report.blocked = True
                    report.stopped = f"Notion refused ({why})"
                report.lines.append(f"waiting: {rec.describe()}: {why}")
                return
            self.ledger.mark_done(rec.op_id, result)
            report.replayed += 1
            report.lines.append(f"done: {rec.describe()}{_outcome(result)}")

    async def replay(self) -> DrainReport:
        """Apply every lane's pending operations (lanes another process holds are left to
        it: ``busy``); stops at a lane Notion refuses or can't take now."""
        began = self._monotonic()
        report = DrainReport()
        for lane in self.ledger.pending_lanes():
            one = await self._drain_lane(lane, wait=0.0)
            report.add(one)
            if one.retry_later or one.blocked:
                break
        report.remaining = len(self.ledger)
        report.elapsed = self._monotonic() - began
        return report


def _outcome(result: dict[str, object]) -> str:
    refused = result.get("refused")
    if refused:
        return f": refused ({refused}), nothing written"
    return ""
