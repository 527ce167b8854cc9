"""In-memory Notion index lag: queries see pages as they were `faults.index_lag` seconds ago."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
import pytest
from notionkit import T0, TOKEN, WIRE_HEADERS, Clock, fast_client

from notion_client import (
    Date,
    Filter,
    NotionClient,
    Page,
    PropertySchema,
    RichText,
    Select,
    Sort,
    Title,
    prop,
)
from notion_client.fake import FakeNotion
from notion_client.fake._history import PageHistory
from notion_client.fake._page import PageRec

LAG = 3.0
HOURS = 'dateBetween(prop("End"), prop("Start"), "minutes") / 60'
SCHEMA = {
    "Name": PropertySchema("Name", "title"),
    "Client": PropertySchema("Client", "select"),
    "Note": PropertySchema("Note", "rich_text"),
    "Start": PropertySchema("Start", "date"),
    "End": PropertySchema("End", "date"),
}
RUNNING = prop("End").date.is_empty()


@dataclass
class Lagging:
    """A fake whose clock tests move, a client on it, and its time-entries data source."""

    fake: FakeNotion
    clock: Clock
    client: NotionClient
    ds: str

    async def create(self, name: str, start: datetime, end: datetime | None = None) -> Page:
        return await self.client.create_page(
            self.ds, {"Name": Title(name), "Start": Date(start), "End": Date(end)}
        )

    async def names(self, filter: Filter | None = None, *sorts: Sort) -> list[str]:
        return [p.text("Name") for p in await self.query(filter, *sorts)]

    async def query(
        self, filter: Filter | None = None, *sorts: Sort, page_size: int = 100
    ) -> list[Page]:
        found = self.client.query_data_source(self.ds, filter, sorts, page_size=page_size)
        return [page async for page in found]

    def wait(self, seconds: float) -> None:
        self.clock.advance(seconds=seconds)


@pytest.fixture
async def env() -> AsyncIterator[Lagging]:
    clock = Clock()
    fake = FakeNotion(token=TOKEN, clock=clock)
    fake.faults.index_lag = LAG
    ds = fake.add_database(fake.add_parent_page(), "Time entries", SCHEMA)[1]
    async with fast_client(fake.transport()) as client:
        yield Lagging(fake, clock, client, ds)


async def test_a_new_page_is_missing_from_queries_until_the_lag_has_passed(env: Lagging) -> None:
    created = await env.create("Acme", T0)
    assert created.text("Name") == "Acme"  # the create answer is fresh
    assert await env.names() == []
    assert await env.names(RUNNING) == []
    env.wait(LAG - 0.001)
    assert await env.names() == []
    assert (await env.client.retrieve_page(created.id)).text("Name") == "Acme"
    env.wait(0.001)
    assert await env.names(RUNNING) == ["Acme"]


async def test_an_end_set_within_the_lag_still_matches_end_is_empty(env: Lagging) -> None:
    page = await env.create("Acme", T0)
    env.wait(LAG)
    end = T0 + timedelta(hours=1)
    updated = await env.client.update_page(page.id, {"End": Date(end)})
    assert updated.date("End") == Date(end)  # the update answer is fresh
    assert (await env.client.retrieve_page(page.id)).date("End") == Date(end)
    env.wait(LAG / 2)
    [stale] = await env.query(RUNNING)
    assert (stale.id, stale.date("End")) == (page.id, None)
    assert await env.query(prop("End").date.is_not_empty()) == []
    env.wait(LAG / 2)
    assert await env.query(RUNNING) == []
    [ended] = await env.query(prop("End").date.is_not_empty())
    assert ended.date("End") == Date(end)


async def test_queries_step_through_each_version_written_within_the_lag(env: Lagging) -> None:
    page = await env.create("Acme", T0)
    env.wait(LAG)
    await env.client.update_page(page.id, {"Note": RichText("first")})
    env.wait(1)
    await env.client.update_page(page.id, {"Note": RichText("second")})
    env.wait(1)
    await env.client.update_page(page.id, {"Note": RichText("third")})
    notes = []
    for _ in range(4):
        notes.append([p.text("Note") for p in await env.query()])
        env.wait(1)
    assert notes == [[""], ["first"], ["second"], ["third"]]


async def test_a_page_trashed_within_the_lag_is_still_found(env: Lagging) -> None:
    kept, trashed = await env.create("Kept", T0), await env.create("Trashed", T0)
    env.wait(LAG)
    assert (await env.client.trash_page(trashed.id)).in_trash
    assert (await env.client.retrieve_page(trashed.id)).in_trash
    [found, still] = await env.query(None, prop("Name").ascending())
    assert (found.id, still.id, still.in_trash) == (kept.id, trashed.id, False)
    env.wait(LAG)
    assert await env.names() == ["Kept"]
    await env.client.update_page(trashed.id, {}, in_trash=False)
    assert await env.names() == ["Kept"]  # restored, but the index has not seen it yet
    env.wait(LAG)
    assert sorted(await env.names()) == ["Kept", "Trashed"]


async def test_sorts_order_pages_by_the_values_the_index_holds(env: Lagging) -> None:
    first = await env.create("First", T0)
    second = await env.create("Second", T0 + timedelta(hours=1))
    env.wait(LAG)
    moved = T0 + timedelta(hours=2)
    await env.client.update_page(first.id, {"Start": Date(moved), "Name": Title("Moved")})
    by_start = prop("Start").ascending()
    pages = await env.query(None, by_start)
    assert [(p.id, p.text("Name"), p.date("Start")) for p in pages] == [
        (first.id, "First", Date(T0)),
        (second.id, "Second", Date(T0 + timedelta(hours=1))),
    ]
    env.wait(LAG)
    assert await env.names(None, by_start) == ["Second", "Moved"]


@pytest.mark.parametrize(("pause", "third"), [(0, "Page 2"), (LAG, "Renamed")])
async def test_each_page_of_results_shows_the_index_as_it_is_then(
    env: Lagging, pause: float, third: str
) -> None:
    made = [await env.create(f"Page {n}", T0 + timedelta(hours=n)) for n in range(3)]
    env.wait(LAG)
    pages = env.client.query_data_source(env.ds, None, [prop("Start").ascending()], page_size=2)
    names = [(await anext(pages)).text("Name")]  # the first request answered two pages
    await env.client.update_page(made[2].id, {"Name": Title("Renamed")})
    names.append((await anext(pages)).text("Name"))
    env.wait(pause)
    names += [p.text("Name") async for p in pages]  # the next request, with the cursor
    assert names == ["Page 0", "Page 1", third]
    assert env.fake.requests["query_data_source"] == 2


async def test_a_schema_change_reaches_the_versions_the_index_still_holds(env: Lagging) -> None:
    page = await env.create("Acme", T0)
    await env.client.update_page(page.id, {"End": Date(T0 + timedelta(minutes=90))})
    assert await env.query() == []  # created within the lag: not there yet
    env.wait(LAG)
    await env.client.update_page(page.id, {"End": Date(T0 + timedelta(hours=2))})
    await env.client.update_data_source(
        env.ds, {"Note": None, "Hours": PropertySchema("Hours", "formula", expression=HOURS)}
    )
    [stale] = await env.query(prop("Hours").formula.number.equals(1.5))
    assert "Note" not in stale.properties
    assert (await env.client.retrieve_page(page.id)).number("Hours") == 2
    env.wait(LAG)
    assert await env.query(prop("Hours").formula.number.equals(1.5)) == []
    assert await env.names(prop("Hours").formula.number.equals(2)) == ["Acme"]


async def test_seeded_pages_are_indexed_at_once(env: Lagging) -> None:
    env.fake.add_page(env.ds, {"Name": {"title": [{"text": {"content": "Seeded"}}]}})
    assert await env.names() == ["Seeded"]


@pytest.mark.parametrize("switch_off", ["zero", "clear"])
async def test_without_lag_queries_see_every_write_at_once(env: Lagging, switch_off: str) -> None:
    page = await env.create("Acme", T0)
    await env.client.update_page(page.id, {"End": Date(T0 + timedelta(hours=1))})
    if switch_off == "zero":
        env.fake.faults.index_lag = 0
    else:
        env.fake.faults.clear()
    assert env.fake.faults.index_lag == 0
    assert await env.query(RUNNING) == []
    other = await env.create("Other", T0)
    await env.client.update_page(page.id, {"Client": Select("Acme")})
    assert await env.names(prop("Client").select.equals("Acme")) == ["Acme"]
    await env.client.trash_page(other.id)
    assert await env.names() == ["Acme"]
    assert not env.fake._state._history  # nothing is kept while there is no lag


def _version(page_id: str, note: str) -> PageRec:
    page = PageRec(page_id, "{}", "ds", T0, T0)
    page.set("Note", {"id": "n", "type": "rich_text", "rich_text": []})
    page.index["Note"] = note
    return page


def test_history_keeps_only_what_a_later_query_can_still_see() -> None:
    history = PageHistory()
    live = _version("p", "live")
    at = [T0 + timedelta(seconds=s) for s in range(6)]
    history.created("p", at[0])
    for n in range(1, 5):  # versions written at 0..3, each replaced a second later
        history.changed(_version("p", f"v{n - 1}"), at[n], at[n] - timedelta(seconds=2))
    # Queries now look no further back than at[2]: v0 and v1 were replaced by then.
    assert [v.index["Note"] for v in history.earlier_versions(["p"])] == ["v2", "v3"]
    assert history.as_of(live, at[0] - timedelta(seconds=1)) is None  # before it was created
    seen = history.as_of(live, at[3])
    assert seen is not None and seen.index["Note"] == "v3"
    assert [v.index["Note"] for v in history.earlier_versions(["p"])] == ["v3"]
    assert history.as_of(live, at[4]) is live
    assert not history
    assert history.earlier_versions(["p"]) == []


async def test_the_server_takes_the_lag_on_its_command_line() -> None:
    server = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "notion_client.fake", "--index-lag-ms", "60000"),
        *("--token", TOKEN),
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert server.stdout is not None
        lines = [
            (await asyncio.wait_for(server.stdout.readline(), 10)).decode().strip()
            for _ in range(2)
        ]
        settings = dict(line.split("=", 1) for line in lines)
        async with httpx.AsyncClient(
            base_url=settings["NOTION_BASE_URL"], headers=WIRE_HEADERS, timeout=5
        ) as api:
            made = await api.post(
                "/v1/databases",
                json={
                    "parent": {"type": "page_id", "page_id": settings["NOTION_PARENT_PAGE_ID"]},
                    "title": [{"text": {"content": "Entries"}}],
                    "initial_data_source": {"properties": {"Name": {"title": {}}}},
                },
            )
            ds = made.json()["data_sources"][0]["id"]
            parent = {"type": "data_source_id", "data_source_id": ds}
            page = (await api.post("/v1/pages", json={"parent": parent, "properties": {}})).json()
            assert (await api.get(f"/v1/pages/{page['id']}")).status_code == 200
            query = await api.post(f"/v1/data_sources/{ds}/query", json={})
            assert query.json()["results"] == []
    finally:
        server.terminate()
        await server.wait()


async def test_the_server_refuses_a_negative_lag() -> None:
    run = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "notion_client.fake", "--index-lag-ms", "-1"),
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await run.communicate()
    assert run.returncode == 2
    assert b"--index-lag-ms must not be negative" in err
