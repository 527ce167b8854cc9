"""Background work of the running bot: the ledger replayer and the weekly timesheet post."""

from __future__ import annotations

import asyncio
import logging

import hikari

from bot.last_messages import LastMessages
from bot.model import Model
from bot.reminder_job import ReminderJob
from bot.target_replies import report_extra_notes
from timesheet.publishing.schedule import CronSchedule, PostedLog, ScheduledRun, WeeklyReporter
from timesheet.reports.report import ReportOptions, post_scheduled

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
        if self.reminders is not None:
            self._tasks.append(asyncio.create_task(self.reminders.run(), name="reminders"))

    async def _post_week(self, run: ScheduledRun) -> None:
        settings = self._model.settings
        assert settings.timesheet_webhook_url is not None
        notes = await report_extra_notes(self._model, run.period, self._model.now())
        await post_scheduled(
            run,
            self._model.store,
            ReportOptions.from_settings(settings),
            settings.timesheet_webhook_url,
            now=self._model.now,
            users=settings.timesheet_users,
            extra_notes=notes,
        )

    async def stop(self) -> None:
        await self._model.replayer.stop()
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
