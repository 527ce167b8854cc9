"""/healthz and /status end to end: the RESTBot on 127.0.0.1 answering GET /healthz beside
signed interactions (and on HEALTH_PORT), against the in-memory Notion."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
from botkit import MANAGE_GUILD, BotHarness, Clock, free_socket, slash
from botkit import WEBHOOK_TOKEN as BOT_WEBHOOK_TOKEN
from botworld import World, new_world
from ledgerkit import planned, until
from notionkit import ALICE, BOB
from webhookkit import WEBHOOK_TOKEN, serve_discord

from bot.plugins.status import MANAGERS_ONLY
from timesheet.tracking.operations import StartOp

TOKEN = "secret_health_token"


@pytest.fixture
def world() -> World:
    return new_world(("Acme",), TOKEN)


async def get(url: str) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.json()


async def test_healthz_is_200_while_notion_answers_and_503_once_it_does_not(
    world: World, bot: BotHarness
) -> None:
    status, body = await get(f"{bot.url}healthz")
    assert status == 200
    assert body["status"] == "ok"
    assert body["notion"]["reachable"] is True and body["notion"]["problem"] is None
    assert body["ledger"] == {"pending": 0, "failed": 0}
    assert body["last_post"] is None and body["post_failed"] == []
    assert body["reminders_due"] is None

    before = sum(world.fake.requests.values())
    for _ in range(5):
        assert (await get(f"{bot.url}healthz"))[0] == 200
    assert sum(world.fake.requests.values()) == before  # answered from what was heard

    world.fake.faults.fail_next(503, count=1000)
    reply = await bot.send(slash("start", "timer", user_id=ALICE, client="Acme"))
    assert "saved" in reply.content.lower()  # the start waits in the ledger
    status, body = await get(f"{bot.url}healthz")
    assert status == 503
    assert body["status"] == "down"
    assert body["notion"]["reachable"] is False
    assert body["notion"]["problem"].startswith("Notion unreachable")
    assert body["notion"]["down_since"] is not None
    assert body["ledger"]["pending"] == 1


async def test_healthz_is_served_on_health_port_too(world: World) -> None:
    sock = free_socket()
    port = sock.getsockname()[1]
    sock.close()
    async with world.harness(HEALTH_PORT=str(port)):
        status, body = await get(f"http://127.0.0.1:{port}/healthz")
    assert status == 200 and body["notion"]["reachable"] is True


async def test_status_tells_a_manager_privately_in_at_most_ten_lines(
    world: World, bot: BotHarness
) -> None:
    ledger = bot.model.ledger
    (op_id,) = ledger.record(StartOp(planned(1, BOB)))
    ledger.mark_failed(op_id, "ValidationError: Client is not a property")

    reply = await bot.send(slash("status", user_id=ALICE, permissions=MANAGE_GUILD))

    assert reply.ephemeral
    lines = reply.content.splitlines()
    assert 6 <= len(lines) <= 10
    assert lines[0].endswith(": 1 thing(s) need a person")
    assert "Notion: reachable, schema right" in lines
    assert "Ledger: 0 pending, 1 failed (`timetrack outbox`)" in lines
    assert "Weekly post: off (TIMESHEET_WEBHOOK_URL not set)" in lines
    assert "Reminders due: n/a" in lines
    assert TOKEN not in reply.content


async def test_status_counts_reminders_due_from_the_provider(world: World, bot: BotHarness) -> None:
    bot.model.reminders_due = lambda: 3
    reply = await bot.send(slash("status", user_id=ALICE, permissions=MANAGE_GUILD))
    assert "Reminders due: 3" in reply.content.splitlines()
    assert reply.content.splitlines()[0].endswith(": all good")


async def test_status_refuses_members_without_manage_server_before_asking_notion(
    world: World, bot: BotHarness
) -> None:
    await get(f"{bot.url}healthz")  # the start-up probe is done
    before = sum(world.fake.requests.values())
    reply = await bot.send(slash("status", user_id=BOB))
    assert reply.ephemeral and reply.content == MANAGERS_ONLY
    assert sum(world.fake.requests.values()) == before


async def test_an_operation_notion_refuses_for_good_is_alerted_once(world: World) -> None:
    async with serve_discord() as operators:
        async with world.harness(ALERT_WEBHOOK_URL=operators.url) as bot:
            # Down while the command runs (saved), then the replay is refused for good.
            world.fake.faults.fail_next(503, count=2, endpoint="create_page")
            world.fake.faults.fail_next(400, endpoint="create_page")
            reply = await bot.send(slash("start", "timer", user_id=ALICE, client="Acme"))
            assert "saved" in reply.content.lower()
            await until(lambda: len(operators.requests) >= 1)  # woken by the engine, not 30 s
            await bot.client.jobs.monitor.check()
            (failed,) = bot.model.ledger.failed()
        async with world.harness(ALERT_WEBHOOK_URL=operators.url) as restarted:
            await restarted.client.jobs.monitor.check()
    (alert,) = operators.requests
    text = alert.payload["content"]
    assert text.startswith(f"🔴 Operation #{failed.op_id} of user {ALICE} was refused by Notion")
    assert "ValidationError" in text and WEBHOOK_TOKEN not in text


async def test_a_weekly_post_discord_refuses_is_alerted_once_and_shown_by_status(
    world: World,
) -> None:
    monday = Clock(datetime(2026, 11, 16, 8, 0, tzinfo=UTC))  # the W46 post was due Sunday
    async with serve_discord() as operators:
        env = world.env(ALERT_WEBHOOK_URL=operators.url)
        harness = BotHarness(env, transport=world.fake.transport(), clock=monday, webhook=True)
        harness.discord.refuse_next(1)  # the weekly post gets Discord's 404
        async with harness as bot:
            await until(lambda: len(operators.requests) >= 1)
            await bot.client.jobs.monitor.check()
            reply = await bot.send(slash("status", user_id=ALICE, permissions=MANAGE_GUILD))
    (alert,) = operators.requests
    assert alert.payload["content"].startswith(
        "🔴 The weekly timesheet 2026-W46 was not posted: PublishError: "
    )
    assert BOT_WEBHOOK_TOKEN not in alert.payload["content"]
    (post,) = [x for x in reply.content.splitlines() if x.startswith("Weekly post: ")]
    assert post.startswith("Weekly post: 2026-W46 FAILED (PublishError: ")
    assert BOT_WEBHOOK_TOKEN not in reply.content
