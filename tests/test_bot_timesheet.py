"""/timesheet end to end: the caller's week (or everyone's) with the CSV and PNG attached."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from botkit import BotHarness, Clock, autocomplete, slash
from notionkit import timesheet_notion

ALICE = "100000000000000001"
BOB = "100000000000000002"
TOKEN = "secret_sheet_token"


@pytest.fixture
async def bot() -> AsyncIterator[BotHarness]:
    fake, database_id, _ = timesheet_notion(("Acme", "Globex"), token=TOKEN)
    env = {
        "NOTION_TOKEN": TOKEN,
        "NOTION_DATABASE_ID": database_id,
        "TIMEZONE": "Europe/London",
        "PRESET_CLIENTS": "Acme,Globex",
    }
    # Monday 16 November 2026, 09:00 in London (UTC in winter).
    clock = Clock(datetime(2026, 11, 16, 9, 0, tzinfo=UTC))
    async with BotHarness(env, transport=fake.transport(), clock=clock) as harness:
        yield harness


async def record_week(bot: BotHarness) -> None:
    await bot.send(slash("start", "timer", user_id=ALICE, client="Acme"))
    await bot.send(slash("start", "timer", user_id=BOB, client="Globex"))
    bot.clock.advance(hours=1, minutes=30)
    await bot.send(slash("start", "timer", user_id=ALICE, client="Globex"))
    bot.clock.advance(minutes=45)
    await bot.send(slash("end", "timer", user_id=ALICE))
    await bot.send(slash("end", "timer", user_id=BOB))


async def test_timesheet_is_ephemeral_with_table_csv_and_png(bot: BotHarness) -> None:
    await record_week(bot)
    reply = await bot.send(slash("timesheet", user_id=ALICE))
    assert reply.deferred and reply.ephemeral
    assert reply.final is not None
    assert "```" in reply.content and "Acme" in reply.content
    files = reply.final.files
    (csv_name,) = [n for n in files if n.endswith(".csv")]
    (png_name,) = [n for n in files if n.endswith(".png")]
    assert csv_name.startswith("timesheet-2026-W47")
    assert files[png_name].startswith(b"\x89PNG\r\n\x1a\n")
    rows = files[csv_name].decode().splitlines()
    assert rows[0] == "day,Acme,Globex,Total"
    assert rows[1] == "2026-11-16,1.50,0.75,2.25"
    assert rows[-1] == "Total,1.50,0.75,2.25"


async def test_timesheet_everyone_and_a_named_week(bot: BotHarness) -> None:
    await record_week(bot)
    reply = await bot.send(slash("timesheet", user_id=ALICE, week="2026-W47", everyone=True))
    assert reply.final is not None
    csv = next(v for k, v in reply.final.files.items() if k.endswith(".csv")).decode()
    assert csv.splitlines()[-1] == "Total,1.50,3.00,4.50"

    empty = await bot.send(slash("timesheet", user_id=ALICE, week="last"))
    assert empty.final is not None
    csv = next(v for k, v in empty.final.files.items() if k.endswith(".csv")).decode()
    assert csv.splitlines()[0] == "day,Total"


@pytest.mark.parametrize(
    ("week", "answer"),
    [
        ("someday", "The week must be this, last or an ISO week such as 2026-W47."),
        (
            "2026-W99",
            "The week must be this, last or an ISO week such as 2026-W47 (week must be 1 to 53).",
        ),
        (
            "9999-W52",
            "The week must be this, last or an ISO week such as 2026-W47 "
            "(too far in the past or future to report).",
        ),
    ],
)
async def test_a_bad_week_is_one_line(bot: BotHarness, week: str, answer: str) -> None:
    reply = await bot.send(slash("timesheet", user_id=ALICE, week=week))
    assert reply.ephemeral
    assert reply.content == answer


async def test_week_autocomplete(bot: BotHarness) -> None:
    reply = await bot.send(autocomplete("timesheet", focused="week", user_id=ALICE, week=""))
    values = [v for _, v in reply.choices]
    assert values[:4] == ["this", "last", "2026-W47", "2026-W46"]
    typed = await bot.send(autocomplete("timesheet", focused="week", user_id=ALICE, week="W45"))
    assert typed.choices == [("2026-W45", "2026-W45")]


async def test_the_csv_never_carries_a_live_formula(bot: BotHarness) -> None:
    """A client named like a formula goes into the CSV as text, with a leading quote."""
    for client in ('=HYPERLINK("http://evil.example")', "@SUM(A1:A9)"):
        await bot.send(slash("start", "timer", user_id=ALICE, client=client))
        bot.clock.advance(minutes=30)
    await bot.send(slash("end", "timer", user_id=ALICE))

    reply = await bot.send(slash("timesheet", user_id=ALICE))

    assert reply.final is not None
    sheet = next(v for k, v in reply.final.files.items() if k.endswith(".csv")).decode()
    rows = list(csv.reader(io.StringIO(sheet)))
    assert rows[0] == ["day", '\'=HYPERLINK("http://evil.example")', "'@SUM(A1:A9)", "Total"]
    assert rows[1] == ["2026-11-16", "0.50", "0.50", "1.00"]
