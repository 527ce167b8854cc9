"""The terminal's timer commands end to end (`main` against the in-memory Notion over HTTP):
log, start/end --at, pause, resume, edit, delete, entries; every refusal is one line and
writes nothing; each command saved during an outage is applied once by `timetrack sync`."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from clikit import USER, Notion
from notionkit import BOB, make_entry, prop_text, seed_entry

from bot.cli import main
from bot.format import QUEUED, format_span, format_time
from timesheet.entries.model import TimeEntry, compact_id

LONDON = ZoneInfo("Europe/London")
#: Times are kept to the millisecond: a moment read before a command, floored.
MS = timedelta(milliseconds=1)


class Term:
    """Runs ``timetrack`` commands as `USER` and reads what they printed and asked Notion."""

    def __init__(self, notion: Notion, capsys: pytest.CaptureFixture[str]) -> None:
        self.notion = notion
        self.capsys = capsys
        self.requests: Counter[str] = Counter()

    def run(self, *argv: str) -> tuple[int, str, str]:
        before = Counter(self.notion.fake.requests)
        code = main(list(argv), self.notion.env())
        self.requests = Counter(self.notion.fake.requests) - before
        out, err = self.capsys.readouterr()
        return code, out, err

    def ok(self, *argv: str) -> str:
        code, out, err = self.run(*argv)
        assert (code, err) == (0, ""), err
        return out

    def refused(self, *argv: str) -> str:
        """The one line a refused command printed, without ``timetrack: ``; nothing written."""
        pages = self.pages()
        code, out, err = self.run(*argv)
        assert (code, out) == (1, ""), out
        assert err.startswith("timetrack: ") and err.count("\n") == 1, err
        assert self.pages() == pages
        assert not self.requests["create_page"] and not self.requests["update_page"]
        return err.removeprefix("timetrack: ").rstrip("\n")

    def pages(self) -> list[dict[str, Any]]:
        return self.notion.fake.pages(self.notion.data_source_id, include_trashed=True)

    def only(self) -> TimeEntry:
        (entry,) = self.notion.entries()
        return entry


@pytest.fixture
def term(notion: Notion, capsys: pytest.CaptureFixture[str]) -> Term:
    """A terminal whose ledger has learnt the data source (as any first command does), so
    each command's requests are its own."""
    terminal = Term(notion, capsys)
    assert terminal.ok("active") == "You have no running timer.\n"
    return terminal


def now() -> datetime:
    return datetime.now(UTC)


def typed(moment: datetime) -> str:
    """``moment`` as people type it: ``YYYY-MM-DD HH:MM`` in London."""
    return f"{moment.astimezone(LONDON):%Y-%m-%d %H:%M}"


def minute(moment: datetime) -> datetime:
    """``moment`` to the minute, as a typed ``HH:MM`` gives it."""
    return moment.replace(second=0, microsecond=0)


def ref(entry: TimeEntry) -> str:
    assert entry.page_id is not None
    return compact_id(entry.page_id)[:8]


def around_today() -> str:
    """A ``--period`` from yesterday to today (London): the tests' entries, even at midnight."""
    today = now().astimezone(LONDON).date()
    return f"{today - timedelta(days=1)}..{today}"


def paused_ticked(notion: Notion, entry: TimeEntry) -> bool:
    assert entry.page_id is not None
    checkbox: bool = notion.fake.page(entry.page_id)["properties"]["Paused"]["checkbox"]
    return checkbox


# -- log ------------------------------------------------------------------------------------------


def test_log_ends_now_and_names_the_entries_it_overlaps(term: Term) -> None:
    asked = now() - MS
    out = term.ok("log", "Acme", "1h 20m", "--note", "invoice 42")
    first = term.only()
    assert (first.client, first.name, first.note, first.user_id) == (
        "Acme",
        "Acme",
        "invoice 42",
        USER,
    )
    assert first.end is not None and asked <= first.end <= now()
    assert first.end - first.start == timedelta(minutes=80)
    assert out.splitlines() == [
        f"Logged Acme: {_span(first)} Europe/London (1h 20m).",
        f"  {first.url}",
        "Note: invoice 42",
    ]
    assert term.requests == {"create_page": 1, "query_data_source": 1}

    out = term.ok("log", "Globex", "30m", "--end", "-15m")
    second = next(e for e in term.notion.entries() if e.client == "Globex")
    assert second.end is not None and second.end - second.start == timedelta(minutes=30)
    assert second.end <= now() - timedelta(minutes=15)
    lines = out.splitlines()
    assert lines[0] == f"Logged Globex: {_span(second)} Europe/London (30m)."
    assert lines[2:] == [
        f"It overlaps Acme ({_span(first)} Europe/London, ref {ref(first)}).",
        f"  {first.url}",
    ]
    assert term.requests == {"create_page": 1, "query_data_source": 1}


def _span(entry: TimeEntry) -> str:
    """How replies show ``entry``'s Start–End in London (see `test_spans_in_replies`)."""
    return format_span(entry, LONDON, now(), zone=False)


def test_spans_in_replies() -> None:
    at = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
    one_day = make_entry(start=at, minutes=80)
    overnight = make_entry(start=at + timedelta(hours=14), minutes=180)
    assert format_span(one_day, LONDON, at) == "09:00–10:20 Europe/London"
    assert format_span(one_day, LONDON, at + timedelta(days=1)) == (
        "Mon 16 Nov 09:00–10:20 Europe/London"
    )
    assert format_span(overnight, LONDON, at, zone=False) == "23:00 – Tue 17 Nov 02:00"
    assert format_span(make_entry(start=at), LONDON, at, zone=False) == "09:00–now"


def test_log_from_a_start(term: Term) -> None:
    start = minute(now() - timedelta(hours=3))
    term.ok("log", "Acme", "1:30", "--start", typed(start))
    entry = term.only()
    assert (entry.start, entry.end) == (start, start + timedelta(minutes=90))


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["log", "Acme", "soon"], '"soon"'),
        (["log", "Acme", "0"], '"0"'),
        (["log", "Acme", "25h"], '"25h"'),
        (["log", "Acme", "1h", "--end", "yesterdayish"], '"yesterdayish"'),
        (["log", "Acme", "1h", "--end", "2099-01-01 09:00"], "in the future"),
        (["log", "Acme", "1h", "--start", "-30m"], "would end in the future"),
        (["log", "Acme", "1h", "--start", "-3h", "--end", "-1h"], "an end or a start, not both"),
    ],
    ids=["unreadable", "zero", "over 24h", "bad time", "future time", "ends ahead", "both"],
)
def test_a_bad_log_is_one_line_and_writes_nothing(term: Term, argv: list[str], says: str) -> None:
    assert says in term.refused(*argv)
    assert term.requests == {}  # refused before asking Notion


def test_a_time_that_happens_twice_shows_its_offset(term: Term) -> None:
    # 01:30 on 26 Oct 2025 happened twice in London; the first one is 00:30 UTC.
    out = term.ok("log", "Acme", "30m", "--end", "2025-10-26 01:30")
    entry = term.only()
    assert entry.end == datetime(2025, 10, 26, 0, 30, tzinfo=UTC)
    assert out.splitlines()[-1].startswith(
        '"2025-10-26 01:30" happens twice in Europe/London (the clocks go back): read as '
    )
    assert "UTC+01:00" in out.splitlines()[-1]


# -- start / end at a typed time ------------------------------------------------------------------


def test_start_and_end_at_a_typed_time(term: Term) -> None:
    asked = now() - MS
    out = term.ok("start", "Acme", "--note", "calls", "--at", "-30m")
    entry = term.only()
    assert entry.end is None and entry.note == "calls"
    assert asked - timedelta(minutes=30) <= entry.start <= now() - timedelta(minutes=30)
    assert out.startswith(f"Started Acme at {entry.start.astimezone(LONDON):%H:%M} Europe/London.")
    assert term.requests == {"create_page": 1, "query_data_source": 1}

    asked = now() - MS
    out = term.ok("end", "--at", "10m ago")
    entry = term.only()
    assert entry.end is not None
    assert asked - timedelta(minutes=10) <= entry.end <= now() - timedelta(minutes=10)
    assert out.startswith("Acme stopped: started ") and "total 20m" in out
    assert term.requests == {"query_data_source": 1, "update_page": 1}


def test_a_stop_before_the_start_is_refused_and_changes_nothing(term: Term) -> None:
    start = minute(now() - timedelta(minutes=30))
    term.ok("start", "Acme", "--at", typed(start))
    entry = term.only()
    stop = start - timedelta(minutes=5)
    line = term.refused("end", "--at", typed(stop))
    assert line == (
        f"That stop ({stop.astimezone(LONDON):%a %d %b %H:%M} Europe/London) is before the "
        f"entry's Start ({start.astimezone(LONDON):%a %d %b %H:%M} Europe/London); nothing was "
        "changed. Give a time after it."
    )
    assert "before the entry's Start" in term.refused("end", ref(entry), "--at", typed(stop))
    assert term.only().end is None


# -- pause and resume -----------------------------------------------------------------------------


def test_pause_then_resume_keeps_name_client_and_note_and_ticks_then_clears_paused(
    term: Term,
) -> None:
    term.ok("start", "Globex", "--note", "design review", "--at", "-20m")
    out = term.ok("pause")
    paused = term.only()
    assert paused.end is not None and paused.paused and paused_ticked(term.notion, paused)
    assert out.startswith("Paused Globex at ") and "total 20m" in out
    assert out.endswith("Resuming starts a new entry with the same client, name and note.\n")
    assert term.requests == {"query_data_source": 1, "update_page": 1}

    out = term.ok("resume")
    old, new = term.notion.entries()
    assert old.page_id == paused.page_id and not paused_ticked(term.notion, old)
    assert old.end == paused.end
    assert (new.client, new.name, new.note, new.end) == ("Globex", "Globex", "design review", None)
    assert new.entry_id != old.entry_id and new.start >= paused.end
    assert out.startswith("Resumed Globex at ")
    assert f"It continues the entry of {_span(old)} Europe/London." in out
    assert "Note: design review" in out
    assert term.requests == {"query_data_source": 2, "create_page": 1, "update_page": 1}


def test_end_while_paused_clears_paused(term: Term) -> None:
    term.ok("start", "Acme", "--at", "-10m")
    term.ok("pause")
    paused = term.only()
    out = term.ok("end")
    ended = term.only()
    assert out.startswith("Acme stopped: started ")
    assert ended.end == paused.end and not ended.paused and not paused_ticked(term.notion, ended)
    assert term.refused("end") == "You have no running timer."


def test_resume_with_nothing_paused_continues_the_latest_entry(term: Term) -> None:
    term.ok("log", "Acme", "1h", "--end", "-3h")
    term.ok("log", "Globex", "30m", "--end", "-1h", "--note", "latest")
    out = term.ok("resume")
    running = term.notion.entries()[-1]
    assert (running.client, running.note, running.end) == ("Globex", "latest", None)
    assert out.startswith("Resumed Globex at ")


def test_pause_and_resume_with_nothing_to_act_on_are_one_line(term: Term) -> None:
    assert term.refused("pause") == "You have no running timer."
    assert term.refused("resume") == (
        "You have nothing to resume: no paused timer and no earlier entry."
    )


# -- edit -----------------------------------------------------------------------------------------


def test_edit_by_short_ref_changes_what_it_is_told_and_names_overlaps(term: Term) -> None:
    start = minute(now() - timedelta(hours=4))
    term.ok("log", "Acme", "1h", "--start", typed(start))
    entry = term.only()

    out = term.ok("edit", ref(entry), "--start", typed(start - timedelta(minutes=30)))
    edited = term.only()
    assert (edited.start, edited.end) == (start - timedelta(minutes=30), entry.end)
    assert out.splitlines()[0].startswith(f"Changed Acme: now {_span(edited)} Europe/London")
    assert out.splitlines()[2] == (
        f"Start: {format_time(start, LONDON, now())} → {format_time(edited.start, LONDON, now())}"
    )
    assert term.requests == {"query_data_source": 2, "retrieve_page": 1, "update_page": 1}

    out = term.ok("edit", ref(entry), "--duration", "2h")  # keeps Start, moves End
    edited = term.only()
    assert edited.end == edited.start + timedelta(hours=2)
    assert "End: " in out and "Start: " not in out

    term.ok("edit", ref(entry), "--client", "Globex", "--name", "Design", "--note", "v2")
    edited = term.only()
    assert (edited.client, edited.name, edited.note) == ("Globex", "Design", "v2")
    term.ok("edit", ref(entry), "--note", "")
    assert term.only().note == ""

    later = minute(now() - timedelta(hours=1))
    term.ok("log", "Acme", "30m", "--start", typed(later))
    other = term.notion.entries()[-1]
    out = term.ok("edit", ref(other), "--start", typed(start))
    assert "It overlaps Design (Globex) (" in out and f"ref {ref(entry)})" in out


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ([], "changes nothing"),
        (["--end", "START-1"], "End must be after Start"),
        (["--start", "START+61", "--end", "START+90"], None),  # fine: shows the check is real
        (["--start", "START+90", "--end", "START+30"], "End must be after Start"),
        (["--start", "START+60"], "End must be after Start"),
        (["--end", "-1m", "--duration", "1h"], "an end or a duration, not both"),
        (["--duration", "forever"], '"forever"'),
        (["--start", "tea time"], '"tea time"'),
        (["--end", "2099-01-01 10:00"], "in the future"),
    ],
    ids=[
        "no change", "end before start", "valid", "end before start both",
        "start after end", "end and duration", "bad duration", "bad time", "future time",
    ],
)  # fmt: skip
def test_a_bad_edit_is_one_line_and_changes_nothing(
    term: Term, options: list[str], says: str | None
) -> None:
    start = minute(now() - timedelta(hours=5))
    term.ok("log", "Acme", "1h", "--start", typed(start))
    entry = term.only()

    def when(option: str) -> str:
        found = re.fullmatch(r"START([+-]\d+)", option)
        return typed(start + timedelta(minutes=int(found[1]))) if found else option

    argv = ["edit", ref(entry), *map(when, options)]
    if says is None:
        term.ok(*argv)
        return
    assert says in term.refused(*argv)


def test_someone_elses_entry_is_refused_for_each_command(term: Term) -> None:
    bobs = make_entry(user=BOB, start=now() - timedelta(hours=2), minutes=None)
    page = seed_entry(term.notion.fake, term.notion.data_source_id, bobs)
    for argv, verb in (
        (["edit", page, "--note", "mine"], "change"),
        (["delete", page], "delete"),
        (["end", page, "--at", "-1m"], "end"),
    ):
        assert term.refused(*argv) == (
            f"That entry belongs to someone else; only its owner can {verb} it."
        )
    assert prop_text(term.notion.fake.page(page), "Note") == ""


@pytest.mark.parametrize("command", [["edit", "deadbeef", "--note", "x"], ["delete", "deadbeef"],
                                     ["end", "deadbeef"]])  # fmt: skip
def test_an_unknown_short_ref_is_one_line(term: Term, command: list[str]) -> None:
    term.ok("log", "Acme", "1h")
    assert term.refused(*command) == (
        "No time entry deadbeef in the timesheet database (none of your entries of the last "
        "62 days)."
    )


# -- delete ---------------------------------------------------------------------------------------


def test_delete_moves_the_page_to_the_trash_and_says_how_to_restore_it(term: Term) -> None:
    term.ok("log", "Acme", "45m", "--end", "-1h")
    entry = term.only()
    out = term.ok("delete", ref(entry))
    assert term.notion.entries() == []
    (trashed,) = term.pages()
    assert trashed["id"] == entry.page_id and trashed["in_trash"] is True
    assert out.splitlines() == [
        f"Moved Acme ({_span(entry)} Europe/London, 45m) to Notion's trash.",
        "To restore it: in Notion, Trash (in the sidebar) → Restore, or open the page and click "
        "Restore page.",
        f"  {entry.url}",
    ]
    assert term.requests == {"query_data_source": 1, "retrieve_page": 1, "update_page": 1}


# -- entries --------------------------------------------------------------------------------------


def test_entries_lists_short_refs_and_marks_and_the_refs_work(term: Term) -> None:
    term.ok("log", "Acme", "1h", "--end", "-2h")
    term.ok("log", "Globex", "1h", "--end", "-1h30m")  # overlaps the first by 30m
    term.ok("start", "Acme", "--at", "-40m", "--note", "paused")
    term.ok("pause")
    term.ok("start", "Globex")
    first, second, paused, running = term.notion.entries()

    out = term.ok("entries", "--period", around_today())
    head, *lines = out.splitlines()
    assert head.endswith("4 entries in " + head.split(" in ", 1)[1])
    assert head.endswith(", times in Europe/London:")
    assert [line.split()[0] for line in lines] == [ref(e) for e in (first, second, paused, running)]
    assert [re.findall(r"\[(\w+)\]", line) for line in lines] == [
        ["overlap"], ["overlap"], ["paused"], ["running"],
    ]  # fmt: skip
    assert lines[0].split()[1:3] == ["Acme", _span(first)]
    assert lines[0].split()[3:5] == ["1h", "00m"]
    assert term.requests == {"query_data_source": 1}

    term.ok("end", ref(running))
    term.ok("edit", ref(second), "--note", "found it")
    term.ok("delete", ref(first))
    out = term.ok("entries", "--period", around_today())
    assert [line.split()[0] for line in out.splitlines()[1:]] == [ref(second), ref(paused),
                                                                    ref(running)]  # fmt: skip
    assert "[overlap]" not in out and "[running]" not in out


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (
            ["entries", "--period", "fortnight"],
            "--period fortnight: expected today, yesterday, this-week, last-week, "
            "this-fortnight, last-fortnight, this-month, last-month, this-year, last-year, "
            "2026-W47, 2026-11, 2026 or 2026-11-01..2026-11-30",
        ),
        (
            ["entries", "--period", "2026-11-22..2026-11-16"],
            "--period 2026-11-22..2026-11-16: expected today, yesterday, this-week, last-week, "
            "this-fortnight, last-fortnight, this-month, last-month, this-year, last-year, "
            "2026-W47, 2026-11, 2026 or 2026-11-01..2026-11-30 (the last day is before the first)",
        ),
        (
            ["entries", "--week", "2026-W99"],
            "--week 2026-W99: expected this, last or an ISO week such as 2026-W47 "
            "(week must be 1 to 53)",
        ),
        (
            ["entries", "--week", "last", "--period", "today"],
            "entries takes --week or --period, not both",
        ),
    ],
    ids=["unknown period", "reversed days", "bad week", "both"],
)
def test_a_bad_period_is_one_line(term: Term, argv: list[str], line: str) -> None:
    assert term.refused(*argv) == line
    assert term.requests == {}


@pytest.mark.parametrize("period", ["today", "yesterday", "this-week", "last-week"])
def test_named_periods(term: Term, period: str) -> None:
    out = term.ok("entries", "--period", period)
    assert out.startswith("No entries in ")


def test_entries_by_week(term: Term) -> None:
    term.ok("log", "Acme", "1m")  # ends now: in this week, whenever the test runs
    out = term.ok("entries")  # this week
    assert out.startswith("1 entry in Week ") and ref(term.only()) in out
    assert term.ok("entries", "--week", "2026-W01").startswith("No entries in Week 2026-W01 ")


# -- replay ---------------------------------------------------------------------------------------


def _running(term: Term) -> None:
    term.ok("start", "Acme", "--at", "-20m", "--note", "n")


def _logged(term: Term) -> None:
    term.ok("log", "Acme", "1h", "--end", "-1h")


def _paused(term: Term) -> None:
    _running(term)
    term.ok("pause")


def _logged_globex(entries: list[TimeEntry]) -> bool:
    return [(e.client, e.end - e.start if e.end else None) for e in entries] == [
        ("Globex", timedelta(minutes=25))
    ]


def _started_globex(entries: list[TimeEntry]) -> bool:
    return [(e.client, e.end) for e in entries] == [("Globex", None)]


def _ended_15m_in(entries: list[TimeEntry]) -> bool:
    (e,) = entries
    return e.end is not None and timedelta(minutes=15) <= e.end - e.start < timedelta(minutes=16)


def _paused_now(entries: list[TimeEntry]) -> bool:
    (e,) = entries
    return e.end is not None and e.paused


def _resumed(entries: list[TimeEntry]) -> bool:
    return [(e.note, e.running, e.paused) for e in entries] == [
        ("n", False, False),
        ("n", True, False),
    ]


def _edited(entries: list[TimeEntry]) -> bool:
    (e,) = entries
    return e.note == "later" and e.end == e.start + timedelta(hours=2)


def _deleted(entries: list[TimeEntry]) -> bool:
    return entries == []


@pytest.mark.parametrize(
    ("setup", "command", "applied"),
    [
        (None, ["log", "Globex", "25m", "--end", "-5m"], _logged_globex),
        (None, ["start", "Globex", "--at", "-5m"], _started_globex),
        (_running, ["end", "--at", "-5m"], _ended_15m_in),
        (_running, ["pause"], _paused_now),
        (_paused, ["resume"], _resumed),
        (_logged, ["edit", "PAGE", "--duration", "2h", "--note", "later"], _edited),
        (_logged, ["delete", "URL"], _deleted),
    ],
    ids=["log", "start --at", "end --at", "pause", "resume", "edit", "delete"],
)
def test_a_command_during_an_outage_is_saved_and_sync_applies_it_once(
    term: Term,
    setup: Callable[[Term], None] | None,
    command: list[str],
    applied: Callable[[list[TimeEntry]], bool],
) -> None:
    if setup is not None:
        setup(term)
    known = term.notion.entries()
    names = {"PAGE": known[0].page_id or "", "URL": known[0].url or ""} if known else {}
    before = term.pages()
    term.notion.fake.faults.rate_limit_next(retry_after=0, count=5)  # every try of one request
    out = term.ok(*(names.get(arg, arg) for arg in command))
    assert out.endswith(QUEUED + "\n")
    assert term.pages() == before

    out = term.ok("sync")
    assert out.endswith("ledger: 1 applied, 0 failed, 0 pending\n")
    assert applied(term.notion.entries())
    after = term.pages()
    assert term.ok("sync") == "ledger: nothing to sync\n"
    assert term.pages() == after
    if command[0] == "delete":
        assert [p["in_trash"] for p in after] == [True]
