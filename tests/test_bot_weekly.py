"""The weekly post runs inside the bot: due at start, posted once, never again after a restart."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

from botkit import WEBHOOK_TOKEN, BotHarness, Clock
from notionkit import timesheet_notion

from notion_client.fake import FakeNotion
from timesheet.entries.model import TimeEntry
from timesheet.entries.schema import to_properties

TOKEN = "secret_weekly_token"
ALICE = "100000000000000001"


def seeded() -> tuple[FakeNotion, str]:
    fake, database_id, ds_id = timesheet_notion(("Acme",), token=TOKEN)
    entry = TimeEntry(
        entry_id="7d1c3f52-5a43-4c1e-9d0b-2f6f0e2b9a11",
        user_id=ALICE,
        client="Acme",
        name="Acme",
        start=datetime(2026, 11, 13, 10, tzinfo=UTC),  # Friday of 2026-W46
        end=datetime(2026, 11, 13, 12, 30, tzinfo=UTC),
    )
    fake.add_page(ds_id, {k: v.to_json() for k, v in to_properties(entry).items()})
    return fake, database_id


async def test_the_missed_sunday_report_is_posted_once_at_start_and_not_after_restart(
    tmp_path: Path,
) -> None:
    fake, database_id = seeded()
    env = {
        "NOTION_TOKEN": TOKEN,
        "NOTION_DATABASE_ID": database_id,
        "TIMEZONE": "Europe/London",
        "DATA_DIR": str(tmp_path),
    }
    monday = Clock(datetime(2026, 11, 16, 8, 0, tzinfo=UTC))  # the post was due Sunday 09:00
    async with BotHarness(env, transport=fake.transport(), clock=monday, webhook=True) as bot:
        assert bot.client.jobs.running == ["weekly timesheet"]
        (post,) = await bot.discord.wait_for(WEBHOOK_TOKEN)
    assert post.method == "POST"
    csv = next(v for k, v in post.files.items() if k.endswith(".csv")).decode()
    assert csv.splitlines()[0] == "day,Acme,Total"
    assert csv.splitlines()[-1] == "Total,2.50,2.50"
    assert any(k.endswith(".png") for k in post.files)
    record = json.loads((tmp_path / "posted-reports.json").read_text())
    assert "2026-W46" in json.dumps(record)

    async with BotHarness(env, transport=fake.transport(), clock=monday, webhook=True) as again:
        await asyncio.sleep(0.3)  # the reporter checks at once on start
        assert [c for c in again.discord.calls if WEBHOOK_TOKEN in c.path] == []


async def test_no_webhook_no_weekly_task(tmp_path: Path) -> None:
    fake, database_id = seeded()
    env = {"NOTION_TOKEN": TOKEN, "NOTION_DATABASE_ID": database_id, "DATA_DIR": str(tmp_path)}
    async with BotHarness(env, transport=fake.transport()) as bot:
        assert bot.client.jobs.running == []
