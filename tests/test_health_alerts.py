"""Alerts to a local webhook server: one message per incident and one when it is over, kept
once across restarts and processes sharing DATA_DIR; an alert that can't be posted is logged."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from ledgerkit import BOB, FakeClock, planned
from notionkit import fast_client, timesheet_notion
from webhookkit import WEBHOOK_TOKEN, FakeDiscord, serve_discord

from notion_client import NotionClient, NotionError
from notion_client.fake import FakeNotion
from timesheet.health.alerts import HealthMonitor, webhook_sink
from timesheet.health.incidents import IncidentLog
from timesheet.health.notion_watch import NotionWatch, ObservedTransport, probe_database
from timesheet.tracking.ledger import Ledger
from timesheet.tracking.operations import StartOp

TOKEN = "secret_alerts_token"
LONDON = ZoneInfo("Europe/London")
ALERT_AFTER = timedelta(minutes=15)


@dataclass
class Bot:
    """One process's monitor: its own view of Notion, DATA_DIR shared with the others."""

    monitor: HealthMonitor
    client: NotionClient
    ledger: Ledger
    database_id: str

    async def command(self) -> None:
        """A request the bot makes anyway (a command, the replayer): Notion is observed."""
        with contextlib.suppress(NotionError):
            await self.client.retrieve_database(self.database_id)


@contextmanager
def _ledger(data_dir: Path) -> Iterator[Ledger]:
    with Ledger.in_dir(data_dir) as ledger:
        yield ledger


@asynccontextmanager
async def bot(
    fake: FakeNotion, database_id: str, data_dir: Path, clock: FakeClock, url: str
) -> AsyncIterator[Bot]:
    watch = NotionWatch(clock=clock)
    client = fast_client(ObservedTransport(fake.transport(), watch), token=TOKEN, max_attempts=1)
    with _ledger(data_dir) as ledger:
        monitor = HealthMonitor(
            watch=watch,
            probe=lambda: probe_database(client, database_id, watch),
            ledger=ledger,
            incidents=IncidentLog.in_dir(data_dir, clock=clock),
            sink=webhook_sink(url),
            alert_after=ALERT_AFTER,
            tz=LONDON,
            clock=clock,
        )
        try:
            yield Bot(monitor, client, ledger, database_id)
        finally:
            await client.aclose()


def contents(discord: FakeDiscord) -> list[str]:
    return [r.payload["content"] for r in discord.requests]


async def test_notion_down_longer_than_alert_after_is_one_message_and_its_recovery_one(
    tmp_path: Path,
) -> None:
    fake, database_id, _ = timesheet_notion(("Acme",), token=TOKEN)
    clock = FakeClock(1_795_000_000.0)
    async with serve_discord() as discord:
        async with bot(fake, database_id, tmp_path, clock, discord.url) as first:
            fake.faults.fail_next(503, count=1000)
            await first.monitor.check()
            assert fake.requests["retrieve_database"] == 0  # idle: no request of its own
            await first.command()  # down from now on
            await first.monitor.check()
            clock.now += 14 * 60
            await first.monitor.check()
            assert discord.requests == []  # not yet ALERT_AFTER
            clock.now += 61
            await first.monitor.check()
            clock.now += 60
            await first.monitor.check()
            assert len(discord.requests) == 1
        async with bot(fake, database_id, tmp_path, clock, discord.url) as restarted:
            await restarted.command()
            clock.now += 16 * 60
            await restarted.monitor.check()  # down 16 minutes for this process too
            assert len(discord.requests) == 1
            fake.faults.clear()
            clock.now += 60
            await restarted.monitor.check()
            clock.now += 60
            await restarted.monitor.check()
        async with bot(fake, database_id, tmp_path, clock, discord.url) as again:
            await again.monitor.check()
    down, up = contents(discord)
    assert down.startswith("🔴 Notion unreachable (ServerError) since ")
    assert up == "✅ Notion answers again (it had been failing about 33 min)."
    assert all(r.path.endswith(WEBHOOK_TOKEN) for r in discord.requests)
    assert all(WEBHOOK_TOKEN not in text and TOKEN not in text for text in (down, up))


async def test_a_short_outage_is_no_alert(tmp_path: Path) -> None:
    fake, database_id, _ = timesheet_notion(("Acme",), token=TOKEN)
    clock = FakeClock(1_795_000_000.0)
    async with (
        serve_discord() as discord,
        bot(fake, database_id, tmp_path, clock, discord.url) as one,
    ):
        fake.faults.fail_next(503, count=1)
        await one.command()
        await one.monitor.check()
        clock.now += 20 * 60
        await one.monitor.check()  # answers again before ALERT_AFTER was ever reached
    assert discord.requests == []


async def test_an_operation_set_aside_is_one_message_even_across_restarts(
    tmp_path: Path,
) -> None:
    fake, database_id, _ = timesheet_notion(("Acme",), token=TOKEN)
    clock = FakeClock(1_795_000_000.0)
    async with serve_discord() as discord:
        async with bot(fake, database_id, tmp_path, clock, discord.url) as one:
            (op_id,) = one.ledger.record(StartOp(planned(1, BOB)))
            one.ledger.mark_failed(op_id, "ValidationError: Client is not a property")
            await one.monitor.check()
            await one.monitor.check()
        async with bot(fake, database_id, tmp_path, clock, discord.url) as other:
            await other.monitor.check()
            assert len(discord.requests) == 1
            other.ledger.requeue_failed(op_id)  # `timetrack outbox retry`: no message
            await other.monitor.check()
            assert len(discord.requests) == 1
            other.ledger.mark_failed(op_id, "ValidationError: still not a property")
            await other.monitor.check()
    first, second = contents(discord)
    assert first.startswith(f"🔴 Operation #{op_id} of user {BOB} was refused by Notion")
    assert "start 'task 1' (Acme)" in first
    assert "ValidationError: Client is not a property" in first
    assert f"`timetrack outbox retry {op_id}`" in first
    assert "still not a property" in second


async def test_a_failed_weekly_post_is_one_message_and_one_when_it_goes_out(
    tmp_path: Path,
) -> None:
    fake, database_id, _ = timesheet_notion(("Acme",), token=TOKEN)
    clock = FakeClock(1_795_000_000.0)
    async with (
        serve_discord() as discord,
        bot(fake, database_id, tmp_path, clock, discord.url) as one,
    ):
        for _ in range(3):  # the reporter retries with backoff
            await one.monitor.post_failed("2026-W47", RuntimeError("Discord answered HTTP 500"))
        await one.monitor.post_done("2026-W47")
        await one.monitor.post_done("2026-W47")
    failed, posted = contents(discord)
    assert failed.startswith("🔴 The weekly timesheet 2026-W47 was not posted: RuntimeError: ")
    assert posted == "✅ The weekly timesheet 2026-W47 was posted after all."


@pytest.mark.parametrize("answer", ["refused", "unreachable"])
async def test_an_alert_that_cant_be_posted_is_logged_and_never_raises(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, answer: str
) -> None:
    fake, database_id, _ = timesheet_notion(("Acme",), token=TOKEN)
    clock = FakeClock(1_795_000_000.0)
    caplog.set_level(logging.INFO)
    async with serve_discord() as discord:
        url = discord.url
        if answer == "refused":
            discord.script.append(web.json_response({"message": "Unknown Webhook"}, status=404))
        else:
            url = f"http://127.0.0.1:9/api/webhooks/1/{WEBHOOK_TOKEN}"
        async with bot(fake, database_id, tmp_path, clock, url) as one:
            await one.monitor.post_failed("2026-W47", RuntimeError("boom"))
            assert one.monitor.sent == []
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert (
        len(errors) == 1
        and errors[0].startswith("could not post the alert: PublishError")
        and "timesheet" not in errors[0]
    )
    ours = [r for r in caplog.records if r.name != "aiohttp.access"]  # the server's own log
    assert all(WEBHOOK_TOKEN not in r.getMessage() for r in ours)


async def test_callers_share_one_probe_and_wait_for_it_at_most_wait_seconds() -> None:
    watch, release, probes = NotionWatch(), asyncio.Event(), []

    async def slow_probe() -> None:  # Notion hanging: retries under way
        probes.append(1)
        await release.wait()
        watch.record("ok")

    states = await asyncio.gather(*(watch.current(slow_probe, wait=0.05) for _ in range(20)))
    assert {s.kind for s in states} == {None} and len(probes) == 1  # not answered yet
    release.set()
    await asyncio.sleep(0)  # the probe goes on without its callers
    assert (await watch.current(slow_probe)).kind == "ok" and len(probes) == 1
