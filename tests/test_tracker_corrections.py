"""Fixing time after the fact through the tracker: log, start/stop at a time, pause and
resume, edit, delete, list; short refs; each saved during an outage and applied once."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from notionkit import T0
from trackerkit import ALICE, BOB, MANAGER, TrackerEnv

from notion_client import NotionError
from timesheet.entries.errors import (
    EndNotAfterStart,
    EntryNotFound,
    InvalidInput,
    NothingRunning,
    NothingToResume,
    NotYourEntry,
    StopBeforeStart,
)
from timesheet.tracking.operations import Changes

H = timedelta(hours=1)
M = timedelta(minutes=1)


async def test_log_writes_an_ended_entry_ending_now_and_names_what_it_overlaps(
    ledger_env: TrackerEnv,
) -> None:
    env = ledger_env
    first = await env.tracker.log(ALICE, "Acme", 2 * H)  # 07:00-09:00
    assert (first.entry.start, first.entry.end) == (T0 - 2 * H, T0)
    assert first.overlaps == () and not first.queued
    before = env.snapshot()
    second = await env.tracker.log(ALICE, "Globex", H, start=T0 - 90 * M)  # 07:30-08:30
    assert env.since(before) == Counter(create_page=1, query_data_source=1)
    assert [e.client for e in second.overlaps] == ["Acme"]
    assert sorted((e.client, e.start, e.end) for e in env.pages()) == [
        ("Acme", T0 - 2 * H, T0),
        ("Globex", T0 - 90 * M, T0 - 30 * M),
    ]
    assert env.running_pages() == []  # logging stops nothing and starts nothing


@pytest.mark.parametrize(
    ("duration", "kwargs", "error"),
    [
        (timedelta(0), {}, InvalidInput),
        (25 * H, {}, InvalidInput),
        (H, {"start": T0 - 3 * H, "end": T0 - H}, InvalidInput),
    ],
)
async def test_a_log_that_cant_be_is_refused_and_writes_nothing(
    ledger_env: TrackerEnv, duration: timedelta, kwargs: dict[str, object], error: type
) -> None:
    with pytest.raises(error):
        await ledger_env.tracker.log(ALICE, "Acme", duration, **kwargs)  # type: ignore[arg-type]
    assert ledger_env.pages() == [] and len(ledger_env.ledger) == 0


async def test_start_and_end_at_a_typed_time(ledger_env: TrackerEnv) -> None:
    env = ledger_env
    first = (await env.tracker.start(ALICE, "Acme", at=T0 - H)).entry
    second = await env.tracker.start(ALICE, "Globex", at=T0 - 30 * M)
    assert second.stopped is not None and second.stopped.end == T0 - 30 * M
    assert env.page(first.page_id).end == T0 - 30 * M
    ended = await env.tracker.end(ALICE, at=T0 - 10 * M)
    assert env.page(second.entry.page_id).end == T0 - 10 * M
    assert not getattr(ended, "queued", False)


async def test_a_stop_typed_before_the_start_is_refused_and_changes_nothing(
    ledger_env: TrackerEnv,
) -> None:
    env = ledger_env
    started = (await env.tracker.start(ALICE, "Acme")).entry
    with pytest.raises(StopBeforeStart):
        await env.tracker.end(ALICE, at=T0 - M)
    with pytest.raises(StopBeforeStart):
        await env.tracker.end(ALICE, str(started.page_id), at=T0 - M)
    assert env.page(started.page_id).end is None


async def test_pause_then_resume_continues_the_same_work_in_a_new_page(
    ledger_env: TrackerEnv,
) -> None:
    env = ledger_env
    started = (await env.tracker.start(ALICE, "Acme", note="API review")).entry
    env.clock.advance(hours=2)
    paused = await env.tracker.pause(ALICE)
    (stopped,) = paused.entries
    assert stopped.paused and stopped.end == T0 + 2 * H
    assert env.page(started.page_id).paused
    with pytest.raises(NothingRunning):
        await env.tracker.pause(ALICE)
    env.clock.advance(hours=1)
    resumed = await env.tracker.resume(ALICE)
    assert resumed.entry is not None and resumed.resumed is not None
    assert (resumed.entry.client, resumed.entry.note) == ("Acme", "API review")
    assert resumed.entry.start == T0 + 3 * H and resumed.entry.end is None
    assert not env.page(started.page_id).paused  # cleared on resume
    assert [p.client for p in env.running_pages()] == ["Acme"]


async def test_end_while_paused_ends_the_session(ledger_env: TrackerEnv) -> None:
    env = ledger_env
    started = (await env.tracker.start(ALICE, "Acme")).entry
    env.clock.advance(hours=1)
    await env.tracker.pause(ALICE)
    env.clock.advance(hours=1)
    ended = await env.tracker.end(ALICE)
    page = env.page(started.page_id)
    assert not page.paused and page.end == T0 + H  # the session ended at the pause
    assert getattr(ended, "entry", None) is not None
    with pytest.raises(NothingRunning):
        await env.tracker.end(ALICE)


async def test_resume_with_nothing_paused_continues_the_latest_entry(
    ledger_env: TrackerEnv,
) -> None:
    env = ledger_env
    with pytest.raises(NothingToResume):
        await env.tracker.resume(ALICE)
    await env.tracker.log(ALICE, "Globex", H, end=T0 - 3 * H, note="old")
    await env.tracker.log(ALICE, "Acme", H, end=T0 - H, note="latest")
    resumed = await env.tracker.resume(ALICE)
    assert resumed.entry is not None and resumed.entry.note == "latest"


async def test_edit_moves_times_and_renames_and_refuses_end_before_start(
    ledger_env: TrackerEnv,
) -> None:
    env = ledger_env
    logged = (await env.tracker.log(ALICE, "Acme", 2 * H)).entry
    ref = str(logged.page_id)
    edited = await env.tracker.edit(ALICE, ref, Changes(duration=90 * M, note="fixed"))
    assert (edited.entry.start, edited.entry.end) == (T0 - 2 * H, T0 - 30 * M)
    assert edited.before is not None and edited.before.end == T0
    assert env.page(logged.page_id).note == "fixed"
    with pytest.raises(EndNotAfterStart):
        await env.tracker.edit(ALICE, ref, Changes(end=T0 - 3 * H))
    with pytest.raises(EndNotAfterStart):
        await env.tracker.edit(ALICE, ref, Changes(start=T0 - H, end=T0 - 2 * H))
    with pytest.raises(InvalidInput):
        await env.tracker.edit(ALICE, ref, Changes())
    assert env.page(logged.page_id).end == T0 - 30 * M  # the refusals changed nothing


async def test_only_the_owner_or_a_manager_changes_an_entry(ledger_env: TrackerEnv) -> None:
    env = ledger_env
    mine = await env.started_elsewhere(ALICE)  # a page the ledger does not know
    with pytest.raises(NotYourEntry):
        await env.tracker.edit(BOB, str(mine.page_id), Changes(note="mine now"))
    with pytest.raises(NotYourEntry):
        await env.tracker.delete(BOB, str(mine.page_id))
    assert env.page(mine.page_id).note == "" and len(env.pages()) == 1
    done = await env.tracker.edit(MANAGER, str(mine.page_id), Changes(note="ok"), can_manage=True)
    assert done.ended_by_other and env.page(mine.page_id).note == "ok"


async def test_delete_moves_the_page_to_the_trash(ledger_env: TrackerEnv) -> None:
    env = ledger_env
    logged = (await env.tracker.log(ALICE, "Acme", H)).entry
    before = env.snapshot()
    deleted = await env.tracker.delete(ALICE, str(logged.page_id))
    assert env.since(before) == Counter(retrieve_page=1, update_page=1)
    assert deleted.entry is not None and env.pages() == []
    trashed = env.fake.pages(env.ds_id, include_trashed=True)
    assert [p["id"] for p in trashed] == [logged.page_id]


async def test_short_refs_name_your_recent_entries(ledger_env: TrackerEnv) -> None:
    env = ledger_env
    logged = (await env.tracker.log(ALICE, "Acme", H)).entry
    short = str(logged.page_id).replace("-", "")[:8]
    edited = await env.tracker.edit(ALICE, short, Changes(note="by short ref"))
    assert edited.entry.page_id == logged.page_id
    with pytest.raises(EntryNotFound):
        await env.tracker.edit(BOB, short, Changes(note="not Bob's"))
    with pytest.raises(EntryNotFound):
        await env.tracker.delete(ALICE, "deadbeef")


async def test_entries_lists_yours_with_running_paused_and_overlap_marks(
    ledger_env: TrackerEnv,
) -> None:
    env = ledger_env
    await env.tracker.log(ALICE, "Acme", 2 * H, end=T0 - H)  # 06:00-08:00
    await env.tracker.log(ALICE, "Globex", H, end=T0 - 90 * M)  # 06:30-07:30 overlaps
    await env.tracker.log(BOB, "Acme", H)  # someone else's
    await env.tracker.start(ALICE, "Acme")  # 09:00, running
    listed = await env.tracker.entries(ALICE, T0 - 24 * H, T0 + 24 * H)
    assert [(x.entry.client, x.overlaps, x.entry.end is None) for x in listed] == [
        ("Acme", True, False),
        ("Globex", True, False),
        ("Acme", False, True),
    ]
    assert all(len(x.ref) == 8 for x in listed)


async def test_every_new_operation_saved_during_an_outage_is_applied_once(
    ledger_env: TrackerEnv,
) -> None:
    env = ledger_env
    kept = (await env.tracker.log(ALICE, "Acme", 2 * H, end=T0 - H)).entry
    gone = (await env.tracker.log(ALICE, "Globex", H, end=T0 - 3 * H)).entry
    await env.tracker.start(ALICE, "Acme")
    env.down()
    results = [
        await env.tracker.log(ALICE, "Globex", 30 * M, end=T0 - 5 * H),
        await env.tracker.edit(ALICE, str(kept.page_id), Changes(note="edited while down")),
        await env.tracker.delete(ALICE, str(gone.page_id)),
        await env.tracker.pause(ALICE),
    ]
    assert all(r.queued for r in results)
    env.up()
    await env.replay()
    await env.replay()  # a second pass writes nothing more
    pages = env.pages()
    assert env.page(kept.page_id).note == "edited while down"
    assert gone.page_id not in {p.page_id for p in pages}
    assert sorted(p.client for p in pages) == ["Acme", "Acme", "Globex"]
    assert env.running_pages() == [] and any(p.paused for p in pages)


async def test_active_shows_a_paused_session_with_the_time_worked_on_it_today(
    ledger_env: TrackerEnv,
) -> None:
    env = ledger_env
    await env.tracker.log(ALICE, "Acme", H, end=T0 - 2 * H)  # 06:00-07:00, same work
    await env.tracker.start(ALICE, "Acme")  # 09:00
    env.clock.advance(minutes=90)
    await env.tracker.pause(ALICE)  # 10:30
    env.clock.advance(minutes=30)
    before = env.snapshot()
    view = await env.tracker.active_view(ALICE)
    assert view.entries == [] and view.paused is not None
    assert view.paused.client == "Acme" and view.paused.end == T0 + 90 * M
    assert view.worked_today == 150 * M  # 1 h logged + 1 h 30 before the pause
    # running or paused: one query; the day's pages of the paused work: one more
    assert env.since(before) == Counter(query_data_source=2)
    await env.tracker.resume(ALICE)
    before = env.snapshot()
    running = await env.tracker.active_view(ALICE)
    assert [e.client for e in running.entries] == ["Acme"] and running.paused is None
    assert env.since(before) == Counter(query_data_source=1)


async def test_a_database_without_paused_still_answers_active_and_refuses_pause_clearly(
    ledger_env: TrackerEnv,
) -> None:
    env = ledger_env
    # A database made before Paused existed: removed through the API.
    await env.client.update_data_source(env.ds_id, {"Paused": None})
    assert "Paused" not in env.fake.data_source(env.ds_id)["properties"]
    await env.tracker.start(ALICE, "Acme")
    view = await env.tracker.active_view(ALICE)
    assert [e.client for e in view.entries] == ["Acme"]
    before = env.snapshot()
    assert [e.client for e in (await env.tracker.active_view(ALICE)).entries] == ["Acme"]
    assert env.since(before) == Counter(query_data_source=1)  # learnt: no second try
    with pytest.raises(NotionError):
        await env.tracker.pause(ALICE)
    assert [p.end for p in env.pages()] == [None] and len(env.ledger) == 0


async def test_pause_then_resume_within_the_index_lag_resumes_the_paused_work(
    ledger_env: TrackerEnv,
) -> None:
    """The lagging index still lists the paused page as running and not paused: the ledger
    knows better."""
    env = ledger_env
    env.fake.clock = env.clock  # the index lags by the tracker's clock
    env.fake.faults.index_lag = 3.0
    await env.tracker.log(ALICE, "Globex", H, end=T0 - H, note="older")
    env.clock.advance(seconds=10)
    started = (await env.tracker.start(ALICE, "Acme", note="this one")).entry
    env.clock.advance(seconds=1)
    await env.tracker.pause(ALICE)
    env.clock.advance(seconds=1)
    resumed = await env.tracker.resume(ALICE)
    assert resumed.entry is not None and resumed.entry.note == "this one"
    assert not env.page(started.page_id).paused
    assert [(p.note, p.end is None) for p in env.running_pages()] == [("this one", True)]
