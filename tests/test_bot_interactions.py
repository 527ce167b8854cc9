"""End to end: signed interactions over HTTP to our RESTBot, against the in-memory Notion."""

from __future__ import annotations

import json
import logging

import pytest
from botkit import APP_ID, MANAGE_GUILD, BotHarness, Signer, autocomplete, slash
from botworld import World, new_world, wait_entries, wait_lines

from bot.logs import COMMAND_LOGGER
from timesheet.entries.schema import expected_schema

ALICE = "100000000000000001"
BOB = "100000000000000002"
TOKEN = "secret_e2e_token"


@pytest.fixture
def world() -> World:
    return new_world(("Acme", "Globex", "Initech"), TOKEN)


async def test_start_timer_writes_one_page_and_replies_ephemerally(
    world: World, bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=COMMAND_LOGGER)
    reply = await bot.send(slash("start", "timer", user_id=ALICE, client="acme"))

    assert reply.status == 200
    assert reply.deferred and reply.ephemeral  # type 5 carrying flags 64
    assert reply.final is not None and reply.final.method == "PATCH"
    assert reply.final.path.endswith("/messages/@original")
    (entry,) = world.entries()
    assert (entry.client, entry.name, entry.user_id) == ("Acme", "Acme", ALICE)
    assert entry.start == bot.clock.now and entry.end is None
    assert "Started **Acme** at 09:00 Europe/London." in reply.content
    assert entry.url is not None and entry.url in reply.content
    # 1 to find the data source (cached afterwards), 1 query for a running timer, 1 write.
    assert world.fake.requests["create_page"] == 1
    assert world.fake.requests["query_data_source"] == 1

    (line,) = await wait_lines(caplog, 1)
    assert line["command"] == "start timer" and line["user_id"] == ALICE
    assert line["outcome"] == "ok" and line["notion_requests"] == 3
    assert line["latency_ms"] >= 0


async def test_autocomplete_offers_presets_and_database_options_filtered(
    world: World, bot: BotHarness
) -> None:
    everything = await bot.send(
        autocomplete("start", "timer", focused="client", user_id=ALICE, client="")
    )
    assert everything.response["type"] == 8
    assert everything.choices == [("Acme", "Acme"), ("Globex", "Globex"), ("Initech", "Initech")]

    typed = await bot.send(
        autocomplete("start", "timer", focused="client", user_id=ALICE, client="EX")
    )
    assert typed.choices == [("Globex", "Globex")]
    typed = await bot.send(
        autocomplete("start", "timer", focused="client", user_id=ALICE, client="c")
    )
    assert typed.choices == [("Acme", "Acme"), ("Initech", "Initech")]
    # The database's options are read once, then cached.
    assert world.fake.requests["retrieve_data_source"] == 1


async def test_autocomplete_shows_at_most_25_choices(world: World) -> None:
    many = ",".join(f"Client {i:02d}" for i in range(40))
    async with world.harness(PRESET_CLIENTS=many) as bot:
        reply = await bot.send(
            autocomplete("start", "custom", focused="client", user_id=ALICE, name="x", client="")
        )
    assert len(reply.choices) == 25
    assert reply.choices[0] == ("Client 00", "Client 00")


async def test_start_custom_with_and_without_client(world: World, bot: BotHarness) -> None:
    first = await bot.send(slash("start", "custom", user_id=ALICE, name="Writing the spec"))
    assert "Started **Writing the spec (no client)**" in first.content
    bot.clock.advance(minutes=30)
    second = await bot.send(
        slash("start", "custom", user_id=ALICE, name="Call", client="Globex", note="kick-off")
    )
    assert "Started **Call (Globex)** at 09:30" in second.content
    assert "Note: kick-off" in second.content
    assert "Stopped **Writing the spec (no client)**" in second.content
    spec, call = world.entries()
    assert (spec.name, spec.client, spec.end) == ("Writing the spec", "", call.start)
    assert (call.name, call.client, call.note, call.end) == ("Call", "Globex", "kick-off", None)


async def test_active_shows_client_start_elapsed_and_link(world: World, bot: BotHarness) -> None:
    nothing = await bot.send(slash("active", user_id=ALICE))
    assert nothing.ephemeral and nothing.content == "You have no running timer."

    await bot.send(slash("start", "timer", user_id=ALICE, client="Globex"))
    bot.clock.advance(hours=1, minutes=15)
    reply = await bot.send(slash("active", user_id=ALICE))
    (entry,) = world.entries()
    assert reply.ephemeral
    assert "Running: **Globex** since 09:00 Europe/London, elapsed 1h 15m." in reply.content
    assert f"(<{entry.url}>)" in reply.content


async def test_end_timer_current(world: World, bot: BotHarness) -> None:
    await bot.send(slash("start", "timer", user_id=ALICE, client="Acme"))
    bot.clock.advance(minutes=50)
    before = sum(world.fake.requests.values())
    reply = await bot.send(slash("end", "timer", user_id=ALICE))
    assert reply.ephemeral
    assert "**Acme** stopped: started 09:00 Europe/London, total 50m." in reply.content
    (entry,) = world.entries()
    assert entry.end == bot.clock.now
    # /end: one query for the running timer, one write.
    assert sum(world.fake.requests.values()) - before == 2

    again = await bot.send(slash("end", "timer", user_id=ALICE))
    assert again.content == "You have no running timer."
    assert world.entries()[0].end == entry.end


@pytest.mark.parametrize("form", ["dashed", "hex", "url"])
async def test_end_timer_by_id_or_url(world: World, bot: BotHarness, form: str) -> None:
    await bot.send(slash("start", "timer", user_id=ALICE, client="Acme"))
    bot.clock.advance(minutes=5)
    await bot.send(slash("start", "timer", user_id=ALICE, client="Globex"))
    first, second = world.entries()
    assert first.page_id is not None and first.end is not None
    ref = {
        "dashed": second.page_id or "",
        "hex": (second.page_id or "").replace("-", ""),
        "url": second.url or "",
    }[form]
    bot.clock.advance(minutes=20)
    reply = await bot.send(slash("end", "timer", user_id=ALICE, entry=ref))
    assert "**Globex** stopped: started 09:05 Europe/London, total 20m." in reply.content
    assert world.entries()[1].end == bot.clock.now


async def test_end_autocomplete_lists_own_running_entries(world: World, bot: BotHarness) -> None:
    await bot.send(slash("start", "timer", user_id=ALICE, client="Acme"))
    await bot.send(slash("start", "timer", user_id=BOB, client="Globex"))
    bot.clock.advance(minutes=7)
    reply = await bot.send(autocomplete("end", "timer", focused="entry", user_id=ALICE, entry=""))
    alice = next(e for e in world.entries() if e.user_id == ALICE)
    assert reply.choices == [("Acme · since 09:00 Europe/London (7m)", alice.page_id)]


async def test_starting_while_running_ends_the_running_timer_at_the_same_instant(
    world: World, bot: BotHarness
) -> None:
    await bot.send(slash("start", "timer", user_id=ALICE, client="Acme"))
    bot.clock.advance(hours=2)
    reply = await bot.send(slash("start", "timer", user_id=ALICE, client="Globex"))
    acme, globex = world.entries()
    assert acme.end == globex.start == bot.clock.now
    assert globex.end is None
    assert "Started **Globex** at 11:00 Europe/London." in reply.content
    assert "Stopped **Acme** (started 09:00 Europe/London, total 2h 00m)." in reply.content


async def test_ending_someone_elses_entry_is_refused(world: World, bot: BotHarness) -> None:
    await bot.send(slash("start", "timer", user_id=ALICE, client="Acme"))
    (entry,) = world.entries()
    reply = await bot.send(slash("end", "timer", user_id=BOB, entry=entry.page_id))
    assert reply.ephemeral
    assert reply.content == "That entry belongs to someone else; only its owner can end it."
    assert world.fake.requests["update_page"] == 0
    assert world.entries()[0].end is None


async def test_a_server_manager_may_end_someone_elses_timer_and_it_is_logged(
    world: World, bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=COMMAND_LOGGER)
    await bot.send(slash("start", "timer", user_id=ALICE, client="Acme"))
    (entry,) = world.entries()
    bot.clock.advance(minutes=10)
    reply = await bot.send(
        slash("end", "timer", user_id=BOB, permissions=MANAGE_GUILD, entry=entry.page_id)
    )
    assert f"**Acme** stopped for <@{ALICE}> by you: started 09:00" in reply.content
    assert world.entries()[0].end == bot.clock.now
    lines = await wait_lines(caplog, 2)
    assert lines[-1]["user_id"] == BOB and lines[-1]["acted_for"] == ALICE
    assert lines[-1]["outcome"] == "ended_for_other"


async def test_a_tampered_or_missing_signature_is_rejected_and_nothing_written(
    world: World, bot: BotHarness
) -> None:
    body = json.dumps(slash("start", "timer", user_id=ALICE, client="Acme")).encode()
    headers = bot.signer.headers(body)
    tampered = body.replace(b"Acme", b"Acmf")
    status, _, _ = await bot.post(tampered, headers)
    assert status in (400, 401)
    unsigned = {"Content-Type": "application/json"}
    status, _, _ = await bot.post(body, unsigned)
    assert status in (400, 401)
    other_key = Signer().headers(body)
    status, _, _ = await bot.post(body, other_key)
    assert status in (400, 401)
    assert world.entries() == []
    assert sum(world.fake.requests.values()) == 0
    assert bot.discord.calls == []


async def test_a_user_not_allowed_gets_a_polite_refusal_and_nothing_is_written(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=COMMAND_LOGGER)
    async with world.harness(ALLOWED_USER_IDS=ALICE, ALLOWED_ROLE_IDS="300000000000000001") as bot:
        refused = await bot.send(slash("start", "timer", user_id=BOB, client="Acme"))
        choices = await bot.send(
            autocomplete("start", "timer", focused="client", user_id=BOB, client="")
        )
        by_role = await bot.send(slash("active", user_id=BOB, roles=["300000000000000001"]))
        allowed = await bot.send(slash("start", "timer", user_id=ALICE, client="Acme"))
    assert refused.response["type"] == 4 and refused.ephemeral
    assert refused.content.startswith("Sorry, this bot only tracks time for the people")
    assert choices.choices == []
    assert by_role.content == "You have no running timer."
    assert "Started **Acme**" in allowed.content
    assert [e.user_id for e in world.entries()] == [ALICE]
    lines = await wait_lines(caplog, 3)
    assert lines[0]["outcome"] == "not_allowed" and lines[0]["notion_requests"] == 0


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"NOTION_TOKEN": "secret_wrong"}, "Notion rejected the token"),
        (
            {"NOTION_DATABASE_ID": "0123456789abcdef0123456789abcdef"},
            "share the database with the integration",
        ),
    ],
)
async def test_notion_401_and_404_are_one_clear_line(
    world: World, env: dict[str, str], expected: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with world.harness(**env) as bot:
        reply = await bot.send(slash("start", "timer", user_id=ALICE, client="Acme"))
    assert reply.ephemeral
    assert expected in reply.content and "\n" not in reply.content
    assert "Traceback" not in reply.content
    assert TOKEN not in reply.content and "secret_wrong" not in reply.content
    assert world.entries() == []
    assert not any("Traceback" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("fault", ["503", "429"])
async def test_a_start_during_an_outage_is_saved_and_written_when_notion_answers(
    world: World, bot: BotHarness, fault: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=COMMAND_LOGGER)
    if fault == "503":
        world.fake.faults.fail_next(status=503, count=2)  # every try of the client
    else:
        world.fake.faults.rate_limit_next(retry_after=0, count=2)
    started_at = bot.clock.now
    reply = await bot.send(slash("start", "timer", user_id=ALICE, client="Acme"))
    bot.clock.advance(minutes=5)  # the page must get the time the command arrived
    assert reply.ephemeral
    assert "Started **Acme** at 09:00 Europe/London. (not in Notion yet)" in reply.content
    assert "saved on the bot's side and will be written to Notion" in reply.content
    (entry,) = await wait_entries(world, lambda entries: len(entries) == 1)
    assert (entry.client, entry.start, entry.end) == ("Acme", started_at, None)
    (line,) = await wait_lines(caplog, 1)
    assert line["outcome"] == "queued"


async def test_an_end_during_an_outage_is_saved_and_applied_later(
    world: World, bot: BotHarness
) -> None:
    await bot.send(slash("start", "timer", user_id=ALICE, client="Acme"))
    bot.clock.advance(minutes=40)
    ended_at = bot.clock.now
    world.fake.faults.fail_next(status=503, count=2)
    reply = await bot.send(slash("end", "timer", user_id=ALICE))
    # The ledger knows the timer it started: the saved stop names it.
    assert reply.content.startswith("**Acme** stopped: started 09:00 Europe/London, total 40m.")
    assert "will be written to Notion as soon as it answers" in reply.content
    bot.clock.advance(minutes=5)
    (entry,) = await wait_entries(world, lambda e: bool(e) and e[0].end is not None)
    assert entry.end == ended_at


async def test_bad_input_is_refused_in_one_line_and_nothing_written(
    world: World, bot: BotHarness
) -> None:
    blank = await bot.send(slash("start", "custom", user_id=ALICE, name="   "))
    assert blank.content == "The name is blank."
    bad_ref = await bot.send(slash("end", "timer", user_id=ALICE, entry="not-a-page"))
    assert bad_ref.content.startswith('"not-a-page" is not a Notion page id or page URL')
    assert world.entries() == []
    assert world.fake.requests["create_page"] == 0


async def test_no_secret_reaches_the_logs(world: World, caplog: pytest.LogCaptureFixture) -> None:
    # INFO is what the bot runs with (hikari's own DEBUG lines name webhook routes).
    caplog.set_level(logging.INFO)
    async with world.harness() as bot:
        payload = slash("start", "timer", user_id=ALICE, client="Acme")
        body = json.dumps(payload).encode()
        signature = bot.signer.headers(body)["X-Signature-Ed25519"]
        await bot.send(payload)
        await bot.post(body.replace(b"Acme", b"Acmx"), bot.signer.headers(body))
        await wait_lines(caplog, 1)
    text = "\n".join(r.getMessage() for r in caplog.records)
    for secret in (TOKEN, "test.bot.token", signature, payload["token"]):
        assert secret not in text


async def test_works_against_notion_served_over_http(world: World) -> None:
    async with world.fake.serve() as base_url:
        env = world.env(NOTION_BASE_URL=base_url)
        async with BotHarness(env) as bot:
            started = await bot.send(slash("start", "timer", user_id=ALICE, client="Acme"))
            bot.clock.advance(minutes=3)
            ended = await bot.send(slash("end", "timer", user_id=ALICE))
    assert "Started **Acme**" in started.content
    assert "total 3m" in ended.content
    (entry,) = world.entries()
    assert entry.end == bot.clock.now


@pytest.mark.parametrize("guild", ["", "800000000000000001"])
async def test_commands_are_registered_globally_or_to_the_guild(world: World, guild: str) -> None:
    async with BotHarness(
        world.env(DISCORD_GUILD_ID=guild), transport=world.fake.transport(), update_commands=True
    ) as bot:
        pass
    (put,) = [c for c in bot.discord.calls if c.method == "PUT"]
    where = f"/guilds/{guild}/commands" if guild else f"/applications/{APP_ID}/commands"
    assert put.path.endswith(where)
    commands = {c["name"]: c for c in put.payload}
    assert set(commands) == {
        "start",
        "end",
        "active",
        "timesheet",
        "check",
        "target",
        "invoice",
        "log",
        "pause",
        "resume",
        "entries",
        "edit",
        "delete",
        "panel",
        "status",
    }
    for name in ("check", "panel", "status"):
        assert commands[name]["default_member_permissions"] == str(MANAGE_GUILD)
    assert [o["name"] for o in commands["start"]["options"]] == ["timer", "custom"]
    (timer,) = [o for o in commands["start"]["options"] if o["name"] == "timer"]
    assert [(o["name"], o["required"], bool(o.get("autocomplete"))) for o in timer["options"]] == [
        ("client", True, True),
        ("note", False, False),
        ("at", False, False),
    ]
    (log,) = [c for c in put.payload if c["name"] == "log"]
    assert [(o["name"], o["required"], bool(o.get("autocomplete"))) for o in log["options"]] == [
        ("client", True, True),
        ("duration", True, False),
        ("end", False, False),
        ("start", False, False),
        ("note", False, False),
    ]
    assert [o["name"] for o in commands["edit"]["options"]] == ["entry"]
    assert [o["name"] for o in commands["delete"]["options"]] == ["entry"]


async def test_a_database_missing_properties_is_named_with_the_fix(world: World) -> None:
    parent = world.fake.add_parent_page("Old")
    schema = {k: v for k, v in expected_schema(("Acme",)).items() if k not in ("Entry ID", "Note")}
    database_id, data_source_id = world.fake.add_database(parent, "Old entries", schema)
    async with BotHarness(
        world.env(NOTION_DATABASE_ID=database_id), transport=world.fake.transport()
    ) as bot:
        reply = await bot.send(slash("start", "timer", user_id=ALICE, client="Acme"))
    assert reply.content == (
        'The Notion database is not ready: missing property "Entry ID" (rich_text); '
        'missing property "Note" (rich_text). Run `timetrack setup --fix`.'
    )
    assert world.fake.pages(data_source_id) == []
