"""The export writers: timew JSON (exact text, and read back by our timew reader) and
iCalendar (exact event lines, and parsed back by the icalendar library)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from notionkit import T0, make_entry

from timesheet.entries.model import TimeEntry
from timesheet.transfer import read_timew, write_ics, write_timew

LONDON = ZoneInfo("Europe/London")


def entries() -> list[TimeEntry]:
    """Out of order on purpose: a running one, one with a note, one named as timew names."""
    return [
        make_entry(2, client="Globex", start=T0 + timedelta(hours=3)),  # running
        make_entry(1, name="Design review", minutes=90, note="Homepage, v2; draft"),
        make_entry(
            3,
            client="acme",
            name="acme, design, acme, frontend",
            start=T0 - timedelta(days=1, seconds=-15),
            minutes=30,
        ),
        make_entry(4, client="Café Ñ", start=datetime(2026, 10, 25, 0, 30, tzinfo=UTC), minutes=60),
    ]


# --- timew -------------------------------------------------------------------------------


def test_timew_file_is_one_interval_per_line_oldest_first() -> None:
    assert write_timew.write(entries(), tz=LONDON) == (
        "[\n"
        '{"start":"20261025T003000Z","end":"20261025T013000Z","tags":["Café Ñ"]},\n'
        '{"start":"20261115T090015Z","end":"20261115T093015Z","tags":["acme","design",'
        '"frontend"]},\n'
        '{"start":"20261116T090000Z","end":"20261116T103000Z","tags":["Acme","Design review"],'
        '"annotation":"Homepage, v2; draft"},\n'
        '{"start":"20261116T120000Z","tags":["Globex"]}\n'
        "]\n"
    )


def test_timew_file_of_no_entries_is_an_empty_array() -> None:
    assert json.loads(write_timew.write([], tz=LONDON)) == []


def test_timew_round_trip_keeps_client_note_and_times() -> None:
    written = entries()
    read = read_timew.read(write_timew.write(written, tz=LONDON).encode(), tz=LONDON)

    assert read.problems == []
    by_start = {e.start: e for e in read.entries}
    for entry in written:
        back = by_start[entry.start.astimezone(UTC)]
        assert (back.client, back.note, back.end) == (entry.client, entry.note, entry.end)
    # Names: timew's (the client first) come back as they were; others gain the client.
    assert sorted((e.client or "", e.name) for e in read.entries) == [
        ("Acme", "Acme, Design review"),
        ("Café Ñ", "Café Ñ"),
        ("Globex", "Globex"),
        ("acme", "acme, design, frontend"),
    ]


def test_timew_round_trip_is_exact_for_what_timew_gave() -> None:
    original = read_timew.read(
        b'[{"start":"20261116T090000Z","end":"20261116T103000Z","tags":["acme","design"],'
        b'"annotation":"Homepage"},{"start":"20261116T150000Z","tags":["acme","support"]}]',
        tz=LONDON,
    )
    as_entries = [
        TimeEntry(
            entry_id=f"e{e.line}",
            user_id="u",
            client=e.client or "",
            name=e.name,
            start=e.start,
            end=e.end,
            note=e.note,
        )
        for e in original.entries
    ]
    again = read_timew.read(write_timew.write(as_entries, tz=LONDON).encode(), tz=LONDON)
    assert again == original


def test_timew_drops_fractions_of_a_second() -> None:
    entry = make_entry(start=T0 + timedelta(milliseconds=999), minutes=1)
    assert '"start":"20261116T090000Z","end":"20261116T090100Z"' in write_timew.write(
        [entry], tz=LONDON
    )


# --- iCalendar ---------------------------------------------------------------------------


def test_ics_has_one_event_per_finished_entry_with_utc_times() -> None:
    text = write_ics.write(entries(), tz=LONDON)

    assert text.startswith(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//timetrack//timetrack entries//EN\r\n"
        "CALSCALE:GREGORIAN\r\nX-WR-CALNAME:timetrack\r\nX-WR-TIMEZONE:Europe/London\r\n"
    )
    assert text.endswith("END:VCALENDAR\r\n")
    events = text.split("BEGIN:VEVENT\r\n")[1:]
    assert len(events) == 3  # the running Globex entry is left out
    assert events[2] == (
        "SUMMARY:Acme — Design review\r\n"
        "DTSTART:20261116T090000Z\r\n"
        "DTEND:20261116T103000Z\r\n"
        "DTSTAMP:20261116T103000Z\r\n"
        "UID:00000000-0000-4000-8000-000000000001@timetrack\r\n"
        "CATEGORIES:Acme\r\n"
        "DESCRIPTION:Homepage\\, v2\\; draft\r\n"
        "END:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    )


def test_ics_parses_back_to_the_entries() -> None:
    edited = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)
    written = [
        *entries(),
        make_entry(6, client="", name="Reading", minutes=5),
        make_entry(5, client="Smith, Jones", minutes=5, edited_at=edited),
    ]
    calendar = Calendar.from_ical(write_ics.write(written, tz=LONDON))

    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    finished = [e for e in written if e.end is not None]
    assert set(events) == {f"{e.entry_id}@timetrack" for e in finished}
    for entry in finished:
        event = events[f"{entry.entry_id}@timetrack"]
        assert event.decoded("DTSTART") == entry.start
        assert event.decoded("DTEND") == entry.end
        assert event.decoded("DTSTART").utcoffset() == timedelta(0)
        assert str(event["SUMMARY"]) == write_ics.summary(entry)
        assert str(event.get("DESCRIPTION", "")) == entry.note
        assert (event["CATEGORIES"].cats if entry.client else event.get("CATEGORIES")) == (
            [entry.client] if entry.client else None
        )
    assert events[f"{written[-1].entry_id}@timetrack"].decoded("DTSTAMP") == edited


@pytest.mark.parametrize(
    ("client", "name", "expected"),
    [
        ("Acme", "Design review", "Acme — Design review"),
        ("Acme", "Acme", "Acme"),
        ("Acme", "", "Acme"),
        ("", "Reading", "Reading"),
    ],
)
def test_ics_summary(client: str, name: str, expected: str) -> None:
    assert write_ics.summary(make_entry(client=client, name=name, minutes=1)) == expected


def test_ics_is_the_same_for_the_same_entries() -> None:
    shuffled = list(reversed(entries()))
    assert write_ics.write(entries(), tz=LONDON) == write_ics.write(shuffled, tz=LONDON)
