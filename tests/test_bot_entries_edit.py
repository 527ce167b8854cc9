"""/entries with its select menu, and /edit entry with its modal, end to end: signed
interactions into the RESTBot against the in-memory Notion."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest
from botkit import MANAGE_GUILD, BotHarness, Reply, choose, slash, submit
from botworld import World, new_world, wait_entries, wait_lines

from bot.clicks import UNKNOWN_FORM
from bot.logs import COMMAND_LOGGER
from bot.menus import PICK_ID
from bot.modals import MODAL_DEADLINE
from timesheet.entries.model import TimeEntry

ALICE = "100000000000000001"
BOB = "100000000000000002"
TOKEN = "secret_edit_token"


@pytest.fixture
def world() -> World:
    return new_world(("Acme", "Globex"), TOKEN)


def short(entry: TimeEntry) -> str:
    assert entry.page_id is not None
    return entry.page_id.replace("-", "")[:8]


def one_line(reply: Reply) -> str:
    assert reply.content and "\n" not in reply.content, reply.content
    return reply.content


async def logged(bot: BotHarness, **options: str) -> None:
    reply = await bot.send(slash("log", user_id=ALICE, **options))
    assert reply.content.startswith("Logged"), reply.content


def edit_modal_body(entry: TimeEntry, form_ids: list[str], **values: str) -> dict[str, Any]:
    """The modal response Discord gets for the Edit modal (``form_ids``: its inputs' ids)."""
    labels = [
        ("Start (Europe/London)", "YYYY-MM-DD HH:MM", True, 1, 100),
        ("End (Europe/London; empty while it runs)", "YYYY-MM-DD HH:MM", False, 1, 100),
        ("Duration (keeps Start, moves End)", "1h 20m, 80m or 1:20", False, 1, 100),
        ("Client", None, False, 1, 100),
        ("Note", None, False, 2, 2000),
    ]
    rows = []
    for custom_id, (label, placeholder, required, style, max_length) in zip(
        form_ids, labels, strict=True
    ):
        text_input: dict[str, Any] = {
            "type": 4,
            "custom_id": custom_id,
            "label": label,
            "style": style,
            "required": required,
            "min_length": 0,
            "max_length": max_length,
        }
        if placeholder:
            text_input["placeholder"] = placeholder
        value = values[custom_id.split(":")[0]]
        if value:
            text_input["value"] = value
        rows.append({"type": 1, "components": [text_input]})
    return {
        "type": 9,
        "data": {
            "title": f"Edit entry {short(entry)}",
            "custom_id": f"tt:edit:{entry.page_id}",
            "components": rows,
        },
    }


# -- /entries and its menu -----------------------------------------------------------------------


async def test_entries_lists_the_week_with_marks_and_a_menu(
    world: World, bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=COMMAND_LOGGER)
    await logged(bot, client="Acme", duration="1h", end="2026-11-16 08:00")
    await logged(bot, client="Globex", duration="1h", end="2026-11-16 08:30")  # overlaps
    await bot.send(slash("start", "custom", user_id=ALICE, name="Spec", client="Acme"))
    bot.clock.advance(minutes=30)
    await bot.send(slash("pause", user_id=ALICE))
    bot.clock.advance(minutes=15)
    await bot.send(slash("start", "timer", user_id=ALICE, client="Globex"))
    bot.clock.advance(minutes=5)
    acme, globex, spec, running = world.entries()
    await logged(bot, client="Acme", duration="1h", end="2026-11-09 10:00")  # last week

    reply = await bot.send(slash("entries", user_id=ALICE))

    assert reply.content == "\n".join(
        [
            "Your entries, Week 2026-W47 (16–22 Nov 2026) (times in Europe/London):",
            f"`{short(acme)}` Mon 16 Nov 07:00–08:00 · 1h 00m · **Acme** · ⚠ overlaps",
            f"`{short(globex)}` Mon 16 Nov 07:30–08:30 · 1h 00m · **Globex** · ⚠ overlaps",
            f"`{short(spec)}` Mon 16 Nov 09:00–09:30 · 30m · **Spec (Acme)** · ⏸ paused",
            f"`{short(running)}` Mon 16 Nov 09:45–now · 5m · **Globex** · ▶ running",
            "Total: 2h 35m in 4 entries.",
        ]
    )
    assert reply.menu() == PICK_ID
    assert reply.options == [
        (f"{short(running)} · Globex · Mon 16 Nov 09:45–now", running.page_id),
        (f"{short(spec)} · Spec (Acme) · Mon 16 Nov 09:00–09:30", spec.page_id),
        (f"{short(globex)} · Globex · Mon 16 Nov 07:30–08:30", globex.page_id),
        (f"{short(acme)} · Acme · Mon 16 Nov 07:00–08:00", acme.page_id),
    ]
    lines = await wait_lines(caplog, 7)
    assert lines[-1]["command"] == "entries" and lines[-1]["notion_requests"] == 1

    last = await bot.send(slash("entries", user_id=ALICE, week="last"))
    assert last.content.startswith("Your entries, Week 2026-W46 (9–15 Nov 2026)")
    assert len(last.options) == 1
    other = await bot.send(slash("entries", user_id=BOB))
    assert other.content == "You have no entries in Week 2026-W47 (16–22 Nov 2026)."
    assert other.components == []


async def test_entries_with_a_bad_week_is_one_line(world: World, bot: BotHarness) -> None:
    reply = await bot.send(slash("entries", user_id=ALICE, week="someday"))
    assert one_line(reply) == "The week must be this, last or an ISO week such as 2026-W47."


async def test_more_than_25_entries_fit_the_menu_and_the_message_limit(
    world: World, bot: BotHarness
) -> None:
    for hour in range(30):
        end = f"2026-11-16 {hour % 9:02d}:{(hour // 9) * 10 + 5:02d}"
        await logged(bot, client="Acme", duration="5m", end=end, note="n" * 500)
    reply = await bot.send(slash("entries", user_id=ALICE))
    assert len(reply.options) == 25  # botkit checks every limit Discord has
    assert "The menu below holds the latest 25; /edit entry takes any ref shown." in reply.content


async def test_choosing_an_entry_in_the_menu_opens_the_edit_modal_prefilled(
    world: World, bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=COMMAND_LOGGER)
    await logged(bot, client="Acme", duration="1h 20m", end="08:30", note="design review")
    listed = await bot.send(slash("entries", user_id=ALICE))
    ((_, value),) = listed.options
    (entry,) = world.entries()

    opened = await bot.send(choose(PICK_ID, [value], user_id=ALICE, message=listed))

    ids = [i["custom_id"] for i in opened.form.inputs]
    assert opened.response == edit_modal_body(
        entry,
        ids,
        start="2026-11-16 07:10",
        end="2026-11-16 08:30",
        duration="1h 20m",
        client="Acme",
        note="design review",
    )
    lines = await wait_lines(caplog, 3)
    assert lines[-1]["command"] == "menu:edit" and lines[-1]["outcome"] == "modal"
    assert lines[-1]["notion_requests"] == 1  # one retrieve

    # Sent from the menu: the answer is a new message, the list stays.
    edited = await bot.send(opened.form.submit(user_id=ALICE, message=listed, note="retro"))
    assert edited.deferred and edited.ephemeral
    assert edited.final is not None and edited.final.path.endswith("/messages/@original")
    assert world.entries()[0].note == "retro"


async def test_a_menu_choice_naming_someone_elses_entry_is_refused(
    world: World, bot: BotHarness
) -> None:
    await logged(bot, client="Acme", duration="1h")
    (entry,) = world.entries()
    assert entry.page_id is not None
    reply = await bot.send(choose(PICK_ID, [entry.page_id], user_id=BOB))
    assert reply.response["type"] == 4 and reply.ephemeral
    assert one_line(reply) == "That entry belongs to someone else; only its owner can change it."


@pytest.mark.parametrize(
    ("custom_id", "values"),
    [("tt:pick", ["not-an-id"]), ("tt:pick", []), ("tt:other", ["0" * 32]), ("x", ["0" * 32])],
)
async def test_a_menu_we_did_not_make_is_one_line(
    world: World, bot: BotHarness, custom_id: str, values: list[str]
) -> None:
    reply = await bot.send(choose(custom_id, values, user_id=ALICE))
    assert one_line(reply) == UNKNOWN_FORM
    assert sum(world.fake.requests.values()) == 0


# -- /edit entry and its modal --------------------------------------------------------------------


async def test_edit_opens_a_prefilled_modal_and_applies_only_what_changed(
    world: World, bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=COMMAND_LOGGER)
    await logged(bot, client="Acme", duration="1h", end="08:00", note="first draft")
    (entry,) = world.entries()

    opened = await bot.send(slash("edit", "entry", user_id=ALICE, entry=short(entry)))

    ids = [i["custom_id"] for i in opened.form.inputs]
    assert [i.split(":")[0] for i in ids] == ["start", "end", "duration", "client", "note"]
    assert opened.response == edit_modal_body(
        entry,
        ids,
        start="2026-11-16 07:00",
        end="2026-11-16 08:00",
        duration="1h 00m",
        client="Acme",
        note="first draft",
    )
    requests = dict(world.fake.requests)

    edited = await bot.send(opened.form.submit(user_id=ALICE, start="2026-11-16 06:45"))

    (after,) = world.entries()
    assert after.start == entry.start - timedelta(minutes=15)
    assert (after.end, after.client, after.name, after.note) == (
        entry.end,
        "Acme",
        "Acme",
        "first draft",
    )
    assert edited.content == (
        "Edited **Acme** Mon 16 Nov 06:45–08:00 Europe/London, 1h 15m. "
        f"[Notion page](<{after.url}>)\n"
        "Was: **Acme** Mon 16 Nov 07:00–08:00 Europe/London, 1h 00m.\n"
        "Note: first draft"
    )
    assert [label for label, _ in edited.buttons] == ["Start again", "Adjust"]
    spent = {k: v - requests.get(k, 0) for k, v in world.fake.requests.items()}
    assert {k: v for k, v in spent.items() if v} == {
        "retrieve_page": 1,
        "update_page": 1,
        "query_data_source": 1,
    }
    lines = await wait_lines(caplog, 3)
    assert [(line["command"], line["outcome"]) for line in lines[1:]] == [
        ("edit entry", "modal"),
        ("modal:edit", "ok"),
    ]
    assert lines[1]["notion_requests"] == 2  # the short ref's query, the retrieve
    assert lines[2]["notion_requests"] == 3


async def test_editing_the_client_of_a_preset_timer_renames_it_but_not_a_custom_one(
    world: World, bot: BotHarness
) -> None:
    await logged(bot, client="Acme", duration="1h")
    await bot.send(slash("start", "custom", user_id=ALICE, name="Spec", client="Acme"))
    preset, custom = world.entries()
    for entry in (preset, custom):
        assert entry.page_id is not None
        opened = await bot.send(slash("edit", "entry", user_id=ALICE, entry=entry.page_id))
        await bot.send(opened.form.submit(user_id=ALICE, client="globex"))
    preset, custom = world.entries()
    assert (preset.client, preset.name) == ("Globex", "Globex")
    assert (custom.client, custom.name, custom.end) == ("Globex", "Spec", None)


async def test_a_running_entry_opens_with_end_and_duration_empty_and_a_duration_ends_it(
    world: World, bot: BotHarness
) -> None:
    await bot.send(slash("start", "timer", user_id=ALICE, client="Acme"))
    bot.clock.advance(minutes=50)
    (entry,) = world.entries()
    opened = await bot.send(slash("edit", "entry", user_id=ALICE, entry=short(entry)))
    assert opened.form.values == {
        "start": "2026-11-16 09:00",
        "end": "",
        "duration": "",
        "client": "Acme",
        "note": "",
    }
    edited = await bot.send(opened.form.submit(user_id=ALICE, duration="45m"))
    assert edited.content.startswith("Edited **Acme** Mon 16 Nov 09:00–09:45 Europe/London, 45m.")
    assert world.entries()[0].end == entry.start + timedelta(minutes=45)


@pytest.mark.parametrize(
    ("changes", "answer"),
    [
        ({"end": "2026-11-16 06:30"}, "End must be after Start; nothing was changed."),
        (
            {"start": "2026-11-16 08:30", "end": "2026-11-16 08:10"},
            "End must be after Start; nothing was changed.",
        ),
        ({"start": "2026-11-16 08:30"}, "End must be after Start; nothing was changed."),
        (
            {"start": "yesterday-ish"},
            'The time "yesterday-ish" can\'t be read; type now, 14:30, 9:05am, yesterday '
            "17:00, mon 09:00, 2026-03-02 09:00, -15m or 15m ago.",
        ),
        (
            {"end": "2026-11-16 12:00"},
            'The time "2026-11-16 12:00" is in the future (it is 09:00 now); type a time up '
            "to now.",
        ),
        (
            {"duration": "forever"},
            'The duration "forever" can\'t be read; type one like 1h 20m, 80m, 1:20, 1.5h, '
            "4800s or 90 (minutes).",
        ),
        (
            {"end": "2026-11-16 08:10", "duration": "2h"},
            "The edit takes an end or a duration, not both.",
        ),
        ({"end": ""}, "The End can't be emptied: an ended entry can't run again."),
        ({}, "The edit changes nothing: give a start, end, duration, client, name or note."),
        ({"client": "A,B"}, "The client can't contain a comma (Notion select options)."),
    ],
)
async def test_a_bad_edit_is_one_line_and_writes_nothing(
    world: World, bot: BotHarness, changes: dict[str, str], answer: str
) -> None:
    await logged(bot, client="Acme", duration="1h", end="08:00")
    (entry,) = world.entries()
    opened = await bot.send(slash("edit", "entry", user_id=ALICE, entry=short(entry)))
    writes = world.writes()
    reply = await bot.send(opened.form.submit(user_id=ALICE, **changes))
    assert one_line(reply) == answer
    assert world.writes() == writes and world.entries() == [entry]


async def test_someone_elses_entry_can_be_edited_only_by_a_manager(
    world: World, bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=COMMAND_LOGGER)
    await logged(bot, client="Acme", duration="1h", end="08:00")
    (entry,) = world.entries()
    assert entry.page_id is not None
    refused = await bot.send(slash("edit", "entry", user_id=BOB, entry=entry.page_id))
    assert refused.response["type"] == 4 and refused.ephemeral
    assert one_line(refused) == "That entry belongs to someone else; only its owner can change it."
    forged = submit(f"tt:edit:{entry.page_id}", {"note:0": "mine now"}, user_id=BOB)
    assert one_line(await bot.send(forged)) == (
        "That entry belongs to someone else; only its owner can change it."
    )
    assert world.entries() == [entry]

    opened = await bot.send(
        slash("edit", "entry", user_id=BOB, permissions=MANAGE_GUILD, entry=entry.page_id)
    )
    edited = await bot.send(
        opened.form.submit(user_id=BOB, permissions=MANAGE_GUILD, end="2026-11-16 08:30")
    )
    assert f"(an entry of <@{ALICE}>)" in edited.content
    assert world.entries()[0].end == entry.start + timedelta(minutes=90)
    lines = await wait_lines(caplog, 5)
    assert lines[-1]["acted_for"] == ALICE and lines[-1]["user_id"] == BOB


async def test_edit_of_a_bad_ref_is_one_line(world: World, bot: BotHarness) -> None:
    reply = await bot.send(slash("edit", "entry", user_id=ALICE, entry="not a ref"))
    assert reply.response["type"] == 4
    assert one_line(reply).startswith('"not a ref" is not a Notion page id or page URL')


async def test_a_slow_notion_refuses_the_modal_in_time(world: World, bot: BotHarness) -> None:
    await logged(bot, client="Acme", duration="1h")
    (entry,) = world.entries()
    world.fake.faults.latency = MODAL_DEADLINE + 0.5
    reply = await bot.send(slash("edit", "entry", user_id=ALICE, entry=entry.page_id or ""))
    assert reply.response["type"] == 4
    assert one_line(reply).startswith(
        "Notion is slow to answer right now, so the form could not open"
    )


async def test_edit_while_notion_is_down_is_saved_and_applied(
    world: World, bot: BotHarness
) -> None:
    await logged(bot, client="Acme", duration="1h", end="08:00")
    (entry,) = world.entries()
    opened = await bot.send(slash("edit", "entry", user_id=ALICE, entry=short(entry)))
    world.fake.faults.fail_next(status=503, count=1000)
    saved = await bot.send(opened.form.submit(user_id=ALICE, note="later"))
    assert saved.content.endswith("will be written to Notion as soon as it answers.")
    world.fake.faults.clear()
    (after,) = await wait_entries(world, lambda e: e[0].note == "later")
    assert (after.start, after.end) == (entry.start, entry.end)


@pytest.mark.parametrize("custom_id", ["tt:edit:nope", "tt:rename:" + "0" * 32, "modal"])
async def test_a_modal_we_did_not_make_is_one_line(
    world: World, bot: BotHarness, custom_id: str
) -> None:
    reply = await bot.send(submit(custom_id, {"note:0": "x"}, user_id=ALICE))
    assert one_line(reply) == UNKNOWN_FORM
    assert sum(world.fake.requests.values()) == 0


async def test_long_names_and_notes_fit_every_reply_menu_and_modal(
    world: World, bot: BotHarness
) -> None:
    """botkit refuses what Discord refuses (content, menus, modals): nothing is refused."""
    name, note = "Refactoring " * 165 + "END", "n" * 1997 + "END"
    client = "C" * 100
    await bot.send(slash("start", "custom", user_id=ALICE, name=name, client=client, note=note))
    bot.clock.advance(minutes=5)
    paused = await bot.send(slash("pause", user_id=ALICE))
    listed = await bot.send(slash("entries", user_id=ALICE))
    (entry,) = world.entries()
    opened = await bot.send(choose(PICK_ID, [entry.page_id or ""], user_id=ALICE, message=listed))
    assert opened.form.values["note"] == note and opened.form.values["client"] == client
    edited = await bot.send(opened.form.submit(user_id=ALICE, duration="4m"))
    asked = await bot.send(slash("delete", "entry", user_id=ALICE, entry=short(entry)))

    assert bot.discord.refused == []
    for reply in (paused, listed, edited, asked):
        assert 0 < len(reply.content) <= 2000 and "END" not in reply.content
        assert "Refactoring Refactoring" in reply.content
    (label, _), *_ = listed.options
    assert len(label) == 100 and label.endswith("…")
    assert world.entries()[0].end == entry.start + timedelta(minutes=4)
