"""The operator's demo step against the in-memory Notion: status, one alert, status again."""

from __future__ import annotations

from pathlib import Path

from notionkit import fast_client, timesheet_notion
from showcasekit import run_step

from timesheet.showcase.ops import showcase


async def test_the_ops_showcase_prints_status_one_alert_and_status_again(tmp_path: Path) -> None:
    fake, database_id, _ = timesheet_notion(("Acme",))
    async with fast_client(fake.transport(), max_attempts=1) as client:
        printed = await run_step(
            showcase,
            client,
            fake,
            database_id,
            tmp_path,
            parent_page_id=fake.add_parent_page("Demo"),
        )
    lines = printed.splitlines()
    assert len(lines) <= 20
    assert lines[1].endswith(": all good")
    alerts = [x for x in lines if "ALERT_WEBHOOK_URL gets: " in x]
    assert len(alerts) == 1 and "refused by Notion and set aside" in alerts[0]
    assert "Ledger: 0 pending, 1 failed (`timetrack outbox`)" in printed
    assert lines[-6].endswith(": 1 thing(s) need a person")
    assert lines[-1] == "  Alerts: on" and "operators" not in printed
