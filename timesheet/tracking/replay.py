"""Replaying the outbox into Notion, in order: one pass (``replay``) and a background task."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final, Literal

from notion_client import (
    ConflictError,
    NotionError,
    ObjectNotFoundError,
    ValidationError,
    is_unavailable,
)
from timesheet.entries.duplicates import entry_key, running_group
from timesheet.entries.errors import EntryNotFound
from timesheet.entries.model import TimeEntry
from timesheet.entries.refs import find_entry
from timesheet.entries.store import EntryStore, NotAnEntryError
from timesheet.tracking.ledger import EndOp, EndRunningOp, Outbox, OutboxOp, StartOp

if TYPE_CHECKING:
    from timesheet.tracking.tracker import Tracker

__all__ = ["OutboxReplayer", "ReplayReport", "replay"]

_log = logging.getLogger("timesheet.outbox")

Outcome = Literal["retry", "blocked", "failed"]
_MAX_REASON_CHARS: Final = 300


@dataclass(slots=True)
class ReplayReport:
    """What one replay pass did, for ``timetrack sync`` to print and the logs.

    ``stopped`` says why the pass ended with operations left: Notion unavailable
    (``retry_later``), a problem of configuration such as a revoked token (``blocked``), or
    another process replaying the same outbox (``busy``).
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

    @property
    def ok(self) -> bool:
        """Everything pending reached Notion and nothing was refused."""
        return self.failed == 0 and self.remaining == 0

    def summary(self) -> str:
        text = f"outbox: {self.replayed} replayed, {self.failed} failed, {self.remaining} pending"
        if self.stopped:
            text += f" (stopped: {self.stopped})"
        return text


def _reason(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    reason = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return reason[:_MAX_REASON_CHARS]


def _classify(exc: Exception) -> Outcome | None:
    """What a failure means for the queue. None: not ours to judge (a bug), re-raised.

    - ``retry``: Notion can't be reached now (5xx, 429/529, transport, 409 conflict): keep the
      operation at the head and stop; order is kept, the next pass starts there.
    - ``blocked``: Notion refuses every request the same way (401, 403, the database not found
      or not shared, other API errors): keep it and stop, so fixing the configuration loses
      nothing. Marking it failed would throw away the whole queue, one operation at a time.
    - ``failed``: this operation can never succeed (400 validation, a value Notion cannot take,
      a page that is not a time entry, no page for the Entry ID): set it aside with the reason
      (``Outbox.failed``) so it is visible and no longer blocks the queue.
    """
    if is_unavailable(exc) or isinstance(exc, ConflictError):
        return "retry"
    if isinstance(exc, ValidationError | NotAnEntryError | ValueError):
        return "failed"
    if isinstance(exc, NotionError | LookupError):
        return "blocked"
    return None


async def _apply_start(op: StartOp, store: EntryStore, tracker: Tracker | None) -> str:
    # The page may already exist: the command that queued it may have failed ambiguously
    # (timeout, 5xx after the request left), or a replayer died after Notion applied it.
    if tracker is None:
        created = await store.create(op.entry, maybe_exists=True)
        return f"{op.describe()} -> page {created.page_id}"
    # Through the tracker the one-running-timer rule holds for starts queued while Notion
    # was unreachable: a timer running in Notion then is stopped at this start.
    result = await tracker.start_entry(op.entry, replay=True)
    line = f"{op.describe()} -> page {result.entry.page_id}"
    for stopped in (result.stopped, *result.also_stopped):
        if stopped is not None and stopped.end is not None:
            line += f"; stopped entry {stopped.entry_id} at {stopped.end.isoformat()}"
    return line


async def _end_pages(op: EndOp, running: Sequence[TimeEntry], store: EntryStore) -> str:
    # Every running page of one entry stops at the op's instant: a doubled create's twin too,
    # or a phantom timer would keep running. An end by ref was not clamped to the page's
    # start when it was asked (the page could not be read): it is now, as /end entry: does.
    if op.asked_by is None:
        ended = [await store.end(e, op.at, fresh=True) for e in running]
    else:
        ended = [await store.end(e, max(op.at, e.start), fresh=True) for e in running]
    return f"{op.describe()} -> page " + ", ".join(str(e.page_id) for e in ended)


async def _apply_end(op: EndOp, store: EntryStore) -> str:
    if op.asked_by is not None:
        return await _apply_end_by_ref(op, store)
    entry: TimeEntry | None = None
    if op.page_id is not None:
        with contextlib.suppress(ObjectNotFoundError):
            entry = await store.get(op.page_id)
    if entry is None and op.entry_id:
        # Found by Entry ID: a doubled create gave it several pages.
        pages = await store.pages_with_entry_id(op.entry_id)
        running = [e for e in pages if e.end is None]
        if running:
            return await _end_pages(op, running, store)
        entry = pages[0] if pages else None
    if entry is None:
        raise NotAnEntryError(op.page_id or op.entry_id, "no page has this Entry ID")
    if entry.end is not None:
        return f"{op.describe()}: already ended at {entry.end.isoformat()}, kept"
    ended_page = await store.end(entry, op.at, fresh=True)
    return f"{op.describe()} -> page {ended_page.page_id}"


async def _apply_end_by_ref(op: EndOp, store: EntryStore) -> str:
    """An end by ref Notion could not read when it was asked: read it now, as ``/end entry:``
    does, and end it only if the asker may (nothing of someone else's is touched). Requests:
    1 retrieve (+ 1 query when the ref is no page); + 1 query and 1 update per running page
    when it is ended."""
    ref = op.page_id or op.entry_id
    try:
        entry, pages = await find_entry(store, ref)
    except EntryNotFound as exc:
        raise NotAnEntryError(ref, exc.reason) from exc
    if not op.may_end(entry.user_id):
        _log.warning(
            "outbox op %d dropped: entry %s is user %s's, not %s's (who may not manage others)",
            op.op_id,
            ref,
            entry.user_id,
            op.asked_by,
        )
        return f"{op.describe()}: dropped, the entry is user {entry.user_id}'s"
    if entry.end is not None:
        return f"{op.describe()}: already ended at {entry.end.isoformat()}, kept"
    if pages is None and entry_key(entry) is not None:
        pages = await store.pages_with_entry_id(entry.entry_id)
    # The page just read stops even when a lagging query index does not list it yet.
    return await _end_pages(op, running_group(entry, pages or ()) or [entry], store)


async def _apply_end_running(op: EndRunningOp, store: EntryStore) -> str:
    # Timers started after ``at`` were started after the command: they keep running.
    running = [e for e in await store.find_running(op.user_id) if e.start <= op.at]
    if not running:
        return f"{op.describe()}: nothing was running"
    ended = [await store.end(e, op.at, fresh=True) for e in running]
    return f"{op.describe()}: ended " + ", ".join(f"entry {e.entry_id}" for e in ended)


async def _apply(op: OutboxOp, store: EntryStore, tracker: Tracker | None) -> str:
    if isinstance(op, StartOp):
        return await _apply_start(op, store, tracker)
    if isinstance(op, EndRunningOp):
        return await _apply_end_running(op, store)
    return await _apply_end(op, store)


async def replay(
    outbox: Outbox,
    store: EntryStore,
    *,
    tracker: Tracker | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> ReplayReport:
    """Replay pending operations oldest first until the queue is empty or one must wait.

    A start becomes ``store.create`` (looking for its Entry ID first, so never doubled), or
    ``tracker.start_entry(entry, replay=True)`` when a tracker is given (which also stops the
    user's timer that was running at that start); an end finds the page (by page id, else by
    Entry ID) and sets End unless it has one (an end by ref whose owner was unchecked only if
    the asker may end it, else it is dropped and logged); an end-running op ends the user's
    timers that ran at its instant. Each operation is claimed before it is sent and
    forgotten only once Notion has it, so a crash at any point replays it again, harmlessly.
    ``clock`` times the pass.
    """
    began = clock()
    report = ReplayReport()
    while True:
        op = outbox.claim_next()
        if op is None:
            if outbox.claimed_elsewhere():
                report.busy = True
                report.stopped = "another process is replaying the outbox"
            break
        try:
            line = await _apply(op, store, tracker)
        except asyncio.CancelledError:
            outbox.release(op.op_id)
            raise
        except Exception as exc:
            outcome = _classify(exc)
            reason = _reason(exc)
            if outcome == "failed":
                outbox.mark_failed(op.op_id, reason)
                report.failed += 1
                report.lines.append(f"failed: {op.describe()}: {reason}")
                _log.warning("outbox op %d failed for good: %s", op.op_id, reason)
                continue
            outbox.record_failure(op.op_id, reason)
            if outcome is None:
                raise
            if outcome == "retry":
                report.retry_later = True
                report.stopped = f"Notion unavailable ({reason})"
            else:
                report.blocked = True
                report.stopped = f"Notion refused ({reason})"
            report.lines.append(f"waiting: {op.describe()}: {reason}")
            break
        outbox.mark_done(op.op_id)
        report.replayed += 1
        report.lines.append(f"done: {line}")
    report.remaining = len(outbox)
    report.elapsed = clock() - began
    return report


Sleep = Callable[[float], Awaitable[object]]


class OutboxReplayer:
    """Background task replaying the outbox: when woken, every ``interval``, with backoff.

    ``notify()`` (call it after an enqueue) wakes an idle replayer at once. After a pass that
    stopped because Notion is unavailable or refusing, it sleeps with exponential backoff
    (``initial_backoff`` doubling up to ``max_backoff``, jittered) and ignores wake-ups until
    then: an enqueue during an outage only means Notion is still failing.
    """

    def __init__(
        self,
        outbox: Outbox,
        store: EntryStore,
        *,
        tracker: Tracker | None = None,
        interval: float = 60.0,
        initial_backoff: float = 2.0,
        max_backoff: float = 300.0,
        sleep: Sleep = asyncio.sleep,
        random: Callable[[], float] = random.random,
        on_report: Callable[[ReplayReport], object] | None = None,
    ) -> None:
        self._outbox = outbox
        self._store = store
        self._tracker = tracker
        self._interval = interval
        self._initial_backoff = initial_backoff
        self._max_backoff = max_backoff
        self._sleep = sleep
        self._random = random
        self._on_report = on_report
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._failures = 0
        self.last_report: ReplayReport | None = None

    def notify(self) -> None:
        """Something was enqueued (or Notion answered again): replay soon."""
        self._wake.set()

    def backoff(self, failures: int) -> float:
        """Delay after ``failures`` consecutive failed passes: exponential, half-jittered."""
        delay = min(self._max_backoff, self._initial_backoff * 2.0 ** (failures - 1))
        return delay * (0.5 + self._random() / 2)

    async def run(self) -> None:
        """Replay until cancelled."""
        while True:
            self._wake.clear()
            report: ReplayReport | None
            try:
                report = await replay(self._outbox, self._store, tracker=self._tracker)
            except Exception:
                _log.exception("outbox replay failed")
                report = None
            if report is not None:
                self.last_report = report
                if report.replayed or report.failed or report.stopped:
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
            self._task = asyncio.create_task(self.run(), name="outbox-replayer")
        return self._task

    async def stop(self) -> None:
        """Stop the task; an operation in flight is released and stays pending (idempotent)."""
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
