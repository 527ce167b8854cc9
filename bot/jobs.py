"""Background work of the running bot: the ledger replayer, the weekly timesheet post and the
weekly backup after it."""

from __future__ import annotations

import asyncio
import logging

import hikari

from bot.health_http import HealthServer
from bot.last_messages import LastMessages
from bot.model import Model
from bot.reminder_job import ReminderJob
from bot.target_replies import report_extra_notes
from timesheet.health.alerts import HealthMonitor, webhook_sink
from timesheet.health.incidents import IncidentLog
from timesheet.publishing.schedule import CronSchedule, PostedLog, ScheduledRun, WeeklyReporter
from timesheet.reports.report import ReportOptions, post_scheduled
from timesheet.tracking.engine import reason

__all__ = ["BackgroundJobs"]

_log = logging.getLogger("timetrack.bot")


class BackgroundJobs:
    """Tasks started with the bot and cancelled when it stops.

    The ledger replayer always runs (it idles while nothing is pending). The weekly report
    runs only when TIMESHEET_WEBHOOK_URL is set; its clock is the model's, so tests can move
    time, and the record of posted weeks lives in DATA_DIR. The reminder check runs unless
    REMIND_AFTER is off (``reminders``: None then), sending its DMs through ``rest``.
    """

    def __init__(
        self,
        model: Model,
        rest: hikari.api.RESTClient | None = None,
        last_messages: LastMessages | None = None,
    ) -> None:
        self._model = model
        self._tasks: list[asyncio.Task[None]] = []
        remind_after = model.settings.remind_after
        self.reminders = (
            ReminderJob(model, rest, remind_after, last_messages=last_messages)
            if rest is not None and remind_after is not None
            else None
        )
        if self.reminders is not None:
            model.reminders_due = self._reminders_due
        self.monitor: HealthMonitor | None = None
        self._health: HealthServer | None = None

    def _reminders_due(self) -> int | None:
        return None if self.reminders is None else self.reminders.due

    @property
    def running(self) -> list[str]:
        return [t.get_name() for t in self._tasks if not t.done()]

    async def start(self) -> None:
        self._model.replayer.start()
        settings = self._model.settings
        self.monitor = self._health_monitor()
        self._model.ops_failed = self.monitor.wake
        self._tasks.append(asyncio.create_task(self.monitor.run(), name="health monitor"))
        if settings.health_port is not None:
            health = HealthServer(self._model, port=settings.health_port)
            try:
                await health.start()
            except OSError as exc:
                _log.error(
                    "HEALTH_PORT %d: cannot serve /healthz (%s)",
                    settings.health_port,
                    exc.strerror or type(exc).__name__,
                )
            else:
                self._health = health
        if settings.timesheet_webhook_url:
            reporter = WeeklyReporter(
                CronSchedule.parse(settings.timesheet_cron),
                settings.timezone,
                PostedLog(settings.data_dir),
                self._post_week,
                week_start=settings.week_start,
                week=settings.timesheet_week,
                now=self._model.now,
            )
            self._tasks.append(asyncio.create_task(reporter.run(), name="weekly timesheet"))
        else:
            _log.info("TIMESHEET_WEBHOOK_URL is not set: no weekly timesheet post")
        if self.reminders is not None:
            self._tasks.append(asyncio.create_task(self.reminders.run(), name="reminders"))

    def _health_monitor(self) -> HealthMonitor:
        model, settings = self._model, self._model.settings
        url = settings.alert_webhook_url
        return HealthMonitor(
            watch=model.notion_watch,
            probe=model.probe_notion,
            ledger=model.ledger,
            incidents=IncidentLog.in_dir(settings.data_dir),
            sink=webhook_sink(url) if url else None,
            alert_after=settings.alert_after,
            tz=settings.timezone,
        )

    async def _post_week(self, run: ScheduledRun) -> None:
        settings = self._model.settings
        assert settings.timesheet_webhook_url is not None
        try:
            notes = report_extra_notes(self._model, run.period, self._model.now())
            await post_scheduled(
                run,
                self._model.store,
                ReportOptions.from_settings(settings),
                settings.timesheet_webhook_url,
                now=self._model.now,
                users=settings.timesheet_users,
                extra_notes=notes,  # read at the same time as the week
            )
        except Exception as exc:
            if self.monitor is not None:
                await self.monitor.post_failed(run.key, exc)
            raise
        if self.monitor is not None:
            await self.monitor.post_done(run.key)
        # A task of its own: the post is recorded as soon as it is sent, not after a backup
        # that may take minutes (or be cut short by a stop, leaving the week unrecorded).
        backup = asyncio.create_task(self._backup(), name="weekly backup")
        self._tasks.append(backup)
        backup.add_done_callback(self._forget)

    def _forget(self, task: asyncio.Task[None]) -> None:
        if task in self._tasks:
            self._tasks.remove(task)

    async def _backup(self) -> None:
        """The weekly backup, after the post: a failure is logged and never fails the post."""
        from timesheet.transfer.backup import backup_database

        settings = self._model.settings
        try:
            backup = await backup_database(
                self._model.store,
                settings.data_dir,
                tz=settings.timezone,
                now=self._model.now(),
                keep=settings.backup_keep,
            )
        except Exception as exc:  # a backup must never break the weekly post
            _log.warning("weekly backup failed: %s", reason(exc))
            return
        _log.info("weekly backup: %d entries in %s", backup.entries, backup.path)
        if backup.skipped:
            _log.warning(
                "weekly backup: %d page(s) left out, not usable entries (timetrack check)",
                len(backup.skipped),
            )

    async def stop(self) -> None:
        health, self._health = self._health, None
        if health is not None:
            await health.stop()
        await self._model.replayer.stop()
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
