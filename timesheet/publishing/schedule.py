"""The weekly report loop: cron in TIMEZONE, a durable record of posted weeks, catch-up once.

``WeeklyReporter.run()`` wakes at each cron time (in bounded sleeps, recomputed from the wall
clock so DST changes, clock jumps and early wake-ups cannot shift or skip a run). A run covers
the week ``report_week`` names and is keyed by it (``"2026-W47"``); :class:`PostedLog` keeps
the keys in ``DATA_DIR`` so a restart never posts a week twice, and on start the most recent
missed run (only that one) is posted. A failing post is logged and retried with backoff until
the next run supersedes it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, Literal
from zoneinfo import ZoneInfo

from notion_client import backoff_ceiling
from timesheet.publishing.cron import CronSchedule
from timesheet.publishing.discord_webhook import PublishError, redact_webhooks
from timesheet.reports.week import Period, week_label, week_period

__all__ = [
    "CronSchedule",
    "PostStatus",
    "PostedLog",
    "ScheduledRun",
    "WeekChoice",
    "WeeklyReporter",
    "report_week",
]

logger = logging.getLogger(__name__)

PostStatus = Literal["sending", "posted", "uncertain"]
_STATUSES: Final[frozenset[str]] = frozenset({"sending", "posted", "uncertain"})
_FILE_VERSION: Final = 1


#: TIMESHEET_WEEK: which week every post covers (None: the rule of ``report_week``).
WeekChoice = Literal["current", "last"]


def report_week(
    run_time: datetime, tz: ZoneInfo, week_start: int = 0, choice: WeekChoice | None = None
) -> Period:
    """The week a post at ``run_time`` covers.

    A post on the week's last local day covers that week (up to the post); a post on any other
    day the last complete week: a Monday post is the week that just ended, not the hours of the
    week just begun. ``choice`` (TIMESHEET_WEEK) overrides: ``"current"`` is always the week
    containing ``run_time``, ``"last"`` always the one before. Weeks start on ``week_start``
    (0 = Monday ... 6 = Sunday), in ``tz``. Raises ValueError on a bad week start or naive time.
    """
    if run_time.tzinfo is None or run_time.utcoffset() is None:
        raise ValueError("run_time must be timezone-aware")
    if choice is None:
        day = run_time.astimezone(tz).date()
        choice = "current" if (day.weekday() - week_start) % 7 == 6 else "last"
    return week_period("this" if choice == "current" else "last", tz, week_start, now=run_time)


class PostedLog:
    """Durable record of report keys that were posted, in ``data_dir/posted-reports.json``.

    Statuses: ``"posted"``; ``"sending"`` (written just before a webhook call; found after a
    crash it means "maybe posted"); ``"uncertain"`` (the answer was lost). Any status counts as
    posted, so nothing is sent twice; ``forget`` removes a key (e.g. to post it again by hand).
    Every change is written atomically (temp file, fsync, ``os.replace``).
    """

    def __init__(self, data_dir: Path, filename: str = "posted-reports.json") -> None:
        self.path = Path(data_dir) / filename
        self._records: dict[str, dict[str, str]] = self._load()

    def _load(self) -> dict[str, dict[str, str]]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise ValueError(f"{self.path}: unreadable posted-reports record ({exc})") from None
        records = raw.get("posted") if isinstance(raw, dict) else None
        if not isinstance(records, dict) or not all(
            isinstance(v, dict) and v.get("status") in _STATUSES for v in records.values()
        ):
            raise ValueError(f"{self.path}: not a posted-reports record")
        return {str(k): {str(a): str(b) for a, b in v.items()} for k, v in records.items()}

    def was_posted(self, key: str) -> bool:
        """True if ``key`` was posted or may have been (so it must not be posted again)."""
        return key in self._records

    def status(self, key: str) -> PostStatus | None:
        """The recorded status of ``key``, or None if it was never posted."""
        record = self._records.get(key)
        if record is None:
            return None
        value = record["status"]
        return "posted" if value == "posted" else "sending" if value == "sending" else "uncertain"

    def keys(self) -> list[str]:
        """All recorded keys, sorted."""
        return sorted(self._records)

    def latest(self) -> tuple[str, PostStatus, datetime] | None:
        """The week recorded last (its key, status and when), or None: parts of a post
        (``key:part``) are not weeks."""
        weeks = [
            (datetime.fromisoformat(v["at"]), k)
            for k, v in self._records.items()
            if ":" not in k and "at" in v
        ]
        if not weeks:
            return None
        at, key = max(weeks)
        status = self.status(key)
        assert status is not None
        return key, status, at

    def mark_posted(self, key: str) -> None:
        """Record ``key`` as posted."""
        self._set(key, "posted")

    def mark_sending(self, key: str) -> None:
        """Record that ``key`` is about to be sent (an intent that survives a crash)."""
        self._set(key, "sending")

    def mark_uncertain(self, key: str) -> None:
        """Record that ``key`` may have been posted (its answer was lost): never resend it."""
        self._set(key, "uncertain")

    def forget(self, key: str) -> None:
        """Remove ``key`` (a definite failure, or an operator allowing a repost)."""
        if self._records.pop(key, None) is not None:
            self._save()

    def _set(self, key: str, status: PostStatus) -> None:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        self._records[key] = {"status": status, "at": now}
        self._save()

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = json.dumps({"version": _FILE_VERSION, "posted": self._records}, indent=1)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".posted-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        with contextlib.suppress(OSError):  # make the rename itself durable
            dir_fd = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)


@dataclass
class ScheduledRun:
    """One scheduled report: its cron time ``at`` (aware, in TIMEZONE), the week ``period`` it
    covers (``report_week``) and that week's label ``key``.

    A post that sends several messages (one per user) wraps each webhook call in :meth:`once`
    so a retry skips the ones already sent.
    """

    at: datetime
    key: str
    log: PostedLog = field(repr=False)
    period: Period
    used_once: bool = field(default=False, repr=False)

    async def once(self, part: str, send: Callable[[], Awaitable[Any]]) -> bool:
        """Run ``send()`` unless ``key:part`` is already recorded; return whether it ran.

        Records an intent before sending and "posted" after. An ambiguous
        :class:`PublishError` records "uncertain" (never resent); any other exception removes
        the intent and propagates so the run is retried later.
        """
        self.used_once = True
        full = f"{self.key}:{part}"
        previous = self.log.status(full)
        if previous is not None:
            if previous == "sending":
                logger.warning(
                    "report %s was being sent when the bot stopped; not resending it "
                    "(check the channel; `timetrack report --post` sends it by hand)",
                    full,
                )
                self.log.mark_uncertain(full)
            return False
        self.log.mark_sending(full)
        try:
            await send()
        except PublishError as exc:
            _record_failure(self.log, full, exc)
            raise
        except Exception:
            self.log.forget(full)
            raise
        # Cancellation leaves "sending": the request may be in flight, so treat it as maybe sent.
        self.log.mark_posted(full)
        return True


def _record_failure(log: PostedLog, key: str, exc: PublishError) -> None:
    if exc.ambiguous:
        log.mark_uncertain(key)
        logger.warning(
            "report %s may have been posted (Discord's answer was lost); not resending it "
            "(check the channel; `timetrack report --post` sends it by hand)",
            key,
        )
    else:
        log.forget(key)


PostFn = Callable[[ScheduledRun], Awaitable[None]]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class WeeklyReporter:
    """Posts the report of each week exactly once, catching up the latest missed run.

    ``post(run)`` builds and sends the report of ``run.period``: the week ``report_week`` names
    for the cron time (``week``, TIMESHEET_WEEK, overrides its rule). ``now`` and
    ``sleep`` are injectable for tests. Sleeps last at most ``max_sleep`` seconds so a DST change
    or a wall-clock jump is noticed within that bound. A failed post is retried after
    ``retry_delay`` seconds, doubling up to ``max_retry_delay``, until the next run is due.
    """

    def __init__(
        self,
        cron: CronSchedule,
        tz: ZoneInfo,
        log: PostedLog,
        post: PostFn,
        *,
        week_start: int = 0,
        week: WeekChoice | None = None,
        now: Callable[[], datetime] = _utc_now,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        max_sleep: float = 3600.0,
        retry_delay: float = 300.0,
        max_retry_delay: float = 3600.0,
    ) -> None:
        if max_sleep <= 0 or retry_delay <= 0 or max_retry_delay < retry_delay:
            raise ValueError("max_sleep and retry_delay must be positive, max_retry_delay >= it")
        report_week(datetime.now(UTC), tz, week_start, week)  # validates week_start
        self.cron = cron
        self.tz = tz
        self.log = log
        self._post = post
        self._week_start = week_start
        self._week = week
        self._now = now
        self._sleep = sleep
        self._max_sleep = max_sleep
        self._retry_delay = retry_delay
        self._max_retry_delay = max_retry_delay
        self._failing_key: str | None = None
        self._failures = 0

    def _utc_now(self) -> datetime:
        now = self._now()
        if now.tzinfo is None or now.utcoffset() is None:
            raise ValueError("now() must return an aware datetime")
        return now.astimezone(UTC)

    async def run(self) -> None:
        """Loop forever (until cancelled): post what is due, then sleep until the next run."""
        logger.info("weekly report scheduled: %r in %s", self.cron.expression, self.tz)
        while True:
            try:
                await self.run_pending()
            except Exception as exc:  # e.g. the record cannot be written: keep the loop alive
                self._failures += 1
                logger.error(
                    "weekly report check failed: %s: %s",
                    type(exc).__name__,
                    redact_webhooks(str(exc)),
                )
            await self._sleep(self.seconds_until_next())

    def due(self) -> ScheduledRun:
        """The most recent scheduled run at or before now (posted or not)."""
        at = self.cron.previous_at_or_before(self._utc_now(), self.tz)
        period = report_week(at, self.tz, self._week_start, self._week)
        return ScheduledRun(at=at, key=week_label(period, self.tz), log=self.log, period=period)

    async def run_pending(self) -> bool:
        """Post the most recent due run if its key is not recorded; return True if it posted."""
        run = self.due()
        if self.log.was_posted(run.key):
            return False
        if self._failing_key not in (None, run.key):
            logger.warning(
                "report %s was never posted: superseded by %s", self._failing_key, run.key
            )
            self._failing_key, self._failures = None, 0
        try:
            await self._post(run)
        except Exception as exc:
            if isinstance(exc, PublishError) and exc.ambiguous and not run.used_once:
                _record_failure(self.log, run.key, exc)
                self._failing_key, self._failures = None, 0
                return False
            self._failing_key, self._failures = run.key, self._failures + 1
            logger.warning(
                "report %s (scheduled %s) failed, attempt %d: %s: %s; retrying in %.0f s",
                run.key,
                run.at.isoformat(),
                self._failures,
                type(exc).__name__,
                redact_webhooks(str(exc)),
                self._retry_wait(),
            )
            return False
        self._failing_key, self._failures = None, 0
        try:
            self.log.mark_posted(run.key)
        except OSError as exc:  # still recorded in memory: no repeat in this process
            logger.error(
                "report %s posted but not recorded in %s (%s): a restart may post it again",
                run.key,
                self.log.path,
                type(exc).__name__,
            )
            return True
        logger.info("report %s posted (scheduled %s)", run.key, run.at.isoformat())
        return True

    def _retry_wait(self) -> float:
        return backoff_ceiling(max(1, self._failures), self._retry_delay, self._max_retry_delay)

    def seconds_until_next(self) -> float:
        """How long to sleep now: to the next run, a pending retry, or ``max_sleep``."""
        now = self._utc_now()
        wait = (self.cron.next_after(now, self.tz).astimezone(UTC) - now).total_seconds()
        if self._failures:
            wait = min(wait, self._retry_wait())
        return max(0.0, min(wait, self._max_sleep))

    def next_run(self) -> datetime:
        """The next scheduled run after now, in the schedule's zone."""
        return self.cron.next_after(self._utc_now(), self.tz)
