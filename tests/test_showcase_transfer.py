"""The transfer demo step against the in-memory Notion: the week exported to json and csv,
restored into an empty database with every field equal, imported again adding nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from notionkit import fast_client, make_entry, seed_entry, timesheet_notion
from showcasekit import run_step

from timesheet.showcase.transfer import showcase

LONDON = ZoneInfo("Europe/London")


async def test_the_demo_restores_the_week_and_a_second_import_adds_nothing(
    tmp_path: Path,
) -> None:
    fake, database_id, ds_id = timesheet_notion(("Acme", "Globex"))
    parent = fake.add_parent_page("Demo")
    monday = datetime(2026, 11, 16, 9, tzinfo=LONDON)
    h = timedelta(hours=1)
    week = [
        make_entry(1, start=monday, end=monday + 3 * h, note="kick-off"),
        make_entry(2, client="Globex", start=monday + 26 * h, end=monday + 28 * h),
        make_entry(3, start=monday + 4 * 24 * h, end=None),  # Friday's timer, running
    ]
    for e in week:
        seed_entry(fake, ds_id, e)
    fake.faults.index_lag = 3.0
    async with fast_client(fake.transport()) as client:
        printed = await run_step(
            showcase, client, fake, database_id, tmp_path, parent_page_id=parent
        )
    lines = printed.splitlines()
    assert lines[0] == "timetrack export --week 2026-W47 --format json|csv: 3 entries"
    assert lines[2].endswith("(into an empty database): 3 imported, 0 already present, 0 skipped")
    assert lines[4] == "  Running timer started: Acme since 2026-11-20 09:00"
    assert lines[5].endswith("(again): 0 imported, 3 already present, 0 skipped")
    assert lines[-1] == (
        "  original: 3 entries, 13.50 h; restored: 3 entries, 13.50 h; every field equal: yes"
    )
    assert (tmp_path / "out" / "2026-W47.csv").read_text().count("\n") == 4
    assert fake.faults.index_lag == 3.0
