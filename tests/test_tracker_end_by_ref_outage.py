"""/end entry:<ref> while Notion is unreachable: the end is saved at the command's time, and
its owner is checked when it is replayed (nothing of someone else's is touched)."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from notionkit import T0
from trackerkit import DOWN, TrackerEnv, tracker_env

from notion_client import ServerError
from notion_client.fake import FakeNotion
from timesheet.entries.model import TimeEntry
from timesheet.tracking.ledger import EndOp
from timesheet.tracking.tracker import EndQueued, InvalidEntryRef, Tracker

PRESETS = ("Acme", "Globex")
ALICE, BOB, MANAGER = "100000000000000001", "100000000000000002", "100000000000000009"

#: Ways Notion stays unreachable after the client's retries.
OUTAGES: dict[str, Callable[[FakeNotion], None]] = {
    "503": lambda fake: fake.faults.fail_next(503, count=DOWN),
    "500": lambda fake: fake.faults.fail_next(500, count=DOWN),
    "429 storm": lambda fake: fake.faults.rate_limit_next(retry_after=0, count=DOWN),
    "dropped connections": lambda fake: fake.faults.drop_response_next(None, count=DOWN),
}


@dataclass
class Env(TrackerEnv):
    def page(self, page_id: str | None) -> TimeEntry:
        (found,) = [e for e in self.pages() if e.page_id == page_id]
        return found

    async def running_page(self, user: str = ALICE, client: str = "Acme") -> TimeEntry:
        started = await self.tracker.start(user, client)
        assert not started.queued and started.entry.page_id is not None
        return started.entry

    async def end_queued(self, user: str, ref: str, *, can_manage: bool = False) -> EndQueued:
        with pytest.raises(EndQueued) as caught:
            await self.tracker.end(user, ref, can_manage=can_manage)
        return caught.value


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    async with tracker_env(Env, tmp_path, PRESETS) as env:
        yield env


@pytest.mark.parametrize("outage", OUTAGES)
async def test_the_owners_end_by_page_ref_is_saved_and_replayed_at_the_command_time(
    env: Env, outage: str
) -> None:
    started = await env.running_page()
    writes = env.writes()
    OUTAGES[outage](env.fake)
    stop = env.clock.advance(minutes=50)

    saved = await env.end_queued(ALICE, str(started.page_id))

    assert saved.at == stop and saved.ref == started.page_id
    assert str(saved) == (
        "Notion can't be reached right now. Saved: your stop at 2026-11-16 09:50 UTC will be "
        "applied once Notion answers (if the entry is yours)."
    )
    [op] = env.reopened()  # committed before the answer
    assert isinstance(op, EndOp)
    assert (op.page_id, op.at, op.asked_by, op.can_manage) == (started.page_id, stop, ALICE, False)
    assert env.writes() == writes and env.notified

    env.up()
    env.clock.advance(hours=3)  # replayed much later: the End is still the command's time
    before = env.snapshot()
    report = await env.replay()
    assert env.page(started.page_id).end == stop
    assert env.since(before) == Counter(retrieve_page=1, query_data_source=1, update_page=1)
    assert report.replayed == 1 and len(env.outbox) == 0


@pytest.mark.parametrize(
    "spelling",
    [
        lambda e: str(e.page_id).replace("-", ""),
        lambda e: str(e.url),
        lambda e: e.entry_id,  # people paste the Entry ID too
    ],
    ids=["32 hex", "page URL", "Entry ID"],
)
async def test_any_spelling_of_the_ref_is_saved_and_ends_the_entry(
    env: Env, spelling: Callable[[TimeEntry], str]
) -> None:
    started = await env.running_page()
    env.down()
    stop = env.clock.advance(minutes=20)
    await env.end_queued(ALICE, spelling(started))
    env.up()
    await env.replay()
    assert env.page(started.page_id).end == stop


async def test_someone_elses_ref_is_saved_but_replay_writes_nothing(
    env: Env, caplog: pytest.LogCaptureFixture
) -> None:
    started = await env.running_page(ALICE)
    env.down()
    env.clock.advance(minutes=5)
    saved = await env.end_queued(BOB, str(started.page_id))
    assert "(if the entry is yours)" in str(saved)

    env.up()
    # Bob's saved end holds up none of Alice's commands: it can't touch her entries.
    assert not env.outbox.has_pending_for_user(ALICE)
    assert [e.page_id for e in await env.tracker.active(ALICE)] == [started.page_id]
    writes = env.writes()
    caplog.set_level(logging.WARNING, logger="timesheet.outbox")
    report = await env.replay()

    assert env.writes() == writes
    assert env.page(started.page_id).end is None
    assert len(env.outbox) == 0 and env.outbox.failed() == []
    assert "dropped" in report.lines[0] and ALICE in report.lines[0]
    assert any("dropped" in r.getMessage() and BOB in r.getMessage() for r in caplog.records)


async def test_the_owners_end_is_not_merged_into_someone_elses_saved_end_by_entry_id(
    env: Env,
) -> None:
    """Bob's saved end names Alice's Entry ID (so her end queues behind it) and is dropped on
    replay: her own end must be saved as an end of its own, not taken for his."""
    started = await env.running_page(ALICE)
    env.down()
    env.clock.advance(minutes=5)
    await env.end_queued(BOB, started.entry_id)
    env.up()
    stop = env.clock.advance(minutes=10)

    ended = await env.tracker.end(ALICE)

    assert ended.queued and ended.entry.end == stop
    assert len(env.outbox) == 2
    await env.replay()
    assert env.page(started.page_id).end == stop


async def test_a_manager_may_stop_someone_elses_timer_by_ref_during_an_outage(env: Env) -> None:
    started = await env.running_page(ALICE)
    env.down()
    stop = env.clock.advance(minutes=15)
    saved = await env.end_queued(MANAGER, str(started.page_id), can_manage=True)
    assert str(saved).endswith("will be applied once Notion answers.")
    [op] = env.outbox.pending()
    assert isinstance(op, EndOp) and op.user_id is None  # whose it is: unknown until replay

    env.up()
    # Alice's own start must not overtake the manager's stop (it would stop her timer later).
    env.clock.advance(minutes=10)
    restarted = await env.tracker.start(ALICE, "Globex")
    assert restarted.queued
    await env.replay()
    assert env.page(started.page_id).end == stop
    (new,) = [e for e in env.pages() if e.entry_id == restarted.entry.entry_id]
    assert (new.start, new.end) == (T0 + timedelta(minutes=25), None)


async def test_an_entry_already_ended_keeps_its_end(env: Env) -> None:
    started = await env.running_page()
    first_stop = env.clock.advance(minutes=10)
    await env.tracker.end(ALICE)
    env.down()
    env.clock.advance(minutes=30)
    await env.end_queued(ALICE, str(started.page_id))

    env.up()
    writes = env.writes()
    report = await env.replay()
    assert env.writes() == writes
    assert env.page(started.page_id).end == first_stop
    assert "already ended" in report.lines[0]


async def test_both_pages_of_a_doubled_start_stop_on_replay(env: Env) -> None:
    planned = env.tracker.plan_start(ALICE, "Acme")
    first = await env.store.create(planned)
    second = await env.store.create(planned)  # a create doubled behind the lagging index
    env.down()
    stop = env.clock.advance(minutes=40)
    await env.end_queued(ALICE, str(second.page_id))
    env.up()
    before = env.snapshot()
    await env.replay()
    assert env.page(first.page_id).end == stop and env.page(second.page_id).end == stop
    assert env.since(before) == Counter(retrieve_page=1, query_data_source=1, update_page=2)


async def test_a_malformed_ref_is_refused_and_nothing_is_saved(env: Env) -> None:
    await env.running_page()
    env.down()
    before = env.snapshot()
    with pytest.raises(InvalidEntryRef):
        await env.tracker.end(ALICE, "https://example.com/not-a-notion-page")
    assert len(env.outbox) == 0 and env.since(before) == Counter()


async def test_the_owners_later_commands_queue_behind_the_saved_end(env: Env) -> None:
    started = await env.running_page()
    env.down()
    stop = env.clock.advance(minutes=30)
    await env.end_queued(ALICE, str(started.page_id))
    env.up()
    assert await env.tracker.active(ALICE) == []  # the saved end applies to what Notion says
    switch = env.clock.advance(minutes=30)
    before = env.snapshot()
    later = await env.tracker.start(ALICE, "Globex")
    assert later.queued and env.since(before) == Counter()
    await env.replay()
    assert env.page(started.page_id).end == stop  # not the later start
    (new,) = [e for e in env.pages() if e.entry_id == later.entry.entry_id]
    assert (new.start, new.end) == (switch, None)


async def test_a_second_stop_of_the_same_ref_answers_with_the_first(env: Env) -> None:
    started = await env.running_page()
    env.down()
    stop = env.clock.advance(minutes=10)
    await env.end_queued(ALICE, str(started.page_id))
    env.clock.advance(minutes=1)
    again = await env.end_queued(ALICE, str(started.page_id).replace("-", ""))
    assert again.at == stop and len(env.outbox) == 1


async def test_a_start_still_in_the_outbox_is_ended_with_what_is_known(env: Env) -> None:
    env.down()
    pending = (await env.tracker.start(ALICE, "Acme")).entry
    stop = env.clock.advance(minutes=10)
    result = await env.tracker.end(ALICE, pending.entry_id)  # no EndQueued: the entry is known
    assert result.queued and result.entry.end == stop and result.entry.client == "Acme"


async def test_without_an_outbox_notions_error_still_propagates(env: Env) -> None:
    started = await env.running_page()
    bare = Tracker(env.store, clock=env.clock, presets=PRESETS)
    env.down()
    with pytest.raises(ServerError):
        await bare.end(ALICE, str(started.page_id))
