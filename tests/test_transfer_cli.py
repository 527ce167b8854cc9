"""``timetrack import`` / ``export`` end to end (`main` against the in-memory Notion over
HTTP): json and csv round trips into an empty database give the same entries and the same
report, importing again adds nothing, a dry run writes nothing, the running timer, rows
skipped with their line, and every bad input is one line that writes nothing."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from clikit import USER, Notion, served_timesheet
from notionkit import BOB, make_entry, seed_entry
from transferkit import MONDAY, Term, comparable, seed_week

from timesheet.tracking.ledger import Ledger
from timesheet.transfer.convert import import_entry_id


@pytest.fixture
def term(notion: Notion, capsys: pytest.CaptureFixture[str]) -> Term:
    return Term(notion, capsys)


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_export_then_import_into_an_empty_database_gives_the_same_entries_and_report(
    term: Term, tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    week = seed_week(term.notion)
    out = tmp_path / f"week.{fmt}"
    said = term.ok("export", "--week", "2026-W47", "--format", fmt, "--out", str(out))
    assert said == f"Wrote {len(week)} entries to {out}\n"
    report = term.ok("report", "--week", "2026-W47", "--csv", "-")

    with served_timesheet(tmp_path / "data2") as empty:
        other = Term(empty, capsys)
        code, summary, _ = other.run("import", fmt, str(out))
        assert code == 0
        assert summary.splitlines()[0] == f"{len(week)} imported, 0 already present, 0 skipped"
        # One query of the file's span, then one create per entry and nothing else.
        assert other.requests["create_page"] == len(week)
        assert other.requests["query_data_source"] == 1
        assert other.requests["update_page"] == 0
        got = empty.entries()
        assert [x[:7] for x in comparable(got)] == [x[:7] for x in comparable(week)]
        if fmt == "json":  # every field: the csv columns have no Paused
            assert comparable(got) == comparable(week)
        assert other.ok("report", "--week", "2026-W47", "--csv", "-") == report

        again = other.ok("import", fmt, str(out))
        assert again.splitlines()[0] == f"0 imported, {len(week)} already present, 0 skipped"
        assert other.requests["create_page"] == 0 and other.requests["query_data_source"] == 1
        assert len(empty.entries()) == len(week)


def test_csv_export_neutralises_formulas_and_import_gives_them_back(term: Term) -> None:
    seed_week(term.notion)
    text = term.ok("export", "--period", "2026-11-16..2026-11-22", "--format", "csv")
    lines = text.splitlines()
    assert lines[0] == "entry_id,user,client,name,note,start,end,hours"
    formula = next(line for line in lines if "HYPERLINK" in line)
    assert ",'=HYPERLINK(1)," in formula
    assert "2026-11-17T09:00:00+00:00,2026-11-17T11:00:00+00:00,2.0000" in formula


def _write_json(path: Path, entries: list[dict[str, object]]) -> Path:
    path.write_text(json.dumps({"format": "timetrack", "version": 1, "entries": entries}))
    return path


def _record(n: int, hours: float, *, start: str, **extra: object) -> dict[str, object]:
    return {
        "entry_id": f"00000000-0000-4000-8000-{n:012d}",
        "user_id": USER,
        "client": "Acme",
        "name": "Acme",
        "start": start,
        "end": None if hours == 0 else _plus(start, hours),
        "note": "",
        **extra,
    }


def _plus(start: str, hours: float) -> str:
    from datetime import datetime

    return (datetime.fromisoformat(start) + timedelta(hours=hours)).isoformat()


def test_a_dry_run_writes_nothing_and_shows_entries_hours_and_overlaps(
    term: Term, tmp_path: Path
) -> None:
    seed_entry(
        term.notion.fake,
        term.notion.data_source_id,
        make_entry(90, client="Globex", start=MONDAY, end=MONDAY + timedelta(hours=1)),
    )
    file = _write_json(
        tmp_path / "in.json",
        [
            _record(1, 2, start="2026-11-16T08:30:00+00:00"),
            _record(2, 1.5, start="2026-11-24T10:00:00+00:00", client="Globex", name="Call"),
            _record(3, -1, start="2026-11-25T10:00:00+00:00"),
        ],
    )
    out = term.ok("import", "json", str(file), "--dry-run")
    assert term.requests["create_page"] == 0 and term.requests["update_page"] == 0
    assert len(term.pages()) == 1
    with Ledger.in_dir(term.notion.data_dir) as ledger:
        assert len(ledger) == 0
    lines = out.splitlines()
    assert lines[0] == "Dry run, nothing written: 2 to import, 0 already present, 1 skipped"
    assert "  2026-11-16 08:30–10:30   2.00 h  Acme: Acme  (user 100000000000000001)" in lines
    assert "  2026-W47: Acme 2.00" in lines and "  2026-W48: Globex 1.50" in lines
    assert "  line 1 (2026-11-16 08:30–10:30) overlaps Globex 2026-11-16 09:00–10:00" in lines
    assert lines[-1] == "  line 3: End is before Start"


def test_rows_are_skipped_with_their_line_and_why(term: Term, tmp_path: Path) -> None:
    file = tmp_path / "in.csv"
    file.write_text(
        "entry_id,user,client,name,note,start,end,hours\n"
        ",,Acme,Design,,2026-11-16 09:00,2026-11-16 10:00,\n"
        ",,Acme,Gap,,2026-03-29 01:30,2026-03-29 03:00,\n"
        ",,Acme,Bad,,yesterday,2026-11-16 10:00,\n"
        ',,"A,B",Comma,,2026-11-17 09:00,2026-11-17 10:00,\n'
        ",,Acme,Design,,2026-11-16 09:00,2026-11-16 10:00,\n",
        encoding="utf-8",
    )
    code, out, _ = term.run("import", "csv", str(file))
    assert code == 1  # rows were skipped: a script notices
    assert out.splitlines() == [
        "1 imported, 0 already present, 4 skipped",
        "  line 3: start: 2026-03-29 01:30 does not exist in Europe/London (clocks go forward)",
        "  line 4: start: 'yesterday' is not an ISO time",
        "  line 5: The client can't contain a comma (Notion select options).",
        "  line 6: the same entry as line 2",
    ]
    (entry,) = term.notion.entries()
    assert (entry.name, entry.start, entry.user_id) == ("Design", MONDAY, USER)
    # Keyed by the row's content: the same Entry ID on every import of the file.
    assert entry.entry_id == import_entry_id(
        "csv", f"|Acme|Design|{MONDAY.isoformat()}|2026-11-16 10:00", USER
    )


def test_user_option_takes_every_entry_and_json_keeps_its_users_without_it(
    term: Term, tmp_path: Path
) -> None:
    file = _write_json(
        tmp_path / "in.json",
        [
            _record(1, 1, start="2026-11-16T09:00:00+00:00"),
            _record(2, 1, start="2026-11-16T11:00:00+00:00", user_id=BOB),
        ],
    )
    term.ok("import", "json", str(file))
    assert sorted(e.user_id for e in term.notion.entries()) == sorted([USER, BOB])


def test_a_file_is_read_from_stdin_with_a_dash(
    term: Term, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gzip
    import io

    file = _write_json(tmp_path / "in.json", [_record(1, 1, start="2026-11-16T09:00:00+00:00")])
    piped = io.TextIOWrapper(io.BytesIO(gzip.compress(file.read_bytes())))  # a backup, piped
    monkeypatch.setattr("sys.stdin", piped)
    assert term.ok("import", "json", "-").startswith("1 imported, 0 already present")
    assert [e.entry_id for e in term.notion.entries()] == ["00000000-0000-4000-8000-000000000001"]


def test_user_option_overrides_the_file(term: Term, tmp_path: Path) -> None:
    file = _write_json(tmp_path / "in.json", [_record(1, 1, start="2026-11-16T09:00:00+00:00")])
    term.ok("import", "json", str(file), "--user", BOB)
    assert [e.user_id for e in term.notion.entries()] == [BOB]


def test_an_import_whose_last_create_landed_as_it_died_is_finished_by_running_it_again(
    term: Term, tmp_path: Path
) -> None:
    from timesheet.tracking.edit_ops import import_lane
    from timesheet.tracking.operations import LogOp
    from timesheet.transfer.read_json import read

    file = _write_json(tmp_path / "in.json", [_record(1, 1, start="2026-11-16T09:00:00+00:00")])
    (item,) = read(file.read_bytes(), tz=ZoneInfo("UTC")).entries
    entry = make_entry(1, user=USER, start=item.start, end=item.end, entry_id=item.entry_id)
    # The dead import's state: its operation recorded, claimed and its create sent (and
    # landed in Notion), the answer never recorded.
    with Ledger.in_dir(term.notion.data_dir) as ledger:
        (op_id,) = ledger.record(LogOp(entry, imported=True))
        ledger.claim(import_lane(USER), op_id)
        ledger.mark_create_sent(op_id)
        ledger.release_lease(import_lane(USER))
    seed_entry(term.notion.fake, term.notion.data_source_id, entry)

    assert term.ok("import", "json", str(file)).startswith("0 imported, 1 already present")
    with Ledger.in_dir(term.notion.data_dir) as ledger:
        assert len(ledger) == 0  # finished, not left for `timetrack sync`
    assert [e.entry_id for e in term.notion.entries()] == [entry.entry_id]  # not doubled


def test_a_running_interval_becomes_the_running_timer(term: Term, tmp_path: Path) -> None:
    file = _write_json(
        tmp_path / "in.json",
        [
            _record(1, 1, start="2026-11-30T08:00:00+00:00"),
            _record(2, 0, start="2026-11-30T09:30:00+00:00", client="Globex", name="Globex"),
        ],
    )
    out = term.ok("import", "json", str(file))
    assert out.splitlines() == [
        "2 imported, 0 already present, 0 skipped",
        "Running timer started: Globex since 2026-11-30 09:30",
    ]
    active = term.ok("active")
    assert "Globex" in active
    assert term.ok("import", "json", str(file)).startswith("0 imported, 2 already present")


def test_a_file_with_a_running_timer_is_refused_while_one_runs(term: Term, tmp_path: Path) -> None:
    seed_entry(term.notion.fake, term.notion.data_source_id, make_entry(50, start=MONDAY))
    file = _write_json(
        tmp_path / "in.json",
        [
            _record(1, 1, start="2026-11-30T08:00:00+00:00"),
            _record(2, 0, start="2026-11-30T09:30:00+00:00"),
        ],
    )
    line = term.refused("import", "json", str(file))
    assert line == (
        f"user {USER} already has a running timer (Acme, since 2026-11-16 09:00 UTC) and the "
        "file holds one too: stop it first (timetrack end); nothing was imported"
    )


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["import", "harvest", "{json}"],
            "unknown format 'harvest' (expected json, csv, timew, watson, toggl, clockify)",
        ),
        (["import", "json", "{missing}"], "cannot read {missing}: No such file or directory"),
        (["import", "json", "{csv}"], "{csv}: not timetrack JSON: not JSON (JSONDecodeError)"),
        (
            ["import", "csv", "{json}"],
            "{json}: not timetrack CSV: no column start, end, client, name",
        ),
        (
            ["import", "json", "{json}", "--timezone", "Mars/Base"],
            "--timezone Mars/Base: not an IANA time zone such as Europe/London",
        ),
        (["import", "json", "{gz}"], "cannot read {gz}: a broken gzip file"),
        (
            ["import", "json", "{json}", "--user", "alice"],
            "--user alice: expected a Discord user id (digits)",
        ),
        (
            ["import", "csv", "{nouser}", "--env", "TIMETRACK_USER="],
            "whose entries are these? set TIMETRACK_USER or give --user ID ({nouser} does not say)",
        ),
        (["export", "--format", "xlsx"], "unknown format 'xlsx' (expected json, csv, timew, ics)"),
        (
            ["export", "--format", "json", "--week", "last", "--period", "today"],
            "export takes --week or --period, not both",
        ),
        (
            ["export", "--format", "json", "--period", "someday"],
            "--period someday: expected today",
        ),
    ],
)
def test_bad_inputs_are_one_line_and_write_nothing(
    term: Term, tmp_path: Path, argv: list[str], expected: str
) -> None:
    files = {
        "json": _write_json(
            tmp_path / "in.json", [_record(1, 1, start="2026-11-16T09:00:00+00:00")]
        ),
        "csv": tmp_path / "in.csv",
        "gz": tmp_path / "in.json.gz",
        "missing": tmp_path / "nope.json",
        "nouser": tmp_path / "nouser.csv",
    }
    files["nouser"].write_text("start,end,client,name\n2026-11-16 09:00,2026-11-16 10:00,Acme,A\n")
    files["csv"].write_text("a,b\n1,2\n")
    files["gz"].write_bytes(b"\x1f\x8b\x08\x00broken")
    names = {k: str(v) for k, v in files.items()}
    env = {}
    if "--env" in argv:  # not an option of timetrack: a setting of this case
        at = argv.index("--env")
        name, value = argv[at + 1].split("=", 1)
        env[name], argv = value, argv[:at] + argv[at + 2 :]
    line = term.refused(*(a.format(**names) for a in argv), **env)
    assert line.startswith(expected.format(**names)), line


def test_a_page_duplicated_in_notion_is_restored_as_an_entry_of_its_own(
    term: Term, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Notion's *Duplicate* copies the Entry ID: the copy moved to Tuesday is a second entry
    (reports count it), so a restore keeps it, under an Entry ID of its own."""
    original = make_entry(1, start=MONDAY, minutes=60)
    copy = make_entry(1, start=MONDAY + timedelta(days=1), minutes=30)
    twice = make_entry(1, start=MONDAY, minutes=60)  # a create doubled behind the index
    for e in (original, copy, twice):
        seed_entry(term.notion.fake, term.notion.data_source_id, e)
    out = tmp_path / "week.json"
    term.ok("export", "--week", "2026-W47", "--format", "json", "--out", str(out))
    code, said, _ = term.run("import", "json", str(out))
    assert said.splitlines()[:2] == [
        "0 imported, 2 already present, 1 skipped",
        "  line 2: the same entry as line 1",
    ]
    assert code == 1 and len(term.pages()) == 3

    with served_timesheet(tmp_path / "data2") as empty:
        other = Term(empty, capsys)
        other.run("import", "json", str(out))
        restored = empty.entries()
        assert [(e.start, e.end) for e in restored] == [
            (original.start, original.end),
            (copy.start, copy.end),
        ]
        assert restored[0].entry_id == original.entry_id
        assert restored[1].entry_id == import_entry_id(
            "json", f"{original.entry_id.replace('-', '')}@{copy.start.isoformat()}"
        )
        again = other.run("import", "json", str(out))[1]
        assert again.startswith("0 imported, 2 already present, 1 skipped")


def test_a_timew_interval_exported_running_then_stopped_is_imported_once(
    term: Term, tmp_path: Path
) -> None:
    """Timewarrior names an interval by its start (intervals never overlap): the export made
    while it ran, then the one made after it was stopped and re-tagged, give one entry."""
    running = tmp_path / "running.json"
    running.write_text('[{"id":1,"start":"20261130T090000Z","tags":["Acme","design"]}]')
    stopped = tmp_path / "stopped.json"
    stopped.write_text(
        '[{"id":1,"start":"20261130T090000Z","end":"20261130T103000Z","tags":["Acme","review"]}]'
    )
    assert term.ok("import", "timew", str(running)).startswith("1 imported, 0 already present")
    term.ok("end")
    assert term.ok("import", "timew", str(stopped)).startswith("0 imported, 1 already present")
    assert len(term.pages()) == 1


def test_a_calendar_export_counts_only_the_events_it_holds(term: Term, tmp_path: Path) -> None:
    """A running timer has no end, so the calendar leaves it out, and says so by its count."""
    week = seed_week(term.notion)
    running = make_entry(60, start=MONDAY + timedelta(hours=100))
    seed_entry(term.notion.fake, term.notion.data_source_id, running)
    out = tmp_path / "week.ics"
    said = term.ok("export", "--week", "2026-W47", "--format", "ics", "--out", str(out))
    assert said == f"Wrote {len(week)} entries to {out}\n"
    assert out.read_text().count("BEGIN:VEVENT") == len(week)
