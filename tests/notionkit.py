"""Test kit for the in-memory Notion: a seeded timesheet, fast clients, an entry store on top.

- `timesheet_notion()` seeds a `FakeNotion` with a "Workspace" page holding an empty "Time
  entries" database of our schema; the `NotionDB` it returns unpacks as
  ``fake, database_id, data_source_id``.
- `fast_client()` is a real `NotionClient` without rate limiting whose retries never sleep
  (`no_sleep`).
- `notion_env()` opens both with an `EntryStore` on top: a `NotionEnv`, which test modules
  subclass with their own fields (outbox, clock, tracker) and fill with `NotionEnv.extend`.
- `wire_client()` speaks Notion's HTTP API to a fake with plain httpx, through its in-process
  transport or over a real socket on 127.0.0.1 (parametrize with `WIRES` to get both).
- `make_entry()` is the one factory for test entries: the ``n``-th entry (`entry_id` ``n``) of
  `ALICE` for Acme from `T0`, every field a keyword; ``page=k`` puts it on page `page_id` ``k``.
- `Clock`, `entry_id()`, `page_id()`, `sequential_ids()`, `prop_text()` and `prop_date()`: the
  small pieces these tests share; `seed_entry()` puts an entry straight into a fake (as if typed
  in Notion).
"""

from __future__ import annotations

import dataclasses
import itertools
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Literal, NamedTuple, Self

import httpx

from notion_client import DEFAULT_BASE_URL, NotionClient, RateLimit, RetryPolicy
from notion_client.fake import FakeNotion
from timesheet.entries.model import TimeEntry
from timesheet.entries.schema import expected_schema, to_properties
from timesheet.entries.store import EntryStore

__all__ = [
    "ALICE",
    "BOB",
    "T0",
    "TOKEN",
    "WIRES",
    "WIRE_HEADERS",
    "Clock",
    "NotionDB",
    "NotionEnv",
    "Wire",
    "entry_id",
    "fast_client",
    "make_entry",
    "no_sleep",
    "notion_env",
    "page_id",
    "prop_date",
    "prop_text",
    "seed_entry",
    "sequential_ids",
    "timesheet_notion",
    "wire_client",
]

#: The integration token the fakes accept and the clients send.
TOKEN: Final = "secret_test"
#: Monday 16 November 2026, 09:00 UTC: the moment most tests start at.
T0: Final = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
#: Discord users: the one test entries belong to unless told, and another.
ALICE: Final = "100000000000000001"
BOB: Final = "100000000000000002"
#: Headers of a raw API request to a fake made with `TOKEN`.
WIRE_HEADERS: Final[Mapping[str, str]] = {
    "Authorization": f"Bearer {TOKEN}",
    "Notion-Version": "2026-03-11",
}

Wire = Literal["transport", "http"]
#: Both ways to reach a fake: ``@pytest.fixture(params=WIRES)``.
WIRES: Final[tuple[Wire, ...]] = ("transport", "http")


async def no_sleep(_: float) -> None:
    """A `RetryPolicy` sleep that returns at once: retries without the backoff waits."""
    return None


def entry_id(n: int) -> str:
    """The ``n``-th test entry id, a valid UUID: ``00000000-0000-4000-8000-000000000001``."""
    return _test_uuid("8", n)


def page_id(n: int) -> str:
    """The ``n``-th test page id, a valid UUID unlike any `entry_id`:
    ``00000000-0000-4000-a000-000000000001``."""
    return _test_uuid("a", n)


def _test_uuid(variant: str, n: int) -> str:
    # One spelling for both ids: `make_entry`'s keywords of the same names hide the functions.
    return f"00000000-0000-4000-{variant}000-{n:012d}"


def make_entry(
    n: int = 1,
    *,
    user: str = ALICE,
    client: str = "Acme",
    name: str | None = None,
    start: datetime = T0,
    end: datetime | None = None,
    minutes: float | None = None,
    note: str = "",
    page: int | None = None,
    entry_id: str | None = None,
    page_id: str | None = None,
    url: str | None = None,
    created_at: datetime | None = None,
    edited_at: datetime | None = None,
) -> TimeEntry:
    """The ``n``-th test entry: `entry_id` ``n``, of ``user``, for ``client`` and named after it
    (unless ``name``), from ``start`` to ``end`` or for ``minutes`` (neither: running).

    It is in no Notion page unless ``page`` numbers one: then its page id is `page_id` ``page``
    and its url ``https://notion.so/p<page>``. ``entry_id``, ``page_id`` and ``url`` set those
    fields outright.
    """
    if minutes is not None:
        if end is not None:
            raise TypeError("make_entry takes an end or minutes, not both")
        end = start + timedelta(minutes=minutes)
    return TimeEntry(
        entry_id=_test_uuid("8", n) if entry_id is None else entry_id,
        user_id=user,
        client=client,
        name=client if name is None else name,
        start=start,
        end=end,
        note=note,
        page_id=_test_uuid("a", page) if page_id is None and page is not None else page_id,
        url=f"https://notion.so/p{page}" if url is None and page is not None else url,
        edited_at=edited_at,
        created_at=created_at,
    )


def sequential_ids(start: int = 1) -> Callable[[], str]:
    """A tracker's ``new_id``: `entry_id` ``start``, ``start + 1``, ... in turn."""
    numbers = itertools.count(start)
    return lambda: entry_id(next(numbers))


class Clock:
    """A settable aware clock, starting at `T0`; counts its readings (when time was taken)."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now
        self.readings = 0

    def __call__(self) -> datetime:
        self.readings += 1
        return self.now

    def advance(self, **delta: float) -> datetime:
        """Move the clock on by ``timedelta(**delta)``; returns the new time."""
        self.now += timedelta(**delta)
        return self.now


class NotionDB(NamedTuple):
    """An in-memory Notion and the ids of its time-entries database."""

    fake: FakeNotion
    database_id: str
    data_source_id: str


def timesheet_notion(presets: Iterable[str], *, token: str = TOKEN) -> NotionDB:
    """A `FakeNotion` accepting ``token`` with an empty "Time entries" database in a
    "Workspace" page, its schema the one `timetrack setup` makes for these preset clients."""
    fake = FakeNotion(token=token)
    parent = fake.add_parent_page("Workspace")
    database_id, data_source_id = fake.add_database(
        parent, "Time entries", expected_schema(presets)
    )
    return NotionDB(fake, database_id, data_source_id)


def fast_client(
    transport: httpx.AsyncBaseTransport | None = None,
    *,
    token: str = TOKEN,
    base_url: str = DEFAULT_BASE_URL,
    max_attempts: int | None = None,
) -> NotionClient:
    """A `NotionClient` for tests: no rate limit, and retries (`RetryPolicy`'s own number unless
    ``max_attempts`` is given) that do not wait."""
    if max_attempts is None:
        retry = RetryPolicy(sleep=no_sleep)
    else:
        retry = RetryPolicy(max_attempts=max_attempts, sleep=no_sleep)
    return NotionClient(
        token, base_url=base_url, transport=transport, rate_limit=RateLimit(rate=0), retry=retry
    )


@dataclass
class NotionEnv:
    """An `EntryStore` on a `timesheet_notion` through a `fast_client`, and what tests look at.

    Test modules subclass it to add their own fields and helpers; `extend` builds such a
    subclass from the `NotionEnv` that `notion_env` yields.
    """

    fake: FakeNotion
    client: NotionClient
    store: EntryStore
    db_id: str
    ds_id: str

    @classmethod
    def extend(cls, base: NotionEnv, /, **fields: Any) -> Self:
        """``base``'s Notion, client and store, with the subclass's own ``fields``."""
        inherited = {f.name: getattr(base, f.name) for f in dataclasses.fields(NotionEnv)}
        return cls(**inherited, **fields)

    def snapshot(self) -> Counter[str]:
        """The fake's request counts so far, per endpoint."""
        return Counter(self.fake.requests)

    def since(self, before: Counter[str]) -> Counter[str]:
        """The requests made since the `snapshot` ``before``, per endpoint."""
        return Counter(self.fake.requests) - before


@asynccontextmanager
async def notion_env(
    presets: Iterable[str], *, max_attempts: int | None = None
) -> AsyncIterator[NotionEnv]:
    """A fresh `timesheet_notion` for ``presets`` with an open `fast_client` and a store on it."""
    fake, db_id, ds_id = timesheet_notion(presets)
    async with fast_client(fake.transport(), max_attempts=max_attempts) as client:
        yield NotionEnv(fake, client, EntryStore(client, db_id), db_id, ds_id)


@asynccontextmanager
async def wire_client(
    fake: FakeNotion, wire: Wire = "transport"
) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client sending `WIRE_HEADERS` to ``fake``: through its in-process transport, or
    over HTTP to ``fake.serve()`` on a free port of 127.0.0.1."""
    if wire == "transport":
        async with httpx.AsyncClient(
            transport=fake.transport(), base_url=DEFAULT_BASE_URL, headers=WIRE_HEADERS
        ) as client:
            yield client
    else:
        async with fake.serve(host="127.0.0.1", port=0) as url:
            assert url.startswith("http://127.0.0.1:")
            async with httpx.AsyncClient(base_url=url, headers=WIRE_HEADERS, timeout=5) as client:
                yield client


def prop_text(page: Mapping[str, Any], name: str) -> str:
    """The plain text of property ``name`` (a title or rich text) of a raw page."""
    prop = page["properties"][name]
    return "".join(item["plain_text"] for item in prop[prop["type"]])


def prop_date(page: Mapping[str, Any], name: str) -> datetime | None:
    """The start of date property ``name`` of a raw page; None while it is empty."""
    value = page["properties"][name]["date"]
    return None if value is None else datetime.fromisoformat(value["start"])


def seed_entry(
    fake: FakeNotion, data_source_id: str, entry: TimeEntry, *, created: datetime | None = None
) -> str:
    """Write ``entry`` as a page of the fake without a request (no checks, End before Start
    allowed), created at ``created`` (the fake's clock by default); returns the page id."""
    properties = {name: value.to_json() for name, value in to_properties(entry).items()}
    return fake.add_page(data_source_id, properties, created_time=created)
