"""The operator's demo step against the in-memory Notion: status, one alert, status again."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from notionkit import ALICE, fast_client, timesheet_notion

from timesheet.showcase.context import ShowcaseContext
from timesheet.showcase.ops import showcase

LONDON = ZoneInfo("Europe/London")


async def test_the_ops_showcase_prints_status_one_alert_and_status_again(tmp_path: Path) -> None:
    fake, database_id, _ = timesheet_notion(("Acme",))
    out = io.StringIO()
    async with fast_client(fake.transport(), max_attempts=1) as client:
        ctx = ShowcaseContext(
            client=client,
            fake=fake,
            parent_page_id=fake.add_parent_page("Demo"),
            database_id=database_id,
            data_dir=tmp_path / "data",
            tz=LONDON,
            now=datetime(2026, 11, 20, 17, 30, tzinfo=LONDON),
            user_id=ALICE,
            out_dir=tmp_path / "out",
            stdout=out,
        )
        await showcase(ctx)
    lines = out.getvalue().splitlines()
    assert len(lines) <= 20
    assert lines[1].endswith(": all good")
    alerts = [x for x in lines if "ALERT_WEBHOOK_URL gets: " in x]
    assert len(alerts) == 1 and "refused by Notion and set aside" in alerts[0]
    assert "Ledger: 0 pending, 1 failed (`timetrack outbox`)" in out.getvalue()
    assert lines[-6].endswith(": 1 thing(s) need a person")
    assert lines[-1] == "  Alerts: on" and "operators" not in out.getvalue()
