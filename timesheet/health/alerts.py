"""Alerts to ALERT_WEBHOOK_URL: one message per incident (an operation Notion refused for
good, a weekly post that failed, Notion unreachable longer than ALERT_AFTER) and one when it
is over. Incidents are recorded in DATA_DIR (`IncidentLog`), so neither a restart nor a
second process repeats a message."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from timesheet.health.incidents import IncidentLog
from timesheet.health.notion_watch import PROBE_EVERY, NotionState, NotionWatch
from timesheet.publishing.discord_webhook import post_message, redact_webhooks
from timesheet.reports.wording import moment_text, span_text
from timesheet.text import clip, one_line
from timesheet.tracking.ledger import Ledger

__all__ = ["NOTION_INCIDENT", "POST_INCIDENT", "AlertSink", "HealthMonitor", "webhook_sink"]

NOTION_INCIDENT: Final = "notion"
#: Followed by the week's key: ``weekly-post:2026-W47``.
POST_INCIDENT: Final = "weekly-post:"
_OP_INCIDENT: Final = "op:"
#: Seconds an alert may take to post before it is given up (logged).
ALERT_TIMEOUT: Final = 20.0

_log = logging.getLogger("timetrack.alerts")

#: Posts one alert text; raises on failure.
AlertSink = Callable[[str], Awaitable[object]]


def webhook_sink(url: str, *, request_timeout: float = 10.0) -> AlertSink:
    """Alerts posted to a Discord webhook (timeouts and retries of `post_message`)."""

    async def post(text: str) -> None:
        await post_message(url, text, username="timetrack", request_timeout=request_timeout)

    return post


class HealthMonitor:
    """Watches Notion, the ledger and the weekly post, and alerts through ``sink``.

    `check()` is one round (the bot runs it every ``interval`` seconds in `run`): Notion is
    judged by the requests the bot makes anyway (commands, the replayer, the weekly post, and
    /healthz's probe), so an idle, healthy bot costs no request; once Notion failed, it is
    probed at most every 30 s until it answers. The Notion incident opens once it has been
    failing ``alert_after`` and closes when it answers; one incident per operation set aside.
    The weekly job calls `post_failed` / `post_done`. Without a sink the incidents are still
    recorded (``timetrack status`` reads them) and logged.
    """

    def __init__(
        self,
        *,
        watch: NotionWatch,
        probe: Callable[[], Awaitable[None]],
        ledger: Ledger,
        incidents: IncidentLog,
        sink: AlertSink | None,
        alert_after: timedelta,
        tz: ZoneInfo,
        interval: float = PROBE_EVERY,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.watch = watch
        self.incidents = incidents
        self._probe = probe
        self._ledger = ledger
        self._sink = sink
        self._alert_after = alert_after.total_seconds()
        self._tz = tz
        self._interval = interval
        self._clock = clock
        self._sleep = sleep
        self._wake = asyncio.Event()
        self.sent: list[str] = []

    def _when(self, ts: float) -> str:
        return moment_text(datetime.fromtimestamp(ts, UTC), self._tz)

    async def alert(self, text: str) -> None:
        """Log ``text`` and post it; a failure is logged, never raised."""
        _log.warning("alert: %s", text)
        if self._sink is None:
            return
        try:
            await asyncio.wait_for(self._sink(text), ALERT_TIMEOUT)
        except Exception as exc:
            _log.error(
                "could not post the alert: %s: %s", type(exc).__name__, redact_webhooks(str(exc))
            )
        else:
            self.sent.append(text)

    # -- one round ------------------------------------------------------------------------

    async def check(self) -> None:
        state = self.watch.state
        if state.kind not in (None, "ok"):  # failing: is it still? (a probe at most every 30 s)
            state = await self.watch.current(self._probe)
        await self.notion_changed(state)
        await self.ops_set_aside()

    async def notion_changed(self, state: NotionState) -> None:
        if state.kind is None:
            return
        if state.kind == "ok":
            closed = self.incidents.close(NOTION_INCIDENT)
            if closed is not None:
                seconds = self._clock() - closed.opened_at + self._alert_after
                down = span_text(round(seconds * 1_000_000))
                await self.alert(f"✅ Notion answers again (it had been failing about {down}).")
            return
        assert state.down_since is not None
        if self._clock() - state.down_since < self._alert_after:
            return
        problem = state.problem or "Notion unreachable"
        if self.incidents.open(NOTION_INCIDENT, problem):
            await self.alert(
                f"🔴 {problem} since {self._when(state.down_since)}: commands are saved in the "
                "ledger and written once it answers. Another message follows when it does."
            )

    async def ops_set_aside(self) -> None:
        """One incident per operation Notion refused for good (and per time it did)."""
        failed = {
            f"{_OP_INCIDENT}{w.op_id}:{w.failures}": w
            for w in self._ledger.outbox()
            if w.state == "failed"
        }
        for key, w in failed.items():
            why = one_line(w.last_error or "no reason recorded")
            if self.incidents.open(key, why):
                await self.alert(
                    clip(
                        f"🔴 Operation #{w.op_id} of user {w.lane} was refused by Notion and set "
                        f"aside: {one_line(w.what)}: {why}. `timetrack outbox` lists it; "
                        f"`timetrack outbox retry {w.op_id}` tries again, "
                        f"`timetrack outbox drop {w.op_id}` gives it up.",
                        1900,
                    )
                )
        for incident in self.incidents.opened(_OP_INCIDENT):
            if incident.key not in failed:  # retried or dropped by someone: nothing to say
                self.incidents.close(incident.key)

    # -- the weekly post ------------------------------------------------------------------

    async def post_failed(self, week: str, error: BaseException) -> None:
        why = one_line(redact_webhooks(f"{type(error).__name__}: {error}"))
        if self.incidents.open(POST_INCIDENT + week, why):
            await self.alert(
                clip(
                    f"🔴 The weekly timesheet {week} was not posted: {why}. "
                    "It is retried with backoff until the next one is due.",
                    1900,
                )
            )

    async def post_done(self, week: str) -> None:
        for incident in self.incidents.opened(POST_INCIDENT):
            if self.incidents.close(incident.key) is None:
                continue
            if incident.key == POST_INCIDENT + week:
                await self.alert(f"✅ The weekly timesheet {week} was posted after all.")

    # -- the loop -------------------------------------------------------------------------

    def wake(self) -> None:
        """Check soon (an operation may have been set aside)."""
        self._wake.set()

    async def run(self) -> None:
        """`check` every ``interval`` seconds (or when woken) until cancelled."""
        while True:
            self._wake.clear()
            try:
                await self.check()
            except Exception:
                _log.exception("health check failed")
            sleeper = asyncio.ensure_future(self._sleep(self._interval))
            waker = asyncio.ensure_future(self._wake.wait())
            try:
                await asyncio.wait({sleeper, waker}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for task in (sleeper, waker):
                    task.cancel()
                await asyncio.gather(sleeper, waker, return_exceptions=True)
