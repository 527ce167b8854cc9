"""Forgotten-timer reminders end to end: the bot's check DMs through a local Discord, the
ledger in DATA_DIR keeps it from repeating, and the DM's buttons come back as signed clicks."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import hikari
import pytest
from botkit import BotHarness, Clock, slash
from botworld import World, new_world, wait_lines
from notionkit import ALICE, BOB, T0, make_entry, seed_entry
from reminderkit import DMStub, dm_click, dm_submit

from bot.logs import COMMAND_LOGGER
from bot.reminder_dm import STOP_AT_FIELD, LastMessage, parse_reminder_id, reminder_rows

TOKEN = "secret_reminders_token"
REMINDERS = "timetrack.reminders"
#: Alice's Acme timer, seeded running since 09:00 (London is on UTC in November).
NOON = T0 + timedelta(hours=3)


@pytest.fixture
def world() -> World:
    return new_world(("Acme", "Globex"), TOKEN)


def seed_running(world: World, n: int = 1, user: str = ALICE, client: str = "Acme") -> str:
    return seed_entry(world.fake, world.data_source_id, make_entry(n, user=user, client=client))


def harness(world: World, data_dir: Path, clock: Clock, **extra: str) -> BotHarness:
    """The bot with REMIND_AFTER=2h on ``data_dir``, its Discord taking DMs."""
    bot = world.harness(clock, REMIND_AFTER="2h", DATA_DIR=str(data_dir), **extra)
    bot.discord = DMStub()
    return bot


async def first_check(bot: BotHarness) -> Any:
    """The reminder job of ``bot``, once the check it makes at start is done."""
    job = bot.client.jobs.reminders
    for _ in range(1000):
        if job.checks >= 1:
            return job
        await asyncio.sleep(0.005)
    raise AssertionError("the reminder job never checked")


async def test_a_3_hour_timer_gets_one_dm_and_none_after_a_restart(
    world: World, tmp_path: Path
) -> None:
    seed_running(world)
    clock = Clock(NOON)
    async with harness(world, tmp_path, clock) as bot:
        (dm,) = await bot.discord.wait_dms(1)
        assert dm.user_id == ALICE
        assert dm.content == (
            "Your timer **Acme** is running: since 09:00 Europe/London, 3h 00m so far. "
            "Did you forget to stop it?"
        )
        (entry,) = world.entries()
        assert dm.buttons == [
            ("Stop now", f"tt:rstop:{entry.page_id}"),
            ("Stop at…", f"tt:rat:{entry.page_id}"),
            ("Keep going", f"tt:rkeep:{entry.page_id}"),
        ]
        job = await first_check(bot)
        before = world.fake.requests["query_data_source"]
        assert (await job.check()).sent == 0  # checked again: nothing more
        assert world.fake.requests["query_data_source"] == before + 1  # one query a check

    clock.advance(hours=5)  # a restart, later: still none (no Keep going was clicked)
    async with harness(world, tmp_path, clock) as again:
        job = await first_check(again)
        assert (await job.check()).sent == 0
        assert again.discord.dms == []
        assert not [c for c in again.discord.calls if c.path.endswith("/users/@me/channels")]


async def test_stop_now_in_the_dm_stops_the_timer_at_the_click(
    world: World, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=COMMAND_LOGGER)
    seed_running(world)
    clock = Clock(NOON)
    async with harness(world, tmp_path, clock) as bot:
        (dm,) = await bot.discord.wait_dms(1)
        clock.advance(minutes=10)
        refused = await bot.send(dm_click(dm.button("Stop now"), user_id=BOB, dm=dm))
        assert refused.content == ("That entry belongs to someone else; only its owner can end it.")
        assert world.entries()[0].end is None

        stopped = await bot.send(dm_click(dm.button("Stop now"), user_id=ALICE, dm=dm))

        assert stopped.updated  # the DM itself now says what was stopped
        assert stopped.content.startswith(
            "**Acme** stopped: started 09:00 Europe/London, total 3h 10m."
        )
        (entry,) = world.entries()
        assert entry.end == clock.now
        again = await bot.send(dm_click(dm.button("Stop now"), user_id=ALICE, dm=dm))
        assert again.content.startswith("**Acme** was already stopped")
        assert world.entries()[0].end == entry.end
        lines = await wait_lines(caplog, 3)
        assert [line["command"] for line in lines] == ["reminder:stop_now"] * 3
        assert lines[0]["outcome"] == "refused" and lines[1]["outcome"] == "ok"


async def test_stop_at_opens_a_form_and_stops_at_the_time_typed(
    world: World, tmp_path: Path
) -> None:
    seed_running(world)
    clock = Clock(NOON)
    async with harness(world, tmp_path, clock) as bot:
        (dm,) = await bot.discord.wait_dms(1)
        opened = await bot.send(dm_click(dm.button("Stop at…"), user_id=ALICE, dm=dm))
        form = opened.form
        assert form.custom_id == dm.button("Stop at…").replace(":rat:", ":ratm:")
        assert [i["custom_id"] for i in form.inputs] == [STOP_AT_FIELD]

        late = await bot.send(
            dm_submit(form.custom_id, {STOP_AT_FIELD: "13:00"}, user_id=ALICE, dm=dm)
        )
        assert late.content == (
            'The time "13:00" is in the future (it is 12:00 now); type a time up to now, '
            "or yesterday 13:00."
        )
        assert world.entries()[0].end is None

        stopped = await bot.send(
            dm_submit(form.custom_id, {STOP_AT_FIELD: "11:30"}, user_id=ALICE, dm=dm)
        )
        assert stopped.content.startswith("**Acme** stopped: started 09:00 Europe/London")
        (entry,) = world.entries()
        assert entry.end == T0 + timedelta(hours=2, minutes=30)


async def test_keep_going_asks_again_only_after_another_remind_after(
    world: World, tmp_path: Path
) -> None:
    seed_running(world)
    clock = Clock(NOON)
    async with harness(world, tmp_path, clock) as bot:
        (dm,) = await bot.discord.wait_dms(1)
        job = await first_check(bot)
        clock.advance(minutes=5)
        kept = await bot.send(dm_click(dm.button("Keep going"), user_id=ALICE, dm=dm))
        assert kept.updated
        assert kept.content == (
            "Keeping **Acme** going (since 09:00 Europe/London). "
            "I'll ask again at 14:05 Europe/London if it is still running."
        )
        assert [label for label, _ in kept.buttons] == ["Stop now", "Stop at…"]

        clock.advance(hours=1, minutes=59)  # 14:04
        assert (await job.check()).sent == 0
        clock.advance(minutes=1)  # 14:05
        assert (await job.check()).sent == 1
        _, second = await bot.discord.wait_dms(2)
        assert second.content.startswith(
            "Your timer **Acme** is still running: since 09:00 Europe/London, 5h 05m so far."
        )
        assert (await job.check()).sent == 0

    clock.advance(hours=3)  # a restart: the second reminder is not sent again either
    async with harness(world, tmp_path, clock) as again:
        assert (await (await first_check(again)).check()).sent == 0
        assert again.discord.dms == []


async def test_closed_dms_are_logged_and_others_still_reminded(
    world: World, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=REMINDERS)
    seed_running(world, 1, ALICE)
    seed_running(world, 2, BOB, "Globex")
    clock = Clock(NOON)
    bot = harness(world, tmp_path, clock)
    bot.discord.closed.add(ALICE)
    async with bot:
        (dm,) = await bot.discord.wait_dms(1)
        assert dm.user_id == BOB and "**Globex**" in dm.content
        job = await first_check(bot)
        warnings = [
            r.getMessage()
            for r in caplog.records
            if r.levelno == logging.WARNING and r.name == REMINDERS
        ]
        assert warnings == [
            f"could not DM user {ALICE} a reminder: their DMs are closed to the bot "
            "(ForbiddenError (Discord code 50007))"
        ]
        posts = len(bot.discord.calls)
        clock.advance(minutes=1)
        assert (await job.check()).sent == 0  # not tried again
        assert len(bot.discord.calls) == posts
        assert "reminders" in bot.client.jobs.running  # still checking


async def test_a_dm_discord_failed_to_take_is_sent_at_the_next_check(
    world: World, tmp_path: Path
) -> None:
    seed_running(world)
    clock = Clock(NOON)
    bot = harness(world, tmp_path, clock)
    bot.discord.fail_next = 1
    async with bot:
        job = await first_check(bot)
        assert bot.discord.dms == []
        clock.advance(minutes=1)
        assert (await job.check()).sent == 1
        (dm,) = await bot.discord.wait_dms(1)
        assert dm.user_id == ALICE
        assert (await job.check()).sent == 0


async def test_a_timer_stopped_meanwhile_is_not_reminded(world: World, tmp_path: Path) -> None:
    seed_running(world)
    clock = Clock(T0 + timedelta(hours=1))
    async with harness(world, tmp_path, clock) as bot:
        job = await first_check(bot)  # 1 h: not yet
        assert bot.discord.dms == []
        clock.advance(minutes=30)
        await bot.send(slash("end", "timer", user_id=ALICE))
        clock.advance(hours=2)
        assert (await job.check()).sent == 0
        assert bot.discord.dms == []


async def test_remind_after_off_runs_no_check(world: World, tmp_path: Path) -> None:
    seed_running(world)
    bot = world.harness(Clock(NOON), REMIND_AFTER="off", DATA_DIR=str(tmp_path))
    bot.discord = DMStub()
    async with bot:
        assert bot.client.jobs.reminders is None
        assert "reminders" not in bot.client.jobs.running


async def test_gateway_mode_sends_the_dm_over_rest_too(world: World, tmp_path: Path) -> None:
    from bot.app import build_gateway_bot
    from bot.model import Model
    from timesheet.config import Settings

    seed_running(world)
    token = "MTIzNDU2Nzg5MDEyMzQ1Njc4.Gabcde.abcdefghijklmnopqrstuvwxyz0123456789AB"
    async with DMStub() as discord:
        env = world.env(
            DISCORD_TOKEN=token,
            DISCORD_API_URL=discord.url,
            DATA_DIR=str(tmp_path),
            REMIND_AFTER="2h",
        )
        settings = Settings.from_env(env)
        model = Model(settings, transport=world.fake.transport(), clock=Clock(NOON))
        bot, client = build_gateway_bot(settings, model, logs=None)
        (on_message,) = bot.event_manager.get_listeners(hikari.GuildMessageCreateEvent)
        for user, minutes, human in ((ALICE, 100, True), (ALICE, 150, False), (BOB, 170, True)):
            await on_message(message_event(user, T0 + timedelta(minutes=minutes), human))
        await model.open()
        bot.rest.start()  # what the gateway bot's start does first (no gateway here)
        try:
            assert (await client.jobs.reminders.check()).sent == 1
        finally:
            await bot.rest.close()
            await model.close()
    (dm,) = discord.dms
    assert dm.user_id == ALICE and dm.content.startswith("Your timer **Acme** is running")
    (entry,) = world.entries()
    last = int((T0 + timedelta(minutes=100)).timestamp())  # 10:40, Alice's, not a bot's
    assert dm.buttons[2] == (
        "Stop at my last message (10:40 Europe/London)",
        f"tt:rlast:{entry.page_id}:{last}",
    )

    # Its custom id says it all: any process (here the HTTP bot) stops the timer at 10:40.
    async with harness(world, tmp_path, Clock(NOON)) as http:
        stopped = await http.send(dm_click(dm.buttons[2][1], user_id=ALICE, dm=dm))
    assert stopped.content.startswith(
        "**Acme** stopped: started 09:00 Europe/London, total 1h 40m."
    )
    assert world.entries()[0].end == T0 + timedelta(minutes=100)


def message_event(user_id: str, at: datetime, human: bool) -> Any:
    """What the listener reads of a GuildMessageCreateEvent."""
    return SimpleNamespace(
        is_human=human, author_id=int(user_id), message=SimpleNamespace(timestamp=at)
    )


def test_a_last_message_before_the_start_or_to_come_is_not_offered() -> None:
    entry = make_entry(1, page=1)
    tz = ZoneInfo("Europe/London")
    for at in (T0 - timedelta(minutes=1), T0, NOON + timedelta(minutes=1)):
        rows = reminder_rows(entry, last=LastMessage(at, tz, NOON))
        labels = [c["label"] for c in rows[0].build()[0]["components"]]
        assert labels == ["Stop now", "Stop at…", "Keep going"]


async def test_with_a_role_allow_list_the_owner_can_still_use_the_dm(
    world: World, tmp_path: Path
) -> None:
    """Discord sends no roles with a click in a DM: the owner's own timer is theirs to stop."""
    seed_running(world)
    clock = Clock(NOON)
    async with harness(world, tmp_path, clock, ALLOWED_ROLE_IDS="700000000000000001") as bot:
        (dm,) = await bot.discord.wait_dms(1)
        refused = await bot.send(dm_click(dm.button("Stop now"), user_id=BOB, dm=dm))
        assert refused.content.startswith("That entry belongs to someone else")
        stopped = await bot.send(dm_click(dm.button("Stop now"), user_id=ALICE, dm=dm))
        assert stopped.content.startswith("**Acme** stopped")
        assert world.entries()[0].end == clock.now


async def test_notion_down_skips_the_check_with_one_warning_then_reminds(
    world: World, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=REMINDERS)
    seed_running(world)
    world.fake.faults.fail_next(503, count=1000)
    async with harness(world, tmp_path, Clock(NOON)) as bot:
        job = await first_check(bot)
        assert (await job.check()).skipped == {"notion_unavailable": 1}
        world.fake.faults.clear()
        assert (await job.check()).sent == 1
    messages = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == REMINDERS]
    assert messages[:3] == [
        ("WARNING", "reminder check: Notion can't be read (ServerError)"),
        ("INFO", "reminder check: Notion can be read again"),
        ("INFO", messages[2][1]),
    ]
    assert messages[2][1].startswith(f"reminded user {ALICE} of timer ")


async def test_the_job_checks_every_minute_counting_the_time_a_check_takes(
    world: World, tmp_path: Path
) -> None:
    from bot.reminder_job import CHECK_EVERY, ReminderJob

    seed_running(world)
    async with harness(world, tmp_path, Clock(NOON)) as bot:
        waits: list[float] = []
        three = asyncio.Event()

        async def sleep(delay: float) -> None:
            waits.append(delay)
            if len(waits) == 3:
                three.set()
                await asyncio.Event().wait()  # until cancelled

        job = ReminderJob(bot.model, bot.bot.rest, timedelta(hours=2), sleep=sleep)
        task = asyncio.create_task(job.run())
        await asyncio.wait_for(three.wait(), 10)
        task.cancel()
        assert job.checks == 3
        assert all(CHECK_EVERY - 5 < wait <= CHECK_EVERY for wait in waits)


@pytest.mark.parametrize(
    "custom_id",
    [
        "tt:rlast:" + "1" * 32 + ":" + "9" * 12,  # past year 9999
        "tt:rlast:" + "1" * 32 + ":" + "9" * 30,  # past what a timestamp holds
        "tt:rlast:" + "1" * 32 + ":-5",
        "tt:rlast:" + "1" * 32,  # no time
        "tt:rstop:" + "1" * 32 + ":1700000000",  # a time on another action
        "tt:rnope:" + "1" * 32,
    ],
)
def test_a_bad_reminder_custom_id_is_not_a_reminder_button(custom_id: str) -> None:
    assert parse_reminder_id(custom_id) is None
