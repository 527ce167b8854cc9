"""The targets demo step against the in-memory Notion (its query index lagging, as in the demo)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from notionkit import fast_client, make_entry, seed_entry, timesheet_notion
from showcasekit import run_step

from timesheet.showcase.targets import showcase

LONDON = ZoneInfo("Europe/London")
DEMO_USER = "123456789012345678"
MONDAY = datetime(2026, 11, 16, 9, 0, tzinfo=LONDON)


async def test_showcase_prints_target_show_and_a_burn_down(tmp_path: Path) -> None:
    fake, database_id, ds_id = timesheet_notion(("Acme", "Globex", "Initech"))
    parent = fake.add_parent_page("Demo")
    for n, (client, day, hours) in enumerate(
        [
            ("Acme", 0, 2.5),
            ("Acme", 1, 3),
            ("Acme", 2, 2.75),
            ("Acme", 4, 2.25),
            ("Globex", 0, 1.5),
            ("Globex", 1, 2.5),
            ("Initech", 3, 1),
        ],
        start=1,
    ):
        start = MONDAY + timedelta(days=day)
        entry = make_entry(n, user=DEMO_USER, client=client, start=start, minutes=hours * 60)
        seed_entry(fake, ds_id, entry)
    fake.faults.index_lag = 3.0
    async with fast_client(fake.transport()) as client:
        printed = await run_step(
            showcase, client, fake, database_id, tmp_path, parent_page_id=parent, user_id=DEMO_USER
        )
    assert fake.faults.index_lag == 3.0  # given back as it was
    assert printed.splitlines() == [
        "Targets: `timetrack setup` created the Targets database; the demo user set",
        "  timetrack target set Acme 12            (every week)",
        "  timetrack target set Globex 10 --week 2026-W47",
        "$ timetrack target show --week 2026-W47",
        "Targets, Week 2026-W47 (16–22 Nov 2026)",
        "client  target  tracked  remaining  set for",
        "Acme        12    10.50       1.50  every week",
        "Globex      10     4.00       6.00  that week",
        "$ timetrack target show --week 2026-W47 --csv -",
        "client,target,tracked,remaining",
        "Acme,12.00,10.50,1.50",
        "Globex,10.00,4.00,6.00",
        # 947/48 days gone × 15 / 10.5 = 28.18 days: spent on the 29th.
        "Budget burn-down (Acme, Budget 15 h a month): Acme: 10.5 of 15 h this month; at this "
        "pace it runs out Sun 29 Nov",
    ]
    assert fake.requests["create_database"] == 1
    assert fake.requests["create_page"] == 2  # the two targets, nothing else written
