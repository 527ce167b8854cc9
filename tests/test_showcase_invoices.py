"""The invoices' demo step, against the in-memory Notion holding a small demo week."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from notionkit import BOB, make_entry, notion_env, seed_entry
from showcasekit import run_step

from timesheet.showcase.invoices import showcase

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 20, 17, 30, tzinfo=LONDON)
MONDAY = datetime(2026, 11, 16, 9, 0, tzinfo=LONDON)


async def test_showcase_bills_acme_for_the_week(tmp_path: Path) -> None:
    async with notion_env(["Acme", "Globex"]) as env:
        week = [
            make_entry(1, start=MONDAY, minutes=90, note="kick-off"),  # 1.50 h
            make_entry(2, start=MONDAY + timedelta(days=1, hours=2), minutes=50),  # 0.75 h
            make_entry(3, user=BOB, start=MONDAY + timedelta(hours=5), minutes=30),  # 0.50 h
            make_entry(4, client="Globex", start=MONDAY + timedelta(hours=3), minutes=60),
            make_entry(5, start=NOW - timedelta(minutes=20)),  # running: not billed yet
            make_entry(6, start=MONDAY - timedelta(days=7), minutes=30),  # last week
        ]
        for entry in week:
            seed_entry(env.fake, env.ds_id, entry)
        printed = await run_step(
            showcase,
            env.client,
            env.fake,
            env.db_id,
            tmp_path,
            parent_page_id=env.fake.add_parent_page("Demo workspace"),
        )

    out = tmp_path / "out"
    assert printed.splitlines() == [
        "Clients database created (NOTION_CLIENTS_DATABASE_ID); rates: Acme 120.00, "
        "Globex 95.50, Initech 80.00, Umbrella 110.00, Wayne 100.00 EUR/h.",
        "Invoice: Acme, 16–22 Nov 2026: 2.75 h × 120.00 = 330.00 EUR (3 entries); "
        "1 running left out (end it to bill it)",
        f"Wrote {out / 'invoice-acme.csv'} and {out / 'invoice-acme.pdf'} "
        "(a one-page statement; preview invoice-acme.png).",
    ]
    rows = list(csv.reader(io.StringIO((out / "invoice-acme.csv").read_text())))
    assert rows[-1] == ["Total", "", "", "", "2.75", "", "330.00"]
    assert (out / "invoice-acme.pdf").read_bytes().startswith(b"%PDF-")
    assert (out / "invoice-acme.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
