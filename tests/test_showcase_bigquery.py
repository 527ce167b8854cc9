"""The demo step of the row-cap work, run against the in-memory Notion holding the demo week."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

from notionkit import TOKEN, fast_client, make_entry, seed_entry, timesheet_notion
from showcasekit import run_step

from timesheet.demo import CLIENTS, DEMO_TZ, demo_shifts
from timesheet.showcase.bigquery import showcase

MONDAY = datetime(2026, 11, 16, tzinfo=DEMO_TZ)


async def test_the_showcase_reports_the_same_week_under_a_tiny_cap(tmp_path: Path) -> None:
    fake, database_id, ds_id = timesheet_notion(CLIENTS, token=TOKEN)
    for n, shift in enumerate(demo_shifts(), start=1):
        start = datetime.combine(MONDAY.date() + timedelta(days=shift.day), shift.start, DEMO_TZ)
        entry = make_entry(n, client=shift.client, start=start, minutes=shift.minutes)
        seed_entry(fake, ds_id, entry)
    async with fast_client(fake.transport()) as client:
        printed = await run_step(
            showcase,
            client,
            fake,
            database_id,
            tmp_path,
            parent_page_id=fake.add_parent_page("Other"),
            user_id="100000000000000001",
        )
    text = printed
    assert "the week's 15 entries" in text
    assert "usual 10,000-row cap: 1 query request(s)" in text
    capped = re.search(r"cut off after 5 rows: (\d+) query requests", text)
    assert capped is not None and int(capped.group(1)) > 3
    assert "the same table:" in text
    assert fake.result_limit == 10_000
