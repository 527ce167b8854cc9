"""`timetrack report --amounts`: an amount per client with a rate in the notes, and in the post."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from clikit import Notion
from notionkit import make_entry, notion_env, seed_entry
from webhookkit import serve_discord

from bot.cli import main
from timesheet.clients.model import ClientInfo
from timesheet.entries.model import TimeEntry
from timesheet.reports.report import ReportOptions, build_timesheets, post_timesheets
from timesheet.reports.week import week_period

LONDON = ZoneInfo("Europe/London")
MONDAY = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


def week() -> list[TimeEntry]:
    return [
        make_entry(1, client="Acme", start=MONDAY, minutes=120),
        make_entry(2, client="Globex", start=MONDAY.replace(hour=12), minutes=90),
        make_entry(3, client="Initech", start=MONDAY.replace(hour=14), minutes=60),  # no rate
    ]


def test_report_amounts_in_the_notes(notion: Notion, capsys: pytest.CaptureFixture[str]) -> None:
    for entry in week():
        seed_entry(notion.fake, notion.data_source_id, entry)
    env = notion.env(RATES="Acme:120,globex:95.5", CURRENCY="EUR")

    assert main(["report", "--week", "2026-W47", "--amounts"], env) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-4:] == [
        "• Acme: 2.00 h × 120.00 = 240.00 EUR",
        "• Globex: 1.50 h × 95.50 = 143.25 EUR",
        "• Amount: 383.25 EUR",
        "",
    ]

    assert main(["report", "--week", "2026-W47"], env) == 0
    assert "EUR" not in capsys.readouterr().out  # only when asked


async def test_report_amounts_in_the_post() -> None:
    clients = [ClientInfo("Acme", Decimal(120), "EUR"), ClientInfo("Globex", Decimal("95.5"))]
    async with notion_env(("Acme", "Globex")) as env, serve_discord() as discord:
        for entry in week():
            seed_entry(env.fake, env.ds_id, entry)
        period = week_period("2026-W47", LONDON)
        now = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
        (sheet,) = await build_timesheets(
            env.store, period, ReportOptions(LONDON), now, clients=clients
        )
        await post_timesheets(discord.url, [sheet])
    (request,) = discord.requests
    (embed,) = request.payload["embeds"]
    amounts = [f for f in embed["fields"] if f["name"] == "Amounts"]
    assert [f["value"] for f in amounts] == [
        "Acme: 2.00 h × 120.00 = 240.00 EUR\nGlobex: 1.50 h × 95.50 = 143.25\n"
        "Amount: 240.00 EUR + 143.25"
    ]  # Globex has no currency (no CURRENCY): the sums are kept apart
    assert "• Globex: 1.50 h × 95.50 = 143.25" in sheet.messages[-1]
