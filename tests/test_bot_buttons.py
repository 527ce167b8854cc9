"""Timer buttons end to end: signed commands, then signed clicks, against the in-memory Notion."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest
from botkit import MANAGE_GUILD, BotHarness, Reply, click, slash
from botworld import World, new_world, wait_entries, wait_lines

from bot.auth import REFUSAL
from bot.clicks import UNKNOWN_BUTTON
from bot.format import QUEUED
from bot.logs import COMMAND_LOGGER
from timesheet.entries.model import TimeEntry

ALICE = "100000000000000001"
BOB = "100000000000000002"
TOKEN = "secret_buttons_token"


@pytest.fixture
def world() -> World:
    return new_world(("Acme", "Globex"), TOKEN)


def running(entry: TimeEntry, label: str) -> tuple[str, str]:
    """A button under a running timer: Stop or Pause."""
    return (label, f"tt:{label.lower()}:{entry.page_id}")


def ended_buttons(entry: TimeEntry) -> list[tuple[str, str]]:
    """The buttons under a stopped timer: "Start again" and Adjust."""
    return [("Start again", f"tt:again:{entry.page_id}"), ("Adjust", f"tt:adjust:{entry.page_id}")]


async def press(
    bot: BotHarness, reply: Reply, label: str, user_id: str = ALICE, **kw: Any
) -> Reply:
    """Click the button labelled ``label`` on ``reply``."""
    return await bot.send(click(reply.button(label), user_id=user_id, message=reply, **kw))


async def test_stop_on_the_start_reply_ends_the_page_and_offers_start_again(
    world: World, bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=COMMAND_LOGGER)
    started = await bot.send(slash("start", "timer", user_id=ALICE, client="Acme"))
    (entry,) = world.entries()
    assert started.buttons == [running(entry, "Stop"), running(entry, "Pause")]
    assert len(started.button("Stop")) <= 100

    bot.clock.advance(minutes=25)
    stopped = await press(bot, started, "Stop")

    assert stopped.updated  # type 6, then the message the button sits on is edited
    assert stopped.content.startswith("**Acme** stopped: started 09:00 Europe/London, total 25m.")
    assert stopped.buttons == ended_buttons(entry)
    (entry,) = world.entries()
    assert entry.end == bot.clock.now
    _, line = await wait_lines(caplog, 2)
    assert line["command"] == "button:stop" and line["user_id"] == ALICE
    assert line["outcome"] == "ok" and line["notion_requests"] >= 2


async def test_start_again_starts_the_same_client_at_the_click(
    world: World, bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=COMMAND_LOGGER)
    started = await bot.send(slash("start", "timer", user_id=ALICE, client="Globex", note="x"))
    bot.clock.advance(minutes=30)
    stopped = await press(bot, started, "Stop")
    bot.clock.advance(minutes=15)

    again = await press(bot, stopped, "Start again")

    assert again.updated
    assert again.content.startswith("Started **Globex** at 09:45 Europe/London.")
    first, second = world.entries()
    assert (second.client, second.name, second.user_id) == ("Globex", "Globex", ALICE)
    assert second.start == bot.clock.now and second.end is None
    assert second.note == ""  # the note is not copied
    assert first.end == bot.clock.now - timedelta(minutes=15)
    assert again.buttons == [running(second, "Stop"), running(second, "Pause")]
    lines = await wait_lines(caplog, 3)
    assert lines[-1]["command"] == "button:start_again" and lines[-1]["outcome"] == "ok"


async def test_custom_timer_round_trip_keeps_the_name(world: World, bot: BotHarness) -> None:
    started = await bot.send(
        slash("start", "custom", user_id=ALICE, name="Writing the spec", client="Acme")
    )
    (entry,) = world.entries()
    assert started.buttons == [running(entry, "Stop"), running(entry, "Pause")]
    stopped = await press(bot, started, "Stop")
    again = await press(bot, stopped, "Start again")
    assert "Started **Writing the spec (Acme)**" in again.content
    _, second = world.entries()
    assert (second.name, second.client, second.end) == ("Writing the spec", "Acme", None)


async def test_end_timer_reply_carries_start_again(world: World, bot: BotHarness) -> None:
    await bot.send(slash("start", "timer", user_id=ALICE, client="Acme"))
    ended = await bot.send(slash("end", "timer", user_id=ALICE))
    (entry,) = world.entries()
    assert ended.buttons == ended_buttons(entry)
    bot.clock.advance(hours=1)
    again = await press(bot, ended, "Start again")
    assert "Started **Acme** at 10:00" in again.content
    assert [e.client for e in world.entries()] == ["Acme", "Acme"]


async def test_active_reply_has_a_stop_button_that_works(world: World, bot: BotHarness) -> None:
    nothing = await bot.send(slash("active", user_id=ALICE))
    assert nothing.buttons == []
    await bot.send(slash("start", "timer", user_id=ALICE, client="Globex"))
    active = await bot.send(slash("active", user_id=ALICE))
    (entry,) = world.entries()
    assert active.buttons == [running(entry, "Stop"), running(entry, "Pause")]
    bot.clock.advance(minutes=5)
    stopped = await press(bot, active, "Stop")
    assert "**Globex** stopped" in stopped.content
    assert world.entries()[0].end == bot.clock.now


async def test_a_stale_stop_says_already_stopped_and_writes_nothing(
    world: World, bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=COMMAND_LOGGER)
    first = await bot.send(slash("start", "timer", user_id=ALICE, client="Acme"))
    bot.clock.advance(hours=1)
    await bot.send(slash("start", "timer", user_id=ALICE, client="Globex"))  # stops Acme
    acme, _ = world.entries()
    writes = world.writes()
    bot.clock.advance(hours=1)

    stale = await press(bot, first, "Stop")

    assert stale.updated
    assert stale.content.startswith("**Acme** was already stopped: started 09:00")
    assert "total 1h 00m" in stale.content
    assert stale.buttons == ended_buttons(acme)
    assert world.writes() == writes
    assert world.entries()[0].end == acme.end
    assert world.entries()[1].end is None  # Globex still runs
    lines = await wait_lines(caplog, 3)
    assert lines[-1]["outcome"] == "already_ended"


async def test_someone_else_clicking_is_refused_and_nothing_written(
    world: World, bot: BotHarness
) -> None:
    started = await bot.send(slash("start", "timer", user_id=ALICE, client="Acme"))
    writes = world.writes()

    refused = await press(bot, started, "Stop", user_id=BOB)

    assert refused.apart and not refused.updated  # Alice's message stays as it was
    assert refused.content == "That entry belongs to someone else; only its owner can end it."
    assert world.writes() == writes and world.entries()[0].end is None

    ended = await bot.send(slash("end", "timer", user_id=ALICE))
    again = await press(bot, ended, "Start again", user_id=BOB, permissions=MANAGE_GUILD)
    assert again.apart
    assert again.content == (
        "That timer belongs to someone else; only its owner can start it again."
    )
    assert len(world.entries()) == 1


async def test_a_server_manager_may_stop_someone_elses_timer_and_it_is_logged(
    world: World, bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=COMMAND_LOGGER)
    started = await bot.send(slash("start", "timer", user_id=ALICE, client="Acme"))
    bot.clock.advance(minutes=10)

    stopped = await press(bot, started, "Stop", user_id=BOB, permissions=MANAGE_GUILD)

    assert stopped.updated
    assert stopped.content.startswith(f"**Acme** stopped for <@{ALICE}> by you: started 09:00")
    # Starting it again is Alice's; a manager may adjust it.
    assert stopped.buttons == [("Adjust", f"tt:adjust:{world.entries()[0].page_id}")]
    assert world.entries()[0].end == bot.clock.now
    _, line = await wait_lines(caplog, 2)
    assert line["command"] == "button:stop" and line["user_id"] == BOB
    assert line["acted_for"] == ALICE and line["outcome"] == "ended_for_other"


@pytest.mark.parametrize(
    "custom_id",
    [
        "tt:stop:not-a-page",
        "tt:explode:0123456789abcdef0123456789abcdef",
        "tt:stop",
        "someone-elses-button",
        "tt:stop:0123456789abcdef0123456789abcdef:extra",
        "x" * 100,
    ],
)
async def test_a_malformed_or_foreign_custom_id_gets_one_line_and_no_write(
    world: World, bot: BotHarness, custom_id: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=COMMAND_LOGGER)
    reply = await bot.send(click(custom_id, user_id=ALICE))
    assert reply.response["type"] == 4 and reply.apart
    assert reply.content == UNKNOWN_BUTTON and "\n" not in reply.content
    assert sum(world.fake.requests.values()) == 0
    assert bot.discord.calls == []
    (line,) = await wait_lines(caplog, 1)
    assert line["command"] == "button:unknown" and line["outcome"] == "unknown_button"


async def test_a_user_not_allowed_is_refused_before_anything(world: World) -> None:
    async with world.harness(ALLOWED_USER_IDS=ALICE) as bot:
        started = await bot.send(slash("start", "timer", user_id=ALICE, client="Acme"))
        refused = await press(bot, started, "Stop", user_id=BOB, permissions=MANAGE_GUILD)
    assert refused.response["type"] == 4 and refused.apart
    assert refused.content == REFUSAL
    assert world.entries()[0].end is None


async def test_a_notion_error_on_a_click_is_one_line_and_leaves_the_message(
    world: World, bot: BotHarness
) -> None:
    started = await bot.send(slash("start", "timer", user_id=ALICE, client="Acme"))
    world.fake.faults.fail_next(status=401, count=5)
    reply = await press(bot, started, "Stop")
    assert reply.apart
    assert reply.content.startswith("Notion rejected the token") and "\n" not in reply.content
    assert world.entries()[0].end is None


async def test_clicks_while_notion_is_down_go_to_the_outbox(world: World, bot: BotHarness) -> None:
    world.fake.faults.error_rate = 1.0  # every request fails until cleared
    started = await bot.send(slash("start", "timer", user_id=ALICE, client="Acme"))
    assert QUEUED in started.content
    stop, _ = started.buttons  # the start is queued: the button names its Entry ID
    bot.clock.advance(minutes=5)
    stopped_at = bot.clock.now

    stopped = await press(bot, started, "Stop")

    assert stopped.updated
    assert stopped.content.startswith("**Acme** stopped: started 09:00 Europe/London, total 5m.")
    assert QUEUED in stopped.content
    assert stopped.buttons == [
        ("Start again", stop[1].replace(":stop:", ":again:")),
        ("Adjust", stop[1].replace(":stop:", ":adjust:")),
    ]
    bot.clock.advance(minutes=5)
    again = await press(bot, stopped, "Start again")
    assert again.updated and QUEUED in again.content
    assert "Started **Acme** at 09:10" in again.content
    assert world.entries() == []

    world.fake.faults.clear()
    first, second = await wait_entries(world, lambda e: len(e) == 2)
    assert first.end == stopped_at
    assert (second.client, second.start, second.end) == ("Acme", bot.clock.now, None)


async def test_buttons_naming_a_queued_start_still_work_once_it_is_in_notion(
    world: World, bot: BotHarness
) -> None:
    world.fake.faults.error_rate = 1.0
    started = await bot.send(slash("start", "timer", user_id=ALICE, client="Globex"))
    bot.clock.advance(minutes=20)
    ended = await bot.send(slash("end", "timer", user_id=ALICE))
    assert QUEUED in ended.content
    world.fake.faults.clear()
    (entry,) = await wait_entries(world, lambda e: len(e) == 1 and e[0].end is not None)
    # Both buttons name the Entry ID: the start was not in Notion when they were made.
    assert started.button("Stop") == f"tt:stop:{entry.entry_id}"
    assert ended.button("Start again") == f"tt:again:{entry.entry_id}"
    writes = world.writes()

    stale = await press(bot, started, "Stop")
    assert stale.content.startswith("**Globex** was already stopped: started 09:00")
    assert world.writes() == writes

    bot.clock.advance(minutes=10)
    again = await press(bot, ended, "Start again")
    assert again.updated and "Started **Globex** at 09:30" in again.content
    first, second = world.entries()
    assert first.end == bot.clock.now - timedelta(minutes=10)
    assert (second.client, second.start, second.end) == ("Globex", bot.clock.now, None)


async def test_stop_while_notion_is_down_saves_the_click_time_for_a_page_in_notion(
    world: World, bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=COMMAND_LOGGER)
    started = await bot.send(slash("start", "timer", user_id=ALICE, client="Acme"))
    (entry,) = world.entries()
    assert started.button("Stop") == f"tt:stop:{entry.page_id}"  # the start is in Notion
    world.fake.faults.error_rate = 1.0
    bot.clock.advance(minutes=25)
    clicked_at = bot.clock.now

    saved = await press(bot, started, "Stop")

    # The ledger wrote that page, so it knows whose it is: the stop is told as saved.
    assert saved.updated
    assert saved.content.startswith("**Acme** stopped: started 09:00 Europe/London, total 25m.")
    assert saved.content.endswith("will be written to Notion as soon as it answers.")
    _, line = await wait_lines(caplog, 2)
    assert line["command"] == "button:stop" and line["outcome"] == "queued"

    bot.clock.advance(hours=1)
    world.fake.faults.clear()
    (entry,) = await wait_entries(world, lambda e: e[0].end is not None)
    assert entry.end == clicked_at


async def test_end_entry_while_notion_is_down_is_saved_and_replayed(
    world: World, bot: BotHarness
) -> None:
    await bot.send(slash("start", "timer", user_id=ALICE, client="Globex"))
    (entry,) = world.entries()
    world.fake.faults.error_rate = 1.0
    bot.clock.advance(minutes=40)
    ended_at = bot.clock.now

    saved = await bot.send(slash("end", "timer", user_id=ALICE, entry=entry.url or ""))

    assert saved.content.startswith("**Globex** stopped: started 09:00 Europe/London, total 40m.")
    assert "will be written to Notion as soon as it answers" in saved.content
    world.fake.faults.clear()
    (entry,) = await wait_entries(world, lambda e: e[0].end is not None)
    assert entry.end == ended_at
