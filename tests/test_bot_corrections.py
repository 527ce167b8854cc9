"""Time after the fact, end to end: /log, at: on /start and /end, /pause and /resume with their
buttons, /delete with its confirm button, and the Adjust modal, as signed interactions into the
RESTBot against the in-memory Notion."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botkit import MANAGE_GUILD, BotHarness, Reply, click, slash, submit
from botworld import World, new_world, wait_entries, wait_lines

from bot.correction_replies import RESTORE_HELP
from bot.format import QUEUED
from bot.logs import COMMAND_LOGGER

ALICE = "100000000000000001"
BOB = "100000000000000002"
TOKEN = "secret_corrections_token"


@pytest.fixture
def world() -> World:
    return new_world(("Acme", "Globex"), TOKEN)


async def press(
    bot: BotHarness, reply: Reply, label: str, user_id: str = ALICE, **kw: Any
) -> Reply:
    return await bot.send(click(reply.button(label), user_id=user_id, message=reply, **kw))


def one_line(reply: Reply) -> str:
    assert reply.content and "\n" not in reply.content, reply.content
    return reply.content


# -- /log -------------------------------------------------------------------------------------


async def test_log_writes_an_ended_entry_ending_now(
    world: World, bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=COMMAND_LOGGER)
    reply = await bot.send(
        slash("log", user_id=ALICE, client="globex", duration="1h 20m", note="call")
    )

    (entry,) = world.entries()
    assert (entry.client, entry.name, entry.note) == ("Globex", "Globex", "call")
    assert entry.end == bot.clock.now and entry.start == bot.clock.now - timedelta(minutes=80)
    assert reply.content.startswith(
        "Logged **Globex** Mon 16 Nov 07:40–09:00 Europe/London, 1h 20m. [Notion page]"
    )
    assert "Note: call" in reply.content and "overlaps" not in reply.content
    assert reply.buttons == [
        ("Start again", f"tt:again:{entry.page_id}"),
        ("Adjust", f"tt:adjust:{entry.page_id}"),
    ]
    (line,) = await wait_lines(caplog, 1)
    assert line["command"] == "log" and line["outcome"] == "ok" and line["changed"] is True
    # The data source once (then cached), the create, the query for what it overlaps.
    assert line["notion_requests"] == 3


@pytest.mark.parametrize("options", [{"end": "08:30"}, {"start": "2026-11-16 07:00"}])
async def test_log_by_end_or_start(world: World, bot: BotHarness, options: dict[str, str]) -> None:
    await bot.send(slash("log", user_id=ALICE, client="Acme", duration="90m", **options))
    (entry,) = world.entries()
    # Whichever was given, the entry is 07:00-08:30 (London is on UTC in November).
    assert entry.start == bot.clock.now - timedelta(hours=2)
    assert entry.end == bot.clock.now - timedelta(minutes=30)


async def test_log_says_what_it_overlaps_by_short_ref(world: World, bot: BotHarness) -> None:
    await bot.send(slash("start", "timer", user_id=ALICE, client="Acme", at="08:00"))
    reply = await bot.send(slash("log", user_id=ALICE, client="Globex", duration="30m"))
    acme, globex = world.entries()
    assert globex.client == "Globex"
    ref = acme.page_id.replace("-", "")[:8] if acme.page_id else ""
    assert f"⚠ It overlaps **Acme** Mon 16 Nov 08:00–now (`{ref}`)" in reply.content


@pytest.mark.parametrize(
    ("options", "answer"),
    [
        (
            {"duration": "2 parsecs"},
            'The duration "2 parsecs" can\'t be read; type one like 1h 20m, 80m, 1:20, 1.5h, '
            "4800s or 90 (minutes).",
        ),
        (
            {"duration": "25h"},
            'The duration "25h" is over 24h; type more than 0 and at most 24h, like 1h 20m, '
            "80m, 1:20, 1.5h, 4800s or 90 (minutes).",
        ),
        (
            {"duration": "0"},
            'The duration "0" is zero; type more than 0 and at most 24h, like 1h 20m, 80m, '
            "1:20, 1.5h, 4800s or 90 (minutes).",
        ),
        (
            {"duration": "1h", "end": "half past"},
            'The time "half past" can\'t be read; type now, 14:30, 9:05am, yesterday 17:00, '
            "mon 09:00, 2026-03-02 09:00, -15m or 15m ago.",
        ),
        (
            {"duration": "1h", "end": "2026-11-16 25:00"},
            'The time "2026-11-16 25:00" has no such time of day; type 00:00 to 23:59, or '
            "12:00am to 11:59pm.",
        ),
        (
            {"duration": "1h", "end": "2026-11-17 10:00"},
            'The time "2026-11-17 10:00" is in the future (it is Mon 16 Nov 09:00 now); '
            "type a time up to now.",
        ),
        (
            {"duration": "1h", "end": "08:00", "start": "07:00"},
            "The log takes an end or a start, not both.",
        ),
    ],
)
async def test_log_refuses_bad_input_in_one_line_and_writes_nothing(
    world: World, bot: BotHarness, options: dict[str, str], answer: str
) -> None:
    reply = await bot.send(slash("log", user_id=ALICE, client="Acme", **options))
    assert one_line(reply) == answer
    assert world.writes() == 0 and world.entries() == []


async def test_log_while_notion_is_down_is_saved_then_applied_once(
    world: World, bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=COMMAND_LOGGER)
    # 503s: Notion refuses every request, so nothing was created (a 500 to a create leaves a
    # doubt the engine settles by looking the page up for up to 10 s: too slow here).
    world.fake.faults.fail_next(status=503, count=1000)
    reply = await bot.send(slash("log", user_id=ALICE, client="Acme", duration="45m"))

    assert reply.content.startswith("Logged **Acme** Mon 16 Nov 08:15–09:00 Europe/London, 45m.")
    assert "(not in Notion yet)" in reply.content and QUEUED in reply.content
    assert world.entries() == []
    (line,) = await wait_lines(caplog, 1)
    assert line["outcome"] == "queued" and line["changed"] is True

    world.fake.faults.clear()
    (entry,) = await wait_entries(world, lambda e: len(e) == 1)
    assert (entry.client, entry.end, entry.duration(bot.clock.now)) == (
        "Acme",
        bot.clock.now,
        timedelta(minutes=45),
    )
    await asyncio.sleep(0.2)  # the replayer has nothing left: no second page
    assert len(world.entries()) == 1 and bot.model.ledger.pending(ALICE) == []


# -- at: on /start and /end ---------------------------------------------------------------------


async def test_start_and_end_at_a_typed_time(world: World, bot: BotHarness) -> None:
    started = await bot.send(slash("start", "timer", user_id=ALICE, client="Acme", at="08:15"))
    assert started.content.startswith("Started **Acme** at 08:15 Europe/London.")
    assert "was read as" not in started.content
    bot.clock.advance(hours=1)
    ended = await bot.send(slash("end", "timer", user_id=ALICE, at="-20m"))
    (entry,) = world.entries()
    assert entry.start == bot.clock.now - timedelta(minutes=105)
    assert entry.end == bot.clock.now - timedelta(minutes=20)
    assert ended.content.startswith("**Acme** stopped: started 08:15 Europe/London, total 1h 25m.")


async def test_start_custom_at_an_ambiguous_time_says_how_it_was_read(
    world: World, bot: BotHarness
) -> None:
    # 01:30 happened twice in London that night (BST ended): the first, and the reply says so.
    at = "2026-10-25 01:30"
    reply = await bot.send(
        slash("start", "custom", user_id=ALICE, name="Late call", client="Acme", at=at)
    )
    (entry,) = world.entries()
    assert entry.start == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert f'"{at}" was read as' in reply.content
    assert "UTC+01:00, the first of the two 01:30s" in reply.content


async def test_end_at_before_the_start_is_refused_and_the_timer_runs_on(
    world: World, bot: BotHarness
) -> None:
    await bot.send(slash("start", "timer", user_id=ALICE, client="Acme"))
    bot.clock.advance(minutes=30)
    writes = world.writes()
    reply = await bot.send(slash("end", "timer", user_id=ALICE, at="08:30"))
    assert one_line(reply).startswith("That stop (")
    assert reply.content.endswith(
        "is before the entry's Start (Mon 16 Nov 09:00 Europe/London); nothing was changed. "
        "Give a time after it."
    )
    assert world.writes() == writes and world.entries()[0].end is None


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        (("start", "timer"), 'The time "soonish" can\'t be read'),
        (("end", "timer"), 'The time "soonish" can\'t be read'),
    ],
)
async def test_a_bad_at_is_one_line(
    world: World, bot: BotHarness, command: tuple[str, str], answer: str
) -> None:
    await bot.send(slash("start", "timer", user_id=ALICE, client="Globex"))
    writes = world.writes()
    reply = await bot.send(slash(*command, user_id=ALICE, client="Acme", at="soonish"))
    assert one_line(reply).startswith(answer)
    assert world.writes() == writes


# -- /pause, /resume and their buttons ----------------------------------------------------------


async def test_pause_button_then_resume_button(world: World, bot: BotHarness) -> None:
    started = await bot.send(slash("start", "custom", user_id=ALICE, name="Spec", client="Acme"))
    bot.clock.advance(minutes=40)

    paused = await press(bot, started, "Pause")

    assert paused.updated
    (entry,) = world.entries()
    assert entry.end == bot.clock.now and entry.paused
    assert paused.content.startswith(
        "Paused **Spec (Acme)** at 09:40 Europe/London (this stretch 40m)."
    )
    assert paused.buttons == [("Resume", f"tt:resume:{entry.page_id}")]
    bot.clock.advance(minutes=20)

    resumed = await press(bot, paused, "Resume")

    assert resumed.updated
    first, second = world.entries()
    assert not first.paused and first.end == bot.clock.now - timedelta(minutes=20)
    assert (second.name, second.client, second.start, second.end) == (
        "Spec",
        "Acme",
        bot.clock.now,
        None,
    )
    assert resumed.content.startswith("Resumed **Spec (Acme)** at 10:00 Europe/London.")
    assert resumed.buttons == [
        ("Stop", f"tt:stop:{second.page_id}"),
        ("Pause", f"tt:pause:{second.page_id}"),
    ]
    # The same Resume again: that session goes on already, nothing is started.
    again = await press(bot, paused, "Resume")
    assert again.apart
    assert one_line(again) == (
        "That timer is no longer paused (resumed or ended since) now; nothing was started."
    )
    assert len(world.entries()) == 2


async def test_pause_and_resume_commands(world: World, bot: BotHarness) -> None:
    nothing = await bot.send(slash("pause", user_id=ALICE))
    assert one_line(nothing) == "You have no running timer."
    none_yet = await bot.send(slash("resume", user_id=ALICE))
    assert one_line(none_yet) == (
        "You have nothing to resume: no paused timer and no earlier entry."
    )
    await bot.send(slash("start", "timer", user_id=ALICE, client="Globex", note="n"))
    bot.clock.advance(minutes=10)
    paused = await bot.send(slash("pause", user_id=ALICE))
    assert paused.content.startswith("Paused **Globex** at 09:10 Europe/London")
    bot.clock.advance(minutes=5)
    resumed = await bot.send(slash("resume", user_id=ALICE))
    assert resumed.content.startswith("Resumed **Globex** at 09:15 Europe/London.")
    assert (
        "It goes on from **Globex** Mon 16 Nov 09:00–09:10 Europe/London, 10m." in resumed.content
    )
    first, second = world.entries()
    assert (second.client, second.note, second.end) == ("Globex", "n", None)
    assert not first.paused


async def test_a_stale_pause_button_pauses_nothing(world: World, bot: BotHarness) -> None:
    started = await bot.send(slash("start", "timer", user_id=ALICE, client="Acme"))
    await bot.send(slash("end", "timer", user_id=ALICE))
    writes = world.writes()
    stale = await press(bot, started, "Pause")
    assert stale.apart and one_line(stale) == "That timer is stopped now; nothing was paused."
    assert world.writes() == writes


async def test_someone_else_pressing_pause_is_refused(world: World, bot: BotHarness) -> None:
    started = await bot.send(slash("start", "timer", user_id=ALICE, client="Acme"))
    refused = await press(bot, started, "Pause", user_id=BOB, permissions=MANAGE_GUILD)
    assert one_line(refused) == "That timer belongs to someone else; only its owner can pause it."
    assert world.entries()[0].end is None


# -- /delete entry and its confirm button ---------------------------------------------------------


async def test_delete_asks_then_the_button_trashes_the_page(
    world: World, bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=COMMAND_LOGGER)
    await bot.send(slash("log", user_id=ALICE, client="Acme", duration="1h"))
    (entry,) = world.entries()
    assert entry.page_id is not None
    short = entry.page_id.replace("-", "")[:8]

    asked = await bot.send(slash("delete", "entry", user_id=ALICE, entry=short))

    assert asked.content == (
        "Delete **Acme** Mon 16 Nov 08:00–09:00 Europe/London, 1h 00m? Its page goes to "
        "Notion's trash. Press Delete to confirm."
    )
    assert asked.buttons == [("Delete", f"tt:delete:{entry.page_id}")]
    assert world.fake.page(entry.page_id)["in_trash"] is False

    deleted = await press(bot, asked, "Delete")

    assert deleted.updated and deleted.buttons == []
    assert deleted.content == (
        "Deleted **Acme** Mon 16 Nov 08:00–09:00 Europe/London, 1h 00m: its page is in "
        f"Notion's trash. {RESTORE_HELP}"
    )
    assert world.fake.page(entry.page_id)["in_trash"] is True and world.entries() == []
    lines = await wait_lines(caplog, 3)
    assert [line["command"] for line in lines] == ["log", "delete entry", "button:delete"]
    assert lines[1]["outcome"] == "asked" and lines[2]["changed"] is True


async def test_delete_someone_elses_entry_is_refused_unless_a_manager(
    world: World, bot: BotHarness
) -> None:
    await bot.send(slash("log", user_id=ALICE, client="Acme", duration="1h"))
    (entry,) = world.entries()
    assert entry.page_id is not None
    refused = await bot.send(slash("delete", "entry", user_id=BOB, entry=entry.page_id))
    assert one_line(refused) == "That entry belongs to someone else; only its owner can delete it."
    forged = await bot.send(click(f"tt:delete:{entry.page_id}", user_id=BOB))
    assert one_line(forged) == "That entry belongs to someone else; only its owner can delete it."
    assert world.fake.page(entry.page_id)["in_trash"] is False

    asked = await bot.send(
        slash("delete", "entry", user_id=BOB, permissions=MANAGE_GUILD, entry=entry.page_id)
    )
    assert f"(an entry of <@{ALICE}>)" in asked.content
    deleted = await press(bot, asked, "Delete", user_id=BOB, permissions=MANAGE_GUILD)
    assert deleted.content.startswith(
        f"Deleted **Acme** Mon 16 Nov 08:00–09:00 Europe/London, 1h 00m (an entry of <@{ALICE}>)"
    )
    assert world.fake.page(entry.page_id)["in_trash"] is True


async def test_delete_of_no_such_entry_is_one_line(world: World, bot: BotHarness) -> None:
    reply = await bot.send(slash("delete", "entry", user_id=ALICE, entry="deadbeef"))
    assert one_line(reply) == (
        "No time entry deadbeef in the timesheet database (none of your entries of the last "
        "62 days)."
    )


# -- Adjust ---------------------------------------------------------------------------------------


async def stopped_after(bot: BotHarness, minutes: int) -> Reply:
    await bot.send(slash("start", "timer", user_id=ALICE, client="Acme"))
    bot.clock.advance(minutes=minutes)
    return await bot.send(slash("end", "timer", user_id=ALICE))


async def test_adjust_opens_a_modal_and_a_duration_moves_the_end(
    world: World, bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=COMMAND_LOGGER)
    ended = await stopped_after(bot, 95)
    (entry,) = world.entries()
    requests = sum(world.fake.requests.values())

    opened = await press(bot, ended, "Adjust")

    assert sum(world.fake.requests.values()) == requests  # the modal needs no Notion read
    assert opened.response == {
        "type": 9,
        "data": {
            "title": f"Adjust entry {entry.page_id.replace('-', '')[:8] if entry.page_id else ''}",
            "custom_id": f"tt:adjust:{entry.page_id}",
            "components": [
                {
                    "type": 1,
                    "components": [
                        {
                            "type": 4,
                            "custom_id": opened.form.inputs[0]["custom_id"],
                            "label": "Effective duration or end time",
                            "style": 1,
                            "placeholder": "1h 20m keeps Start and moves End; 17:30 or "
                            "2026-11-30 17:30 sets End",
                            "required": True,
                            "min_length": 0,
                            "max_length": 40,
                        }
                    ],
                }
            ],
        },
    }
    adjusted = await bot.send(opened.form.submit(user_id=ALICE, message=ended, amount="1h 20m"))

    assert adjusted.updated  # the /end reply the button sits on now shows the adjusted entry
    (entry,) = world.entries()
    assert entry.end == entry.start + timedelta(minutes=80)
    assert adjusted.content.startswith(
        "Adjusted **Acme** Mon 16 Nov 09:00–10:20 Europe/London, 1h 20m. [Notion page]"
    )
    assert "Was: **Acme** Mon 16 Nov 09:00–10:35 Europe/London, 1h 35m." in adjusted.content
    assert [label for label, _ in adjusted.buttons] == ["Start again", "Adjust"]
    lines = await wait_lines(caplog, 4)
    assert [line["command"] for line in lines[2:]] == ["button:adjust", "modal:adjust"]
    assert lines[2]["outcome"] == "modal" and lines[2]["notion_requests"] == 0
    assert lines[3]["outcome"] == "ok" and lines[3]["notion_requests"] == 3


@pytest.mark.parametrize(
    ("amount", "end_minutes"),
    [("10:10", 70), ("2026-11-16 09:45", 45), ("30m ago", 65), ("1:20", 80), ("50", 50)],
)
async def test_adjust_takes_an_end_time_or_a_duration(
    world: World, bot: BotHarness, amount: str, end_minutes: int
) -> None:
    ended = await stopped_after(bot, 95)
    opened = await press(bot, ended, "Adjust")
    await bot.send(opened.form.submit(user_id=ALICE, message=ended, amount=amount))
    (entry,) = world.entries()
    assert entry.end == entry.start + timedelta(minutes=end_minutes)


@pytest.mark.parametrize(
    ("amount", "answer"),
    [
        (
            "a while",
            '"a while" is neither a duration (1h 20m, 80m, 1:20) nor a time (17:30, '
            "2026-11-30 17:30, 15m ago).",
        ),
        ("08:30", "End must be after Start; nothing was changed."),
        (
            "2026-11-17 08:30",
            'The time "2026-11-17 08:30" is in the future (it is Mon 16 Nov 10:35 now); '
            "type a time up to now.",
        ),
    ],
)
async def test_a_bad_adjustment_is_one_line_and_changes_nothing(
    world: World, bot: BotHarness, amount: str, answer: str
) -> None:
    ended = await stopped_after(bot, 95)
    (before,) = world.entries()
    opened = await press(bot, ended, "Adjust")
    reply = await bot.send(opened.form.submit(user_id=ALICE, message=ended, amount=amount))
    assert reply.apart and one_line(reply) == answer
    assert world.entries() == [before]


async def test_adjusting_someone_elses_entry_is_refused(world: World, bot: BotHarness) -> None:
    ended = await stopped_after(bot, 30)
    (entry,) = world.entries()
    forged = submit(f"tt:adjust:{entry.page_id}", {"amount:x": "5m"}, user_id=BOB, message=ended)
    reply = await bot.send(forged)
    assert one_line(reply) == "That entry belongs to someone else; only its owner can change it."
    assert world.entries() == [entry]
