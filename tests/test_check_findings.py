"""timetrack check's findings, one kind at a time, on hand-made entries; the fix on the fake."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from notionkit import T0, NotionEnv, make_entry, notion_env, seed_entry

from notion_client import Page
from timesheet.entries.model import TimeEntry
from timesheet.entries.schema import END_BEFORE_START, SkippedPage, from_page
from timesheet.reports.check import (
    EntryIdCopy,
    Kind,
    entry_id_copies,
    find_problems,
    fix_entry_id_copies,
)
from timesheet.reports.report import ReportOptions, build_timesheets
from timesheet.reports.week import week_period

TZ = ZoneInfo("Europe/London")
ADA, BOB = "100000000000000001", "100000000000000002"
NOW = T0 + timedelta(days=2)  # Wednesday 18 November 2026, 09:00 UTC (London too)
_pages = itertools.count(1)


def entry(
    start_hour: float,
    hours: float | None = 1.0,
    *,
    n: int | None = None,
    user: str = ADA,
    client: str = "Acme",
    name: str | None = None,
    created: datetime | None = None,
) -> TimeEntry:
    """`make_entry` starting ``start_hour`` hours after T0, ``hours`` long (None: running), on a
    page of its own (``https://notion.so/p<k>``); ``n`` picks its Entry ID (a fresh one by
    default)."""
    page = next(_pages)
    start = T0 + timedelta(hours=start_hour)
    minutes = None if hours is None else hours * 60
    return make_entry(
        page if n is None else n,
        user=user,
        client=client,
        name=name,
        start=start,
        minutes=minutes,
        page=page,
        created_at=created,
    )


def found(
    entries: list[TimeEntry], skipped: tuple[SkippedPage, ...] = ()
) -> list[tuple[Kind, str]]:
    return [(f.kind, f.link) for f in find_problems(entries, skipped, now=NOW, tz=TZ)]


def skipped_page(reason: str) -> SkippedPage:
    return SkippedPage("0f0e0d0c-0b0a-4909-8807-060504030201", "https://notion.so/bad", reason, BOB)


# -- each kind ---------------------------------------------------------------------------------


def test_clean_entries_have_no_findings() -> None:
    day = [entry(0, 2), entry(2, 1.5, client="Globex"), entry(1, 3, user=BOB), entry(40, None)]
    assert found(day) == []


def test_an_entry_starting_before_the_users_previous_one_stopped_is_an_overlap() -> None:
    first, second = entry(0, 2), entry(1.5, 2, client="Globex")
    findings = find_problems([second, first], now=NOW, tz=TZ)
    assert [(f.kind, f.link) for f in findings] == [(Kind.OVERLAP, second.url)]
    assert findings[0].user_id == ADA
    assert str(findings[0]) == (
        f"overlap: {second.url} — user {ADA}'s Globex (Mon 16 Nov 10:30–12:30) overlaps "
        f"Acme (Mon 16 Nov 09:00–11:00) by 30 min: {first.url}"
    )


@pytest.mark.parametrize(
    ("entries", "overlapping"),
    [
        pytest.param([entry(0, 2), entry(2, 1)], [], id="back-to-back"),
        pytest.param([entry(0, 2), entry(1, 1, user=BOB)], [], id="two-users"),
        pytest.param([entry(0, 5), entry(1, 1), entry(3, 1)], [1, 2], id="both-inside-one"),
        pytest.param([entry(0, None), entry(24, 1)], [1], id="running-until-now"),
        pytest.param([entry(0, 1), entry(0.5, -1)], [], id="reversed-has-no-span"),
    ],
)
def test_overlaps(entries: list[TimeEntry], overlapping: list[int]) -> None:
    links = [link for kind, link in found(entries) if kind is Kind.OVERLAP]
    assert links == [entries[i].url for i in overlapping]


def test_end_before_start_is_named_for_entries_and_for_the_pages_reports_skip() -> None:
    backwards = entry(3, -1)
    findings = find_problems(
        [entry(0, 1), backwards], [skipped_page(END_BEFORE_START)], now=NOW, tz=TZ
    )
    assert [(f.kind, f.link) for f in findings] == [
        (Kind.END_BEFORE_START, backwards.url),
        (Kind.END_BEFORE_START, "https://notion.so/bad"),
    ]
    assert "starts Mon 16 Nov 12:00 but ends Mon 16 Nov 11:00" in findings[0].detail
    assert findings[1].user_id == BOB


@pytest.mark.parametrize(
    ("made", "long"),
    [
        pytest.param(lambda: entry(0, None), True, id="running-48h"),
        pytest.param(lambda: entry(24, None), False, id="running-24h-exactly"),
        pytest.param(lambda: entry(25, None), False, id="running-23h"),
        pytest.param(lambda: entry(0, 30), True, id="ended-after-30h"),
        pytest.param(lambda: entry(0, 24), False, id="ended-after-24h"),
    ],
)
def test_a_timer_over_24_hours(made: object, long: bool) -> None:
    assert callable(made)
    one = made()
    assert found([one]) == ([(Kind.LONG, one.url)] if long else [])


def test_a_long_running_timer_says_since_when() -> None:
    (finding,) = find_problems([entry(0, None)], now=NOW, tz=TZ)
    assert finding.detail == (
        "Acme running since Mon 16 Nov 09:00 (48 h 00 min): stop it, or set its End in Notion"
    )


def test_entries_with_no_client() -> None:
    blank, spaces = entry(0, client="", name="Design"), entry(2, client="  ", name="")
    assert found([blank, entry(1), spaces]) == [
        (Kind.NO_CLIENT, blank.url),
        (Kind.NO_CLIENT, spaces.url),
    ]
    assert str(find_problems([blank], now=NOW, tz=TZ)[0]).endswith(
        "'Design' (Mon 16 Nov 09:00–10:00) has no Client; set one in Notion"
    )


def test_pages_with_the_same_entry_id_and_start_are_one_entry_doubled() -> None:
    kept = entry(0, 1, n=7)
    running_twin = replace(entry(0, None, n=7), start=kept.start)
    findings = find_problems([kept, running_twin], now=NOW, tz=TZ)
    # One entry: no overlap between the twins; the ended page counts, the running one is extra.
    assert [(f.kind, f.link) for f in findings] == [(Kind.DOUBLED, running_twin.url)]
    assert f"same Entry ID and Start as {kept.url}" in findings[0].detail
    assert entry_id_copies([kept, running_twin]) == []


def test_a_page_with_an_earlier_pages_entry_id_and_another_start_is_a_copy() -> None:
    original = entry(0, 1, n=9, created=T0)
    moved = entry(24, 1, n=9, created=T0 + timedelta(days=3))
    findings = find_problems([original, moved], now=NOW, tz=TZ)
    assert [(f.kind, f.link) for f in findings] == [(Kind.COPY, moved.url)]
    assert findings[0].detail == (
        f"starts Tue 17 Nov 09:00 with the Entry ID of Acme (Mon 16 Nov 09:00–10:00), "
        f"{original.url}: a separate entry; `timetrack check --fix` gives it a fresh Entry ID"
    )
    assert entry_id_copies([moved, original]) == [EntryIdCopy(original, (moved,))]


def test_the_copy_is_the_page_created_later_even_when_moved_to_an_earlier_day() -> None:
    original = entry(24, 1, n=9, created=T0)
    moved_back = entry(0, 1, n=9, created=T0 + timedelta(days=1))
    assert found([moved_back, original]) == [(Kind.COPY, moved_back.url)]


def test_without_creation_times_the_earlier_start_keeps_the_entry_id() -> None:
    first, later = entry(0, 1, n=9), entry(24, 1, n=9)
    assert found([later, first]) == [(Kind.COPY, later.url)]


def test_a_doubled_copy_is_one_copy_of_two_pages() -> None:
    original = entry(0, 1, n=5, created=T0)
    copy = entry(30, 1, n=5, created=T0 + timedelta(days=1))
    copy_twin = replace(copy, page_id="00000000-0000-4000-a000-999999999999", url="https://t")
    ((only,)) = entry_id_copies([original, copy, copy_twin])
    assert only.original == original and set(only.pages) == {copy, copy_twin}
    kinds = sorted(kind for kind, _ in found([original, copy, copy_twin]))
    assert kinds == sorted([Kind.DOUBLED, Kind.COPY, Kind.COPY])


def test_pages_reports_skip_are_named_with_why() -> None:
    findings = find_problems([], [skipped_page("Start is empty")], now=NOW, tz=TZ)
    assert [str(f) for f in findings] == [
        "skipped: https://notion.so/bad — reports skip it: Start is empty; fix it in Notion"
    ]


def test_blank_entry_ids_are_never_shared() -> None:
    # Two pages typed in Notion without an Entry ID: two entries (overlapping), not one doubled.
    blank = [replace(entry(0, 1), entry_id="") for _ in range(2)]
    assert found(blank) == [(Kind.OVERLAP, blank[1].url)]


def test_findings_come_by_kind_then_start() -> None:
    bob_running = entry(20, None, client="", user=BOB)
    first, second, long = entry(0, 2), entry(1, 1), entry(3, 30)
    assert found([bob_running, long, second, first]) == [
        (Kind.OVERLAP, second.url),
        (Kind.LONG, long.url),
        (Kind.LONG, bob_running.url),
        (Kind.NO_CLIENT, bob_running.url),
    ]
    only = find_problems([bob_running, long, second, first], now=NOW, tz=TZ, kinds={Kind.LONG})
    assert [f.link for f in only] == [long.url, bob_running.url]


# -- the fix, on the in-memory Notion ----------------------------------------------------------


@pytest.fixture
async def env() -> AsyncIterator[NotionEnv]:
    async with notion_env(("Acme",)) as notion:
        yield notion


def _stored(env: NotionEnv) -> dict[str, TimeEntry]:
    return {p["id"]: from_page(Page.from_json(p)) for p in env.fake.pages(env.ds_id)}


async def test_fix_gives_only_the_copy_a_fresh_entry_id_and_changes_nothing_else(
    env: NotionEnv,
) -> None:
    original = entry(0, 1, n=1)
    seeded = {
        "original": seed_entry(env.fake, env.ds_id, original, created=T0),
        "doubled": seed_entry(env.fake, env.ds_id, original, created=T0),
        "copy": seed_entry(
            env.fake,
            env.ds_id,
            replace(original, start=T0 + timedelta(days=1), end=None),
            created=T0 + timedelta(days=1),
        ),
        "other": seed_entry(env.fake, env.ds_id, entry(3, 1, n=2), created=T0),
    }
    before = {p["id"]: p for p in env.fake.pages(env.ds_id)}
    entries = list(_stored(env).values())
    requests = env.snapshot()

    written = await fix_entry_id_copies(
        env.store, entry_id_copies(entries), new_id=lambda: "fresh-id"
    )

    assert [w.page_id for w in written] == [seeded["copy"]]
    assert env.since(requests) == {"update_page": 1}
    after = {p["id"]: p for p in env.fake.pages(env.ds_id)}
    assert {k for k in after if after[k] != before[k]} == {seeded["copy"]}
    changed = {
        name
        for name, value in after[seeded["copy"]]["properties"].items()
        if value != before[seeded["copy"]]["properties"][name]
    }
    assert changed == {"Entry ID"}
    assert _stored(env)[seeded["copy"]].entry_id == "fresh-id"
    assert find_problems(list(_stored(env).values()), now=NOW, tz=TZ)[0].kind is Kind.DOUBLED


# -- the weekly post -----------------------------------------------------------------------------


async def test_the_report_notes_findings_its_table_does_not_name_from_the_same_query(
    env: NotionEnv,
) -> None:
    no_client = entry(0, 1, client="", name="Design")
    forgotten = entry(2, None, user=BOB)
    doubled = entry(5, 1, n=77)
    for e in (no_client, forgotten, doubled, doubled):
        seed_entry(env.fake, env.ds_id, e)
    period = week_period("2026-W47", TZ, 0, T0)
    await env.store.data_source_id()
    requests = env.snapshot()

    ada, bob = await build_timesheets(env.store, period, ReportOptions(tz=TZ), NOW, per_user=True)

    assert env.since(requests) == {"query_data_source": 1}
    assert [n for n in ada.table.notes if n.startswith("no client: ")] == [
        f"no client: {env.fake.pages(env.ds_id)[0]['url']} — 'Design' (Mon 16 Nov 09:00–10:00) "
        "has no Client; set one in Notion"
    ]
    # The doubled page is named once, by the table's own note (not again as a finding).
    assert sum(doubled.entry_id in n or "doubled page" in n for n in ada.table.notes) == 1
    assert [n for n in bob.table.notes if n.startswith("over 24 h: ")] != []
    assert not any(n.startswith("over 24 h") for n in ada.table.notes)
