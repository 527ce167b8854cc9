"""Test kit for the tracker on the in-memory Notion with a ledger on disk: outages, replay.

`tracker_env()` opens a `notion_env` with a `Ledger` on disk and a `Tracker` on both, its clock
a `Clock` at `T0` and its ids `sequential_ids()`; the `TrackerEnv` it yields switches Notion
down and up, counts writes, reads the ledger as a restarted process would, and replays it. It
also makes the running pages tests start from: one the ledger wrote (`running_page`), one it
does not know (`started_elsewhere`) and a doubled start (`doubled_start`), and finds pages by
page id or Entry ID. `PRESETS` and the users `ALICE`, `BOB` (notionkit's) and `MANAGER` are
what the tracker tests share (conftest's ``ledger_env`` fixture is a `TrackerEnv` on `PRESETS`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, TypeVar

from notionkit import ALICE, BOB, T0, Clock, NotionEnv, notion_env, sequential_ids

from notion_client import Page
from timesheet.entries.model import TimeEntry
from timesheet.entries.schema import from_page
from timesheet.tracking.engine import DrainReport, Engine
from timesheet.tracking.ledger import Ledger, Recorded
from timesheet.tracking.tracker import Tracker

__all__ = ["ALICE", "BOB", "DOWN", "MANAGER", "PRESETS", "TrackerEnv", "tracker_env"]

_E = TypeVar("_E", bound="TrackerEnv")

#: "Notion is down": more failures than any test makes requests.
DOWN: Final = 10_000
#: The preset clients of the tracker tests.
PRESETS: Final = ("Acme", "Globex")
#: A Discord user with Manage Server (who passes ``can_manage``); `ALICE` and `BOB` are members.
MANAGER: Final = "100000000000000009"


@dataclass
class TrackerEnv(NotionEnv):
    """A `NotionEnv` with a ledger at ``path``, a clock and a tracker; ``notified`` grows by
    one each time the tracker says an operation stays pending."""

    ledger: Ledger
    path: Path
    clock: Clock
    tracker: Tracker
    notified: list[int] = field(default_factory=list)

    @property
    def engine(self) -> Engine:
        return self.tracker.engine

    def pages(self) -> list[TimeEntry]:
        return [from_page(Page.from_json(raw)) for raw in self.fake.pages(self.ds_id)]

    def running_pages(self) -> list[TimeEntry]:
        return [e for e in self.pages() if e.end is None]

    def page(self, page_id: str | None) -> TimeEntry:
        """The page ``page_id`` as Notion holds it now."""
        (found,) = [e for e in self.pages() if e.page_id == page_id]
        return found

    def pages_of(self, entry_id: str) -> list[TimeEntry]:
        """Every page carrying ``entry_id`` (two for a doubled start), oldest first."""
        return [e for e in self.pages() if e.entry_id == entry_id]

    def page_of(self, entry_id: str) -> TimeEntry:
        """The one page carrying ``entry_id`` (fails if the start was written twice)."""
        found = self.pages_of(entry_id)
        assert len(found) == 1, f"{len(found)} pages carry Entry ID {entry_id}"
        return found[0]

    async def running_page(self, user: str = ALICE, client: str = "Acme") -> TimeEntry:
        """A timer started through the tracker with Notion up: the ledger wrote its page, so
        it knows the page and its owner for a while (``keep_seconds``)."""
        started = await self.tracker.start(user, client)
        assert not started.queued and started.entry.page_id is not None
        return started.entry

    async def started_elsewhere(self, user: str = ALICE, client: str = "Acme") -> TimeEntry:
        """A running page the ledger does not know: written straight to Notion, as by another
        machine, or by this bot longer ago than its ledger keeps what it wrote."""
        return await self.store.create(self.tracker.plan_start(user, client))

    async def doubled_start(self, user: str = ALICE, client: str = "Acme") -> TimeEntry:
        """Two running pages of one planned start (unknown to the ledger), as a create retried
        behind Notion's lagging index leaves them; the planned entry."""
        planned = self.tracker.plan_start(user, client)
        first = await self.store.create(planned)
        second = await self.store.create(planned)
        assert first.page_id != second.page_id
        assert len(self.pages_of(planned.entry_id)) == 2
        return planned

    def down(self) -> None:
        """Every request fails with 503 (after the client's retries) until `up`."""
        self.fake.faults.fail_next(503, count=DOWN)

    def up(self) -> None:
        self.fake.faults.clear()

    def writes(self) -> int:
        return self.fake.requests["create_page"] + self.fake.requests["update_page"]

    def reopened(self) -> list[Recorded]:
        """The pending operations as another process (a restart) reads them from disk."""
        with Ledger(self.path) as other:
            return other.pending()

    async def replay(self) -> DrainReport:
        """Apply every pending operation (at most 10 s); every one must go through."""
        report = await asyncio.wait_for(self.engine.replay(), 10)
        assert report.ok, report.lines
        return report


@asynccontextmanager
async def tracker_env(
    env_type: type[_E], tmp_path: Path, presets: Iterable[str]
) -> AsyncIterator[_E]:
    """An ``env_type`` on a fresh `notion_env` (3 attempts a request) and a ledger in
    ``tmp_path``; the data source id is looked up once, while Notion is up."""
    path = tmp_path / "data" / "outbox.sqlite3"
    presets = tuple(presets)
    async with notion_env(presets, max_attempts=3) as notion:
        await notion.store.data_source_id()
        with Ledger(path) as ledger:
            clock = Clock(T0)
            tracker = Tracker(
                notion.store,
                ledger=ledger,
                clock=clock,
                presets=presets,
                new_id=sequential_ids(),
                lane_wait=2.0,
            )
            env = env_type.extend(notion, ledger=ledger, path=path, clock=clock, tracker=tracker)
            tracker.on_pending = lambda: env.notified.append(1)
            yield env
