"""The format registry and timetrack's own readers: a reader of another tracker plugs in by
its module name (a stand-in here), its entries get Entry IDs derived from the source's own
identity and the importing user; local times are DST-correct; the json and csv readers take
reasonable variants and name what a file that is not theirs lacks; and a timew round trip
gives the same report."""

from __future__ import annotations

import io
import sys
import types
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from clikit import USER, Notion, served_timesheet
from notionkit import BOB
from transferkit import Term, seed_week

from bot.cli_transfer import LineProgress
from timesheet.transfer.convert import import_entry_id
from timesheet.transfer.formats import FormatUnavailable, reader, writer
from timesheet.transfer.local_time import NonexistentTime, aware
from timesheet.transfer.read_csv import read as read_csv
from timesheet.transfer.read_json import read as read_json
from timesheet.transfer.records import ImportedEntry, NotThisFormat, ParsedFile, RowProblem

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def term(notion: Notion, capsys: pytest.CaptureFixture[str]) -> Term:
    return Term(notion, capsys)


def _stand_in_watson(monkeypatch: pytest.MonkeyPatch) -> None:
    """``read_watson`` as a module of this test: two frames, a bad one, or not Watson."""

    def read(data: bytes, *, tz: ZoneInfo, date_order: object = None) -> ParsedFile:
        if not data.startswith(b"["):
            raise NotThisFormat("not a Watson frames file: no JSON array")
        t0 = datetime(2026, 11, 16, 9, tzinfo=UTC)
        return ParsedFile(
            entries=[
                ImportedEntry("frame-a", 1, t0, t0 + timedelta(hours=1), "Acme", "design"),
                ImportedEntry(
                    "frame-b", 2, t0 + timedelta(hours=2), t0 + timedelta(hours=3), None, "reading"
                ),
            ],
            problems=[RowProblem(3, "stop before start")],
        )

    module = types.ModuleType("timesheet.transfer.read_watson")
    module.read = read  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "timesheet.transfer.read_watson", module)


def test_another_trackers_reader_plugs_in_by_name_and_ids_come_from_its_keys(
    term: Term, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _stand_in_watson(monkeypatch)
    frames = tmp_path / "frames"
    frames.write_text("[]")
    code, out, _ = term.run("import", "watson", str(frames), "--user", BOB)
    assert code == 1
    assert out.splitlines() == [
        "2 imported, 0 already present, 1 skipped",
        "  line 3: stop before start",
    ]
    entries = term.notion.entries()
    assert [(e.entry_id, e.user_id, e.client, e.name) for e in entries] == [
        (import_entry_id("watson", "frame-a", BOB), BOB, "Acme", "design"),
        (import_entry_id("watson", "frame-b", BOB), BOB, "", "reading"),
    ]
    assert import_entry_id("watson", "frame-a") == import_entry_id("watson", "frame-a")
    assert import_entry_id("watson", "frame-a") != import_entry_id("timew", "frame-a")
    # the same file imported for someone else: their own entries, never a shared Entry ID
    assert import_entry_id("watson", "frame-a", BOB) != import_entry_id("watson", "frame-a", USER)

    (tmp_path / "notes.txt").write_text("hello")
    line = term.refused("import", "watson", str(tmp_path / "notes.txt"))
    assert line == f"{tmp_path / 'notes.txt'}: not a Watson frames file: no JSON array"


def test_unknown_and_missing_formats_are_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(FormatUnavailable, match="unknown format 'xls'"):
        reader("xls")
    monkeypatch.setitem(sys.modules, "timesheet.transfer.write_ics", None)  # not installed
    with pytest.raises(FormatUnavailable, match="format 'ics' is not available in this build"):
        writer("ics")
    assert reader(" JSON ") is read_json


#: Hand-computed: Europe/London goes forward at 01:00 GMT on 29 Mar 2026 and back at 01:00
#: GMT on 25 Oct 2026; New York forward on 8 Mar 2026 02:00, back on 1 Nov 2026 02:00.
@pytest.mark.parametrize(
    ("tz", "wall", "utc"),
    [
        (LONDON, datetime(2026, 3, 29, 0, 59), datetime(2026, 3, 29, 0, 59)),
        (LONDON, datetime(2026, 3, 29, 2, 0), datetime(2026, 3, 29, 1, 0)),
        (LONDON, datetime(2026, 10, 25, 1, 30), datetime(2026, 10, 25, 0, 30)),  # the first
        (LONDON, datetime(2026, 10, 25, 2, 0), datetime(2026, 10, 25, 2, 0)),
        (NEW_YORK, datetime(2026, 3, 8, 3, 0), datetime(2026, 3, 8, 7, 0)),
        (NEW_YORK, datetime(2026, 11, 1, 1, 30), datetime(2026, 11, 1, 5, 30)),  # the first
        (NEW_YORK, datetime(2026, 11, 1, 2, 30), datetime(2026, 11, 1, 7, 30)),
    ],
)
def test_local_times_are_read_in_the_zone(tz: ZoneInfo, wall: datetime, utc: datetime) -> None:
    assert aware(wall, tz).astimezone(UTC) == utc.replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("tz", "wall"),
    [
        (LONDON, datetime(2026, 3, 29, 1, 0)),
        (LONDON, datetime(2026, 3, 29, 1, 59)),
        (NEW_YORK, datetime(2026, 3, 8, 2, 30)),
    ],
)
def test_a_time_the_clocks_skip_is_refused(tz: ZoneInfo, wall: datetime) -> None:
    with pytest.raises(NonexistentTime, match=f"does not exist in {tz.key}"):
        aware(wall, tz)


def test_the_json_reader_takes_a_bare_list_and_names_bad_records() -> None:
    parsed = read_json(
        b'\xef\xbb\xbf[{"entry_id": "e1", "start": "2026-11-16T09:00", "end": "2026-11-16T10:00",'
        b' "client": "Acme"}, {"start": "2026-11-16T09:00"}, 7,'
        b' {"entry_id": "e4", "start": "soon"}]',
        tz=LONDON,
    )
    (entry,) = parsed.entries
    assert (entry.name, entry.start.utcoffset(), entry.user_id) == ("Acme", timedelta(0), None)
    assert parsed.problems == [
        RowProblem(2, "no 'entry_id'"),
        RowProblem(3, "not an object"),
        RowProblem(4, "'start': Invalid isoformat string: 'soon'"),
    ]
    with pytest.raises(NotThisFormat, match='no "entries" list'):
        read_json(b'{"frames": []}', tz=LONDON)
    pauses = read_json(
        b'[{"entry_id": "p1", "start": "2026-11-16T09:00Z", "end": "2026-11-16T10:00Z",'
        b' "paused": true}, {"entry_id": "p2", "start": "2026-11-16T09:00Z", "paused": "false"}]',
        tz=LONDON,
    )
    assert [e.paused for e in pauses.entries] == [True]
    assert pauses.problems == [RowProblem(2, "'paused' is not true or false")]
    with pytest.raises(NotThisFormat, match="the entries are not objects"):
        read_json(b'[[1700000000, 1700003600, "acme", "f1", [], 1700003600]]', tz=LONDON)
    timew = b'[{"id": 1, "start": "20261116T090000Z", "end": "20261116T100000Z", "tags": ["a"]}]'
    with pytest.raises(NotThisFormat, match='no entry has an "entry_id"'):
        read_json(timew, tz=LONDON)


def test_the_csv_reader_takes_columns_in_any_order_and_local_times() -> None:
    parsed = read_csv(
        b"Start,End,Name,Client\n2026-07-01 09:00,2026-07-01 10:30,'=1+1,Acme\n", tz=LONDON
    )
    (entry,) = parsed.entries
    assert entry.name == "=1+1"  # the quote the writer adds is taken off again
    assert entry.start == datetime(2026, 7, 1, 8, 0, tzinfo=UTC)  # BST
    assert (entry.entry_id, entry.line) == (None, 2)
    assert read_csv(b"start,end,client,name\n", tz=LONDON) == ParsedFile()


def test_the_csv_reader_takes_a_file_a_spreadsheet_saved_with_semicolons() -> None:
    saved = (
        "\ufeffentry_id;user;client;name;note;start;end;hours\r\n"
        'e1;42;Acme;Design;"two\r\nlines";2026-07-01T09:00:00+01:00;2026-07-01T10:30:00+01:00;1,5\r\n'
        "e2;42;Acme;Bad;;soon;2026-07-01T10:30:00+01:00;\r\n"
    )
    parsed = read_csv(saved.encode(), tz=LONDON)
    (entry,) = parsed.entries
    assert (entry.entry_id, entry.user_id, entry.note) == ("e1", "42", "two\r\nlines")
    assert entry.start == datetime(2026, 7, 1, 8, 0, tzinfo=UTC)
    assert parsed.problems == [RowProblem(4, "start: 'soon' is not an ISO time")]  # line 2 + 2


def test_progress_off_a_terminal_is_a_line_every_few_seconds() -> None:
    now = [0.0]
    out = io.StringIO()
    progress = LineProgress(out, every=5.0, monotonic=lambda: now[0])
    for done, at in [(0, 0.0), (10, 2.0), (30, 6.0), (60, 8.0), (100, 12.0), (100, 13.0)]:
        now[0] = at
        progress(done, 100)
    assert out.getvalue().splitlines() == [
        "import: 0/100 written (0%)",
        "import: 30/100 written (30%), about 0m 14s left",
        "import: 100/100 written (100%)",
    ]


def test_timew_export_then_import_into_an_empty_database_gives_the_same_report(
    term: Term, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    week = [e for e in seed_week(term.notion) if e.user_id == USER]
    out = tmp_path / "week.timew.json"
    term.ok("export", "--week", "2026-W47", "--format", "timew", "--user", USER, "--out", str(out))
    report = term.ok("report", "--week", "2026-W47", "--user", USER, "--csv", "-")
    with served_timesheet(tmp_path / "data2") as empty:
        other = Term(empty, capsys)
        said = other.ok("import", "timew", str(out))
        assert said.startswith(f"{len(week)} imported, 0 already present, 0 skipped")
        assert other.ok("report", "--week", "2026-W47", "--user", USER, "--csv", "-") == report
        assert other.ok("import", "timew", str(out)).startswith(f"0 imported, {len(week)} already")


@pytest.mark.parametrize(
    ("fmt", "minutes", "problem"),
    [
        ("json", 0, None),  # a backup restores a zero-length entry as it was
        ("csv", 0, None),
        ("timew", 0, "End is not after Start (no time at all)"),
        ("json", -5, "End is before Start"),
        ("timew", 30, None),
    ],
)
def test_zero_length_entries_restore_only_from_our_own_formats(
    fmt: str, minutes: int, problem: str | None
) -> None:
    from timesheet.transfer.convert import convert

    start = datetime(2026, 11, 20, 15, 10, tzinfo=UTC)
    item = ImportedEntry("k", 4, start, start + timedelta(minutes=minutes), "Acme", "Acme")
    out = convert(ParsedFile([item]), fmt=fmt, default_user=USER)
    assert [p.reason for p in out.problems] == ([problem] if problem else [])
    assert len(out.entries) == (0 if problem else 1)


_TOGGL_HEAD = b"Project,Description,Start date,Start time,End date,End time,Duration\n"


@pytest.mark.parametrize(
    ("fmt", "data", "tz", "problem"),
    [
        # A wall time with no UTC instant: refused by the reader, not a traceback.
        (
            "toggl",
            _TOGGL_HEAD + b"p,d,0001-01-01,00:10:00,0001-01-01,00:20:00,00:10:00\n",
            ZoneInfo("Europe/Berlin"),
            "start: 0001-01-01 00:10 is out of range",
        ),
        (
            "csv",
            b"start,end,client,name\n9999-12-31T23:30,9999-12-31T23:50,Acme,x\n",
            NEW_YORK,
            "start: 9999-12-31 23:30 is out of range",
        ),
        # Times the reader can hold but no tracker recorded: refused before any conversion.
        (
            "json",
            b'[{"entry_id": "e", "start": "0001-01-01T00:30+01:00", "client": "Acme"}]',
            LONDON,
            "0001-01-01 is not in the years 1970 to 2099",
        ),
        (
            "timew",
            b'[{"start": "99991231T235959Z", "tags": ["acme"]}]',
            LONDON,
            "9999-12-31 is not in the years 1970 to 2099",
        ),
        (
            "watson",
            b'[[-62135596800, -62135596000, "acme", "f1"]]',
            LONDON,
            "0001-01-01 is not in the years 1970 to 2099",
        ),
    ],
)
def test_a_time_near_the_ends_of_the_calendar_is_a_skipped_row(
    fmt: str, data: bytes, tz: ZoneInfo, problem: str
) -> None:
    from timesheet.transfer.convert import convert

    out = convert(reader(fmt)(data, tz=tz), fmt=fmt, default_user=USER)
    assert (out.entries, [p.reason for p in out.problems]) == ([], [problem])
