"""What ``timetrack status``, /status and /healthz say: Notion, the ledger, the weekly post,
reminders due and the version, and whether any of it needs a person."""

from __future__ import annotations

import inspect
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from typing import Any

from notion_client import NotionClient, NotionError
from timesheet.config import Settings
from timesheet.entries.schema import SchemaProblem
from timesheet.entries.setup import check_database
from timesheet.entries.store_errors import NoDataSourceError
from timesheet.health.alerts import POST_INCIDENT
from timesheet.health.incidents import HEALTH_FILENAME, IncidentLog
from timesheet.health.notion_watch import NotionState, NotionWatch
from timesheet.publishing.cron import CronSchedule
from timesheet.publishing.schedule import PostedLog, PostStatus
from timesheet.reports.wording import moment_text
from timesheet.tracking.ledger import Ledger

__all__ = ["RemindersDue", "StatusReport", "check_notion", "gather_status", "version"]

#: How many reminders are due now (the reminders feature provides it; None: unknown).
RemindersDue = Callable[[], int | Awaitable[int | None] | None]


def version() -> str:
    try:
        return metadata.version("timetrack")
    except metadata.PackageNotFoundError:
        return "unknown"


async def check_notion(
    client: NotionClient, database_id: str, watch: NotionWatch
) -> tuple[NotionState, tuple[SchemaProblem, ...] | None]:
    """Read the database's schema (two requests): Notion's state, and the schema's problems
    (None when it could not be read)."""
    try:
        problems = await check_database(client, database_id)
    except NoDataSourceError:
        watch.record("missing")
    except NotionError as exc:
        watch.record_error(exc)
    else:
        watch.record("ok")
        return watch.state, tuple(problems)
    return watch.state, None


@dataclass(frozen=True, slots=True)
class LastPost:
    week: str
    status: PostStatus
    at: datetime


@dataclass(frozen=True, slots=True)
class StatusReport:
    """Everything status says, as values (see `lines`, `as_json`, `problems`)."""

    notion: NotionState
    #: None: not checked (/healthz never reads the schema).
    schema: tuple[SchemaProblem, ...] | None
    pending: int
    failed: int
    oldest_pending: float | None
    last_post: LastPost | None
    #: Weeks whose post failed and was not posted since, with the reason.
    post_failures: tuple[tuple[str, str], ...]
    #: None: no weekly post (TIMESHEET_WEBHOOK_URL not set).
    next_post: datetime | None
    reminders_due: int | None
    alerts_on: bool
    version: str
    #: Files in DATA_DIR that could not be read (each needs a person).
    unreadable: tuple[str, ...] = ()

    def problems(self) -> list[str]:
        """What needs a person (empty: all is well)."""
        found: list[str] = []
        if self.notion.kind not in (None, "ok"):
            found.append(self.notion.problem or "Notion is not answering")
        found += [f"schema: {p}" for p in self.schema or () if p.required]
        if self.failed:
            found.append(f"{self.failed} operation(s) set aside: see `timetrack outbox`")
        found += [f"weekly post {week} failed" for week, _ in self.post_failures]
        found += [f"{name} can't be read" for name in self.unreadable]
        return found

    @property
    def healthy(self) -> bool:
        """For /healthz: Notion known to answer."""
        return self.notion.kind == "ok"

    def lines(self, tz: Any) -> list[str]:
        problems = self.problems()
        head = "all good" if not problems else f"{len(problems)} thing(s) need a person"
        lines = [f"timetrack {self.version}: {head}"]
        lines.append(self._notion_line(tz))
        oldest = (
            f", oldest since {moment_text(datetime.fromtimestamp(self.oldest_pending, UTC), tz)}"
            if self.oldest_pending is not None
            else ""
        )
        hint = " (`timetrack outbox`)" if self.failed or self.pending else ""
        lines.append(f"Ledger: {self.pending} pending{oldest}, {self.failed} failed{hint}")
        lines.append(self._post_line(tz))
        due = "n/a" if self.reminders_due is None else str(self.reminders_due)
        lines.append(f"Reminders due: {due}")
        lines.append(f"Alerts: {'on' if self.alerts_on else 'off (ALERT_WEBHOOK_URL not set)'}")
        if self.unreadable:
            lines.append(f"DATA_DIR: can't read {', '.join(self.unreadable)}")
        return lines

    def _notion_line(self, tz: Any) -> str:
        state = self.notion
        if state.kind is None:
            return "Notion: not checked yet"
        if state.kind != "ok":
            since = state.down_since
            when = f" since {moment_text(datetime.fromtimestamp(since, UTC), tz)}" if since else ""
            problem = (state.problem or "not answering").removeprefix("Notion ")
            return f"Notion: {problem}{when}"
        if self.schema is None:
            return "Notion: reachable"
        wrong = [p for p in self.schema if p.required]
        optional = [p for p in self.schema if not p.required]
        if wrong:
            return f"Notion: reachable; schema wrong: {'; '.join(map(str, wrong))}"
        note = f" (optional: {'; '.join(map(str, optional))})" if optional else ""
        return f"Notion: reachable, schema right{note}"

    def _post_line(self, tz: Any) -> str:
        if self.next_post is None:
            return "Weekly post: off (TIMESHEET_WEBHOOK_URL not set)"
        parts = [f"{week} FAILED ({why})" for week, why in self.post_failures]
        if self.last_post is not None:
            last = self.last_post
            parts.append(f"last {last.week} {last.status} {moment_text(last.at, tz)}")
        else:
            parts.append("none posted yet")
        parts.append(f"next {moment_text(self.next_post, tz)}")
        return "Weekly post: " + "; ".join(parts)

    def as_json(self) -> dict[str, Any]:
        def iso(ts: float | None) -> str | None:
            return None if ts is None else datetime.fromtimestamp(ts, UTC).isoformat()

        last = self.last_post
        return {
            "status": "down" if not self.healthy else ("degraded" if self.problems() else "ok"),
            "notion": {
                "reachable": self.notion.reachable,
                "problem": self.notion.problem,
                "down_since": iso(self.notion.down_since),
                "checked_at": iso(self.notion.heard_at),
            },
            "ledger": {"pending": self.pending, "failed": self.failed},
            "last_post": None
            if last is None
            else {"week": last.week, "status": last.status, "at": last.at.isoformat()},
            "post_failed": [week for week, _ in self.post_failures],
            "next_post": None if self.next_post is None else self.next_post.isoformat(),
            "reminders_due": self.reminders_due,
            "version": self.version,
        }


async def _reminders(provider: RemindersDue | None) -> int | None:
    if provider is None:
        return None
    value = provider()
    if inspect.isawaitable(value):
        value = await value
    return value


async def gather_status(
    settings: Settings,
    *,
    ledger: Ledger,
    notion: NotionState,
    schema: tuple[SchemaProblem, ...] | None,
    now: datetime,
    reminders_due: RemindersDue | None = None,
) -> StatusReport:
    """The report from what DATA_DIR holds (ledger, posted weeks, incidents) and ``notion``
    (no request here)."""
    outbox = ledger.outbox()
    pending = [w for w in outbox if w.state == "pending"]
    unreadable: list[str] = []
    try:
        latest = PostedLog(settings.data_dir).latest()
    except ValueError:
        latest = None
        unreadable.append("posted-reports.json")
    posted = {latest[0]} if latest is not None else set()
    try:
        opened = IncidentLog.in_dir(settings.data_dir).opened(POST_INCIDENT)
    except sqlite3.Error:
        opened = []
        unreadable.append(HEALTH_FILENAME)
    failures = tuple(
        (i.key.removeprefix(POST_INCIDENT), i.detail)
        for i in opened
        if i.key.removeprefix(POST_INCIDENT) not in posted
    )
    next_post = None
    if settings.timesheet_webhook_url:
        cron = CronSchedule.parse(settings.timesheet_cron)
        next_post = cron.next_after(now, settings.timezone)
    return StatusReport(
        notion=notion,
        schema=schema,
        pending=len(pending),
        failed=sum(1 for w in outbox if w.state == "failed"),
        oldest_pending=min((w.enqueued_at for w in pending), default=None),
        last_post=None if latest is None else LastPost(*latest),
        post_failures=failures,
        next_post=next_post,
        reminders_due=await _reminders(reminders_due),
        alerts_on=bool(settings.alert_webhook_url),
        version=version(),
        unreadable=tuple(unreadable),
    )
