"""The periods demo step against the in-memory Notion holding the demo week."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from notionkit import make_entry
from showcasekit import run_step

from notion_client import NotionClient, RateLimit
from notion_client.fake import FakeNotion
from timesheet.demo import demo_shifts
from timesheet.entries.setup import create_database
from timesheet.entries.store import EntryStore
from timesheet.showcase.periods import showcase

TZ = ZoneInfo("Europe/London")
USER = "123456789012345678"


async def test_the_month_of_the_demo_week(tmp_path: Path) -> None:
    fake = FakeNotion(token="secret_demo")
    parent = fake.add_parent_page("Workspace")
    async with NotionClient(
        token="secret_demo", transport=fake.transport(), rate_limit=RateLimit(rate=0)
    ) as client:
        database_id, _ = await create_database(client, parent, ("Acme", "Globex"))
        store = EntryStore(client, database_id)
        monday = datetime(2026, 11, 16, tzinfo=TZ)
        for n, shift in enumerate(demo_shifts(), start=1):
            start = datetime.combine(monday.date() + timedelta(days=shift.day), shift.start, TZ)
            if shift.minutes is None:
                await store.create(make_entry(n, user=USER, client=shift.client, start=start))
            else:
                entry = make_entry(
                    n, user=USER, client=shift.client, start=start, minutes=shift.minutes
                )
                await store.create(entry)
        printed = await run_step(
            showcase, client, fake, database_id, tmp_path, parent_page_id=parent, user_id=USER
        )

    text = printed
    assert "November 2026 · Europe/London" in text
    assert "Sun  1 Nov" in text and "Mon 30 Nov" in text
    assert "30 day rows from 1 Notion query" in text
    csv = (tmp_path / "out" / "timesheet-2026-11.csv").read_text().splitlines()
    assert csv[0] == "day,Acme,Globex,Initech,Umbrella,Wayne,Total"
    assert len(csv) == 32
    assert csv[16].startswith("2026-11-16,2.50,1.58,3.33,")
    assert (tmp_path / "out" / "timesheet-2026-11.png").read_bytes().startswith(b"\x89PNG")
