"""/panel end to end: the posted message's buttons, clicked by several people, each starting
and stopping their own timer through the same rules as the commands."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from botkit import MANAGE_GUILD, BotHarness, Reply, click, slash
from botworld import World, new_world, wait_lines
from notionkit import ALICE, BOB, T0

from bot.auth import REFUSAL
from bot.logs import COMMAND_LOGGER
from bot.panel import PanelAction, PanelButton, panel_rows, parse_panel_id

TOKEN = "secret_panel_token"


@pytest.fixture
def world() -> World:
    return new_world(("Acme", "Globex"), TOKEN)


async def post_panel(bot: BotHarness) -> Reply:
    return await bot.send(slash("panel", user_id=ALICE, permissions=MANAGE_GUILD))


async def test_the_panel_is_a_message_everyone_sees_with_a_button_per_client(
    bot: BotHarness,
) -> None:
    panel = await post_panel(bot)

    assert panel.response["type"] == 4 and not panel.ephemeral
    assert panel.content.startswith("**Time tracking.** Click a client to start your timer")
    assert panel.buttons == [
        ("Acme", "tt:pstart:Acme"),
        ("Globex", "tt:pstart:Globex"),
        ("Stop", "tt:pstop:-"),
        ("My timer", "tt:pmine:-"),
    ]
    assert [len(row["components"]) for row in panel.components] == [2, 2]


async def test_only_managers_post_it(world: World, bot: BotHarness) -> None:
    refused = await bot.send(slash("panel", user_id=BOB))
    assert refused.ephemeral
    assert refused.content == "Only members with Manage Server can post the panel."


async def test_a_click_starts_that_client_for_whoever_clicked(
    world: World, bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=COMMAND_LOGGER)
    panel = await post_panel(bot)
    await bot.send(click(panel.button("Acme"), user_id=ALICE, message=panel))
    await bot.send(slash("start", "timer", user_id=BOB, client="Acme"))
    bot.clock.advance(minutes=40)

    started = await bot.send(click(panel.button("Globex"), user_id=BOB, message=panel))

    # A new message only Bob sees (deferred with the ephemeral flag); the panel stays.
    assert started.deferred and started.ephemeral
    assert started.content.startswith("Started **Globex** at 09:40 Europe/London.")
    assert "Stopped **Acme** (started 09:00 Europe/London, total 40m)." in started.content
    alice, bob_acme, bob_globex = world.entries()
    assert (alice.user_id, alice.client, alice.end) == (ALICE, "Acme", None)
    assert (bob_acme.user_id, bob_acme.end) == (BOB, T0 + timedelta(minutes=40))
    assert (bob_globex.user_id, bob_globex.start) == (BOB, bob_acme.end)  # the same instant
    assert bob_globex.end is None

    mine = await bot.send(click(panel.button("My timer"), user_id=BOB, message=panel))
    assert mine.ephemeral and mine.content.startswith("Running: **Globex** since 09:40")

    bot.clock.advance(minutes=5)
    stopped = await bot.send(click(panel.button("Stop"), user_id=BOB, message=panel))
    assert stopped.content.startswith("**Globex** stopped: started 09:40 Europe/London")
    assert world.entries()[2].end == T0 + timedelta(minutes=45)
    assert world.entries()[0].end is None  # Alice's still runs

    nothing = await bot.send(click(panel.button("Stop"), user_id=BOB, message=panel))
    assert nothing.content == "You have no running timer."
    lines = await wait_lines(caplog, 7)
    panel_lines = [line for line in lines if line["command"].startswith("panel:")]
    assert [(line["command"], line["user_id"]) for line in panel_lines] == [
        ("panel:start", ALICE),
        ("panel:start", BOB),
        ("panel:mine", BOB),
        ("panel:stop", BOB),
        ("panel:stop", BOB),
    ]


async def test_clicks_follow_the_allow_list(world: World) -> None:
    async with world.harness(ALLOWED_USER_IDS=ALICE) as bot:
        panel = await post_panel(bot)
        refused = await bot.send(click(panel.button("Acme"), user_id=BOB, message=panel))
        assert refused.content == REFUSAL
        assert world.entries() == []


async def test_a_panel_posted_before_a_restart_still_works(world: World) -> None:
    async with world.harness() as first:
        panel = await post_panel(first)
    async with world.harness() as second:
        started = await second.send(click(panel.button("Acme"), user_id=BOB, message=panel))
    assert started.content.startswith("Started **Acme**")
    (entry,) = world.entries()
    assert entry.user_id == BOB


@pytest.mark.parametrize(
    ("custom_id", "parsed"),
    [
        ("tt:pstart:Acme", PanelButton(PanelAction.START, "Acme")),
        ("tt:pstart:R&D: lab", PanelButton(PanelAction.START, "R&D: lab")),
        ("tt:pstop:-", PanelButton(PanelAction.STOP)),
        ("tt:pmine:-", PanelButton(PanelAction.MINE)),
        ("tt:pstop:Acme", None),
        ("tt:pstart:", None),
        ("tt:stop:" + "1" * 32, None),
        ("xx:pstart:Acme", None),
    ],
)
def test_panel_custom_ids(custom_id: str, parsed: PanelButton | None) -> None:
    assert parse_panel_id(custom_id) == parsed
    if parsed is not None:
        assert parsed.custom_id == custom_id


def test_at_most_20_client_buttons_in_rows_of_5_then_stop_and_my_timer() -> None:
    clients = [f"Client {n}" for n in range(25)] + ["x" * 95]
    rows = [row.build()[0] for row in panel_rows(clients)]
    assert [len(row["components"]) for row in rows] == [5, 5, 5, 5, 2]
    labels = [button["label"] for row in rows for button in row["components"]]
    assert labels[:20] == clients[:20] and labels[20:] == ["Stop", "My timer"]


async def test_the_panel_offers_the_clients_databases_clients_after_the_presets(
    world: World,
) -> None:
    from clientskit import add_clients_database, client_row

    clients_id, _ = add_clients_database(
        world.fake,
        [client_row("Initech", 90), client_row("acme"), client_row("Oldco", archived=True)],
    )
    env = world.env(NOTION_CLIENTS_DATABASE_ID=clients_id)
    async with BotHarness(env, transport=world.fake.transport()) as bot:
        panel = await post_panel(bot)
    labels = [label for label, _ in panel.buttons]
    assert labels == ["Acme", "Globex", "Initech", "Stop", "My timer"]


async def test_a_clients_database_button_works_with_presets_only_after_a_restart(
    world: World,
) -> None:
    # The first thing the new process sees is the click, not a command: it must read the
    # Clients database too before PRESETS_ONLY judges the client.
    from clientskit import add_clients_database, client_row

    clients_id, _ = add_clients_database(world.fake, [client_row("Initech", 90)])
    env = world.env(NOTION_CLIENTS_DATABASE_ID=clients_id, PRESETS_ONLY="true")
    async with BotHarness(env, transport=world.fake.transport()) as first:
        panel = await post_panel(first)
    async with BotHarness(env, transport=world.fake.transport()) as second:
        started = await second.send(click(panel.button("Initech"), user_id=BOB, message=panel))
    assert started.content.startswith("Started **Initech**")
    (entry,) = world.entries()
    assert (entry.user_id, entry.client) == (BOB, "Initech")
