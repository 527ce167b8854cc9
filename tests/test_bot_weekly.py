"""The weekly post runs inside the bot: due at start, posted once, never again after a restart."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from botkit import WEBHOOK_TOKEN, BotHarness, Clock
from notionkit import ALICE, make_entry, seed_entry, timesheet_notion

from notion_client.fake import FakeNotion

TOKEN = "secret_weekly_token"


FRIDAY_W46 = datetime(2026, 11, 13, 10, tzinfo=UTC)


def seeded(*more: tuple[datetime, timedelta]) -> tuple[FakeNotion, str]:
    """Alice's 2.5 h on Friday 13 Nov (2026-W46), and ``more`` (start, length) entries."""
    fake, database_id, ds_id = timesheet_notion(("Acme",), token=TOKEN)
    for n, (start, length) in enumerate([(FRIDAY_W46, timedelta(hours=2.5)), *more]):
        seed_entry(fake, ds_id, make_entry(n, user=ALICE, start=start, end=start + length))
    return fake, database_id


async def first_post(
    tmp_path: Path, now: datetime, *entries: tuple[datetime, timedelta], **extra: str
) -> tuple[list[str], dict[str, Any]]:
    """Start the bot at ``now`` on ``seeded(*entries)``: the CSV lines and the embed of the
    weekly post it makes."""
    fake, database_id = seeded(*entries)
    env = {
        "NOTION_TOKEN": TOKEN,
        "NOTION_DATABASE_ID": database_id,
        "TIMEZONE": "Europe/London",
        "DATA_DIR": str(tmp_path),
        **extra,
    }
    clock = Clock(now)
    async with BotHarness(env, transport=fake.transport(), clock=clock, webhook=True) as bot:
        (post,) = await bot.discord.wait_for(WEBHOOK_TOKEN)
    csv = next(v for k, v in post.files.items() if k.endswith(".csv")).decode()
    (embed,) = post.payload["embeds"]
    return csv.splitlines(), embed


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


async def test_a_monday_post_covers_the_week_that_ended_and_says_as_of_when(
    tmp_path: Path,
) -> None:
    """TIMESHEET_CRON=0 9 * * MON posted the 20 minutes of the week just begun; now the
    week that just ended, in full, and the post says which week and as of when."""
    monday = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)  # 09:00 in London (GMT)
    csv, embed = await first_post(
        tmp_path,
        monday + timedelta(minutes=30),
        (monday, timedelta(minutes=20)),
        TIMESHEET_CRON="0 9 * * MON",
    )
    assert csv[-1] == "Total,2.50,2.50"
    assert embed["title"].startswith("Week 2026-W46 (9–15 Nov 2026)")
    assert embed["footer"]["text"] == "As of Mon 16 Nov 2026 09:30 Europe/London: the whole week."
    record = json.loads((tmp_path / "posted-reports.json").read_text())
    assert set(record["posted"]) == {"2026-W46", f"2026-W46:{ALICE}"}


async def test_a_post_on_the_weeks_last_day_covers_the_week_so_far_and_says_so(
    tmp_path: Path,
) -> None:
    sunday = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)  # the default TIMESHEET_CRON, on time
    csv, embed = await first_post(
        tmp_path, sunday, (sunday - timedelta(hours=1), timedelta(minutes=45))
    )
    assert csv[-1] == "Total,0.75,0.75"
    assert embed["title"].startswith("Week 2026-W47 (16–22 Nov 2026)")
    assert embed["footer"]["text"] == "As of Sun 22 Nov 2026 09:00 Europe/London: the week so far."


async def test_timesheet_week_last_makes_a_sunday_post_cover_the_week_before(
    tmp_path: Path,
) -> None:
    sunday = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
    csv, embed = await first_post(tmp_path, sunday, TIMESHEET_WEEK="last")
    assert csv[-1] == "Total,2.50,2.50"
    assert embed["title"].startswith("Week 2026-W46 (9–15 Nov 2026)")
    assert embed["footer"]["text"] == "As of Sun 22 Nov 2026 09:00 Europe/London: the whole week."
