"""/target set and /target show end to end (signed interactions into the bot, the in-memory
Notion behind it), and the target lines /timesheet and the weekly post add."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botkit import WEBHOOK_TOKEN, BotHarness, Clock, autocomplete, slash
from notionkit import make_entry, seed_entry, timesheet_notion

from notion_client.fake import FakeNotion
from timesheet.targets.schema import expected_schema

ALICE = "100000000000000001"
BOB = "100000000000000002"
TOKEN = "secret_target_token"
MONDAY_W47 = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)  # London is on UTC in November
FRIDAY_W47 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@dataclass
class Targets:
    fake: FakeNotion
    env: dict[str, str]
    targets_ds: str

    def rows(self) -> list[tuple[str, str, str | None, float]]:
        out = []
        for page in self.fake.pages(self.targets_ds):
            p = page["properties"]
            user = "".join(t["plain_text"] for t in p["User"]["rich_text"])
            week = p["Week"]["date"]
            out.append(
                (
                    p["Client"]["select"]["name"],
                    user,
                    None if week is None else week["start"],
                    p["Hours"]["number"],
                )
            )
        return sorted(out, key=lambda r: (r[1], r[0], r[2] or ""))

    def writes(self) -> int:
        return self.fake.requests["create_page"] + self.fake.requests["update_page"]


@pytest.fixture
def world() -> Targets:
    """Alice's week 2026-W47: Acme 14.5 h, Globex 3 h; Bob: Acme 2 h."""
    fake, database_id, ds_id = timesheet_notion(("Acme", "Globex"), token=TOKEN)
    parent = fake.add_parent_page("Team")
    targets_id, targets_ds = fake.add_database(parent, "Targets", expected_schema())
    for n, (user, client, start, minutes) in enumerate(
        [
            (ALICE, "Acme", MONDAY_W47, 8 * 60),
            (ALICE, "Acme", MONDAY_W47 + timedelta(days=1), 6.5 * 60),
            (ALICE, "Globex", MONDAY_W47 + timedelta(days=2), 3 * 60),
            (BOB, "Acme", MONDAY_W47, 2 * 60),
        ],
        start=1,
    ):
        seed_entry(
            fake, ds_id, make_entry(n, user=user, client=client, start=start, minutes=minutes)
        )
    env = {
        "NOTION_TOKEN": TOKEN,
        "NOTION_DATABASE_ID": database_id,
        "NOTION_TARGETS_DATABASE_ID": targets_id,
        "TIMEZONE": "Europe/London",
        "PRESET_CLIENTS": "Acme,Globex",
    }
    return Targets(fake, env, targets_ds)


@pytest.fixture
async def bot(world: Targets) -> AsyncIterator[BotHarness]:
    async with BotHarness(
        world.env, transport=world.fake.transport(), clock=Clock(FRIDAY_W47)
    ) as h:
        yield h


def csv_of(reply: Any, suffix: str = ".csv") -> str:
    assert reply.final is not None
    return next(v for k, v in reply.final.files.items() if k.endswith(suffix)).decode()


async def test_set_upserts_per_user_and_show_answers_the_caller(
    bot: BotHarness, world: Targets
) -> None:
    reply = await bot.send(slash("target", "set", user_id=ALICE, client="Acme", hours="20"))
    assert reply.ephemeral and reply.content == "Target for Acme, every week: 20 h."
    reply = await bot.send(
        slash("target", "set", user_id=ALICE, client="acme", hours="12", week="this")
    )
    assert reply.content == "Target for Acme, week 2026-W47: 12 h."
    reply = await bot.send(slash("target", "set", user_id=ALICE, client="Acme", hours="22"))
    assert reply.content == "Target for Acme, every week: 22 h (was 20 h)."
    await bot.send(slash("target", "set", user_id=ALICE, client="Globex", hours="8"))
    await bot.send(slash("target", "set", user_id=BOB, client="Acme", hours="5"))
    assert world.rows() == [
        ("Acme", ALICE, None, 22),
        ("Acme", ALICE, "2026-11-16", 12),
        ("Globex", ALICE, None, 8),
        ("Acme", BOB, None, 5),
    ]

    shown = await bot.send(slash("target", "show", user_id=ALICE))
    assert shown.ephemeral
    assert shown.content.splitlines() == [
        "**Targets, Week 2026-W47 (16–22 Nov 2026)**",
        "```",
        "client  target  tracked  remaining  set for",
        "Acme        12    14.50      -2.50  that week",
        "Globex       8     3.00       5.00  every week",
        "```",
    ]
    assert csv_of(shown) == (
        "client,target,tracked,remaining\nAcme,12.00,14.50,-2.50\nGlobex,8.00,3.00,5.00\n"
    )
    bobs = await bot.send(slash("target", "show", user_id=BOB, week="2026-W47"))
    assert csv_of(bobs) == "client,target,tracked,remaining\nAcme,5.00,2.00,3.00\n"
    last = await bot.send(slash("target", "show", user_id=ALICE, week="last"))
    assert csv_of(last) == (
        "client,target,tracked,remaining\nAcme,22.00,0.00,22.00\nGlobex,8.00,0.00,8.00\n"
    )

    removed = await bot.send(
        slash("target", "set", user_id=ALICE, client="Acme", hours="0", week="2026-W47")
    )
    assert removed.content == "Removed the target for Acme, week 2026-W47."
    again = await bot.send(slash("target", "show", user_id=ALICE))
    assert csv_of(again).splitlines()[1] == "Acme,22.00,14.50,7.50"


@pytest.mark.parametrize(
    ("values", "answer"),
    [
        (
            {"client": "Acme", "hours": "169"},
            "169: expected hours above 0 and at most 168 (0 removes the target).",
        ),
        (
            {"client": "Acme", "hours": "8", "week": "someday"},
            "The week must be this, last or an ISO week such as 2026-W47, or every week.",
        ),
        (
            {"client": "A,B", "hours": "8"},
            "The client can't contain a comma (Notion select options).",
        ),
    ],
)
async def test_bad_input_is_one_line_and_writes_nothing(
    bot: BotHarness, world: Targets, values: dict[str, str], answer: str
) -> None:
    reply = await bot.send(slash("target", "set", user_id=ALICE, **values))
    assert reply.ephemeral and reply.content == answer
    assert world.rows() == [] and world.writes() == 0


async def test_show_of_every_week_is_one_line(bot: BotHarness) -> None:
    reply = await bot.send(slash("target", "show", user_id=ALICE, week="every"))
    assert reply.ephemeral and reply.content == (
        "The week must be this, last or an ISO week such as 2026-W47 (one week, not every week)."
    )


async def test_without_a_targets_database_it_says_so(world: Targets) -> None:
    env = {k: v for k, v in world.env.items() if k != "NOTION_TARGETS_DATABASE_ID"}
    async with BotHarness(env, transport=world.fake.transport(), clock=Clock(FRIDAY_W47)) as bot:
        reply = await bot.send(slash("target", "show", user_id=ALICE))
        assert reply.content == (
            "Targets are not set up: set NOTION_TARGETS_DATABASE_ID (`timetrack setup` creates "
            "the database)."
        )
        sheet = await bot.send(slash("timesheet", user_id=ALICE))
        assert "this week (" not in sheet.content


async def test_week_autocomplete_offers_every_week_first(bot: BotHarness) -> None:
    reply = await bot.send(
        autocomplete(
            "target", "set", focused="week", user_id=ALICE, client="Acme", hours="1", week=""
        )
    )
    assert [v for _, v in reply.choices][:4] == ["every", "this", "last", "2026-W47"]


async def test_timesheet_shows_tracked_against_target(bot: BotHarness) -> None:
    await bot.send(slash("target", "set", user_id=ALICE, client="Acme", hours="20"))
    await bot.send(slash("target", "set", user_id=ALICE, client="Globex", hours="2.5"))
    reply = await bot.send(slash("timesheet", user_id=ALICE))
    assert "• Acme 14.50 / 20 h this week (72%)" in reply.content
    assert "• Globex 3.00 / 2.5 h this week (120%)" in reply.content
    everyone = await bot.send(slash("timesheet", user_id=ALICE, everyone=True))
    assert "this week (" not in everyone.content  # targets are per user


async def test_the_weekly_post_shows_each_users_targets(world: Targets) -> None:
    # Sunday 22 Nov 09:00: the default schedule posts week 2026-W47, a table per user.
    async with BotHarness(
        world.env, transport=world.fake.transport(), clock=Clock(FRIDAY_W47)
    ) as bot:
        await bot.send(slash("target", "set", user_id=ALICE, client="Acme", hours="20"))
        await bot.send(slash("target", "set", user_id=BOB, client="Acme", hours="4"))
    sunday = Clock(datetime(2026, 11, 22, 9, 0, 30, tzinfo=UTC))
    async with BotHarness(
        world.env, transport=world.fake.transport(), clock=sunday, webhook=True
    ) as bot:
        posts = await bot.discord.wait_for(WEBHOOK_TOKEN, count=2)
    fields = {
        post.payload["embeds"][0]["title"]: post.payload["embeds"][0]["fields"] for post in posts
    }
    alice = next(v for k, v in fields.items() if ALICE in k)
    bob = next(v for k, v in fields.items() if BOB in k)
    assert alice[1] == {
        "name": "Targets and budgets",
        "value": "Acme 14.50 / 20 h this week (72%)",
        "inline": True,
    }
    assert bob[1]["value"] == "Acme 2.00 / 4 h this week (50%)"


async def test_timesheet_still_answers_when_the_targets_database_cant_be_read(
    world: Targets,
) -> None:
    env = {**world.env, "NOTION_TARGETS_DATABASE_ID": "0123456789abcdef0123456789abcdef"}
    async with BotHarness(env, transport=world.fake.transport(), clock=Clock(FRIDAY_W47)) as bot:
        sheet = await bot.send(slash("timesheet", user_id=ALICE))
        assert "Acme" in sheet.content
        assert "• Targets and budgets could not be read from Notion this time." in sheet.content
        shown = await bot.send(slash("target", "show", user_id=ALICE))
        assert shown.content.startswith("Notion can't find NOTION_TARGETS_DATABASE_ID")


async def test_the_clients_database_gives_budgets_and_fallback_targets(world: Targets) -> None:
    """Wired through the Clients database: Acme's monthly budget burns down, Globex's Weekly
    target counts when Alice set none. A budget is the client's, so it counts everyone's hours:
    by hand, 16.5 h (Alice 14.5, Bob 2) in 19.5 days of November (to Fri 20 Nov 12:00) is
    0.846 h a day, so 20 h last 23.6 days from 1 Nov: until Tue 24 Nov 15:16."""
    from clientskit import add_clients_database, client_row

    clients_id, _ = add_clients_database(
        world.fake, [client_row("Acme", 100, budget=20), client_row("Globex", target=5)]
    )
    env = {**world.env, "NOTION_CLIENTS_DATABASE_ID": clients_id}
    async with BotHarness(env, transport=world.fake.transport(), clock=Clock(FRIDAY_W47)) as bot:
        reply = await bot.send(slash("timesheet", user_id=ALICE))
    assert "Acme: 16.5 of 20 h this month; at this pace it runs out Tue 24 Nov" in reply.content
    assert "• Globex 3.00 / 5 h this week (60%)" in reply.content


async def test_the_targets_database_is_looked_up_once_per_process(
    bot: BotHarness, world: Targets
) -> None:
    """/target and /timesheet share one Targets store: its data source is found once."""
    await bot.send(slash("target", "set", user_id=ALICE, client="Acme", hours="20"))
    looked_up = world.fake.requests["retrieve_database"]
    await bot.send(slash("target", "show", user_id=ALICE))
    await bot.send(slash("timesheet", user_id=ALICE))
    await bot.send(slash("target", "set", user_id=ALICE, client="Globex", hours="8"))
    assert world.fake.requests["retrieve_database"] == looked_up
