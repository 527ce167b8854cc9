"""The timer rules across real processes sharing one DATA_DIR, against a Notion that behaves
like Notion: 150 ms a request and a query index that lags writes by 3 seconds."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from botkit import GUILD_ID, DiscordStub, Signer, slash
from notionkit import timesheet_notion
from processkit import Run, bot_process, run_cli

from notion_client import Date, NotionClient, Page
from notion_client.fake import FakeNotion
from timesheet.entries.model import TimeEntry
from timesheet.entries.schema import START, from_page

TOKEN = "secret_pipeline"
USER = "100000000000000001"
LATENCY = 0.15
LAG = 3.0


@dataclass
class Shared:
    """The lagging Notion, served over loopback, and the environment every process gets."""

    fake: FakeNotion
    ds_id: str
    env: dict[str, str]

    def entries(self) -> list[TimeEntry]:
        pages = [from_page(Page.from_json(raw)) for raw in self.fake.pages(self.ds_id)]
        return sorted(pages, key=lambda e: e.start)

    def running(self) -> list[TimeEntry]:
        return [e for e in self.entries() if e.end is None]

    async def cli(self, *args: str) -> Run:
        return await run_cli(self.env, *args)


@pytest.fixture
async def shared(tmp_path: Path) -> AsyncIterator[Shared]:
    fake, database_id, ds_id = timesheet_notion(("Acme", "Globex"), token=TOKEN)
    fake.faults.latency = LATENCY
    fake.faults.index_lag = LAG
    async with fake.serve() as url:
        env = {
            "NOTION_TOKEN": TOKEN,
            "NOTION_DATABASE_ID": database_id,
            "NOTION_BASE_URL": url,
            "TIMETRACK_USER": USER,
            "TIMEZONE": "Europe/London",
            "PRESET_CLIENTS": "Acme,Globex",
            "DATA_DIR": str(tmp_path / "data"),
        }
        yield Shared(fake, ds_id, env)


async def test_start_then_end_in_two_processes_under_index_lag(shared: Shared) -> None:
    started = await shared.cli("start", "Acme")
    assert started.code == 0 and started.out.startswith("Started Acme"), started.err
    ended = await shared.cli("end")  # well inside the 3 s the index lags the new page
    assert ended.code == 0, ended.err
    assert ended.out.startswith("Acme stopped"), ended.out
    (entry,) = shared.entries()
    assert entry.end is not None and shared.running() == []


async def test_start_a_then_start_b_leaves_one_timer_under_index_lag(shared: Shared) -> None:
    assert (await shared.cli("start", "Acme")).code == 0
    second = await shared.cli("start", "Globex")
    assert second.code == 0 and "Stopped Acme" in second.out, second.out
    acme, globex = shared.entries()
    assert (acme.client, globex.client) == ("Acme", "Globex")
    assert acme.end == globex.start and globex.end is None
    active = await shared.cli("active")
    assert "Running: Globex" in active.out and "Acme" not in active.out


@pytest.mark.parametrize("round_", range(2))
async def test_simultaneous_starts_leave_exactly_one_running_timer(
    shared: Shared, round_: int
) -> None:
    first, second = await asyncio.gather(shared.cli("start", "Acme"), shared.cli("start", "Globex"))
    assert first.code == 0 and second.code == 0, (first.err, second.err)
    entries = shared.entries()
    assert len(entries) == 2
    (running,) = shared.running()
    stopped = next(e for e in entries if e is not running and e.end is not None)
    assert stopped.end == max(stopped.start, running.start)
    # Whichever ran second says it stopped the other.
    assert any(f"Stopped {stopped.client}" in r.out for r in (first, second))


async def test_an_outage_then_a_plain_end_writes_both_without_sync(shared: Shared) -> None:
    shared.fake.faults.rate_limit_next(retry_after=0, count=50)
    saved = await shared.cli("start", "Acme")
    assert saved.code == 0 and "will be written to Notion" in saved.out
    assert shared.entries() == []
    shared.fake.faults.clear()
    shared.fake.faults.index_lag = LAG
    ended = await shared.cli("end")
    assert ended.code == 0 and ended.out.startswith("Acme stopped"), ended.out
    assert "can't be reached" not in ended.out
    (entry,) = shared.entries()
    assert entry.end is not None


async def test_a_future_start_in_notion_is_ended_at_its_own_start(shared: Shared) -> None:
    assert (await shared.cli("start", "Acme")).code == 0
    (acme,) = shared.entries()
    assert acme.page_id is not None
    # A hand edit (or a laptop clock) puts its Start three minutes ahead of every clock.
    ahead = acme.start + timedelta(minutes=3)
    async with NotionClient(TOKEN, base_url=shared.env["NOTION_BASE_URL"]) as notion:
        await notion.update_page(acme.page_id, {START: Date(ahead)})
    second = await shared.cli("start", "Globex")
    assert second.code == 0, second.err
    acme, globex = sorted(shared.entries(), key=lambda e: e.client)
    assert acme.end == ahead and globex.end is None


async def test_requests_per_command_once_the_data_source_is_known(shared: Shared) -> None:
    shared.fake.faults.index_lag = 0.0  # the counts of a settled index

    async def counted(*args: str) -> Counter[str]:
        before = Counter(shared.fake.requests)
        run = await shared.cli(*args)
        assert run.code == 0, run.err
        return Counter(shared.fake.requests) - before

    first = await counted("active")
    assert first == Counter({"retrieve_database": 1, "query_data_source": 1})
    assert await counted("active") == Counter({"query_data_source": 1})
    assert await counted("start", "Acme") == Counter({"query_data_source": 1, "create_page": 1})
    assert await counted("end") == Counter({"query_data_source": 1, "update_page": 1})


async def test_the_bot_process_and_the_terminal_share_the_rules(
    shared: Shared, tmp_path: Path
) -> None:
    signer = Signer()
    async with DiscordStub() as discord:
        env = {
            **shared.env,
            "DISCORD_TOKEN": "pipeline.bot.token",
            "DISCORD_API_URL": discord.url,
            "DISCORD_GUILD_ID": GUILD_ID,
        }
        async with bot_process(env, signer, tmp_path) as bot:
            started = await shared.cli("start", "Acme")
            assert started.code == 0
            payload = slash("start", "timer", user_id=USER, client="Globex")
            status, _ = await bot.post(payload)
            assert status == 200
            (edit,) = await asyncio.wait_for(discord.wait_for(payload["token"]), 30)
            assert "Stopped **Acme**" in edit.payload["content"]
            ended = await shared.cli("end")
            assert ended.out.startswith("Globex stopped"), ended.out
    acme, globex = shared.entries()
    assert acme.end == globex.start and globex.end is not None
    assert shared.running() == []
