"""`timetrack setup` (the Targets database) and `timetrack target set/show` against the
in-memory Notion served over HTTP: the schema, the upsert, rows duplicated by hand, a week's
row over the every-week one, and the CSV to the byte."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from clikit import TOKEN, USER, Notion
from notionkit import BOB, T0, make_entry, prop_text, seed_entry

from bot.cli import main
from notion_client import NOTION_VERSION, PropertySchema
from timesheet.targets.schema import expected_schema

TARGET_TYPES = {
    "Name": "title",
    "Client": "select",
    "User": "rich_text",
    "Week": "date",
    "Hours": "number",
}


def targets_db(notion: Notion) -> tuple[str, str]:
    parent = notion.fake.add_parent_page("Team")
    return notion.fake.add_database(parent, "Targets", expected_schema())


def rows(notion: Notion, ds_id: str) -> list[dict[str, Any]]:
    return notion.fake.pages(ds_id)


def summary(notion: Notion, ds_id: str) -> list[tuple[str, str, str | None, float | None]]:
    """(Client, User, Week, Hours) of every row, sorted."""
    out = []
    for page in rows(notion, ds_id):
        props = page["properties"]
        week = props["Week"]["date"]
        out.append(
            (
                props["Client"]["select"]["name"],
                prop_text(page, "User"),
                None if week is None else week["start"],
                props["Hours"]["number"],
            )
        )
    return sorted(out, key=lambda r: (r[0], r[2] or ""))


def seed_row(
    notion: Notion, ds_id: str, client: str, hours: float, week: str | None, at: datetime
) -> str:
    """A row typed by hand in Notion, created (and last edited) at ``at``."""
    props = {
        "Name": {"title": [{"text": {"content": client}}]},
        "Client": {"select": {"name": client}},
        "User": {"rich_text": [{"text": {"content": USER}}]},
        "Week": {"date": None if week is None else {"start": week}},
        "Hours": {"number": hours},
    }
    return notion.fake.add_page(ds_id, props, created_time=at)


def seed_week(notion: Notion) -> None:
    """Week 2026-W47 for USER: Acme 14.5 h, Globex 3 h; BOB: Acme 5 h (not USER's)."""
    for n, (user, client, start, minutes) in enumerate(
        [
            (USER, "Acme", T0, 8 * 60),
            (USER, "Acme", T0 + timedelta(days=1), 6.5 * 60),
            (USER, "Globex", T0 + timedelta(days=2), 3 * 60),
            (BOB, "Acme", T0, 5 * 60),
        ],
        start=1,
    ):
        entry = make_entry(n, user=user, client=client, start=start, minutes=minutes)
        seed_entry(notion.fake, notion.data_source_id, entry)


def test_setup_creates_the_targets_database_with_exactly_its_properties(
    notion: Notion, capsys: pytest.CaptureFixture[str]
) -> None:
    parent = notion.fake.add_parent_page("Team")
    env = notion.env(NOTION_PARENT_PAGE_ID=parent.replace("-", ""))
    assert main(["setup"], env) == 0
    out = capsys.readouterr().out.splitlines()
    at = out.index("Created the Targets database. Add this line to .env:")
    assert out[at + 1].startswith("NOTION_TARGETS_DATABASE_ID=")
    assert out[-1] == "The database has every property timetrack needs."
    database_id = out[at + 1].split("=", 1)[1]
    schema = notion.fake.data_source(_data_source_of(notion, database_id))["properties"]
    assert {name: p["type"] for name, p in schema.items()} == TARGET_TYPES

    assert main(["setup"], notion.env(NOTION_TARGETS_DATABASE_ID=database_id)) == 0
    assert capsys.readouterr().out.splitlines()[-2:] == [
        "The Targets database has every property timetrack needs.",
        "The database has every property timetrack needs.",
    ]


def _data_source_of(notion: Notion, database_id: str) -> str:
    """The database's data source, asked of the served Notion as a client would."""
    headers = {"Authorization": f"Bearer {TOKEN}", "Notion-Version": NOTION_VERSION}
    url = f"{notion.served.base_url}/v1/databases/{database_id}"
    (source,) = httpx.get(url, headers=headers).json()["data_sources"]
    return str(source["id"])


def test_setup_names_what_a_targets_database_lacks(
    notion: Notion, capsys: pytest.CaptureFixture[str]
) -> None:
    parent = notion.fake.add_parent_page("Team")
    schema = {
        "Name": PropertySchema("Name", "title"),
        "Client": PropertySchema("Client", "select"),
        "Hours": PropertySchema("Hours", "rich_text"),
    }
    database_id, _ = notion.fake.add_database(parent, "Targets", schema)
    assert main(["setup"], notion.env(NOTION_TARGETS_DATABASE_ID=database_id)) == 0
    out = capsys.readouterr().out.splitlines()
    at = out.index("The Targets database is not ready (fix it in Notion):")
    assert out[at : at + 4] == [
        "The Targets database is not ready (fix it in Notion):",
        '  - missing property "User" (rich_text)',
        '  - missing property "Week" (date)',
        '  - "Hours" is rich_text, expected number; change its type in Notion (setup does not '
        "change types)",
    ]


def test_set_upserts_one_row_per_user_client_and_week(
    notion: Notion, capsys: pytest.CaptureFixture[str]
) -> None:
    database_id, ds_id = targets_db(notion)
    env = notion.env(NOTION_TARGETS_DATABASE_ID=database_id)
    assert main(["target", "set", "Acme", "20"], env) == 0
    assert capsys.readouterr().out == "Target for Acme, every week: 20 h.\n"
    assert main(["target", "set", "acme", "25.5"], env) == 0  # the preset's spelling
    assert capsys.readouterr().out == "Target for Acme, every week: 25.5 h (was 20 h).\n"
    assert main(["target", "set", "Acme", "12", "--week", "2026-W47"], env) == 0
    assert capsys.readouterr().out == "Target for Acme, week 2026-W47: 12 h.\n"
    assert main(["target", "set", "Acme", "14", "--week", "2026-W47"], env) == 0
    assert capsys.readouterr().out == "Target for Acme, week 2026-W47: 14 h (was 12 h).\n"
    assert main(["target", "set", "Globex", "8", "--every-week"], env) == 0
    capsys.readouterr()
    assert summary(notion, ds_id) == [
        ("Acme", USER, None, 25.5),
        ("Acme", USER, "2026-11-16", 14),
        ("Globex", USER, None, 8),
    ]
    names = sorted(prop_text(p, "Name") for p in rows(notion, ds_id))
    assert names == ["Acme · 2026-W47", "Acme · every week", "Globex · every week"]

    # 0 removes that row only: the week falls back to the every-week target.
    assert main(["target", "set", "Acme", "0", "--week", "2026-W47"], env) == 0
    assert capsys.readouterr().out == "Removed the target for Acme, week 2026-W47.\n"
    assert main(["target", "set", "Acme", "0", "--week", "2026-W47"], env) == 0
    assert capsys.readouterr().out == "No target for Acme, week 2026-W47.\n"
    assert [r[2] for r in summary(notion, ds_id)] == [None, None]


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["Acme", "200"],
            "200: expected hours above 0 and at most 168 (0 removes the target)",
        ),
        (
            ["Acme", "x"],
            "x: expected hours above 0 and at most 168 (0 removes the target)",
        ),
        (
            ["Acme", "5", "--week", "2026-W99"],
            "the week must be this, last or an ISO week such as 2026-W47 (week must be 1 to "
            "53), or every week",
        ),
        (["Ac,me", "5"], "The client can't contain a comma (Notion select options)."),
        (["  ", "5"], "The client is blank."),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    notion: Notion, capsys: pytest.CaptureFixture[str], args: list[str], line: str
) -> None:
    database_id, ds_id = targets_db(notion)
    assert main(["target", "set", *args], notion.env(NOTION_TARGETS_DATABASE_ID=database_id)) == 1
    assert capsys.readouterr() == ("", f"timetrack: {line}\n")
    assert rows(notion, ds_id) == []
    assert notion.fake.requests["create_page"] == notion.fake.requests["update_page"] == 0


def test_without_a_targets_database_it_says_how_to_get_one(
    notion: Notion, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["target", "show"], notion.env()) == 1
    assert capsys.readouterr().err == (
        "timetrack: Targets are not set up: set NOTION_TARGETS_DATABASE_ID "
        "(`timetrack setup` creates the database).\n"
    )


def test_show_of_every_week_is_one_line(notion: Notion, capsys: pytest.CaptureFixture[str]) -> None:
    """Every week names targets, not a week with tracked hours: no traceback."""
    database_id, _ = targets_db(notion)
    env = notion.env(NOTION_TARGETS_DATABASE_ID=database_id)
    assert main(["target", "show", "--week", "every"], env) == 1
    assert capsys.readouterr() == (
        "",
        "timetrack: the week must be this, last or an ISO week such as 2026-W47 (one week, "
        "not every week)\n",
    )


def test_show_csv_exact_bytes_week_row_over_every_week(
    notion: Notion, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    database_id, _ = targets_db(notion)
    env = notion.env(NOTION_TARGETS_DATABASE_ID=database_id)
    seed_week(notion)
    for args in (["Acme", "20"], ["Acme", "12", "--week", "2026-W47"], ["Globex", "8"]):
        assert main(["target", "set", *args], env) == 0
    capsys.readouterr()

    assert main(["target", "show", "--week", "2026-W47", "--csv", "-"], env) == 0
    assert capsys.readouterr().out.encode() == (
        b"client,target,tracked,remaining\nAcme,12.00,14.50,-2.50\nGlobex,8.00,3.00,5.00\n"
    )
    assert main(["target", "show", "--week", "2026-W48", "--csv", "-"], env) == 0
    assert capsys.readouterr().out.encode() == (
        b"client,target,tracked,remaining\nAcme,20.00,0.00,20.00\nGlobex,8.00,0.00,8.00\n"
    )

    out_file = tmp_path / "out" / "targets.csv"
    assert main(["target", "show", "--week", "2026-W47", "--csv", str(out_file)], env) == 0
    assert capsys.readouterr().out.splitlines() == [
        "Targets, Week 2026-W47 (16–22 Nov 2026)",
        "client  target  tracked  remaining  set for",
        "Acme        12    14.50      -2.50  that week",
        "Globex       8     3.00       5.00  every week",
        f"Wrote {out_file}",
    ]
    assert out_file.read_bytes().startswith(b"client,target,tracked,remaining\nAcme,12.00")


def test_rows_duplicated_by_hand_newest_edit_wins_and_set_updates_it(
    notion: Notion, capsys: pytest.CaptureFixture[str]
) -> None:
    database_id, ds_id = targets_db(notion)
    env = notion.env(NOTION_TARGETS_DATABASE_ID=database_id)
    seed_week(notion)
    at = datetime(2026, 11, 10, 10, 0, tzinfo=UTC)
    old = seed_row(notion, ds_id, "Acme", 10, None, at)
    new = seed_row(notion, ds_id, "Acme", 15, None, at + timedelta(minutes=5))
    # A date typed by hand mid-week counts for its week (Wed 18 Nov: week 2026-W47).
    seed_row(notion, ds_id, "Globex", 2, "2026-11-18", at)
    old_url = notion.fake.page(old)["url"]

    assert main(["target", "show", "--week", "2026-W47"], env) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[2:4] == [
        "Acme        15    14.50       0.50  every week",
        "Globex       2     3.00      -1.00  that week",
    ]
    new_url = notion.fake.page(new)["url"]
    assert out[4] == (
        f"• 2 Targets rows for Acme (every week): used the one edited last ({new_url}); "
        f"ignored {old_url}."
    )

    assert main(["target", "set", "Acme", "18"], env) == 0
    assert capsys.readouterr().out.splitlines() == [
        "Target for Acme, every week: 18 h (was 15 h).",
        f"Other copies of this target in Notion are ignored: {old_url}.",
    ]
    hours = {p["id"]: p["properties"]["Hours"]["number"] for p in rows(notion, ds_id)}
    assert (hours[new], hours[old]) == (18, 10)


def test_a_targets_database_missing_a_property_or_not_shared_is_one_line(
    notion: Notion, capsys: pytest.CaptureFixture[str]
) -> None:
    parent = notion.fake.add_parent_page("Team")
    schema = {name: s for name, s in expected_schema().items() if name != "Week"}
    database_id, ds_id = notion.fake.add_database(parent, "Targets", schema)
    env = notion.env(NOTION_TARGETS_DATABASE_ID=database_id)
    for command in (["target", "show"], ["target", "set", "Acme", "3"]):
        assert main(command, env) == 1
        assert capsys.readouterr() == (
            "",
            'timetrack: The Targets database is not ready: missing property "Week" (date). '
            "Fix it in Notion.\n",
        )
    assert rows(notion, ds_id) == []

    unknown = notion.env(NOTION_TARGETS_DATABASE_ID="0123456789abcdef0123456789abcdef")
    assert main(["target", "set", "Acme", "3"], unknown) == 1
    assert capsys.readouterr().err == (
        "timetrack: Notion can't find NOTION_TARGETS_DATABASE_ID: share that database with the "
        "integration (⋯ → Connections).\n"
    )
