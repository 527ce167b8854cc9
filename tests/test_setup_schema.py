"""`timetrack setup` logic and the schema check, against the in-memory Notion."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from notionkit import TOKEN, fast_client

from notion_client import DataSource, NotionClient, PropertySchema
from notion_client.fake import FakeNotion
from timesheet.entries.model import TimeEntry
from timesheet.entries.schema import (
    HOURS_EXPRESSION,
    PROPERTY_TYPES,
    SchemaProblem,
    check_schema,
    expected_schema,
)
from timesheet.entries.setup import check_database, create_database, fix_database
from timesheet.entries.store import EntryStore

PRESETS = ("Acme", "Globex")


@pytest.fixture
def fake() -> FakeNotion:
    return FakeNotion(token=TOKEN)


@pytest.fixture
async def client(fake: FakeNotion) -> AsyncIterator[NotionClient]:
    async with fast_client(fake.transport()) as client:
        yield client


def _ds(props: dict[str, str]) -> DataSource:
    return DataSource(
        id="ds",
        database_id="db",
        title="t",
        properties={name: PropertySchema(name, kind) for name, kind in props.items()},
    )


def test_expected_schema_matches_the_pinned_table() -> None:
    schema = expected_schema(["Acme", "Globex", "Acme", " "])
    assert {n: s.type for n, s in schema.items()} == {
        "Name": "title",
        "Client": "select",
        "Start": "date",
        "End": "date",
        "User": "rich_text",
        "Entry ID": "rich_text",
        "Note": "rich_text",
        "Hours": "formula",
        "Paused": "checkbox",
    }
    assert schema["Client"].options == ("Acme", "Globex")
    assert schema["Hours"].expression == HOURS_EXPRESSION
    assert all(schema[n].name == n for n in schema)


def test_check_schema_clean() -> None:
    assert check_schema(_ds(dict(PROPERTY_TYPES))) == []
    # extra properties are fine
    assert check_schema(_ds({**PROPERTY_TYPES, "Billable": "checkbox"})) == []


def test_check_schema_lists_missing_and_wrong_typed() -> None:
    props = dict(PROPERTY_TYPES)
    del props["Entry ID"], props["Hours"]
    props["Start"] = "select"
    problems = check_schema(_ds(props))
    assert [str(p).split(";")[0] for p in problems] == [
        '"Start" is select, expected date',
        'missing property "Entry ID" (rich_text)',
        'missing property "Hours" (formula)',
    ]
    assert [(p.missing, p.fixable, p.required) for p in problems] == [
        (False, False, True),
        (True, True, True),
        (True, True, False),
    ]


def test_check_schema_title_under_another_name() -> None:
    props = {("Task" if n == "Name" else n): t for n, t in PROPERTY_TYPES.items()}
    [problem] = check_schema(_ds(props))
    assert problem == SchemaProblem("Name", "title", None, True, problem.hint)
    assert not problem.fixable and '"Task"' in problem.hint
    assert str(problem).startswith('missing property "Name" (title); ')


async def test_create_database_gives_a_clean_working_schema(
    fake: FakeNotion, client: NotionClient
) -> None:
    parent = fake.add_parent_page("Workspace")
    before = Counter(fake.requests)
    db_id, ds_id = await create_database(client, parent, PRESETS)
    assert Counter(fake.requests) - before == Counter({"create_database": 1})
    assert await check_database(client, db_id) == []
    ds = await client.retrieve_data_source(ds_id)
    assert ds.properties["Client"].options == PRESETS
    # and the store works on it; Hours is computed from Start and End
    store = EntryStore(client, db_id)
    t0 = datetime(2026, 11, 16, 9, tzinfo=UTC)
    entry = TimeEntry("e-1", "42", "Acme", "Acme", t0, t0 + timedelta(minutes=90))
    created = await store.create(entry)
    assert await store.data_source_id() == ds_id
    page = await client.retrieve_page(created.page_id or "")
    hours = page.properties["Hours"]
    assert getattr(hours, "value", None) == 1.5


async def test_check_and_fix(fake: FakeNotion, client: NotionClient) -> None:
    parent = fake.add_parent_page("Workspace")
    schema = expected_schema(PRESETS)
    partial = {n: s for n, s in schema.items() if n not in ("Entry ID", "Note", "Hours")}
    partial["User"] = PropertySchema("User", "number")
    db_id, ds_id = fake.add_database(parent, "Old timesheet", partial)

    problems = await check_database(client, db_id)
    assert [str(p).split(";")[0] for p in problems] == [
        '"User" is number, expected rich_text',
        'missing property "Entry ID" (rich_text)',
        'missing property "Note" (rich_text)',
        'missing property "Hours" (formula)',
    ]
    before = Counter(fake.requests)
    added = await fix_database(client, db_id, PRESETS)
    assert added == [
        'added property "Entry ID" (rich_text)',
        'added property "Note" (rich_text)',
        'added property "Hours" (formula)',
    ]
    assert Counter(fake.requests) - before == Counter(
        {"retrieve_database": 1, "retrieve_data_source": 1, "update_data_source": 1}
    )
    # the wrong type is reported, never changed
    remaining = await check_database(client, db_id)
    assert [(p.name, p.actual) for p in remaining] == [("User", "number")]
    ds = await client.retrieve_data_source(ds_id)
    assert ds.properties["User"].type == "number"
    assert await fix_database(client, db_id, PRESETS) == []


async def test_fix_adds_hours_after_start_and_end(fake: FakeNotion, client: NotionClient) -> None:
    parent = fake.add_parent_page("Workspace")
    schema = expected_schema(PRESETS)
    bare = {"Name": schema["Name"], "Client": schema["Client"]}
    db_id, _ = fake.add_database(parent, "Bare", bare)
    before = Counter(fake.requests)
    added = await fix_database(client, db_id, PRESETS)
    assert [a.split('"')[1] for a in added] == [
        "Start", "End", "User", "Entry ID", "Note", "Paused", "Hours",
    ]  # fmt: skip
    assert (Counter(fake.requests) - before)["update_data_source"] == 2
    assert await check_database(client, db_id) == []


async def test_fix_leaves_hours_out_while_start_is_not_a_date(
    fake: FakeNotion, client: NotionClient
) -> None:
    parent = fake.add_parent_page("Workspace")
    schema = expected_schema(PRESETS)
    props = {n: s for n, s in schema.items() if n != "Hours"}
    props["Start"] = PropertySchema("Start", "rich_text")
    db_id, _ = fake.add_database(parent, "Odd", props)
    assert await fix_database(client, db_id, PRESETS) == []
    assert [p.name for p in await check_database(client, db_id)] == ["Start", "Hours"]
