"""/invoice end to end (signed interactions into the bot, the in-memory Notion holding a Clients
database), and the client autocomplete offering the Clients database's clients."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from botkit import BotHarness, Clock, autocomplete, slash
from clientskit import add_clients_database, client_row
from notionkit import timesheet_notion

from notion_client.fake import FakeNotion
from timesheet.reports.week import PERIOD_CHOICES

ALICE = "100000000000000001"
BOB = "100000000000000002"
TOKEN = "secret_invoice_token"


def _world(**extra: str) -> tuple[FakeNotion, dict[str, str]]:
    fake, database_id, _ = timesheet_notion(("Acme", "Globex"), token=TOKEN)
    clients_id, _ = add_clients_database(
        fake,
        [
            client_row("Acme", 120, currency="EUR"),
            client_row("Initech", 80),
            client_row("Hooli", 50, archived=True),
        ],
    )
    env = {
        "NOTION_TOKEN": TOKEN,
        "NOTION_DATABASE_ID": database_id,
        "NOTION_CLIENTS_DATABASE_ID": clients_id,
        "TIMEZONE": "Europe/London",
        "PRESET_CLIENTS": "Acme,Globex",
        **extra,
    }
    return fake, env


@pytest.fixture
async def bot() -> AsyncIterator[BotHarness]:
    fake, env = _world()
    # Monday 16 November 2026, 09:00 in London (UTC in winter).
    clock = Clock(datetime(2026, 11, 16, 9, 0, tzinfo=UTC))
    async with BotHarness(env, transport=fake.transport(), clock=clock) as harness:
        yield harness


async def test_invoice_is_private_with_csv_and_pdf(bot: BotHarness) -> None:
    await bot.send(slash("start", "timer", user_id=ALICE, client="Acme", note="API review"))
    await bot.send(slash("start", "timer", user_id=BOB, client="Acme"))
    bot.clock.advance(hours=1, minutes=30)
    await bot.send(slash("start", "timer", user_id=ALICE, client="Globex"))
    bot.clock.advance(minutes=45)
    await bot.send(slash("start", "timer", user_id=ALICE, client="Acme"))
    bot.clock.advance(minutes=20)
    await bot.send(slash("end", "timer", user_id=ALICE))
    await bot.send(slash("end", "timer", user_id=BOB))

    reply = await bot.send(slash("invoice", user_id=ALICE, client="acme", period="this-week"))

    assert reply.deferred and reply.ephemeral
    assert reply.content == "Acme, 16–22 Nov 2026: 1.83 h × 120.00 = 219.60 EUR (2 entries)"
    assert reply.final is not None
    files = reply.final.files
    stem = "invoice-acme-2026-11-16-2026-11-22"
    assert sorted(files) == [f"{stem}.csv", f"{stem}.pdf"]
    assert files[f"{stem}.csv"].decode() == (
        "date,start,end,description,hours,rate,amount\n"
        "2026-11-16,09:00,10:30,API review,1.50,120.00,180.00\n"
        "2026-11-16,11:15,11:35,,0.33,120.00,39.60\n"
        "Total,,,,1.83,,219.60\n"
    )  # only Alice's entries; Bob's 2 h 35 min are his own
    pdf = files[f"{stem}.pdf"]
    assert pdf.startswith(b"%PDF-")
    assert len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf)) == 1


@pytest.mark.parametrize(
    ("client", "period", "answer"),
    [
        (
            "Nobody",
            "this-week",
            "No client called 'Nobody': it is not in the Clients database, RATES or "
            "PRESET_CLIENTS, and no entry of the period is for it.",
        ),
        (
            "Globex",
            "this-week",
            "Globex has no rate: set its Rate in the Clients database "
            "(NOTION_CLIENTS_DATABASE_ID), or add Globex:RATE to RATES in .env.",
        ),
        (
            "Acme",
            "soon",
            f"The period must be {PERIOD_CHOICES}.",
        ),
    ],
)
async def test_invoice_refusals_are_one_line(
    bot: BotHarness, client: str, period: str, answer: str
) -> None:
    reply = await bot.send(slash("invoice", user_id=ALICE, client=client, period=period))
    assert reply.ephemeral
    assert reply.content == answer
    assert reply.final is None or not reply.final.files


async def test_client_autocomplete_offers_the_clients_database(bot: BotHarness) -> None:
    reply = await bot.send(
        autocomplete("start", "timer", focused="client", user_id=ALICE, client="")
    )
    assert [value for _, value in reply.choices] == ["Acme", "Globex", "Initech"]  # not Hooli

    typed = await bot.send(autocomplete("invoice", focused="client", user_id=ALICE, client="ini"))
    assert typed.choices == [("Initech", "Initech")]


async def test_autocomplete_falls_back_to_presets_when_notion_fails() -> None:
    fake, env = _world()
    async with BotHarness(env, transport=fake.transport()) as bot:
        fake.faults.fail_next(status=503, count=1000, endpoint="query_data_source")
        fake.faults.fail_next(status=503, count=1000, endpoint="retrieve_database")
        reply = await bot.send(
            autocomplete("start", "timer", focused="client", user_id=ALICE, client="")
        )
        assert [value for _, value in reply.choices] == ["Acme", "Globex"]


async def test_presets_only_accepts_the_clients_database_names() -> None:
    fake, env = _world(PRESETS_ONLY="true")
    async with BotHarness(env, transport=fake.transport()) as bot:
        started = await bot.send(slash("start", "timer", user_id=ALICE, client="initech"))
        assert "Initech" in started.content
        refused = await bot.send(slash("start", "timer", user_id=ALICE, client="Hooli"))
        assert refused.content == 'Unknown client "Hooli". Choose one of: Acme, Globex, Initech.'
