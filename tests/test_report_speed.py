"""The report's speed work, checked by structure (figures are in `benchmarks.weekly_report`):
pandas is imported while the first request is in flight, the tables are built off the event
loop, and `timetrack report` as a process ends with everything written."""

from __future__ import annotations

import asyncio
import csv
import io
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from notionkit import TOKEN, NotionEnv, make_entry, notion_env, seed_entry, timesheet_notion
from processkit import run_cli

from bot.cli_base import end_now
from timesheet import background_imports
from timesheet.reports import report
from timesheet.reports.render import render_csv
from timesheet.reports.report import ReportOptions, build_timesheets, tables_for
from timesheet.reports.week import week_period

TZ = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 22, 18, 0, tzinfo=TZ)
PERIOD = week_period("2026-W47", TZ, 0, NOW)
OPTS = ReportOptions(tz=TZ)
CLIENTS = ("Acme", "Globex")


@pytest.fixture
async def env() -> AsyncIterator[NotionEnv]:
    async with notion_env(CLIENTS) as env:
        yield env


def seed_users(env: NotionEnv, users: int, each: int) -> None:
    n = 0
    for u in range(users):
        for k in range(each):
            n += 1
            start = PERIOD.start + timedelta(days=k % 7, hours=8 + u % 10, minutes=k)
            entry = make_entry(
                n, user=str(10**17 + u), client=CLIENTS[k % 2], start=start, minutes=30 + u % 90
            )
            seed_entry(env.fake, env.ds_id, entry)


async def test_the_400_users_tables_are_built_off_the_event_loop(
    env: NotionEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the tables are built, the event loop runs other callbacks: the build waits for
    one the loop must run (it would never run if the build held the loop)."""
    seed_users(env, 400, 3)
    loop = asyncio.get_running_loop()
    loop_thread = threading.get_ident()
    built_in: list[int] = []
    loop_ran = threading.Event()
    original = report.tables_for

    def watched(*args: Any, **kwargs: Any) -> Any:
        built_in.append(threading.get_ident())
        loop.call_soon_threadsafe(loop_ran.set)
        assert loop_ran.wait(10), "the event loop did not run while the tables were built"
        return original(*args, **kwargs)

    monkeypatch.setattr(report, "tables_for", watched)
    sheets = await build_timesheets(env.store, PERIOD, OPTS, NOW, per_user=True)

    assert built_in and loop_thread not in built_in
    assert len(sheets) == 400
    entries = await env.store.list_overlapping(PERIOD.start, PERIOD.end)
    same = tables_for(entries, PERIOD, OPTS, NOW, per_user=True)
    assert [(s.user_id, s.csv) for s in sheets] == [(u, render_csv(t)) for u, t in same]


async def test_a_weekly_post_on_a_busy_loop_keeps_the_tables_identical(env: NotionEnv) -> None:
    seed_users(env, 40, 5)
    sheets, again = await asyncio.gather(
        build_timesheets(env.store, PERIOD, OPTS, NOW, per_user=True),
        build_timesheets(env.store, PERIOD, OPTS, NOW, per_user=True),
    )
    assert [s.csv for s in sheets] == [s.csv for s in again]
    totals = {s.user_id: float(list(csv.reader(io.StringIO(s.csv)))[-1][-1]) for s in sheets}
    assert len(totals) == 40 and all(t > 0 for t in totals.values())


_CHILD = """
import asyncio, sys, threading
from datetime import datetime
from zoneinfo import ZoneInfo
import bot.cli, bot.model
from timesheet.reports.report import ReportOptions, build_timesheets
from timesheet.reports.week import week_period
sys.path.insert(0, sys.argv[1])
from notionkit import fast_client, timesheet_notion
from timesheet.entries.store import EntryStore

print("pandas before the report:", "pandas" in sys.modules)
fake, db, ds = timesheet_notion(("Acme",))
seen = []
def at_request(endpoint):
    seen.append((endpoint, [t.name for t in threading.enumerate()], "pandas" in sys.modules))
    return 0.0
fake.faults.latency = 0.3
fake.faults.latency_fn = at_request
async def main():
    tz = ZoneInfo("Europe/London")
    period = week_period("2026-W47", tz, 0, datetime(2026, 11, 18, tzinfo=tz))
    async with fast_client(fake.transport()) as client:
        (sheet,) = await build_timesheets(EntryStore(client, db), period, ReportOptions(tz=tz),
                                          period.end)
    print("total:", sheet.table.total_hours)
asyncio.run(main())
for endpoint, threads, pandas in seen:
    print(endpoint, "background-imports" in threads, pandas)
print("pandas after the report:", "pandas" in sys.modules)
"""


def test_pandas_is_imported_in_a_thread_started_before_the_first_request() -> None:
    """In a fresh interpreter: the CLI and the report pipeline import without pandas, and
    pandas is being imported in a thread when Notion receives the report's first request."""
    tests = Path(__file__).parent
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(tests)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    lines = done.stdout.splitlines()
    assert lines[0] == "pandas before the report: False"
    assert lines[1] == "total: 0.0"
    assert lines[2] == "retrieve_database True False"  # the first request: pandas on its way
    assert lines[-1] == "pandas after the report: True"


_PROBE = """
import sys, threading
test = sys.modules[{test!r}]
frame = sys._current_frames()[{loop_thread}]
SEEN = (threading.current_thread().name, frame.f_code.co_filename.endswith("selectors.py"))
test.PROBE_IMPORTED.append(SEEN)
test.PROBE_LOOP[0].call_soon_threadsafe(test.PROBE_EVENT[0].set)
"""
PROBE_IMPORTED: list[tuple[str, bool]] = []
PROBE_LOOP: list[asyncio.AbstractEventLoop] = []
PROBE_EVENT: list[asyncio.Event] = []


async def test_background_imports_begin_once_the_loop_waits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The module is imported in the background thread, and only while the event loop's thread
    is blocked in its selector (not while it still has work before the first request)."""
    probe = _PROBE.format(test=__name__, loop_thread=threading.get_ident())
    (tmp_path / "bq_probe.py").write_text(probe)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "bq_probe", raising=False)
    PROBE_IMPORTED.clear()
    PROBE_LOOP[:] = [asyncio.get_running_loop()]
    PROBE_EVENT[:] = [asyncio.Event()]
    background_imports.start("bq_probe")
    await asyncio.wait_for(PROBE_EVENT[0].wait(), 30)
    background_imports.finish("bq_probe")
    assert PROBE_IMPORTED == [("background-imports", True)]


def test_end_now_leaves_the_normal_exit_to_a_process_with_a_thread_still_working() -> None:
    release = threading.Event()
    worker = threading.Thread(target=release.wait)
    worker.start()
    try:
        assert end_now(3) == 3  # returned: a thread is still at work, nothing is cut short
    finally:
        release.set()
        worker.join()


def _report_env(fake_url: str, database_id: str, data_dir: Path) -> dict[str, str]:
    return {
        "NOTION_TOKEN": TOKEN,
        "NOTION_DATABASE_ID": database_id,
        "NOTION_BASE_URL": fake_url,
        "TIMEZONE": "Europe/London",
        "DATA_DIR": str(data_dir),
    }


@pytest.mark.parametrize("extra", [[], ["--csv", "-"], ["--csv", "out/week.csv"]])
async def test_timetrack_report_ends_with_everything_written(
    tmp_path: Path, extra: Sequence[str]
) -> None:
    """The console script skips the interpreter's teardown after a report: its whole output
    still arrives, through a pipe, and its files are complete."""
    fake, database_id, ds_id = timesheet_notion(CLIENTS, token=TOKEN)
    for n in range(1, 301):
        start = PERIOD.start + timedelta(days=n % 7, hours=8, minutes=n)
        seed_entry(fake, ds_id, make_entry(n, client=CLIENTS[n % 2], start=start, minutes=60))
    async with fake.serve() as url:
        args = [a.replace("out/", f"{tmp_path}/out/") for a in extra]
        done = await run_cli(_report_env(url, database_id, tmp_path), "report", "--week",
                             "2026-W47", *args)  # fmt: skip
    assert done.code == 0, done.err
    assert done.err == ""
    if not extra:
        assert "Total" in done.out and "300.00" in done.out
    else:
        text = done.out if extra[1] == "-" else (tmp_path / "out" / "week.csv").read_text()
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0][0] == "day" and rows[-1] == ["Total", "150.00", "150.00", "300.00"]


_SKIPS_TEARDOWN = """
import atexit, sys
atexit.register(print, "teardown ran")
from bot.cli import main
sys.argv = ["timetrack", *sys.argv[1:]]
sys.exit(main())
"""


@pytest.mark.parametrize(("command", "teardown"), [("report", False), ("check", True)])
async def test_only_a_report_skips_the_interpreters_teardown(
    tmp_path: Path, command: str, teardown: bool
) -> None:
    fake, database_id, ds_id = timesheet_notion(CLIENTS, token=TOKEN)
    seed_entry(fake, ds_id, make_entry(1, start=PERIOD.start + timedelta(hours=9), minutes=90))
    async with fake.serve() as url:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-c", _SKIPS_TEARDOWN, command, "--week", "2026-W47",
            env={"PATH": "", **_report_env(url, database_id, tmp_path)},
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, err.decode()
    assert out.decode().rstrip().endswith("teardown ran") is teardown
    if command == "report":
        assert "1.50" in out.decode()
