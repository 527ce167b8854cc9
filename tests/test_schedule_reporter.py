"""WeeklyReporter and PostedLog with an injected clock: once per week, catch-up, DST, retries."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from timesheet.publishing.discord_webhook import PublishError
from timesheet.publishing.schedule import (
    CronSchedule,
    PostedLog,
    ScheduledRun,
    WeekChoice,
    WeeklyReporter,
    report_week,
)
from timesheet.reports.week import Period, week_label, week_period

LONDON = ZoneInfo("Europe/London")
SUNDAY_NINE = CronSchedule.parse("0 9 * * SUN")
TOKEN = "wh-TOKEN-secret-0123456789"


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


class Stop(Exception):
    """Raised by the fake sleep to end the otherwise endless loop."""


class Clock:
    """Wall clock moved only by sleep(); ``early`` wakes a second early; ``jumps`` move it."""

    def __init__(self, start: datetime, *, early: bool = False) -> None:
        self.t = start
        self.stop = start
        self.early = early
        self.sleeps: list[float] = []
        self.jumps: dict[int, timedelta] = {}  # sleep call index -> extra jump

    def now(self) -> datetime:
        return self.t

    async def sleep(self, seconds: float) -> None:
        assert 0 <= seconds <= 3600
        self.sleeps.append(seconds)
        step = seconds - 1 if self.early and seconds > 1 else seconds
        self.t += timedelta(seconds=step) + self.jumps.get(len(self.sleeps), timedelta())
        if self.t >= self.stop:
            raise Stop


class Poster:
    def __init__(self, failures: list[BaseException] | None = None) -> None:
        self.failures = failures or []
        self.posted: list[tuple[str, datetime, datetime]] = []  # key, run.at, clock at post
        self.periods: list[Period] = []
        self.calls = 0
        self.clock: Clock | None = None

    async def __call__(self, run: ScheduledRun) -> None:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        assert self.clock is not None
        self.posted.append((run.key, run.at, self.clock.t))
        self.periods.append(run.period)


def reporter(
    clock: Clock, log: PostedLog, post: Callable[[ScheduledRun], Awaitable[None]], **kw: Any
) -> WeeklyReporter:
    if isinstance(post, Poster):
        post.clock = clock
    return WeeklyReporter(SUNDAY_NINE, LONDON, log, post, now=clock.now, sleep=clock.sleep, **kw)


async def run_until(r: WeeklyReporter, clock: Clock, until: datetime) -> None:
    clock.stop = until
    with pytest.raises(Stop):
        await asyncio.wait_for(r.run(), timeout=10)


async def test_missed_run_is_posted_once_on_start_then_the_next_on_time(tmp_path: Path) -> None:
    clock = Clock(utc(2026, 11, 25, 12))  # Wednesday; Sunday 22 Nov 09:00 was missed
    post = Poster()
    await run_until(reporter(clock, PostedLog(tmp_path), post), clock, utc(2026, 12, 7))
    assert post.posted == [
        ("2026-W47", utc(2026, 11, 22, 9), utc(2026, 11, 25, 12)),  # at start, once
        ("2026-W48", utc(2026, 11, 29, 9), utc(2026, 11, 29, 9)),  # exactly on time
        ("2026-W49", utc(2026, 12, 6, 9), utc(2026, 12, 6, 9)),
    ]
    assert post.posted[0][1].tzinfo is LONDON
    assert max(clock.sleeps) <= 3600  # bounded sleeps


async def test_only_the_most_recent_missed_run_is_posted(tmp_path: Path) -> None:
    log = PostedLog(tmp_path)
    log.mark_posted("2026-W44")  # down for three weeks after that
    clock = Clock(utc(2026, 11, 25, 12))
    post = Poster()
    await run_until(reporter(clock, log, post), clock, utc(2026, 11, 28))
    assert [p[0] for p in post.posted] == ["2026-W47"]


async def test_restart_does_not_post_again(tmp_path: Path) -> None:
    clock = Clock(utc(2026, 11, 29, 8, 30))
    post = Poster()
    PostedLog(tmp_path).mark_posted("2026-W47")
    await run_until(reporter(clock, PostedLog(tmp_path), post), clock, utc(2026, 11, 29, 9, 1))
    assert [p[0] for p in post.posted] == ["2026-W48"]
    # A restart a minute later, and another on Wednesday: same week, nothing posted.
    for start in (utc(2026, 11, 29, 9, 1), utc(2026, 12, 2, 12)):
        clock2 = Clock(start)
        post2 = Poster()
        await run_until(reporter(clock2, PostedLog(tmp_path), post2), clock2, start + timedelta(1))
        assert post2.calls == 0


async def test_dst_changes_do_not_shift_the_nine_oclock_post(tmp_path: Path) -> None:
    post = Poster()
    clock = Clock(utc(2026, 3, 21, 12), early=True)  # and every sleep wakes a second early
    log = PostedLog(tmp_path)
    log.mark_posted("2026-W11")
    log.mark_posted("2026-W41")
    await run_until(reporter(clock, log, post), clock, utc(2026, 4, 6))
    clock = Clock(utc(2026, 10, 17, 12), early=True)
    await run_until(reporter(clock, log, post), clock, utc(2026, 11, 2))
    at_post = [p[2] for p in post.posted]
    assert at_post == [
        utc(2026, 3, 22, 9),  # GMT
        utc(2026, 3, 29, 8),  # BST: 09:00 local
        utc(2026, 4, 5, 8),
        utc(2026, 10, 18, 8),  # BST
        utc(2026, 10, 25, 9),  # GMT again
        utc(2026, 11, 1, 9),
    ]
    assert {(t.astimezone(LONDON).hour, t.astimezone(LONDON).minute) for t in at_post} == {(9, 0)}
    assert [p[0] for p in post.posted] == [
        "2026-W12", "2026-W13", "2026-W14", "2026-W42", "2026-W43", "2026-W44",
    ]  # fmt: skip


async def test_failing_post_is_retried_with_backoff_and_posted_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"https://discord.com/api/webhooks/1/{TOKEN}"
    post = Poster([RuntimeError(f"boom at {url}"), PublishError("Discord answered HTTP 503")])
    clock = Clock(utc(2026, 11, 29, 8, 59))
    log = PostedLog(tmp_path)
    log.mark_posted("2026-W47")
    with caplog.at_level(logging.INFO):
        await run_until(reporter(clock, log, post), clock, utc(2026, 11, 30))
    assert post.calls == 3
    assert post.posted == [("2026-W48", utc(2026, 11, 29, 9), utc(2026, 11, 29, 9, 15))]
    # 60 s to 09:00, fails; retry after 300 s, fails; then after 600 s: posted at 09:15.
    assert clock.sleeps[:3] == [60.0, 300.0, 600.0]
    assert log.status("2026-W48") == "posted"
    assert TOKEN not in caplog.text
    assert "retrying in 300 s" in caplog.text and "RuntimeError" in caplog.text


async def test_retries_stop_when_the_next_run_supersedes(tmp_path: Path) -> None:
    post = Poster([RuntimeError("down")] * 1000)
    clock = Clock(utc(2026, 11, 29, 9))
    await run_until(
        reporter(clock, PostedLog(tmp_path), post, retry_delay=3600, max_retry_delay=3600),
        clock,
        utc(2026, 12, 6, 8, 59),
    )
    assert post.calls == 7 * 24  # hourly until the next Sunday, never a burst


async def test_ambiguous_failure_is_recorded_and_not_retried(tmp_path: Path) -> None:
    post = Poster([PublishError("answer lost", ambiguous=True)])
    clock = Clock(utc(2026, 11, 29, 9))
    log = PostedLog(tmp_path)
    await run_until(reporter(clock, log, post), clock, utc(2026, 12, 6, 8))
    assert post.calls == 1 and post.posted == []
    assert log.status("2026-W48") == "uncertain"


async def test_unwritable_record_is_logged_and_does_not_repeat_or_stop_the_loop(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = PostedLog(tmp_path)

    def disk_full(*args: object, **kwargs: object) -> tuple[int, str]:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("timesheet.publishing.schedule.tempfile.mkstemp", disk_full)
    post = Poster()
    clock = Clock(utc(2026, 11, 29, 9))
    await run_until(reporter(clock, log, post), clock, utc(2026, 12, 6, 9, 30))
    assert [p[0] for p in post.posted] == ["2026-W48", "2026-W49"]
    assert "a restart may post it again" in caplog.text


async def test_clock_jumps_forward_and_back(tmp_path: Path) -> None:
    clock = Clock(utc(2026, 11, 26, 12))
    log = PostedLog(tmp_path)
    log.mark_posted("2026-W47")
    clock.jumps = {3: timedelta(days=14), 6: timedelta(days=-3)}
    post = Poster()
    await run_until(reporter(clock, log, post), clock, utc(2026, 12, 14))
    # Jumping 2 weeks ahead posts only the latest run (W49) on wake; jumping back posts nothing
    # again; then W50 on 13 Dec.
    assert [p[0] for p in post.posted] == ["2026-W49", "2026-W50"]
    assert post.posted[1][2] == utc(2026, 12, 13, 9)


async def test_cancellation_stops_the_loop(tmp_path: Path) -> None:
    gate = asyncio.Event()

    async def block(_: float) -> None:
        await gate.wait()

    posted: list[str] = []

    async def record(run: ScheduledRun) -> None:
        posted.append(run.key)

    r = WeeklyReporter(SUNDAY_NINE, LONDON, PostedLog(tmp_path), record, sleep=block,
                       now=lambda: utc(2026, 11, 24))  # fmt: skip
    task = asyncio.create_task(r.run())
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, timeout=2)
    assert posted == ["2026-W47"]


class MultiPoster:
    """Posts one message per user through run.once; ``fail`` maps user -> exceptions to raise."""

    def __init__(self, fail: dict[str, list[Exception]]) -> None:
        self.fail = fail
        self.sent: list[str] = []

    async def __call__(self, run: ScheduledRun) -> None:
        for user in ("alice", "bob", "carol"):

            async def send(user: str = user) -> None:
                if self.fail.get(user):
                    raise self.fail[user].pop(0)
                self.sent.append(f"{run.key}:{user}")

            await run.once(user, send)


async def test_per_user_posts_are_not_repeated_when_one_fails(tmp_path: Path) -> None:
    post = MultiPoster({"bob": [PublishError("HTTP 503")]})
    clock = Clock(utc(2026, 11, 29, 9))
    log = PostedLog(tmp_path)
    await run_until(reporter(clock, log, post), clock, utc(2026, 11, 30))
    assert post.sent == ["2026-W48:alice", "2026-W48:bob", "2026-W48:carol"]
    assert log.was_posted("2026-W48") and log.status("2026-W48:bob") == "posted"


async def test_per_user_ambiguous_is_not_resent_but_the_others_are_sent(tmp_path: Path) -> None:
    post = MultiPoster({"alice": [PublishError("lost", ambiguous=True)]})
    clock = Clock(utc(2026, 11, 29, 9))
    log = PostedLog(tmp_path)
    await run_until(reporter(clock, log, post), clock, utc(2026, 11, 30))
    assert post.sent == ["2026-W48:bob", "2026-W48:carol"]
    assert log.status("2026-W48:alice") == "uncertain" and log.status("2026-W48") == "posted"


async def test_crash_while_sending_is_not_resent_after_restart(tmp_path: Path) -> None:
    PostedLog(tmp_path).mark_sending("2026-W48:bob")  # SIGKILL during bob's webhook call
    post = MultiPoster({})
    clock = Clock(utc(2026, 11, 29, 10))
    log = PostedLog(tmp_path)
    await run_until(reporter(clock, log, post), clock, utc(2026, 11, 30))
    assert post.sent == ["2026-W48:alice", "2026-W48:carol"]
    assert log.status("2026-W48:bob") == "uncertain"


def test_posted_log_is_durable_and_atomic(tmp_path: Path) -> None:
    data = tmp_path / "data"
    log = PostedLog(data)
    assert not log.was_posted("2026-W47")
    log.mark_posted("2026-W47")
    log.mark_sending("2026-W48:1")
    again = PostedLog(data)
    assert again.was_posted("2026-W47") and again.status("2026-W48:1") == "sending"
    assert again.keys() == ["2026-W47", "2026-W48:1"]
    again.forget("2026-W48:1")
    assert not PostedLog(data).was_posted("2026-W48:1")
    assert [p.name for p in data.iterdir()] == ["posted-reports.json"]  # no temp files left
    raw = json.loads((data / "posted-reports.json").read_text())
    assert raw["posted"]["2026-W47"]["status"] == "posted"


@pytest.mark.parametrize("content", ["{not json", '{"posted": {"k": {"status": "weird"}}}', "[]"])
def test_corrupt_posted_log_is_refused_loudly(tmp_path: Path, content: str) -> None:
    (tmp_path / "posted-reports.json").write_text(content)
    with pytest.raises(ValueError, match="posted-reports"):
        PostedLog(tmp_path)


# The week a post covers: the week of its cron time when that is the week's last local day,
# else the last complete week; TIMESHEET_WEEK (current | last) overrides. Hand-computed:
# 2026-11-22 is a Sunday (end of ISO week 47), 2026-11-28 a Saturday.
AUCKLAND, LOS_ANGELES = ZoneInfo("Pacific/Auckland"), ZoneInfo("America/Los_Angeles")
WEEKS = [
    # (cron time, zone, first weekday, TIMESHEET_WEEK, label, first day, last day, hours)
    (datetime(2026, 11, 22, 9, tzinfo=LONDON), LONDON, 0, None, "2026-W47", 16, 22, 168),
    (datetime(2026, 11, 22, 23, 59, tzinfo=LONDON), LONDON, 0, None, "2026-W47", 16, 22, 168),
    (datetime(2026, 11, 23, 9, tzinfo=LONDON), LONDON, 0, None, "2026-W47", 16, 22, 168),
    (datetime(2026, 11, 23, 0, 0, tzinfo=LONDON), LONDON, 0, None, "2026-W47", 16, 22, 168),
    (datetime(2026, 11, 25, 12, tzinfo=LONDON), LONDON, 0, None, "2026-W47", 16, 22, 168),
    (datetime(2026, 11, 28, 9, tzinfo=LONDON), LONDON, 0, None, "2026-W47", 16, 22, 168),
    (datetime(2026, 11, 23, 9, tzinfo=LONDON), LONDON, 0, "current", "2026-W48", 23, 29, 168),
    (datetime(2026, 11, 22, 9, tzinfo=LONDON), LONDON, 0, "last", "2026-W46", 9, 15, 168),
    (datetime(2026, 11, 22, 9, tzinfo=LONDON), LONDON, 0, "current", "2026-W47", 16, 22, 168),
    # Weeks from Sunday: Saturday is the last day; a Sunday post covers Sun 22 - Sat 28 (W48).
    (datetime(2026, 11, 28, 9, tzinfo=LONDON), LONDON, 6, None, "2026-W48", 22, 28, 168),
    (datetime(2026, 11, 29, 9, tzinfo=LONDON), LONDON, 6, None, "2026-W48", 22, 28, 168),
    (datetime(2026, 11, 22, 9, tzinfo=LONDON), LONDON, 6, None, "2026-W47", 15, 21, 168),
    # The local day decides, not the UTC one: Sunday 09:00 in Auckland is Saturday 20:00 UTC.
    (datetime(2026, 11, 22, 9, tzinfo=AUCKLAND), AUCKLAND, 0, None, "2026-W47", 16, 22, 168),
    # Saturday 20:00 in Los Angeles is Sunday 04:00 UTC: still not the week's last day.
    (datetime(2026, 11, 21, 20, tzinfo=LOS_ANGELES), LOS_ANGELES, 0, None, "2026-W46", 9, 15, 168),
    # DST: the week ending Sun 25 Oct 2026 (clocks back) has 169 hours, Sun 29 Mar 167.
    (datetime(2026, 10, 25, 9, tzinfo=LONDON), LONDON, 0, None, "2026-W43", 19, 25, 169),
    (datetime(2026, 10, 26, 9, tzinfo=LONDON), LONDON, 0, None, "2026-W43", 19, 25, 169),
    (datetime(2026, 3, 29, 9, tzinfo=LONDON), LONDON, 0, None, "2026-W13", 23, 29, 167),
    # The year turns: Sunday 3 Jan 2027 ends ISO week 53 of 2026.
    (datetime(2027, 1, 3, 9, tzinfo=LONDON), LONDON, 0, None, "2026-W53", 28, 3, 168),
    (datetime(2027, 1, 4, 9, tzinfo=LONDON), LONDON, 0, None, "2026-W53", 28, 3, 168),
]


@pytest.mark.parametrize(
    ("at", "tz", "week_start", "choice", "label", "first", "last", "hours"), WEEKS
)
def test_the_week_a_post_covers(
    at: datetime,
    tz: ZoneInfo,
    week_start: int,
    choice: WeekChoice | None,
    label: str,
    first: int,
    last: int,
    hours: int,
) -> None:
    period = report_week(at.astimezone(UTC), tz, week_start, choice)
    assert week_label(period, tz) == label
    start, end = period.start.astimezone(tz), period.end.astimezone(tz)
    assert (start.day, start.hour, start.minute) == (first, 0, 0)
    assert ((end - timedelta(days=1)).day, end.hour, end.minute) == (last, 0, 0)
    assert period.duration == timedelta(hours=hours)


def test_report_week_refuses_a_bad_week_start() -> None:
    with pytest.raises(ValueError, match="week_start"):
        report_week(utc(2026, 1, 1), LONDON, 7)


async def test_a_monday_post_covers_the_whole_last_week_once(tmp_path: Path) -> None:
    """TIMESHEET_CRON=0 9 * * MON: each post is the week that just ended, not 9 hours of the
    new one; the one missed before the start is caught up once, then the next on time."""
    clock = Clock(utc(2026, 11, 25, 12))  # Wednesday; Monday 23 Nov 09:00 was missed
    post = Poster()
    monday_nine = WeeklyReporter(
        CronSchedule.parse("0 9 * * MON"),
        LONDON,
        PostedLog(tmp_path),
        post,
        now=clock.now,
        sleep=clock.sleep,
    )
    post.clock = clock
    await run_until(monday_nine, clock, utc(2026, 12, 8))
    assert post.posted == [
        ("2026-W47", utc(2026, 11, 23, 9), utc(2026, 11, 25, 12)),
        ("2026-W48", utc(2026, 11, 30, 9), utc(2026, 11, 30, 9)),
        ("2026-W49", utc(2026, 12, 7, 9), utc(2026, 12, 7, 9)),
    ]
    assert post.periods[0] == week_period("2026-W47", LONDON)
