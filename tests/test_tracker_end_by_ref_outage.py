"""/end entry:<ref> while Notion is unreachable: the end is saved at the command's time. When
the ledger wrote the entry it knows its owner (checked at once, the end waits behind the
owner's operations); otherwise the owner is checked when the end is applied, and nothing of
someone else's is touched."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, timedelta

import pytest
from notionkit import T0
from trackerkit import ALICE, BOB, DOWN, MANAGER, TrackerEnv

from notion_client import NotionAPIError, RestrictedResourceError, UnauthorizedError
from notion_client.fake import FakeNotion
from timesheet.entries.model import TimeEntry
from timesheet.tracking.operations import EndOp
from timesheet.tracking.results import EndResult, EndSaved
from timesheet.tracking.tracker import InvalidEntryRef, NotYourEntry

#: Ways Notion stays unreachable after the client's retries.
OUTAGES: dict[str, Callable[[FakeNotion], None]] = {
    "503": lambda fake: fake.faults.fail_next(503, count=DOWN),
    "500": lambda fake: fake.faults.fail_next(500, count=DOWN),
    "429 storm": lambda fake: fake.faults.rate_limit_next(retry_after=0, count=DOWN),
    "dropped connections": lambda fake: fake.faults.drop_response_next(None, count=DOWN),
}


async def end_saved(env: TrackerEnv, user: str, ref: str, *, can_manage: bool = False) -> EndSaved:
    """``user``'s /end entry:``ref``, which must be saved for a timer the ledger can't name."""
    saved = await env.tracker.end(user, ref, can_manage=can_manage)
    assert isinstance(saved, EndSaved), saved
    return saved


async def end_queued(
    env: TrackerEnv, user: str, ref: str, *, can_manage: bool = False
) -> EndResult:
    """``user``'s /end entry:``ref``, which must be saved with the entry the ledger knows."""
    result = await env.tracker.end(user, ref, can_manage=can_manage)
    assert isinstance(result, EndResult) and result.queued, result
    return result


@pytest.mark.parametrize("outage", OUTAGES)
async def test_the_owners_end_by_page_ref_is_saved_and_replayed_at_the_command_time(
    ledger_env: TrackerEnv, outage: str
) -> None:
    started = await ledger_env.started_elsewhere(ALICE)
    writes = ledger_env.writes()
    OUTAGES[outage](ledger_env.fake)
    stop = ledger_env.clock.advance(minutes=50)

    saved = await end_saved(ledger_env, ALICE, str(started.page_id))

    assert (saved.at, saved.ref, saved.can_manage) == (stop, started.page_id, False)
    assert saved.reply(UTC) == (
        "Notion can't be reached right now. Saved: your stop at 2026-11-16 09:50 UTC will be "
        "applied once Notion answers (if the entry is yours)."
    )
    [rec] = ledger_env.reopened()  # committed before the answer
    assert rec.op == EndOp(str(started.page_id), stop, ALICE, can_manage=False, owner=None)
    assert ledger_env.writes() == writes and ledger_env.notified

    ledger_env.up()
    ledger_env.clock.advance(hours=3)  # replayed much later: the End is still the command's time
    before = ledger_env.snapshot()
    report = await ledger_env.replay()
    assert ledger_env.page(started.page_id).end == stop
    assert ledger_env.since(before) == Counter(retrieve_page=1, query_data_source=1, update_page=1)
    assert report.replayed == 1 and len(ledger_env.ledger) == 0


async def test_the_owners_end_by_ref_of_a_page_the_ledger_wrote_answers_with_the_entry(
    ledger_env: TrackerEnv,
) -> None:
    started = await ledger_env.running_page(ALICE)
    ledger_env.down()
    stop = ledger_env.clock.advance(minutes=50)

    result = await end_queued(ledger_env, ALICE, str(started.page_id))

    assert result.entry == started.ended(stop) and not result.ended_by_other
    [rec] = ledger_env.reopened()
    assert rec.op == EndOp(str(started.page_id), stop, ALICE, owner=ALICE)
    ledger_env.up()
    before = ledger_env.snapshot()
    await ledger_env.replay()
    assert ledger_env.page(started.page_id).end == stop
    assert ledger_env.since(before) == Counter(retrieve_page=1, query_data_source=1, update_page=1)


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
    ledger_env: TrackerEnv, spelling: Callable[[TimeEntry], str]
) -> None:
    started = await ledger_env.started_elsewhere(ALICE)
    ledger_env.down()
    stop = ledger_env.clock.advance(minutes=20)
    await end_saved(ledger_env, ALICE, spelling(started))
    ledger_env.up()
    await ledger_env.replay()
    assert ledger_env.page(started.page_id).end == stop


async def test_someone_elses_ref_is_saved_but_replay_writes_nothing(
    ledger_env: TrackerEnv,
) -> None:
    started = await ledger_env.started_elsewhere(ALICE)
    ledger_env.down()
    ledger_env.clock.advance(minutes=5)
    saved = await end_saved(ledger_env, BOB, str(started.page_id))
    assert "(if the entry is yours)" in saved.reply(UTC)

    ledger_env.up()
    # Bob's saved end holds up none of Alice's commands: it waits in his lane.
    assert ledger_env.ledger.pending(ALICE) == [] and len(ledger_env.ledger.pending(BOB)) == 1
    assert [e.page_id for e in await ledger_env.tracker.active(ALICE)] == [started.page_id]
    writes = ledger_env.writes()
    report = await ledger_env.replay()

    assert ledger_env.writes() == writes
    assert ledger_env.page(started.page_id).end is None
    assert len(ledger_env.ledger) == 0 and ledger_env.ledger.failed() == []
    [line] = report.lines
    assert line.startswith("done: end entry") and BOB in line
    assert line.endswith("refused (not_yours), nothing written")


async def test_someone_elses_ref_the_ledger_wrote_is_refused_at_once(
    ledger_env: TrackerEnv,
) -> None:
    """The ledger knows whose page it wrote: Bob is told no while Notion is down, and
    nothing is saved."""
    started = await ledger_env.running_page(ALICE)
    ledger_env.down()
    before = ledger_env.snapshot()
    with pytest.raises(NotYourEntry):
        await ledger_env.tracker.end(BOB, str(started.page_id))
    assert (
        ledger_env.since(before) == Counter()
        and len(ledger_env.ledger) == 0
        and not ledger_env.notified
    )


async def test_the_owners_end_is_not_held_up_by_someone_elses_saved_end(
    ledger_env: TrackerEnv,
) -> None:
    """Bob's saved end names Alice's Entry ID: it goes first (its owner was unknown when it
    was saved), is refused, writes nothing; Alice's own end is then applied at once."""
    started = await ledger_env.started_elsewhere(ALICE)
    ledger_env.down()
    ledger_env.clock.advance(minutes=5)
    await end_saved(ledger_env, BOB, started.entry_id)
    ledger_env.up()
    stop = ledger_env.clock.advance(minutes=10)

    ended = await ledger_env.tracker.end(ALICE)

    assert isinstance(ended, EndResult) and not ended.queued and ended.entry.end == stop
    assert ledger_env.page(started.page_id).end == stop
    assert ledger_env.ledger.pending() == []


async def test_a_manager_may_stop_someone_elses_timer_by_ref_during_an_outage(
    ledger_env: TrackerEnv,
) -> None:
    started = await ledger_env.started_elsewhere(ALICE)
    ledger_env.down()
    stop = ledger_env.clock.advance(minutes=15)
    saved = await end_saved(ledger_env, MANAGER, str(started.page_id), can_manage=True)
    assert saved.reply(UTC).endswith("will be applied once Notion answers.")
    [rec] = ledger_env.ledger.pending()
    assert isinstance(rec.op, EndOp) and rec.op.owner is None  # whose: unknown until applied
    ledger_env.up()
    await ledger_env.replay()
    assert ledger_env.page(started.page_id).end == stop


async def test_the_owners_later_start_does_not_overtake_a_managers_saved_stop(
    ledger_env: TrackerEnv,
) -> None:
    started = await ledger_env.started_elsewhere(ALICE)
    ledger_env.down()
    stop = ledger_env.clock.advance(minutes=15)
    await end_saved(ledger_env, MANAGER, str(started.page_id), can_manage=True)
    ledger_env.up()
    ledger_env.clock.advance(minutes=10)
    restarted = await ledger_env.tracker.start(ALICE, "Globex")
    await ledger_env.replay()
    new = ledger_env.page_of(restarted.entry.entry_id)
    assert (new.start, new.end) == (T0 + timedelta(minutes=25), None)
    assert ledger_env.page(started.page_id).end == stop  # the manager's stop, not Alice's start


async def test_a_managers_stop_of_a_page_the_ledger_wrote_waits_in_the_owners_lane(
    ledger_env: TrackerEnv,
) -> None:
    started = await ledger_env.running_page(ALICE)
    ledger_env.down()
    stop = ledger_env.clock.advance(minutes=15)
    result = await end_queued(ledger_env, MANAGER, str(started.page_id), can_manage=True)
    assert result.ended_by_other and result.entry == started.ended(stop)
    [rec] = ledger_env.ledger.pending()
    assert isinstance(rec.op, EndOp) and (rec.op.owner, rec.op.lane) == (ALICE, ALICE)

    ledger_env.up()
    ledger_env.clock.advance(minutes=10)
    restarted = await ledger_env.tracker.start(ALICE, "Globex")  # applies the manager's stop first
    assert not restarted.queued and restarted.stopped is None
    assert ledger_env.page(started.page_id).end == stop
    new = ledger_env.page_of(restarted.entry.entry_id)
    assert (new.start, new.end) == (T0 + timedelta(minutes=25), None)


async def test_an_entry_already_ended_keeps_its_end(ledger_env: TrackerEnv) -> None:
    started = await ledger_env.started_elsewhere(ALICE)
    first_stop = ledger_env.clock.advance(minutes=10)
    await ledger_env.tracker.end(ALICE)
    ledger_env.down()
    ledger_env.clock.advance(minutes=30)
    await end_saved(ledger_env, ALICE, str(started.page_id))

    ledger_env.up()
    writes = ledger_env.writes()
    report = await ledger_env.replay()
    assert ledger_env.writes() == writes
    assert ledger_env.page(started.page_id).end == first_stop
    assert report.lines == [
        f"done: end entry {started.page_id} at {(T0 + timedelta(minutes=40)).isoformat()}"
        f" by {ALICE}"
    ]


async def test_a_page_the_ledger_wrote_and_ended_answers_already_ended(
    ledger_env: TrackerEnv,
) -> None:
    """The ledger ended this page itself: a stop by ref while Notion is down answers with that
    End, not a later one Notion will never get."""
    started = await ledger_env.running_page(ALICE)
    first_stop = ledger_env.clock.advance(minutes=10)
    await ledger_env.tracker.end(ALICE)
    ledger_env.down()
    ledger_env.clock.advance(minutes=30)

    result = await ledger_env.tracker.end(ALICE, str(started.page_id))

    assert isinstance(result, EndResult)
    assert result.already_ended and result.entry.end == first_stop
    ledger_env.up()
    await ledger_env.replay()
    assert ledger_env.page(started.page_id).end == first_stop


async def test_both_pages_of_a_doubled_start_stop_on_replay(ledger_env: TrackerEnv) -> None:
    planned = await ledger_env.doubled_start(ALICE)
    second = ledger_env.pages_of(planned.entry_id)[1]
    ledger_env.down()
    stop = ledger_env.clock.advance(minutes=40)
    await end_saved(ledger_env, ALICE, str(second.page_id))
    ledger_env.up()
    before = ledger_env.snapshot()
    await ledger_env.replay()
    assert [e.end for e in ledger_env.pages_of(planned.entry_id)] == [stop, stop]
    assert ledger_env.since(before) == Counter(retrieve_page=1, query_data_source=1, update_page=2)


async def test_a_malformed_ref_is_refused_and_nothing_is_saved(ledger_env: TrackerEnv) -> None:
    await ledger_env.running_page(ALICE)
    ledger_env.down()
    before = ledger_env.snapshot()
    with pytest.raises(InvalidEntryRef):
        await ledger_env.tracker.end(ALICE, "https://example.com/not-a-notion-page")
    assert len(ledger_env.ledger) == 0 and ledger_env.ledger.failed() == []
    assert ledger_env.since(before) == Counter() and not ledger_env.notified


async def test_the_owners_next_command_applies_the_saved_end_first(
    ledger_env: TrackerEnv,
) -> None:
    started = await ledger_env.started_elsewhere(ALICE)
    ledger_env.down()
    stop = ledger_env.clock.advance(minutes=30)
    await end_saved(ledger_env, ALICE, str(started.page_id))
    ledger_env.up()
    switch = ledger_env.clock.advance(minutes=30)
    before = ledger_env.snapshot()

    later = await ledger_env.tracker.start(ALICE, "Globex")

    # The saved end (1 retrieve + 1 query + 1 update), then the start (1 query + 1 create).
    assert ledger_env.since(before) == Counter(
        retrieve_page=1, query_data_source=2, update_page=1, create_page=1
    )
    assert not later.queued and later.stopped is None
    assert ledger_env.page(started.page_id).end == stop  # not the later start
    new = ledger_env.page_of(later.entry.entry_id)
    assert (new.start, new.end) == (switch, None)


async def test_active_applies_the_saved_end_before_reading(ledger_env: TrackerEnv) -> None:
    started = await ledger_env.started_elsewhere(ALICE)
    ledger_env.down()
    stop = ledger_env.clock.advance(minutes=30)
    await end_saved(ledger_env, ALICE, str(started.page_id))
    ledger_env.up()
    assert await ledger_env.tracker.active(ALICE) == []
    assert ledger_env.page(started.page_id).end == stop and len(ledger_env.ledger) == 0


async def test_a_second_stop_of_the_same_ref_is_written_once(ledger_env: TrackerEnv) -> None:
    started = await ledger_env.started_elsewhere(ALICE)
    ledger_env.down()
    stop = ledger_env.clock.advance(minutes=10)
    await end_saved(ledger_env, ALICE, str(started.page_id))
    ledger_env.clock.advance(minutes=1)
    await ledger_env.tracker.end(ALICE, str(started.page_id).replace("-", ""))
    ledger_env.up()
    writes = ledger_env.writes()
    await ledger_env.replay()
    assert ledger_env.writes() == writes + 1 and ledger_env.page(started.page_id).end == stop


async def test_a_second_stop_of_the_same_ref_answers_with_the_first(
    ledger_env: TrackerEnv,
) -> None:
    started = await ledger_env.started_elsewhere(ALICE)
    ledger_env.down()
    stop = ledger_env.clock.advance(minutes=10)
    await end_saved(ledger_env, ALICE, str(started.page_id))
    ledger_env.clock.advance(minutes=1)
    again = await ledger_env.tracker.end(ALICE, str(started.page_id).replace("-", ""))
    answered = again.at if isinstance(again, EndSaved) else again.entry.end
    assert answered == stop  # got the second command's time, a minute later


async def test_a_start_still_in_the_ledger_is_ended_with_what_is_known(
    ledger_env: TrackerEnv,
) -> None:
    ledger_env.down()
    pending = (await ledger_env.tracker.start(ALICE, "Acme")).entry
    stop = ledger_env.clock.advance(minutes=10)
    result = await end_queued(
        ledger_env, ALICE, pending.entry_id
    )  # no EndSaved: the entry is known
    assert result.entry.end == stop and result.entry.client == "Acme"


@pytest.mark.parametrize(
    ("status", "error"), [(401, UnauthorizedError), (403, RestrictedResourceError)]
)
async def test_notion_refusing_the_request_propagates_and_nothing_is_saved(
    ledger_env: TrackerEnv, status: int, error: type[NotionAPIError]
) -> None:
    """Not an outage: Notion refuses the token or the database. The error reaches the
    caller (who tells the admin) and the ledger keeps nothing of the command."""
    started = await ledger_env.started_elsewhere(ALICE)
    ledger_env.fake.faults.fail_next(status, count=DOWN)
    with pytest.raises(error):
        await ledger_env.tracker.end(ALICE, str(started.page_id))
    assert ledger_env.writes() == 1  # the page's own create
    assert (
        len(ledger_env.ledger) == 0 and ledger_env.ledger.failed() == [] and not ledger_env.notified
    )
