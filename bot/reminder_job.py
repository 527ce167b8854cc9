"""The reminder check the bot runs at least once a minute: reminders owed are marked in the
ledger, then sent as DMs over REST (both run modes)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final

import hikari

from bot.last_messages import LastMessages
from bot.reminder_dm import LastMessage, reminder_rows, reminder_text
from notion_client import NotionError
from timesheet.reminders.due import Reminder, find_due
from timesheet.tracking.ledger_reminders import ReminderBook, ReminderState, reminder_key

if TYPE_CHECKING:
    from bot.model import Model

__all__ = ["CHECK_EVERY", "CheckReport", "ReminderJob"]

#: Seconds between two checks (the issue asks for at least one a minute).
CHECK_EVERY: Final = 60.0

_log = logging.getLogger("timetrack.reminders")


@dataclass(slots=True)
class CheckReport:
    """What one check did: reminders sent, and those it could not send (by outcome)."""

    sent: int = 0
    skipped: dict[str, int] = field(default_factory=dict)

    def count(self, outcome: str) -> None:
        self.skipped[outcome] = self.skipped.get(outcome, 0) + 1


def _outcome(exc: Exception) -> ReminderState:
    """What a failed DM becomes: undeliverable (DMs closed: never again), retry (a passing
    failure: Discord 5xx, rate limited, unreachable), or failed for good."""
    if isinstance(exc, hikari.ForbiddenError):
        return "undeliverable"
    if isinstance(exc, hikari.ClientHTTPResponseError | ValueError):
        return "failed"
    return "retry"


def _why(exc: Exception) -> str:
    """A log-safe reason (no URL, hence no token): the class and Discord's code."""
    code = getattr(exc, "code", 0)
    return f"{type(exc).__name__}" + (f" (Discord code {code})" if code else "")


class ReminderJob:
    """Checks at start and then every ``every`` seconds (``check`` does one check). With
    ``last_messages`` (gateway mode) a DM offers Stop at my last message when it can."""

    def __init__(
        self,
        model: Model,
        rest: hikari.api.RESTClient,
        remind_after: timedelta,
        *,
        every: float = CHECK_EVERY,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        last_messages: LastMessages | None = None,
    ) -> None:
        self._model = model
        self._last_messages = last_messages
        self._rest = rest
        self.remind_after = remind_after
        self._every = every
        self._sleep = sleep
        self._lock = asyncio.Lock()
        #: Checks completed so far (tests wait for one instead of sleeping).
        self.checks = 0
        #: Reminders owed at the last check and not sent by it (None: no check yet, or Notion
        #: could not be read): what /status and /healthz show, with no Notion request.
        self.due: int | None = None
        self._notion_down = False

    async def run(self) -> None:
        while True:
            started = time.monotonic()
            try:
                await self.check()
            except Exception:  # a bug must not end the reminders for good
                _log.exception("the reminder check failed")
            # Every ``every`` seconds from one check's start to the next, however long it took.
            await self._sleep(max(self._every - (time.monotonic() - started), 0.0))

    async def check(self) -> CheckReport:
        """Send the reminders owed now: 1 Notion query, then per reminder one ledger write
        before its DM (create DM channel + create message) and one after."""
        report = CheckReport()
        async with self._lock:
            now = self._model.now()
            try:
                owed = await find_due(self._model.tracker, self.remind_after, now)
            except NotionError as exc:
                # Once per outage (it is checked again every minute), then quiet until back.
                level = logging.DEBUG if self._notion_down else logging.WARNING
                _log.log(level, "reminder check: Notion can't be read (%s)", type(exc).__name__)
                self._notion_down = True
                report.count("notion_unavailable")
                self.due = None
                self.checks += 1
                return report
            if self._notion_down:
                _log.info("reminder check: Notion can be read again")
                self._notion_down = False
            book = ReminderBook(self._model.ledger)
            for reminder in owed:
                await self._remind(book, reminder, now, report)
            self.due = len(owed) - report.sent
            self.checks += 1
        return report

    async def _remind(
        self, book: ReminderBook, reminder: Reminder, now: datetime, report: CheckReport
    ) -> None:
        entry, key = reminder.entry, reminder_key(reminder.entry)
        if not book.claim(key, reminder.threshold, entry.user_id, now):
            report.count("already_marked")
            return
        tz = self._model.settings.timezone
        seen = self._last_messages.last(entry.user_id) if self._last_messages else None
        last = LastMessage(seen, tz, now) if seen is not None else None
        try:
            channel = await self._rest.create_dm_channel(int(entry.user_id))
            await self._rest.create_message(
                channel,
                reminder_text(reminder, tz, now),
                components=reminder_rows(entry, last=last),
            )
        except Exception as exc:
            state = _outcome(exc)
            book.settle(key, reminder.threshold, state, _why(exc))
            report.count(state)
            if state == "undeliverable":
                _log.warning(
                    "could not DM user %s a reminder: their DMs are closed to the bot (%s)",
                    entry.user_id,
                    _why(exc),
                )
            else:
                _log.warning(
                    "could not DM user %s a reminder (%s)%s",
                    entry.user_id,
                    _why(exc),
                    "; trying again at the next check" if state == "retry" else "",
                )
            return
        book.settle(key, reminder.threshold, "sent")
        report.sent += 1
        _log.info(
            "reminded user %s of timer %s (reminder %d, running %s)",
            entry.user_id,
            entry.page_id or entry.entry_id,
            reminder.threshold,
            entry.duration(now),
        )
