"""The readers' demo step, against the in-memory Notion holding a small demo week."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from icalendar import Calendar
from notionkit import BOB, make_entry, notion_env, seed_entry
from showcasekit import run_step

from timesheet.showcase.readers import showcase
from timesheet.transfer import read_timew

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 20, 17, 30, tzinfo=LONDON)
MONDAY = datetime(2026, 11, 16, 9, 0, tzinfo=LONDON)


async def test_showcase_exports_the_week_and_reads_other_trackers(tmp_path: Path) -> None:
    async with notion_env(["Acme", "Globex"]) as env:
        week = [
            make_entry(1, start=MONDAY, minutes=90, note="kick-off"),
            make_entry(
                2, client="Globex", name="Audit", start=MONDAY + timedelta(days=1), minutes=60
            ),
            make_entry(3, start=NOW - timedelta(minutes=20)),  # running
            make_entry(4, user=BOB, start=MONDAY, minutes=30),  # someone else's
            make_entry(5, start=MONDAY - timedelta(days=7), minutes=30),  # last week
        ]
        for entry in week:
            seed_entry(env.fake, env.ds_id, entry)
        printed = await run_step(
            showcase, env.client, env.fake, env.db_id, tmp_path, out_dir=tmp_path
        )

    assert printed.splitlines() == [
        "Exported 2026-W47 for Timewarrior: 3 intervals (1 running, without an end) to "
        "week.timew.json; read back: 3 entries, same clients, notes and times.",
        "Calendar: 2 events in week.ics (a running timer has no end yet, so it is left out).",
        "A Clockify CSV dated 03/05/2026 and 04/06/2026: refused: every date in this Clockify "
        "detailed CSV reads as MM/DD/YYYY and as DD/MM/YYYY: say which with --date-order mdy "
        "or --date-order dmy",
        "  with --date-order dmy: Sun 03 May 2026, Thu 04 Jun 2026.",
        "A Toggl CSV read in Europe/London:",
        "  line 2 skipped: start: 2026-03-29 01:30 does not exist in Europe/London "
        "(clocks go forward)",
        "  line 3: Acme — Clocks go back, 01:50 BST to 01:10 GMT (20 min)",
    ]
    timew = read_timew.read((tmp_path / "week.timew.json").read_bytes(), tz=LONDON)
    assert sorted(e.start for e in timew.entries) == sorted(e.start for e in week[:3])
    calendar = Calendar.from_ical((tmp_path / "week.ics").read_bytes())
    assert sorted(str(e["SUMMARY"]) for e in calendar.walk("VEVENT")) == ["Acme", "Globex — Audit"]
