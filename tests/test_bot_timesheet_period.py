"""/timesheet period: end to end: named periods by autocomplete, free text, and refusals."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from botkit import BotHarness, Clock, autocomplete, slash
from notionkit import NotionDB, timesheet_notion

from timesheet.reports.week import NAMED_PERIODS, PERIOD_CHOICES

ALICE = "100000000000000001"
TOKEN = "secret_period_token"


@pytest.fixture
def notion() -> NotionDB:
    return timesheet_notion(("Acme", "Globex"), token=TOKEN)


@pytest.fixture
async def bot(notion: NotionDB) -> AsyncIterator[BotHarness]:
    fake, database_id, _ = notion
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


async def work(bot: BotHarness, client: str, hours: int, minutes: int = 0) -> None:
    await bot.send(slash("start", "timer", user_id=ALICE, client=client))
    bot.clock.advance(hours=hours, minutes=minutes)
    await bot.send(slash("end", "timer", user_id=ALICE))


def csv_of(reply: object) -> tuple[str, str]:
    final = reply.final  # type: ignore[attr-defined]
    assert final is not None
    (name,) = [n for n in final.files if n.endswith(".csv")]
    return name, final.files[name].decode()


async def test_this_month_has_a_row_per_day(bot: BotHarness) -> None:
    await work(bot, "Acme", 1, 30)  # Mon 16 Nov 09:00-10:30
    bot.clock.advance(days=2)
    await work(bot, "Globex", 0, 45)  # Wed 18 Nov

    reply = await bot.send(slash("timesheet", user_id=ALICE, period="this-month"))

    assert reply.ephemeral and reply.final is not None
    assert reply.content.startswith(f"**November 2026 — user {ALICE}**")
    name, sheet = csv_of(reply)
    assert name == f"timesheet-2026-11-{ALICE}.csv"
    rows = sheet.splitlines()
    assert rows[0] == "day,Acme,Globex,Total"
    assert len(rows) == 1 + 30 + 1
    assert rows[1] == "2026-11-01,0.00,0.00,0.00"
    assert rows[16] == "2026-11-16,1.50,0.00,1.50"
    assert rows[18] == "2026-11-18,0.00,0.75,0.75"
    assert rows[-1] == "Total,1.50,0.75,2.25"
    png = next(v for k, v in reply.final.files.items() if k.endswith(".png"))
    assert png.startswith(b"\x89PNG\r\n\x1a\n")


async def test_free_text_periods_a_year_by_month(bot: BotHarness) -> None:
    await work(bot, "Acme", 2)

    reply = await bot.send(slash("timesheet", user_id=ALICE, period="2026"))

    _, sheet = csv_of(reply)
    rows = sheet.splitlines()
    assert rows[0] == "month,Acme,Total"
    assert rows[1:13] == [
        f"2026-{m:02d},{'2.00' if m == 11 else '0.00'},{'2.00' if m == 11 else '0.00'}"
        for m in range(1, 13)
    ]
    assert rows[13] == "Total,2.00,2.00"

    reply = await bot.send(slash("timesheet", user_id=ALICE, period="2026-11-10..2026-11-16"))
    _, sheet = csv_of(reply)
    assert sheet.splitlines()[-2:] == ["2026-11-16,2.00,2.00", "Total,2.00,2.00"]


async def test_the_week_option_still_works_and_is_the_default(bot: BotHarness) -> None:
    await work(bot, "Acme", 1)
    default = await bot.send(slash("timesheet", user_id=ALICE))
    named = await bot.send(slash("timesheet", user_id=ALICE, week="2026-W47"))
    as_period = await bot.send(slash("timesheet", user_id=ALICE, period="this-week"))
    sheets = [csv_of(reply) for reply in (default, named, as_period)]
    assert sheets[0] == sheets[1] == sheets[2]
    assert sheets[0][0] == f"timesheet-2026-W47-{ALICE}.csv"


@pytest.mark.parametrize(
    ("options", "answer"),
    [
        ({"period": "fortnight"}, f"The period must be {PERIOD_CHOICES}."),
        (
            {"period": "2026-13"},
            f"The period must be {PERIOD_CHOICES} (month must be 1 to 12).",
        ),
        (
            {"period": "2026-11-30..2026-11-01"},
            f"The period must be {PERIOD_CHOICES} (the last day is before the first).",
        ),
        ({"week": "last", "period": "this-month"}, "Give a week or a period, not both."),
    ],
)
async def test_a_bad_period_is_one_line_and_reads_nothing(
    bot: BotHarness, notion: NotionDB, options: dict[str, str], answer: str
) -> None:
    reply = await bot.send(slash("timesheet", user_id=ALICE, **options))
    assert reply.ephemeral
    assert reply.content == answer
    assert reply.final is None or not reply.final.files
    assert notion.fake.requests["query_data_source"] == 0


async def test_period_autocomplete_offers_the_named_periods(bot: BotHarness) -> None:
    empty = await bot.send(autocomplete("timesheet", focused="period", user_id=ALICE, period=""))
    assert [value for _, value in empty.choices] == list(NAMED_PERIODS)
    assert ("this-month · November 2026", "this-month") in empty.choices
    assert ("last-week · Week 2026-W46 (9–15 Nov 2026)", "last-week") in empty.choices

    month = await bot.send(
        autocomplete("timesheet", focused="period", user_id=ALICE, period="month")
    )
    assert [value for _, value in month.choices] == ["this-month", "last-month"]


async def test_period_autocomplete_accepts_the_rest_as_typed(bot: BotHarness) -> None:
    typed = await bot.send(
        autocomplete("timesheet", focused="period", user_id=ALICE, period="2026-10")
    )
    assert typed.choices == [("2026-10 · October 2026", "2026-10")]
    nonsense = await bot.send(
        autocomplete("timesheet", focused="period", user_id=ALICE, period="soon")
    )
    assert nonsense.choices == []
