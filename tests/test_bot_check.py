"""/check end to end: signed interactions into the RESTBot, findings from the in-memory Notion."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from botkit import MANAGE_GUILD, BotHarness, Clock, slash
from botworld import World, new_world, wait_lines
from notionkit import ALICE, BOB, T0, make_entry, seed_entry

from bot.logs import COMMAND_LOGGER
from bot.plugins.check import MANAGERS_ONLY, clip_lines
from bot.weeks import BAD_WEEK

TOKEN = "secret_check_token"
NOW = T0 + timedelta(days=2)  # Wednesday 18 November 2026, 09:00 in London
ADMINISTRATOR = 1 << 3


@pytest.fixture
def world() -> World:
    return new_world(("Acme",), TOKEN)


@pytest.fixture
async def bot(world: World) -> AsyncIterator[BotHarness]:
    async with world.harness(Clock(NOW)) as harness:
        yield harness


def seed(
    world: World,
    n: int,
    hours_after_t0: float,
    hours: float | None,
    *,
    user: str = BOB,
    client: str = "Acme",
    name: str | None = None,
) -> str:
    """`make_entry` ``n`` (of `BOB` unless ``user``) typed straight into Notion, starting
    ``hours_after_t0`` hours after T0, ``hours`` long (None: running); returns its page's url."""
    start = T0 + timedelta(hours=hours_after_t0)
    minutes = None if hours is None else hours * 60
    entry = make_entry(n, user=user, client=client, name=name, start=start, minutes=minutes)
    page_id = seed_entry(world.fake, world.data_source_id, entry)
    return str(world.fake.page(page_id)["url"])


@pytest.mark.parametrize("permissions", [MANAGE_GUILD, ADMINISTRATOR])
async def test_check_answers_a_manager_one_line_a_finding_only_to_them(
    world: World, bot: BotHarness, caplog: pytest.LogCaptureFixture, permissions: int
) -> None:
    caplog.set_level(logging.INFO, logger=COMMAND_LOGGER)
    forgotten = seed(world, 1, 0, None)
    unnamed = seed(world, 2, 30, 1, client="", name="Design", user=ALICE)
    seed(world, 3, 27, 1, user=ALICE)
    before = world.fake.requests["query_data_source"]

    reply = await bot.send(slash("check", user_id=ALICE, permissions=permissions))

    assert reply.deferred and reply.ephemeral
    assert reply.content.splitlines() == [
        "Week 2026-W47 (16–22 Nov 2026): 2 finding(s).",
        f"over 24 h: {forgotten} — Acme running since Mon 16 Nov 09:00 (48 h 00 min): "
        "stop it, or set its End in Notion",
        f"no client: {unnamed} — 'Design' (Tue 17 Nov 15:00–16:00) has no Client; "
        "set one in Notion",
    ]
    assert world.fake.requests["query_data_source"] - before == 1
    assert world.writes() == 0
    (line,) = await wait_lines(caplog, 1)
    assert (line["command"], line["outcome"], line["findings"]) == ("check", "ok", "2")


async def test_check_a_clean_week_and_another_week(world: World, bot: BotHarness) -> None:
    seed(world, 1, 0, 1)
    clean = await bot.send(slash("check", user_id=ALICE, permissions=MANAGE_GUILD))
    assert clean.content == "Week 2026-W47 (16–22 Nov 2026): nothing a report would stumble on."
    seed(world, 2, -24 * 7, 30)  # the Monday before: 30 hours
    last = await bot.send(slash("check", user_id=ALICE, permissions=MANAGE_GUILD, week="last"))
    assert last.content.startswith("Week 2026-W46 (9–15 Nov 2026): 1 finding(s).\nover 24 h: ")


async def test_check_refuses_members_without_manage_server_before_asking_notion(
    world: World, bot: BotHarness
) -> None:
    seed(world, 1, 0, None)
    before = sum(world.fake.requests.values())
    reply = await bot.send(slash("check", user_id=BOB))
    assert reply.ephemeral and reply.content == MANAGERS_ONLY
    assert sum(world.fake.requests.values()) == before


async def test_check_refuses_a_bad_week_in_one_line(world: World, bot: BotHarness) -> None:
    before = sum(world.fake.requests.values())
    reply = await bot.send(slash("check", user_id=ALICE, permissions=MANAGE_GUILD, week="W99"))
    assert reply.content == BAD_WEEK
    assert sum(world.fake.requests.values()) == before


async def test_check_clips_a_long_answer_to_discords_2000_characters(
    world: World, bot: BotHarness
) -> None:
    for n in range(40):  # ten-minute entries with no client, one after the other
        seed(world, n + 1, n / 6, 1 / 6, client="", name=f"Task {n}")

    reply = await bot.send(slash("check", user_id=ALICE, permissions=MANAGE_GUILD))

    head, *shown, more = reply.content.split("\n")
    assert len(reply.content) <= 2000
    assert head == "Week 2026-W47 (16–22 Nov 2026): 40 finding(s)."
    assert all(line.startswith("no client: ") for line in shown) and len(shown) < 40
    assert more == f"… and {40 - len(shown)} more"
    assert [line.split("'")[1] for line in shown] == [f"Task {n}" for n in range(len(shown))]


def test_clip_lines_keeps_what_fits_and_counts_the_rest() -> None:
    lines = ["Week 2026-W47: 60 finding(s).", *(f"no client: {'x' * 90} {i}" for i in range(60))]
    text = clip_lines(lines)
    shown = text.split("\n")
    assert len(text) <= 2000
    assert shown[-1] == f"… and {len(lines) - (len(shown) - 1)} more"
    assert shown[:-1] == lines[: len(shown) - 1]
    assert clip_lines(lines[:3]) == "\n".join(lines[:3])
    assert clip_lines(lines, limit=120) == f"{lines[0]}\n… and 60 more"
    cut = clip_lines(["y" * 3000])
    assert len(cut) <= 2000 and cut.endswith("y…") and "more" not in cut
