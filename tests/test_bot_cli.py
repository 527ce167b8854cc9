"""The `timetrack` command: config errors in one line, start/end/active/setup against Notion."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from clikit import TOKEN, USER, Notion
from notionkit import make_entry, prop_text, seed_entry
from processkit import run_script

from bot.cli import main
from notion_client import PropertySchema
from timesheet.entries.schema import expected_schema
from timesheet.reports.week import week_period

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("env", "line"),
    [
        (
            {"NOTION_TOKEN": "secret_leak me", "TIMETRACK_USER": USER},
            "timetrack: NOTION_TOKEN: contains white space",
        ),
        ({"NOTION_TOKEN": TOKEN}, "timetrack: TIMETRACK_USER: is not set (see .env.example)"),
        (
            {"TIMEZONE": "Mars/Olympus_Mons", "TIMETRACK_USER": USER},
            "timetrack: TIMEZONE: not an IANA time zone such as Europe/London",
        ),
    ],
)
def test_a_config_error_is_one_line_exit_2_no_traceback_no_secret(
    tmp_path: Path, env: dict[str, str], line: str
) -> None:
    done = run_script("start", "Acme", env=env, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == line + "\n"
    assert done.stdout == ""
    assert "leak" not in done.stderr


DISCORD_ENV = {"DISCORD_TOKEN": "test.bot.token", "DISCORD_PUBLIC_KEY": "ab" * 32}


def _unusable_data_dirs(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """DATA_DIR values timetrack can't use, and the line naming each."""
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    with_outbox_folder = tmp_path / "outbox-folder"
    (with_outbox_folder / "outbox.sqlite3").mkdir(parents=True)
    with_bad_outbox = tmp_path / "bad-outbox"
    with_bad_outbox.mkdir()
    (with_bad_outbox / "outbox.sqlite3").write_text("not a database")
    with_bad_record = tmp_path / "bad-record"
    with_bad_record.mkdir()
    (with_bad_record / "posted-reports.json").write_text("{not json")
    record = with_bad_record / "posted-reports.json"
    return {
        "a file": (a_file, f"DATA_DIR: {a_file} is a file, not a folder"),
        "under a file": (a_file / "data", f"DATA_DIR: {a_file} is a file, not a folder"),
        "outbox is a folder": (
            with_outbox_folder,
            f"DATA_DIR: {with_outbox_folder / 'outbox.sqlite3'} is not a file",
        ),
        "outbox is no database": (
            with_bad_outbox,
            f"DATA_DIR: {with_bad_outbox / 'outbox.sqlite3'} is not a timetrack ledger "
            "(file is not a database)",
        ),
        "posted record unreadable": (
            with_bad_record,
            f"DATA_DIR: {record}: unreadable posted-reports record (Expecting property name "
            "enclosed in double quotes: line 1 column 2 (char 1))",
        ),
    }


def _data_dir_env(data_dir: Path) -> dict[str, str]:
    return {
        "TIMETRACK_USER": USER,
        "NOTION_TOKEN": TOKEN,
        "NOTION_DATABASE_ID": "0123456789abcdef0123456789abcdef",
        "DATA_DIR": str(data_dir),
        **DISCORD_ENV,
    }


@pytest.mark.parametrize(
    "case",
    ["a file", "under a file", "outbox is a folder", "outbox is no database",
     "posted record unreadable"],
)  # fmt: skip
@pytest.mark.parametrize("command", [["active"], ["report", "--week", "last"], ["sync"]])
def test_an_unusable_data_dir_is_one_line_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str, command: list[str]
) -> None:
    data_dir, line = _unusable_data_dirs(tmp_path)[case]
    assert main(command, _data_dir_env(data_dir)) == 2
    assert capsys.readouterr() == ("", f"timetrack: {line}\n")


def test_the_bot_checks_data_dir_before_it_starts(tmp_path: Path) -> None:
    """The real console script: one line, no traceback, and Discord never contacted."""
    data_dir, line = _unusable_data_dirs(tmp_path)["a file"]
    done = run_script("bot", "--http", env=_data_dir_env(data_dir), cwd=tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (2, "", f"timetrack: {line}\n")


def test_a_data_dir_that_cant_be_created_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    too_long = tmp_path / ("d" * 300)  # past any file system's name limit, even for root
    assert main(["active"], _data_dir_env(too_long)) == 2
    line = f"timetrack: DATA_DIR: can't create {too_long} (File name too long)\n"
    assert capsys.readouterr() == ("", line)


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_a_data_dir_without_write_permission_is_one_line(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        done = run_script("active", env=_data_dir_env(locked), cwd=tmp_path)
    finally:
        locked.chmod(0o700)
    assert done.returncode == 2
    assert done.stderr == f"timetrack: DATA_DIR: {locked} is not writable (Permission denied)\n"


def test_demo_never_imports_hikari(tmp_path: Path) -> None:
    code = (
        "import sys; from bot.cli import main; rc = main(['demo', '--out', sys.argv[1]]); "
        "assert 'hikari' not in sys.modules and 'crescent' not in sys.modules, 'hikari loaded'; "
        "raise SystemExit(rc)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "out")],
        env={"PATH": os.environ.get("PATH", "")},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out").is_dir()


def test_start_active_end_from_the_terminal(
    notion: Notion, capsys: pytest.CaptureFixture[str]
) -> None:
    env = notion.env()
    assert main(["start", "acme", "--note", "invoice 42"], env) == 0
    out = capsys.readouterr().out
    (entry,) = notion.entries()
    assert (entry.client, entry.user_id, entry.note, entry.end) == (
        "Acme",
        USER,
        "invoice 42",
        None,
    )
    assert out.startswith("Started Acme at ")
    assert "Europe/London" in out and f"\n  {entry.url}" in out

    assert main(["active"], env) == 0
    assert capsys.readouterr().out.startswith("Running: Acme since ")

    assert main(["end"], env) == 0
    assert capsys.readouterr().out.startswith("Acme stopped: started ")
    (entry,) = notion.entries()
    assert entry.end is not None

    assert main(["end"], env) == 1
    captured = capsys.readouterr()
    assert captured.err == "timetrack: You have no running timer.\n"


def test_end_by_page_url_from_the_terminal(
    notion: Notion, capsys: pytest.CaptureFixture[str]
) -> None:
    env = notion.env()
    assert main(["start", "Globex"], env) == 0
    (entry,) = notion.entries()
    capsys.readouterr()
    assert main(["end", entry.url or ""], env) == 0
    assert "Globex stopped" in capsys.readouterr().out
    assert notion.entries()[0].end is not None


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"NOTION_TOKEN": "secret_wrong"}, "timetrack: Notion rejected the token"),
        (
            {"NOTION_DATABASE_ID": "0123456789abcdef0123456789abcdef"},
            "share the database with the integration",
        ),
    ],
)
def test_notion_errors_are_one_line_exit_1(
    notion: Notion, capsys: pytest.CaptureFixture[str], extra: dict[str, str], expected: str
) -> None:
    assert main(["active"], notion.env(**extra)) == 1
    captured = capsys.readouterr()
    assert expected in captured.err
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err
    assert "secret_wrong" not in captured.err


def test_setup_creates_the_database_and_prints_the_env_line(
    notion: Notion, capsys: pytest.CaptureFixture[str]
) -> None:
    parent = notion.fake.add_parent_page("Another page")
    env = notion.env(NOTION_DATABASE_ID="", NOTION_PARENT_PAGE_ID=parent.replace("-", ""))
    assert main(["setup"], env) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1].startswith("NOTION_DATABASE_ID=")
    database_id = lines[-1].split("=", 1)[1]
    assert main(["setup"], notion.env(NOTION_DATABASE_ID=database_id)) == 0
    assert "every property" in capsys.readouterr().out


def test_setup_lists_what_is_missing_and_fix_adds_it(
    notion: Notion, capsys: pytest.CaptureFixture[str]
) -> None:
    parent = notion.fake.add_parent_page("Old")
    schema = {
        "Name": PropertySchema("Name", "title"),
        "Start": PropertySchema("Start", "date"),
        "End": PropertySchema("End", "rich_text"),
    }
    database_id, _ = notion.fake.add_database(parent, "Old entries", schema)
    env = notion.env(NOTION_DATABASE_ID=database_id)
    assert main(["setup"], env) == 1
    out = capsys.readouterr().out
    assert 'missing property "Client" (select)' in out
    assert '"End" is rich_text, expected date' in out
    assert "timetrack setup --fix" in out

    assert main(["setup", "--fix"], env) == 1  # End's type is left for a person to change
    out = capsys.readouterr().out
    assert 'added property "Client" (select)' in out
    assert 'missing property "Client"' not in out
    assert '"End" is rich_text, expected date' in out


def test_setup_with_neither_database_nor_parent_names_the_variable(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["setup"], {"NOTION_TOKEN": TOKEN}) == 2
    assert capsys.readouterr().err.startswith("timetrack: NOTION_DATABASE_ID: is not set")


def test_report_prints_the_table_and_writes_csv_and_png(
    notion: Notion, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    env = notion.env()
    assert main(["start", "Acme"], env) == 0
    assert main(["end"], env) == 0
    capsys.readouterr()
    csv_path, png_path = tmp_path / "week.csv", tmp_path / "week.png"
    assert main(["report", "--csv", str(csv_path), "--png", str(png_path)], env) == 0
    out = capsys.readouterr().out
    assert "Acme" in out and f"Wrote {csv_path}" in out
    assert csv_path.read_text().splitlines()[0] == "day,Acme,Total"
    assert png_path.read_bytes().startswith(b"\x89PNG")

    assert main(["report", "--week", "last", "--csv", "-"], env) == 0
    assert capsys.readouterr().out.splitlines()[0] == "day,Total"

    assert main(["report", "--week", "2026-W99"], env) == 1
    assert "--week 2026-W99: expected this, last" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("week", "line"),
    [
        (
            "9999-W52",
            "timetrack: --week 9999-W52: expected this, last or an ISO week such as 2026-W47 "
            "(too far in the past or future to report)\n",
        ),
        (
            "2026-W99",
            "timetrack: --week 2026-W99: expected this, last or an ISO week such as 2026-W47 "
            "(week must be 1 to 53)\n",
        ),
        (
            "someday",
            "timetrack: --week someday: expected this, last or an ISO week such as 2026-W47\n",
        ),
    ],
)
def test_a_week_that_cant_be_reported_is_one_line(
    notion: Notion, capsys: pytest.CaptureFixture[str], week: str, line: str
) -> None:
    assert main(["report", "--week", week], notion.env()) == 1
    captured = capsys.readouterr()
    assert captured.err == line and captured.out == ""


def test_report_makes_the_folders_it_writes_into(
    notion: Notion, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    csv_path = tmp_path / "out" / "2026" / "week.csv"
    png_path = tmp_path / "charts" / "week.png"
    assert main(["report", "--csv", str(csv_path), "--png", str(png_path)], notion.env()) == 0
    assert csv_path.read_text().startswith("day,")
    assert png_path.read_bytes().startswith(b"\x89PNG")
    assert f"Wrote {csv_path}" in capsys.readouterr().out


@pytest.mark.parametrize("bad", ["csv", "png"])
def test_report_into_a_path_it_cant_write_is_one_line_and_writes_nothing(
    notion: Notion, capsys: pytest.CaptureFixture[str], tmp_path: Path, bad: str
) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    (tmp_path / "a-folder").mkdir()
    paths = {"csv": tmp_path / "week.csv", "png": tmp_path / "week.png"}
    paths[bad] = tmp_path / "a-file" / f"week.{bad}"
    queries = notion.fake.requests["query_data_source"]

    code = main(["report", "--csv", str(paths["csv"]), "--png", str(paths["png"])], notion.env())

    captured = capsys.readouterr()
    assert code == 1 and captured.out == ""
    assert captured.err == (
        f"timetrack: cannot write {paths[bad]}: {tmp_path / 'a-file'} is a file, not a folder\n"
    )
    assert not any(p.exists() for p in paths.values())
    assert notion.fake.requests["query_data_source"] == queries  # refused before reading Notion

    folder = tmp_path / "a-folder"
    assert main(["report", "--png", str(folder)], notion.env()) == 1
    assert capsys.readouterr().err == f"timetrack: cannot write {folder}: it is a folder\n"


def test_demo_into_a_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "out").write_text("a file")
    assert main(["demo", "--out", str(tmp_path / "out")]) == 1
    assert capsys.readouterr().err == (
        f"timetrack: cannot write {tmp_path / 'out' / 'timesheet.csv'}: "
        f"{tmp_path / 'out'} is a file, not a folder\n"
    )


def test_report_post_needs_the_webhook(notion: Notion, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--post"], notion.env()) == 2
    assert capsys.readouterr().err.startswith("timetrack: TIMESHEET_WEBHOOK_URL: is not set")


def test_a_start_saved_during_an_outage_is_written_by_sync(
    notion: Notion, capsys: pytest.CaptureFixture[str]
) -> None:
    env = notion.env()
    notion.fake.faults.rate_limit_next(retry_after=0, count=5)  # every try of the client
    assert main(["start", "Acme"], env) == 0
    out = capsys.readouterr().out
    assert "(not in Notion yet)" in out and "will be written to Notion" in out
    assert notion.entries() == []

    assert main(["sync"], env) == 0
    out = capsys.readouterr().out
    assert out.startswith("ledger: 1 operation(s) to sync")
    assert out.endswith("ledger: 1 applied, 0 failed, 0 pending\n")
    (entry,) = notion.entries()
    assert entry.client == "Acme" and entry.end is None
    assert main(["sync"], env) == 0
    assert capsys.readouterr().out == "ledger: nothing to sync\n"
    assert main(["active"], env) == 0
    assert "Running: Acme since" in capsys.readouterr().out


def test_the_next_command_writes_what_an_outage_left_without_sync(
    notion: Notion, capsys: pytest.CaptureFixture[str]
) -> None:
    env = notion.env()
    notion.fake.faults.rate_limit_next(retry_after=0, count=5)  # every try of the client
    assert main(["start", "Acme"], env) == 0
    assert "will be written to Notion" in capsys.readouterr().out
    assert main(["end"], env) == 0  # Notion is back: the start, then the end, go through
    out = capsys.readouterr().out
    assert out.startswith("Acme stopped") and "can't be reached" not in out
    (entry,) = notion.entries()
    assert entry.client == "Acme" and entry.end is not None


def test_end_entry_during_an_outage_prints_the_saved_line_and_sync_applies_it(
    notion: Notion, capsys: pytest.CaptureFixture[str]
) -> None:
    env = notion.env()
    assert main(["start", "Acme"], env) == 0
    (entry,) = notion.entries()
    capsys.readouterr()
    notion.fake.faults.rate_limit_next(retry_after=0, count=5)  # every try of the client
    asked = datetime.now(UTC) - timedelta(milliseconds=1)  # times are kept to the millisecond
    assert main(["end", entry.url or ""], env) == 0
    answered = datetime.now(UTC)
    captured = capsys.readouterr()
    # The ledger wrote that page, so it knows whose it is and says what will stop.
    assert captured.out.startswith("Acme stopped: started ")
    assert captured.out.endswith("will be written to Notion as soon as it answers.\n")
    assert captured.err == ""
    assert notion.entries()[0].end is None

    assert main(["sync"], env) == 0
    assert capsys.readouterr().out.endswith("ledger: 1 applied, 0 failed, 0 pending\n")
    (ended,) = notion.entries()
    assert ended.end is not None and asked <= ended.end <= answered  # the command's time


def test_start_on_a_database_missing_properties_names_them(
    notion: Notion, capsys: pytest.CaptureFixture[str]
) -> None:
    parent = notion.fake.add_parent_page("Old")
    schema = {k: v for k, v in expected_schema(()).items() if k != "Entry ID"}
    database_id, _ = notion.fake.add_database(parent, "Old entries", schema)
    assert main(["start", "Acme"], notion.env(NOTION_DATABASE_ID=database_id)) == 1
    assert capsys.readouterr().err == (
        'timetrack: The Notion database is not ready: missing property "Entry ID" (rich_text).'
        " Run `timetrack setup --fix`.\n"
    )


# -- timetrack check ---------------------------------------------------------------------------


def _last_week(day: int, hour: float) -> datetime:
    """A moment of last week (London), which is over whenever the test runs."""
    monday = week_period("last", LONDON, 0, datetime.now(UTC)).start
    return monday + timedelta(days=day, hours=hour)


def _seed(
    notion: Notion,
    user: str,
    day: int,
    hour: float,
    hours: float | None,
    *,
    client: str = "Acme",
    entry_id: str | None = None,
    created: datetime | None = None,
) -> str:
    """`make_entry` named Acme with a fresh Entry ID (unless ``entry_id``) typed straight into
    Notion, ``hours`` long (None: running) from ``hour`` o'clock on ``day`` of last week, created
    then (unless ``created``); returns its page id."""
    start = _last_week(day, hour)
    minutes = None if hours is None else hours * 60
    made = make_entry(
        user=user,
        client=client,
        name="Acme",
        start=start,
        minutes=minutes,
        entry_id=entry_id or str(uuid.uuid4()),
    )
    return seed_entry(notion.fake, notion.data_source_id, made, created=created or start)


def test_check_lists_what_a_report_would_stumble_on_one_line_each_and_exits_1(
    notion: Notion, capsys: pytest.CaptureFixture[str]
) -> None:
    copied_id = str(uuid.uuid4())
    pages = {
        "overlapped": _seed(notion, "1", 0, 9, 2),
        "overlap": _seed(notion, "1", 0, 10, 2, client="Globex"),
        "reversed": _seed(notion, "2", 1, 10, -1),
        "running": _seed(notion, "3", 2, 9, None),
        "no client": _seed(notion, "4", 3, 9, 1, client=""),
        "original": _seed(notion, "5", 4, 9, 1, entry_id=copied_id),
        "doubled": _seed(notion, "5", 4, 9, 1, entry_id=copied_id),
        "copy": _seed(notion, "5", 5, 9, 1, entry_id=copied_id, created=_last_week(5, 9)),
        "fine": _seed(notion, "6", 1, 9, 8),
    }
    date_only = {"Start": {"date": {"start": _last_week(6, 0).date().isoformat()}}}
    pages["skipped"] = notion.fake.add_page(notion.data_source_id, date_only)
    url = {name: notion.fake.page(page_id)["url"] for name, page_id in pages.items()}

    assert main(["check", "--week", "last"], notion.env()) == 1

    head, *lines = capsys.readouterr().out.splitlines()
    assert head.startswith("Week ") and head.endswith(": 7 finding(s).")
    # Of two identical pages the report counts one (`preference`); the other is the extra.
    extra, counted = url["doubled"], url["original"]
    if lines[4].startswith(f"doubled page: {counted} "):
        extra, counted = counted, extra
    assert [line.split(" — ")[0] for line in lines] == [
        f"overlap: {url['overlap']}",
        f"End before Start: {url['reversed']}",
        f"over 24 h: {url['running']}",
        f"no client: {url['no client']}",
        f"doubled page: {extra}",
        f"copied Entry ID: {url['copy']}",
        f"skipped: {url['skipped']}",
    ]
    assert url["overlapped"] in lines[0] and counted in lines[4] and counted in lines[5]
    assert notion.fake.requests["query_data_source"] == 1
    assert notion.fake.requests["update_page"] == notion.fake.requests["create_page"] == 0


def test_check_fix_gives_the_copy_alone_a_fresh_entry_id(
    notion: Notion, capsys: pytest.CaptureFixture[str]
) -> None:
    shared = str(uuid.uuid4())
    original = _seed(notion, "1", 0, 9, 1, entry_id=shared)
    copy = _seed(notion, "1", 2, 9, 1, entry_id=shared, created=_last_week(2, 9))
    _seed(notion, "2", 0, 9, 1)
    before = {p["id"]: p for p in notion.fake.pages(notion.data_source_id)}

    assert main(["check", "--week", "last", "--fix"], notion.env()) == 0

    after = {p["id"]: p for p in notion.fake.pages(notion.data_source_id)}
    assert [k for k in after if after[k] != before[k]] == [copy]
    assert [
        name
        for name, value in after[copy]["properties"].items()
        if value != before[copy]["properties"][name]
    ] == ["Entry ID"]
    fresh = prop_text(after[copy], "Entry ID")
    assert uuid.UUID(fresh).version == 4 and fresh != shared
    assert prop_text(after[original], "Entry ID") == shared
    assert notion.fake.requests["update_page"] == 1
    fixed, summary = capsys.readouterr().out.splitlines()
    assert fixed == f"fixed: {after[copy]['url']} now has Entry ID {fresh}"
    assert summary.endswith(": nothing a report would stumble on.")

    assert main(["check", "--week", "last", "--fix"], notion.env()) == 0  # nothing left to fix
    assert notion.fake.requests["update_page"] == 1


def test_check_refuses_a_bad_week_in_one_line_without_asking_notion(
    notion: Notion, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--week", "2026-W99", "--fix"], notion.env()) == 1
    captured = capsys.readouterr()
    assert captured.err == (
        "timetrack: --week 2026-W99: expected this, last or an ISO week such as 2026-W47"
        " (week must be 1 to 53)\n"
    )
    assert captured.out == "" and sum(notion.fake.requests.values()) == 0


def test_a_relative_data_dir_works_on_every_command(
    notion: Notion,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`DATA_DIR=./data`, as .env.example has it: the second command finds the ledger the
    first made (it used to stop with a traceback reading it by a relative URI)."""
    monkeypatch.chdir(tmp_path)
    env = notion.env(DATA_DIR="./data")
    assert main(["start", "Acme"], env) == 0
    assert (tmp_path / "data" / "outbox.sqlite3").is_file()
    assert main(["active"], env) == 0
    assert "\nRunning: Acme since " in capsys.readouterr().out
