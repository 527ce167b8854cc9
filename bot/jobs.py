"""Background work of the running bot: the ledger replayer, the weekly timesheet post and the
weekly backup after it."""

from __future__ import annotations

import asyncio
import logging

from bot.model import Model
from timesheet.publishing.schedule import CronSchedule, PostedLog, ScheduledRun, WeeklyReporter
from timesheet.reports.report import ReportOptions, post_scheduled
from timesheet.tracking.engine import reason

__all__ = ["BackgroundJobs"]

_log = logging.getLogger("timetrack.bot")


class BackgroundJobs:
    """Tasks started with the bot and cancelled when it stops.

    The ledger replayer always runs (it idles while nothing is pending). The weekly report
    runs only when TIMESHEET_WEBHOOK_URL is set; its clock is the model's, so tests can move
    time, and the record of posted weeks lives in DATA_DIR.
    """

    def __init__(self, model: Model) -> None:
        self._model = model
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def running(self) -> list[str]:
        return [t.get_name() for t in self._tasks if not t.done()]

    async def start(self) -> None:
        self._model.replayer.start()
        settings = self._model.settings
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

    async def _post_week(self, run: ScheduledRun) -> None:
        settings = self._model.settings
        assert settings.timesheet_webhook_url is not None
        await post_scheduled(
            run,
            self._model.store,
            ReportOptions.from_settings(settings),
            settings.timesheet_webhook_url,
            now=self._model.now,
            users=settings.timesheet_users,
        )
        await self._backup()

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

    async def stop(self) -> None:
        await self._model.replayer.stop()
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
