"""The Clients database: its creation on the wire, `timetrack setup`, reading rows people typed
(`fetch_clients`), and the `ClientBook` merging them with RATES/CURRENCY behind a TTL."""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import AsyncIterator
from decimal import Decimal

import httpx
import pytest
from clientskit import add_clients_database, client_row
from clikit import Notion
from notionkit import fast_client

from bot.cli import main
from notion_client import NotionClient, ServerError
from notion_client.fake import FakeNotion
from timesheet.clients.model import ClientInfo
from timesheet.clients.notion import ClientBook, fetch_clients, merge_clients
from timesheet.clients.setup import check_clients_database, create_clients_database


@pytest.fixture
def fake() -> FakeNotion:
    return FakeNotion(token="secret_test")


@pytest.fixture
async def client(fake: FakeNotion) -> AsyncIterator[NotionClient]:
    async with fast_client(fake.transport()) as opened:
        yield opened


async def test_create_sends_the_pinned_schema_in_one_request(fake: FakeNotion) -> None:
    parent = fake.add_parent_page("Workspace")
    sent: list[httpx.Request] = []
    inner = fake.transport()

    class Recording(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            sent.append(request)
            return await inner.handle_async_request(request)

    async with fast_client(Recording()) as client:
        database_id, data_source_id = await create_clients_database(client, parent, currency="EUR")
        assert await check_clients_database(client, database_id) == []

    (create, *checks) = sent
    assert (create.method, create.url.path) == ("POST", "/v1/databases")
    assert json.loads(create.content) == {
        "parent": {"type": "page_id", "page_id": parent},
        "title": [{"text": {"content": "Clients"}}],
        "initial_data_source": {
            "properties": {
                "Name": {"title": {}},
                "Rate": {"number": {"format": "number"}},
                "Currency": {"select": {"options": [{"name": "EUR"}]}},
                "Weekly target": {"number": {"format": "number"}},
                "Budget": {"number": {"format": "number"}},
                "Archived": {"checkbox": {}},
            }
        },
    }
    assert [r.method for r in checks] == ["GET", "GET"]  # the database, its data source
    schema = fake.data_source(data_source_id)["properties"]
    assert {name: p["type"] for name, p in schema.items()} == {
        "Name": "title",
        "Rate": "number",
        "Currency": "select",
        "Weekly target": "number",
        "Budget": "number",
        "Archived": "checkbox",
    }


async def test_fetch_clients_reads_rows_as_people_typed_them(
    fake: FakeNotion, client: NotionClient, caplog: pytest.LogCaptureFixture
) -> None:
    database_id, _ = add_clients_database(
        fake,
        [
            client_row("  Acme ", 120, currency="EUR", target=20, budget=80),
            client_row("", 50),  # no name: ignored
            client_row("   ", 50),  # blank: ignored
            client_row("Globex", -5, currency="usd"),  # negative rate: ignored, logged
            client_row("acme", 999),  # the same client again: the first row counts
            client_row("Initech", None, archived=True),
            client_row("Umbrella", 95.5, currency="Euro"),  # no ISO code: ignored, logged
        ],
    )
    before = Counter(fake.requests)
    with caplog.at_level(logging.WARNING, logger="timetrack.clients"):
        clients = await fetch_clients(client, database_id)

    assert clients == [
        ClientInfo("Acme", Decimal("120"), "EUR", 20.0, 80.0, False),
        ClientInfo("Globex", None, "USD"),
        ClientInfo("Initech", archived=True),
        ClientInfo("Umbrella", Decimal("95.5")),
    ]
    assert Counter(fake.requests) - before == Counter(
        {"retrieve_database": 1, "query_data_source": 1}
    )
    logged = " | ".join(r.getMessage() for r in caplog.records)
    assert "Rate of 'Globex' is -5.0; ignored" in logged
    assert "'acme' is listed twice; the first row counts" in logged
    assert "Currency of 'Umbrella' is no 3-letter code" in logged


def test_rates_and_currency_fill_what_the_database_leaves_empty() -> None:
    rows = [ClientInfo("Acme", None, None), ClientInfo("Globex", Decimal("95"), "USD")]
    merged = merge_clients(rows, {"ACME": Decimal("120"), "Wayne": Decimal("80")}, "EUR")
    assert merged == [
        ClientInfo("Acme", Decimal("120"), "EUR"),
        ClientInfo("Globex", Decimal("95"), "USD"),
        ClientInfo("Wayne", Decimal("80"), "EUR"),
    ]


async def test_book_reads_once_a_ttl_and_survives_an_outage(
    fake: FakeNotion, client: NotionClient
) -> None:
    database_id, ds_id = add_clients_database(
        fake, [client_row("Acme", 120), client_row("Old", archived=True)]
    )
    clock = [0.0]
    book = ClientBook(client, database_id, rates={"Wayne": Decimal(80)}, monotonic=lambda: clock[0])

    assert await book.active_names() == ["Acme"]  # archived and RATES-only names left out
    before = Counter(fake.requests)
    assert await book.active_names() == ["Acme"]
    assert Counter(fake.requests) == before  # within the TTL: no request

    fake.add_page(ds_id, client_row("Globex", 95))
    clock[0] = 301.0
    fake.faults.fail_next(status=503, count=100)
    assert await book.active_names() == ["Acme"]  # Notion down: the last rows read
    with pytest.raises(ServerError):
        await book.clients()  # an invoice must not bill from a stale rate silently
    fake.faults.clear()
    clock[0] = 400.0
    assert await book.active_names() == ["Acme", "Globex"]
    found = await book.find("  WAYNE")
    assert found == ClientInfo("Wayne", Decimal(80))


def test_setup_creates_the_clients_database_and_prints_its_line(
    notion: Notion, capsys: pytest.CaptureFixture[str]
) -> None:
    parent = notion.fake.add_parent_page("Home")
    assert main(["setup"], notion.env(NOTION_PARENT_PAGE_ID=parent, CURRENCY="eur")) == 0
    out = capsys.readouterr().out.splitlines()
    (line,) = [x for x in out if x.startswith("NOTION_CLIENTS_DATABASE_ID=")]
    database_id = line.split("=", 1)[1]
    assert "Created the Clients database (rates, targets, budgets). Add this line to .env:" in out

    assert main(["setup"], notion.env(NOTION_CLIENTS_DATABASE_ID=database_id)) == 0
    assert "The Clients database has every property timetrack reads." in capsys.readouterr().out


def test_setup_lists_and_fixes_what_the_clients_database_lacks(
    notion: Notion, capsys: pytest.CaptureFixture[str]
) -> None:
    parent = notion.fake.add_parent_page("Home")
    database_id, _ = notion.fake.add_database(
        parent, "Clients", {"Name": {"title": {}}, "Rate": {"rich_text": {}}}
    )
    env = notion.env(NOTION_CLIENTS_DATABASE_ID=database_id)
    main(["setup"], env)
    out = capsys.readouterr().out
    assert '  - "Rate" is rich_text, expected number; change its type in Notion' in out
    assert '  - missing property "Archived" (checkbox)' in out
    assert "Run `timetrack setup --fix` to add the missing properties." in out

    main(["setup", "--fix"], env)
    out = capsys.readouterr().out
    assert 'Clients: added property "Currency" (select)' in out
    assert "missing property" not in out
