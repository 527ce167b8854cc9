"""The readers of other trackers' files (timew, Watson, Toggl, Clockify) on small real-format
samples (tests/transfer_samples/): every entry and every skipped row by hand, the one-line
refusals of files that are not the format, Clockify's date order, and local times across the
DST changes of Europe/London (clocks skip 01:00-02:00 on 29 Mar 2026, repeat 01:00-02:00 on
25 Oct 2026), all hand-computed in UTC."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from timesheet.transfer import read_clockify, read_timew, read_toggl, read_watson
from timesheet.transfer.local_time import NonexistentTime, aware
from timesheet.transfer.records import (
    AmbiguousDates,
    DateOrder,
    ImportedEntry,
    NotThisFormat,
    ParsedFile,
    RowProblem,
)
from timesheet.transfer.wall_clock import BadDateOrTime, parse_clock, parse_date

SAMPLES = Path(__file__).parent / "transfer_samples"
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")

Reader = Callable[..., ParsedFile]


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def utc(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def toggl_key(*fields: object) -> str:
    return json.dumps(list(fields), ensure_ascii=False, separators=(",", ":"))


def as_utc(parsed: ParsedFile) -> list[tuple[object, ...]]:
    """Each entry's fields with its times as UTC instants (datetimes sharing a tzinfo compare
    by wall time, blind to the DST fold: compare instants)."""
    return [
        (
            e.key,
            e.line,
            e.start.astimezone(UTC),
            None if e.end is None else e.end.astimezone(UTC),
            e.client,
            e.name,
            e.note,
        )
        for e in parsed.entries
    ]


# --- timew -------------------------------------------------------------------------------


def test_timew_sample_maps_tags_annotation_and_a_running_interval() -> None:
    parsed = read_timew.read(sample("timew_export.json"), tz=LONDON)

    assert parsed.entries == [
        ImportedEntry(
            key="20261116T090000Z",
            line=1,
            start=utc(2026, 11, 16, 9, 0),
            end=utc(2026, 11, 16, 10, 30),
            client="acme",
            name="acme, design",
            note="Homepage layout",
        ),
        ImportedEntry(
            key="20261116T110000Z",
            line=2,
            start=utc(2026, 11, 16, 11, 0),
            end=utc(2026, 11, 16, 11, 30),
            client="globex",
            name="globex",
        ),
        ImportedEntry(  # untagged: no client, no name; the annotation stays the note
            key="20261116T120000Z",
            line=3,
            start=utc(2026, 11, 16, 12, 0),
            end=utc(2026, 11, 16, 12, 15),
            client=None,
            name="",
            note="call with the bank",
        ),
        ImportedEntry(  # no "end": still running
            key="20261116T150000Z",
            line=5,
            start=utc(2026, 11, 16, 15, 0),
            end=None,
            client="acme",
            name="acme, support",
        ),
    ]
    assert parsed.problems == [
        RowProblem(4, "has start '2026-11-16 13:00', not a time like 20261120T093000Z")
    ]


def test_timew_key_is_the_intervals_start_not_its_id_end_or_tags() -> None:
    """Intervals never overlap in Timewarrior, so the start names one: exported while it ran
    and again once stopped and re-tagged, it is the same interval (imported once)."""
    one = b'[{"id":7,"start":"20261116T090000Z","end":"20261116T100000Z","tags":["a"]}]'
    other = b'[{"tags":["a"],"end":"20261116T100000Z","start":"20261116T090000Z","id":1}]'
    running = b'[{"id":1,"start":"20261116T090000Z","tags":["a"]}]'
    retagged = b'[{"start":"20261116T090000Z","end":"20261116T110000Z","tags":["b"]}]'
    moved = b'[{"id":7,"start":"20261116T090001Z","end":"20261116T100000Z","tags":["a"]}]'

    def key(data: bytes) -> str:
        return read_timew.read(data, tz=LONDON).entries[0].key

    assert key(one) == key(other) == key(running) == key(retagged) == "20261116T090000Z"
    assert key(one) != key(moved)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        # timew's own manual shows its export with a comma before the closing bracket
        (b'[\n{"start":"20261116T090000Z","end":"20261116T100000Z"},\n]\n', 1),
        (b'\xef\xbb\xbf[{"start":"20261116T090000Z","end":null,"tags":["a"]}]', 1),
        (b"[]", 0),
    ],
)
def test_timew_variants_are_read(data: bytes, expected: int) -> None:
    parsed = read_timew.read(data, tz=LONDON)
    assert (len(parsed.entries), parsed.problems) == (expected, [])


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ('"20261116T090000Z"', "is not an interval object"),
        ('{"end":"20261116T090000Z"}', "has no 'start'"),
        ('{"start":20261116}', "has start '20261116', not a time like 20261120T093000Z"),
        (
            '{"start":"20261332T090000Z"}',
            "has start '20261332T090000Z', not a time like 20261120T093000Z",
        ),
        (
            '{"start":"20261116T100000Z","end":"20261116T090000Z"}',
            "ends (20261116T090000Z) before it starts (20261116T100000Z)",
        ),
        ('{"start":"20261116T090000Z","tags":"acme"}', "has 'tags' that are not a list of strings"),
        ('{"start":"20261116T090000Z","annotation":3}', "has an 'annotation' that is not a string"),
    ],
)
def test_timew_bad_intervals_are_skipped_with_their_record_number(record: str, reason: str) -> None:
    good = '{"start":"20261116T080000Z","end":"20261116T083000Z","tags":["acme"]}'
    parsed = read_timew.read(f"[{good},{record}]".encode(), tz=LONDON)
    assert [e.line for e in parsed.entries] == [1]
    assert parsed.problems == [RowProblem(2, reason)]


# --- Watson ------------------------------------------------------------------------------


def test_watson_sample_maps_project_and_tags() -> None:
    parsed = read_watson.read(sample("watson_frames.json"), tz=LONDON)

    assert parsed.entries == [
        ImportedEntry(
            key="a4f1c0d2e3b44f5a9c8d7e6f5a4b3c2d",
            line=1,
            start=utc(2026, 11, 16, 9, 0),
            end=utc(2026, 11, 16, 10, 30),
            client="acme",
            name="design, frontend",
        ),
        ImportedEntry(  # no tags: the project names it
            key="b5e2d1c0f9a84b7c8d6e5f4a3b2c1d0e",
            line=2,
            start=utc(2026, 11, 16, 11, 0),
            end=utc(2026, 11, 16, 11, 30),
            client="globex",
            name="globex",
        ),
        ImportedEntry(  # an old four-field frame
            key="d7a4f3e2b1c04d9e8f7a6b5c4d3e2f10",
            line=4,
            start=utc(2026, 11, 17, 9, 0),
            end=utc(2026, 11, 17, 10, 0),
            client="initech",
            name="initech",
        ),
    ]
    assert parsed.problems == [RowProblem(3, "has a stop that is not a number of seconds")]


@pytest.mark.parametrize(
    ("frame", "reason"),
    [
        ('{"start": 1}', "is not a frame [start, stop, project, id, tags, updated_at]"),
        ('[1794819600, 1794819000, "acme", "ff"]', "stops (2026-11-16 08:50:00Z) before it starts"),
        ('[1794819600, 1794825000, "", "ff"]', "has no project"),
        ('[1794819600, 1794825000, "acme", null]', "has no id"),
        ('[1794819600, 1794825000, "acme", "ff", "x"]', "has tags that are not a list of strings"),
        ('[true, 1794825000, "acme", "ff"]', "has a start that is not a number of seconds"),
        ('[1794819600, 1794825000, "acme", "A4F1"]', "repeats the id of frame 1"),
    ],
)
def test_watson_bad_frames_are_skipped_with_their_record_number(frame: str, reason: str) -> None:
    good = '[1794819600, 1794825000, "acme", "a4f1", ["x"], 1794825004]'
    parsed = read_watson.read(f"[{good},{frame}]".encode(), tz=LONDON)
    assert [e.key for e in parsed.entries] == ["a4f1"]
    assert parsed.problems == [RowProblem(2, reason)]


# --- Toggl -------------------------------------------------------------------------------

ALICE = ("Alice Smith", "alice@example.com")


def test_toggl_sample_maps_columns_and_reads_local_times_across_dst() -> None:
    parsed = read_toggl.read(sample("toggl_detailed.csv"), tz=LONDON)

    assert as_utc(parsed) == [
        (
            toggl_key(
                *ALICE,
                "Acme Ltd",
                "Website",
                "",
                "Homepage layout",
                ["design", "frontend"],
                "2026-03-27T09:00:00+00:00",
                "2026-03-27T10:30:00+00:00",
            ),
            2,
            utc(2026, 3, 27, 9, 0),
            utc(2026, 3, 27, 10, 30),
            "Acme Ltd",
            "Homepage layout",
            "design, frontend",
        ),
        (  # no client: the project; no description: the client
            toggl_key(
                *ALICE,
                "",
                "Internal",
                "",
                "",
                [],
                "2026-03-27T14:00:00+00:00",
                "2026-03-27T14:45:00+00:00",
            ),
            3,
            utc(2026, 3, 27, 14, 0),
            utc(2026, 3, 27, 14, 45),
            "Internal",
            "Internal",
            "",
        ),
        (  # neither client nor project; over midnight (GMT still)
            toggl_key(
                *ALICE,
                "",
                "",
                "",
                "Reading, notes",
                [],
                "2026-03-28T23:30:00+00:00",
                "2026-03-29T00:15:00+00:00",
            ),
            4,
            utc(2026, 3, 28, 23, 30),
            utc(2026, 3, 29, 0, 15),
            None,
            "Reading, notes",
            "",
        ),
        (  # 01:50 BST (first) to 01:10 GMT (second occurrence): 20 minutes
            toggl_key(
                *ALICE,
                "Globex",
                "Audit",
                "",
                "Clocks go back",
                [],
                "2026-10-25T00:50:00+00:00",
                "2026-10-25T01:10:00+00:00",
            ),
            6,
            utc(2026, 10, 25, 0, 50),
            utc(2026, 10, 25, 1, 10),
            "Globex",
            "Clocks go back",
            "",
        ),
    ]
    assert parsed.problems == [
        RowProblem(
            5,
            "start: 2026-03-29 01:30 does not exist in Europe/London (clocks go forward)",
        ),
        RowProblem(7, "ends (2026-10-26 10:00+00:00) before it starts (2026-10-26 11:00+00:00)"),
    ]


TOGGL_HEAD = (
    "User,Email,Client,Project,Task,Description,Billable,Start date,Start time,End date,"
    "End time,Duration,Tags,Amount (USD)"
)
TOGGL_ROW = (
    'Bo,bo@example.com,Acme,Web,,"Fix, deploy",Yes,2026-11-16,09:00:00,2026-11-16,'
    '10:00:00,01:00:00,"b, a",50.00'
)


def test_toggl_variants_give_the_same_entries_and_keys() -> None:
    plain = read_toggl.read(f"{TOGGL_HEAD}\n{TOGGL_ROW}\n".encode(), tz=LONDON)
    columns = TOGGL_HEAD.split(",")
    values = next(csv.reader([TOGGL_ROW]))
    order = list(reversed(range(len(columns))))
    shuffled = (
        ";".join(f" {columns[i].upper()} " for i in order)
        + ";Extra\r\n"
        + ";".join(f'"{values[i]}"' for i in order)
        + ";x\r\n"
    )
    variant = read_toggl.read(b"\xef\xbb\xbf" + shuffled.encode(), tz=LONDON)

    assert plain.problems == variant.problems == []
    assert as_utc(plain) == as_utc(variant)
    assert as_utc(plain)[0][2:] == (
        utc(2026, 11, 16, 9, 0),
        utc(2026, 11, 16, 10, 0),
        "Acme",
        "Fix, deploy",
        "b, a",
    )


def test_toggl_keys_are_stable_and_repeated_rows_are_kept_apart() -> None:
    data = f"{TOGGL_HEAD}\n{TOGGL_ROW}\n{TOGGL_ROW}\n".encode()
    first, second = read_toggl.read(data, tz=LONDON), read_toggl.read(data, tz=LONDON)

    keys = [e.key for e in first.entries]
    assert keys == [e.key for e in second.entries]
    assert keys[1] == keys[0] + "#2"


def test_toggl_line_numbers_count_the_header_and_quoted_line_breaks() -> None:
    multi = TOGGL_ROW.replace('"Fix, deploy"', '"Fix,\nthen deploy"')
    short = "Bo,bo@example.com,Acme"
    bad_time = TOGGL_ROW.replace("09:00:00", "9 o'clock")
    data = f"{TOGGL_HEAD}\n{multi}\n\n{short}\n{bad_time}\n{TOGGL_ROW}\n".encode()
    parsed = read_toggl.read(data, tz=LONDON)

    assert [(e.line, e.name) for e in parsed.entries] == [
        (2, "Fix, then deploy"),
        (7, "Fix, deploy"),
    ]
    assert parsed.problems == [
        RowProblem(5, "has 3 fields where the header has 14"),
        RowProblem(6, 'start: time "9 o\'clock" is not HH:MM[:SS] or H:MM AM/PM'),
    ]


@pytest.mark.parametrize(
    ("start", "end", "duration", "expected"),
    [
        # 25 Oct 2026, Europe/London: 01:00-01:59 happens in BST (00:xx UTC), then in GMT.
        ("01:30:00", "02:30:00", "02:00:00", (utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 2, 30))),
        ("01:30:00", "02:30:00", "01:00:00", (utc(2026, 10, 25, 1, 30), utc(2026, 10, 25, 2, 30))),
        ("00:30:00", "01:30:00", "01:00:00", (utc(2026, 10, 24, 23, 30), utc(2026, 10, 25, 0, 30))),
        ("00:30:00", "01:30:00", "02:00:00", (utc(2026, 10, 24, 23, 30), utc(2026, 10, 25, 1, 30))),
        ("01:10:00", "01:50:00", "01:40:00", (utc(2026, 10, 25, 0, 10), utc(2026, 10, 25, 1, 50))),
        ("01:10:00", "01:50:00", "00:40:00", (utc(2026, 10, 25, 0, 10), utc(2026, 10, 25, 0, 50))),
        ("01:50:00", "01:10:00", "00:20:00", (utc(2026, 10, 25, 0, 50), utc(2026, 10, 25, 1, 10))),
        # no usable duration: the first of each, the end's second if the first is too early
        ("01:30:00", "02:30:00", "", (utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 2, 30))),
        ("01:50:00", "01:10:00", "n/a", (utc(2026, 10, 25, 0, 50), utc(2026, 10, 25, 1, 10))),
    ],
)
def test_toggl_duration_decides_wall_times_the_clocks_show_twice(
    start: str, end: str, duration: str, expected: tuple[datetime, datetime]
) -> None:
    row = (
        f"Bo,bo@example.com,Acme,Web,,Night,Yes,2026-10-25,{start},2026-10-25,{end},"
        f"{duration},,0.00"
    )
    (entry,) = read_toggl.read(f"{TOGGL_HEAD}\n{row}\n".encode(), tz=LONDON).entries
    assert (entry.start, entry.end) == expected


def test_toggl_row_without_an_end_is_skipped() -> None:
    row = TOGGL_ROW.replace("2026-11-16,10:00:00", ",")
    parsed = read_toggl.read(f"{TOGGL_HEAD}\n{row}\n".encode(), tz=LONDON)
    assert parsed.problems == [RowProblem(2, "has no end time")]


# --- Clockify ----------------------------------------------------------------------------


def test_clockify_month_first_sample_with_12_hour_times() -> None:
    parsed = read_clockify.read(sample("clockify_detailed_mdy.csv"), tz=LONDON)

    assert [
        (line, start, end, client, name, note)
        for _, line, start, end, client, name, note in as_utc(parsed)
    ] == [
        (
            2,
            utc(2026, 3, 27, 9, 0),
            utc(2026, 3, 27, 10, 30),
            "Acme Ltd",
            "Homepage layout",
            "design, frontend",
        ),
        (3, utc(2026, 3, 5, 13, 30), utc(2026, 3, 5, 14, 15), "Internal", "Planning", ""),
    ]
    assert parsed.problems == [
        RowProblem(
            4,
            "start: 2026-03-29 01:30 does not exist in Europe/London (clocks go forward)",
        ),
        RowProblem(5, "start: date '02/30/2026' is not a date read as MM/DD/YYYY"),
    ]


def test_clockify_day_first_semicolon_file_gives_the_same_entries_and_keys() -> None:
    mdy = read_clockify.read(sample("clockify_detailed_mdy.csv"), tz=LONDON)
    dmy = read_clockify.read(sample("clockify_detailed_dmy.csv"), tz=LONDON)

    assert dmy.problems == []
    assert as_utc(dmy) == as_utc(mdy)


def test_clockify_all_ambiguous_dates_are_refused_unless_the_order_is_given() -> None:
    data = sample("clockify_detailed_ambiguous.csv")
    with pytest.raises(AmbiguousDates) as refused:
        read_clockify.read(data, tz=LONDON)
    assert str(refused.value) == (
        "every date in this Clockify detailed CSV reads as MM/DD/YYYY and as DD/MM/YYYY: "
        "say which with --date-order mdy or --date-order dmy"
    )
    assert isinstance(refused.value, NotThisFormat)

    def starts(order: DateOrder) -> list[datetime]:
        return [
            e.start.astimezone(UTC)
            for e in read_clockify.read(data, tz=LONDON, date_order=order).entries
        ]

    # 03/05 13:30 and 04/06 09:00: March (GMT) / 3 May (BST); 6 April / 4 June (both BST)
    assert starts("mdy") == [utc(2026, 3, 5, 13, 30), utc(2026, 4, 6, 8, 0)]
    assert starts("dmy") == [utc(2026, 5, 3, 12, 30), utc(2026, 6, 4, 8, 0)]


def test_clockify_given_order_that_a_date_contradicts_skips_that_row() -> None:
    parsed = read_clockify.read(sample("clockify_detailed_mdy.csv"), tz=LONDON, date_order="dmy")
    assert [e.line for e in parsed.entries] == [3]  # 03/05 read as 3 May
    assert parsed.entries[0].start == utc(2026, 5, 3, 12, 30)
    assert RowProblem(2, "start: date '03/27/2026' is not a date read as DD/MM/YYYY") in (
        parsed.problems
    )


def test_clockify_file_mixing_day_first_and_month_first_is_refused() -> None:
    head, *rows = sample("clockify_detailed_ambiguous.csv").decode().splitlines()
    data = "\n".join([head, rows[0].replace("03/05", "25/05"), rows[1].replace("04/06", "04/26")])
    with pytest.raises(NotThisFormat) as refused:
        read_clockify.read(data.encode(), tz=LONDON)
    assert not isinstance(refused.value, AmbiguousDates)
    assert str(refused.value) == (
        "not a Clockify detailed CSV: dates are day first on line 2 but month first on line 3"
    )


# --- files that are not the format -------------------------------------------------------


@pytest.mark.parametrize(
    ("reader", "data", "line"),
    [
        (
            read_timew.read,
            b"{oops",
            "not a timew export: not JSON (Expecting property name "
            "enclosed in double quotes at line 1 column 2)",
        ),
        (
            read_timew.read,
            b'{"start":"20261116T090000Z"}',
            "not a timew export: not a JSON array (a JSON object)",
        ),
        (
            read_timew.read,
            sample("watson_frames.json"),
            "not a timew export: no interval object has a 'start'",
        ),
        (read_timew.read, b"\xff\xfe[]", "not a timew export: not UTF-8 text (byte 1)"),
        (
            read_watson.read,
            sample("timew_export.json"),
            "not a Watson frames file: no frame [start, stop, project, id, tags, …]",
        ),
        (
            read_watson.read,
            b"",
            "not a Watson frames file: not JSON (Expecting value at line 1 column 1)",
        ),
        (
            read_toggl.read,
            sample("clockify_detailed_mdy.csv"),
            "not a Toggl detailed CSV: no 'Duration' column",
        ),
        (
            read_toggl.read,
            sample("timew_export.json"),
            "not a Toggl detailed CSV: no 'Project' column",
        ),
        (read_toggl.read, b"", "not a Toggl detailed CSV: the file is empty"),
        (
            read_toggl.read,
            b"Client,Project,Description,Start date\n",
            "not a Toggl detailed CSV: no 'Start time' column",
        ),
        (
            read_clockify.read,
            sample("toggl_detailed.csv"),
            "not a Clockify detailed CSV: no 'Duration (h)' column",
        ),
        (
            read_clockify.read,
            sample("watson_frames.json"),
            "not a Clockify detailed CSV: no 'Project' column",
        ),
    ],
)
def test_a_file_that_is_not_the_format_is_refused_in_one_line(
    reader: Reader, data: bytes, line: str
) -> None:
    with pytest.raises(NotThisFormat) as refused:
        reader(data, tz=LONDON)
    assert str(refused.value) == line
    assert "\n" not in str(refused.value)


# --- local dates and times ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("13:30", time(13, 30)),
        ("13:30:15", time(13, 30, 15)),
        ("9:05", time(9, 5)),
        ("01:30 PM", time(13, 30)),
        ("1:30:15pm", time(13, 30, 15)),
        ("12:00 AM", time(0, 0)),
        ("12:30 PM", time(12, 30)),
        ("11:59 p.m.", time(23, 59)),
    ],
)
def test_clock_times_in_24_and_12_hour_forms(text: str, expected: time) -> None:
    assert parse_clock(text) == expected


@pytest.mark.parametrize("text", ["24:00", "13:30 PM", "0:30 AM", "12:60", "noon", ""])
def test_clock_times_refused(text: str) -> None:
    with pytest.raises(BadDateOrTime):
        parse_clock(text)


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("2026-03-04", None, date(2026, 3, 4)),
        ("2026-03-04", "dmy", date(2026, 3, 4)),
        ("03/04/2026", "mdy", date(2026, 3, 4)),
        ("03/04/2026", "dmy", date(2026, 4, 3)),
        ("3.4.2026", "dmy", date(2026, 4, 3)),
        ("03-04-2026", "mdy", date(2026, 3, 4)),
    ],
)
def test_dates(text: str, order: DateOrder | None, expected: date) -> None:
    assert parse_date(text, order) == expected


# (zone, local wall time, UTC instant or None when the clocks skip it); ambiguous → first.
DST_TABLE = [
    (LONDON, datetime(2026, 3, 29, 0, 59), utc(2026, 3, 29, 0, 59)),
    (LONDON, datetime(2026, 3, 29, 1, 0), None),
    (LONDON, datetime(2026, 3, 29, 1, 59), None),
    (LONDON, datetime(2026, 3, 29, 2, 0), utc(2026, 3, 29, 1, 0)),
    (LONDON, datetime(2026, 10, 25, 0, 59), utc(2026, 10, 24, 23, 59)),
    (LONDON, datetime(2026, 10, 25, 1, 0), utc(2026, 10, 25, 0, 0)),
    (LONDON, datetime(2026, 10, 25, 1, 59), utc(2026, 10, 25, 0, 59)),
    (LONDON, datetime(2026, 10, 25, 2, 0), utc(2026, 10, 25, 2, 0)),
    (NEW_YORK, datetime(2026, 3, 8, 2, 30), None),
    (NEW_YORK, datetime(2026, 3, 8, 3, 0), utc(2026, 3, 8, 7, 0)),
    (NEW_YORK, datetime(2026, 11, 1, 1, 30), utc(2026, 11, 1, 5, 30)),
]


@pytest.mark.parametrize(("tz", "wall", "expected"), DST_TABLE)
def test_local_wall_times_across_dst(
    tz: ZoneInfo, wall: datetime, expected: datetime | None
) -> None:
    if expected is None:
        with pytest.raises(NonexistentTime) as refused:
            aware(wall, tz)
        assert str(refused.value) == (
            f"{wall:%Y-%m-%d %H:%M} does not exist in {tz.key} (clocks go forward)"
        )
    else:
        assert aware(wall, tz).astimezone(UTC) == expected
