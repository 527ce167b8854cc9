"""Every reply true: long names and notes are clipped (never the facts), replies fit Discord's
limits (the stand-in refuses what Discord refuses), and a reply lost after a write never says
that nothing changed."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta

import pytest
from botkit import CONTENT_LIMIT, BotHarness, autocomplete, click, slash
from botworld import World, command_lines, new_world, wait_lines
from notionkit import ALICE, make_entry, seed_entry

from bot.logs import COMMAND_LOGGER

TOKEN = "secret_limits_token"
#: As long as a note or a name may be (Notion's 2,000), ending in a mark a clip would lose.
LONG_NOTE = "n" * 1989 + "END-OF-NOTE"
LONG_NAME = "Refactoring " * 165 + "END-OF-NAME"


@pytest.fixture
def world() -> World:
    return new_world(("Acme", "Globex"), TOKEN)


def fits(text: str) -> bool:
    return 0 < len(text) <= CONTENT_LIMIT


async def test_a_long_note_is_clipped_in_the_reply_and_kept_whole_in_notion(
    world: World, bot: BotHarness
) -> None:
    assert len(LONG_NOTE) == len(LONG_NAME) + 9 == 2000
    reply = await bot.send(slash("start", "timer", user_id=ALICE, client="Acme", note=LONG_NOTE))

    assert bot.discord.refused == []
    assert fits(reply.content)
    assert reply.content.startswith("Started **Acme** at 09:00 Europe/London.")
    (entry,) = world.entries()
    assert entry.url is not None and entry.url in reply.content  # the facts are all there
    note_line = next(line for line in reply.content.splitlines() if line.startswith("Note: "))
    assert note_line.endswith("…") and "END-OF-NOTE" not in note_line
    assert entry.note == LONG_NOTE  # Notion has every character
    assert reply.buttons == [
        ("Stop", f"tt:stop:{entry.page_id}"),
        ("Pause", f"tt:pause:{entry.page_id}"),
    ]


async def test_a_long_name_never_breaks_start_active_autocomplete_stop_or_end(
    world: World, bot: BotHarness
) -> None:
    started = await bot.send(slash("start", "custom", user_id=ALICE, name=LONG_NAME))
    bot.clock.advance(minutes=7)
    active = await bot.send(slash("active", user_id=ALICE))
    choices = await bot.send(autocomplete("end", "timer", focused="entry", user_id=ALICE, entry=""))
    stopped = await bot.send(click(active.button("Stop"), user_id=ALICE, message=active))

    assert bot.discord.refused == []
    (entry,) = world.entries()
    assert entry.name == LONG_NAME and entry.end == bot.clock.now
    for reply in (started, active, stopped):
        assert fits(reply.content) and "END-OF-NAME" not in reply.content
        assert "Refactoring Refactoring" in reply.content and "…" in reply.content
        assert entry.url is not None and entry.url in reply.content
    assert started.content.startswith("Started **Refactoring")
    assert "(no client)** at 09:00 Europe/London." in started.content
    assert active.content.endswith(f"(no client)** since 09:00 Europe/London, elapsed 7m. "
                                   f"[Notion page](<{entry.url}>)")  # fmt: skip
    assert stopped.updated and "(no client)** stopped: started 09:00" in stopped.content
    [(name, value)] = choices.choices
    assert value == entry.page_id
    assert name.startswith("Refactoring") and name.endswith("… · since 09:00 Europe/London (7m)")


async def test_a_reply_naming_many_stopped_timers_is_split_never_cut(
    world: World, bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    """Pages Notion holds running (made there, or left by an old version): /end stops them
    all and names each one, over several messages of at most 2,000 characters."""
    start = bot.clock.now - timedelta(hours=1)
    for n in range(30):
        entry = make_entry(n, user=ALICE, name=f"{n:02d} {LONG_NAME}", start=start)
        seed_entry(world.fake, world.data_source_id, entry)

    caplog.set_level(logging.INFO, logger=COMMAND_LOGGER)
    reply = await bot.send(slash("end", "timer", user_id=ALICE))
    await wait_lines(caplog, 1)  # written once every message is sent

    assert bot.discord.refused == []
    messages = [call.payload["content"] for call in bot.messages(reply)]
    assert len(messages) > 1 and all(fits(m) for m in messages)
    said = "\n".join(messages)
    assert all(f"**{n:02d} Refactoring" in said for n in range(30))
    assert said.count("total 1h 00m") == 30
    assert all(e.end == bot.clock.now for e in world.entries())


async def test_an_unknown_client_refusal_fits_with_hundreds_of_presets(world: World) -> None:
    presets = ",".join(f"Client {i:03d} " + "x" * 80 for i in range(100))
    async with world.harness(PRESET_CLIENTS=presets, PRESETS_ONLY="true") as bot:
        reply = await bot.send(slash("start", "timer", user_id=ALICE, client="Nope"))
    assert bot.discord.refused == []
    assert fits(reply.content)
    assert reply.content.startswith('Unknown client "Nope". Choose one of: Client 000')
    assert world.entries() == []


async def test_a_reply_lost_after_a_write_is_logged_and_never_says_nothing_changed(
    world: World, bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    bot.discord.refuse_next()  # Discord refuses the reply to the /start that wrote the page

    reply = await bot.send(slash("start", "timer", user_id=ALICE, client="Acme"))

    (entry,) = world.entries()
    assert entry.client == "Acme" and entry.end is None
    assert "nothing was changed" not in reply.content
    assert reply.content == (
        "Your change was saved, but its reply could not be shown: /active shows where your "
        "timer stands."
    )
    (line,) = await wait_lines(caplog, 1)
    assert line["outcome"] == "reply_failed" and line["changed"] is True
    assert line["error"] == "NotFoundError"
    [warning] = [r for r in caplog.records if "could not be sent" in r.getMessage()]
    assert warning.getMessage() == (
        "the reply to start timer could not be sent after its change was saved: NotFoundError "
        "(HTTP 404, Discord code 10062)"
    )
    assert warning.exc_info is None  # a traceback would carry the interaction token
    assert all("itoken-" not in r.getMessage() for r in caplog.records)


async def test_a_reply_lost_without_a_change_says_nothing_changed(
    world: World, bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=COMMAND_LOGGER)
    bot.discord.refuse_next()

    reply = await bot.send(slash("active", user_id=ALICE))

    assert reply.content == "The reply could not be shown; nothing was changed."
    (line,) = await wait_lines(caplog, 1)
    assert line["outcome"] == "reply_failed" and "changed" not in line
    assert command_lines(caplog) == [line]


async def test_a_click_whose_update_is_lost_after_the_stop_says_it_was_saved(
    world: World, bot: BotHarness
) -> None:
    started = await bot.send(slash("start", "timer", user_id=ALICE, client="Acme"))
    bot.clock.advance(minutes=5)
    bot.discord.refuse_next()

    stopped = await bot.send(click(started.button("Stop"), user_id=ALICE, message=started))

    assert replace(world.entries()[0], note="").end == bot.clock.now
    assert stopped.apart and stopped.content.startswith("Your change was saved, but its reply")


async def test_a_bug_after_notion_took_the_write_never_says_nothing_changed(
    world: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Only the Notion write tells (the reply was never built): counted at the transport."""

    def broken(*args: object) -> None:
        raise RuntimeError("a bug in the reply")

    for module in ("bot.timer_replies", "bot.plugins.timer"):
        monkeypatch.setattr(f"{module}.start_reply", broken)
    caplog.set_level(logging.INFO)
    async with world.harness() as bot:
        reply = await bot.send(slash("start", "timer", user_id=ALICE, client="Acme"))

    assert [e.client for e in world.entries()] == ["Acme"]
    assert reply.content == (
        "Something went wrong on our side after part of your change was saved: /active shows "
        "where your timer stands."
    )
    (line,) = await wait_lines(caplog, 1)
    assert line["outcome"] == "error" and line["changed"] is True
    assert any(
        r.getMessage() == "command start timer failed after its change was saved"
        for r in caplog.records
    )
