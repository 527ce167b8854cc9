"""``timetrack backup`` writes the whole database to DATA_DIR/backups/DAY.json.gz and keeps
the last BACKUP_KEEP; restore is ``import json`` of that file into an empty database; the bot
backs up after its weekly post, and a backup that fails never fails the post."""

from __future__ import annotations

import asyncio
import gzip
import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from botkit import WEBHOOK_TOKEN, BotHarness, Clock
from clikit import Notion, served_timesheet
from notionkit import ALICE, fast_client, make_entry, seed_entry, timesheet_notion
from transferkit import Term, comparable, seed_week

from timesheet.entries.model import TimeEntry
from timesheet.entries.store import EntryStore
from timesheet.transfer import backup as backup_module
from timesheet.transfer.backup import all_entries, backup_database

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def term(notion: Notion, capsys: pytest.CaptureFixture[str]) -> Term:
    return Term(notion, capsys)


def test_backup_then_restore_into_an_empty_database(
    term: Term, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    week = seed_week(term.notion)
    old = make_entry(40, start=datetime(2019, 3, 1, 9, tzinfo=UTC), minutes=30)  # years back
    seed_entry(term.notion.fake, term.notion.data_source_id, old)
    folder = term.notion.data_dir / "backups"
    folder.mkdir(parents=True)
    for day in ("2026-10-01", "2026-10-08", "2026-10-15"):
        (folder / f"{day}.json.gz").write_bytes(b"old")
    (folder / "notes.txt").write_text("not a backup: left alone")

    out = term.ok("backup", BACKUP_KEEP="2")
    backups = sorted(p.name for p in folder.iterdir())
    (newest,) = [p for p in backups if p not in ("2026-10-15.json.gz", "notes.txt")]
    assert backups == ["2026-10-15.json.gz", newest, "notes.txt"]
    path = folder / newest
    assert out.splitlines() == [
        f"Backed up {len(week) + 1} entries to {path}",
        "Removed 2 older backup(s) (BACKUP_KEEP=2)",
    ]
    doc = json.loads(gzip.decompress(path.read_bytes()))
    assert doc["format"] == "timetrack" and len(doc["entries"]) == len(week) + 1
    assert {e["page_id"] for e in doc["entries"]} == {p["id"] for p in term.pages()}
    assert not list(folder.glob(".backup-*"))  # the temp file was renamed, not left

    with served_timesheet(tmp_path / "data2") as empty:
        restored = Term(empty, capsys)
        said = restored.ok("import", "json", str(path))
        assert said.startswith(f"{len(week) + 1} imported, 0 already present, 0 skipped")
        assert comparable(empty.entries()) == comparable([*week, old])


def test_a_backup_names_the_pages_it_cannot_hold(term: Term) -> None:
    t0 = datetime(2026, 11, 16, 9, tzinfo=UTC)
    seed_entry(term.notion.fake, term.notion.data_source_id, make_entry(1, start=t0, minutes=30))
    broken = make_entry(2, start=t0, end=t0 - timedelta(hours=1))  # End before Start
    page_id = seed_entry(term.notion.fake, term.notion.data_source_id, broken)
    lines = term.ok("backup").splitlines()
    assert lines[0].startswith("Backed up 1 entries to ")
    assert lines[1:3] == [
        "Not in the backup: 1 page(s) that are not usable entries (fix them in Notion; "
        "`timetrack check` lists them):",
        f"  page {term.notion.fake.page(page_id)['url']}: End is before Start",
    ]


async def test_a_backup_splits_its_scan_while_notion_caps_the_answer() -> None:
    fake, db_id, ds_id = timesheet_notion(("Acme",))
    fake.result_limit = 5
    t0 = datetime(2026, 1, 5, 9, tzinfo=UTC)
    entries = [make_entry(n, start=t0 + timedelta(days=3 * n), minutes=60) for n in range(12)]
    for e in entries:
        seed_entry(fake, ds_id, e)
    async with fast_client(fake.transport()) as client:
        store = EntryStore(client, db_id)
        found = await all_entries(store, datetime(2026, 12, 1, tzinfo=UTC))
    assert [e.entry_id for e in found.entries] == [e.entry_id for e in entries]
    assert fake.requests["query_data_source"] > 3  # 12 entries, 5 a query: it was split


async def test_the_backup_file_is_written_off_the_event_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake, db_id, ds_id = timesheet_notion(("Acme",))
    seed_entry(fake, ds_id, make_entry(1))
    threads: list[threading.Thread] = []
    encode = backup_module.write

    def spy(entries: list[TimeEntry], *, tz: ZoneInfo) -> str:
        threads.append(threading.current_thread())
        return encode(entries, tz=tz)

    monkeypatch.setattr(backup_module, "write", spy)
    async with fast_client(fake.transport()) as client:
        done = await backup_database(
            EntryStore(client, db_id), tmp_path, tz=LONDON, now=datetime.now(UTC), keep=8
        )
    assert done.entries == 1 and done.path.exists()
    assert threads and threads[0] is not threading.main_thread()


async def _weekly(data_dir: Path, done: Callable[[], bool]) -> None:
    """The bot started on Monday with Friday's entry: it posts W46, then backs up; waits
    until ``done()``."""
    fake, database_id, ds_id = timesheet_notion(("Acme",), token="secret_backup")
    start = datetime(2026, 11, 13, 10, tzinfo=UTC)
    seed_entry(fake, ds_id, make_entry(1, user=ALICE, start=start, minutes=150))
    env = {
        "NOTION_TOKEN": "secret_backup",
        "NOTION_DATABASE_ID": database_id,
        "TIMEZONE": "Europe/London",
        "DATA_DIR": str(data_dir),
    }
    monday = Clock(datetime(2026, 11, 16, 8, 0, tzinfo=UTC))  # the post was due Sunday
    async with BotHarness(env, transport=fake.transport(), clock=monday, webhook=True) as bot:
        await bot.discord.wait_for(WEBHOOK_TOKEN)
        for _ in range(500):  # the backup follows the post
            if done():
                return
            await asyncio.sleep(0.02)
    raise AssertionError("the backup never ran")


async def test_the_bot_backs_up_after_its_weekly_post(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    await _weekly(data_dir, lambda: bool(list(data_dir.glob("backups/*.gz"))))
    (backup,) = (data_dir / "backups").iterdir()
    assert backup.name == "2026-11-16.json.gz"
    doc = json.loads(gzip.decompress(backup.read_bytes()))
    assert [e["entry_id"] for e in doc["entries"]] == [make_entry(1).entry_id]


async def test_the_post_is_recorded_without_waiting_for_the_backup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = asyncio.Event()

    async def endless(*args: object, **kwargs: object) -> None:
        started.set()
        await asyncio.Event().wait()  # a backup of a large database, still reading

    monkeypatch.setattr(backup_module, "backup_database", endless)
    data_dir = tmp_path / "data"
    record = data_dir / "posted-reports.json"

    def recorded() -> bool:
        return started.is_set() and "2026-W46" in json.loads(record.read_text())["posted"]

    await _weekly(data_dir, recorded)


async def test_a_failing_backup_never_fails_the_post(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "backups").write_text("a file where the folder should be")
    with caplog.at_level("WARNING"):
        await _weekly(
            data_dir, lambda: any("weekly backup failed" in r.getMessage() for r in caplog.records)
        )
    record = json.loads((data_dir / "posted-reports.json").read_text())
    assert record["posted"]["2026-W46"]["status"] == "posted"
    assert not any("secret_backup" in r.getMessage() for r in caplog.records)
