"""`timetrack status` and `timetrack outbox` against the in-memory Notion over HTTP and a
ledger on disk holding failed operations."""

from __future__ import annotations

from pathlib import Path

import pytest
from clikit import TOKEN, Notion
from ledgerkit import BOB, planned
from notionkit import ALICE

from bot.cli import main
from notion_client import PropertySchema
from timesheet.health.incidents import IncidentLog
from timesheet.publishing.schedule import PostedLog
from timesheet.tracking.ledger import Ledger
from timesheet.tracking.operations import StartOp

WEBHOOK = "https://discord.com/api/webhooks/123/hook-SECRET-token"
ALERTS = "https://discord.com/api/webhooks/456/alert-SECRET-token"


def _ledger_with(data_dir: Path, *, failed: int, pending: int) -> list[int]:
    """``failed`` operations Notion refused for good, then ``pending`` waiting ones."""
    with Ledger.in_dir(data_dir) as ledger:
        ids = ledger.record(*(StartOp(planned(n + 1, BOB)) for n in range(failed + pending)))
        for op_id in ids[:failed]:
            ledger.mark_failed(op_id, "ValidationError: Client is not a property that exists")
    return ids


def _status(notion: Notion, capsys: pytest.CaptureFixture[str], **env: str) -> tuple[int, str]:
    code = main(["status"], notion.env(**env))
    captured = capsys.readouterr()
    text = captured.out + captured.err
    for secret in (TOKEN, "hook-SECRET-token", "alert-SECRET-token", "discord.com/api"):
        assert secret not in text
    assert "Traceback" not in text
    return code, captured.out


def test_status_all_good_exits_0_in_at_most_ten_lines(
    notion: Notion, capsys: pytest.CaptureFixture[str]
) -> None:
    PostedLog(notion.data_dir).mark_posted("2026-W47")
    code, out = _status(notion, capsys, TIMESHEET_WEBHOOK_URL=WEBHOOK, ALERT_WEBHOOK_URL=ALERTS)
    lines = out.splitlines()
    assert code == 0 and len(lines) <= 10
    assert lines[0].startswith("timetrack ") and lines[0].endswith(": all good")
    assert "Notion: reachable, schema right" in lines
    assert "Ledger: 0 pending, 0 failed" in lines
    (post,) = [line for line in lines if line.startswith("Weekly post: ")]
    assert "last 2026-W47 posted" in post and "next Sun " in post and "09:00" in post
    assert "Reminders due: 0" in lines
    assert "Alerts: on" in lines


def test_status_counts_the_reminders_owed(
    notion: Notion, capsys: pytest.CaptureFixture[str]
) -> None:
    """One query for every running timer: Alice's has run 10 h (owed at 8 h), Bob's 1 h."""
    from datetime import UTC, datetime, timedelta

    from notionkit import make_entry, seed_entry

    now = datetime.now(UTC)
    for n, (user, hours) in enumerate([(ALICE, 10), (BOB, 1)], start=1):
        running = make_entry(n, user=user, start=now - timedelta(hours=hours), minutes=None)
        seed_entry(notion.fake, notion.data_source_id, running)
    code, out = _status(notion, capsys)
    assert "Reminders due: 1" in out.splitlines()
    assert code == 0  # a reminder owed is the bot's job, not a person's
    _, off = _status(notion, capsys, REMIND_AFTER="off")
    assert "Reminders due: 0" in off.splitlines()


def test_status_with_failed_operations_and_a_failed_post_exits_1(
    notion: Notion, capsys: pytest.CaptureFixture[str]
) -> None:
    _ledger_with(notion.data_dir, failed=1, pending=2)
    IncidentLog.in_dir(notion.data_dir).open("weekly-post:2026-W48", "PublishError: HTTP 404")
    code, out = _status(notion, capsys, TIMESHEET_WEBHOOK_URL=WEBHOOK)
    assert code == 1
    assert "2 thing(s) need a person" in out.splitlines()[0]
    assert "Ledger: 2 pending, oldest since " in out and ", 1 failed (`timetrack outbox`)" in out
    assert "2026-W48 FAILED (PublishError: HTTP 404); none posted yet; next " in out
    assert "Alerts: off (ALERT_WEBHOOK_URL not set)" in out


@pytest.mark.parametrize(
    ("env", "line"),
    [
        ({"NOTION_TOKEN": "secret_wrong_one"}, "Notion: refuses NOTION_TOKEN (401)"),
        ({"NOTION_DATABASE_ID": "0" * 32}, "Notion: can't find NOTION_DATABASE_ID"),
        (
            {"NOTION_BASE_URL": "http://127.0.0.1:9"},
            "Notion: unreachable (NotionConnectionError) since ",
        ),
    ],
)
def test_status_exits_1_when_notion_needs_a_person(
    notion: Notion, capsys: pytest.CaptureFixture[str], env: dict[str, str], line: str
) -> None:
    code, out = _status(notion, capsys, **env)
    assert code == 1
    assert "secret_wrong_one" not in out
    (notion_line,) = [x for x in out.splitlines() if x.startswith("Notion: ")]
    assert line in notion_line
    assert "Reminders due: n/a" in out.splitlines()  # not asked of a Notion that failed


def test_status_names_a_wrong_schema_and_exits_1(
    notion: Notion, capsys: pytest.CaptureFixture[str]
) -> None:
    parent = notion.fake.add_parent_page("Old")
    schema = {"Name": PropertySchema("Name", "title"), "Start": PropertySchema("Start", "date")}
    database_id, _ = notion.fake.add_database(parent, "Old entries", schema)
    code, out = _status(notion, capsys, NOTION_DATABASE_ID=database_id)
    assert code == 1
    assert 'schema wrong: missing property "Client" (select)' in out


def test_outbox_lists_who_what_since_when_and_the_last_error(
    notion: Notion, capsys: pytest.CaptureFixture[str]
) -> None:
    failed, waiting = _ledger_with(notion.data_dir, failed=1, pending=1)
    assert main(["outbox"], notion.env()) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "1 pending, 1 failed (oldest first):"
    assert lines[1].startswith(f"#{failed} failed · user {BOB} · since ")
    assert "start 'task 1' (Acme)" in lines[1]
    assert lines[2] == "    last error: ValidationError: Client is not a property that exists"
    assert lines[3].startswith(f"#{waiting} pending · user {BOB} · since ")


def test_outbox_retry_puts_failed_ones_back_one_or_all(
    notion: Notion, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second, third = _ledger_with(notion.data_dir, failed=3, pending=0)
    assert main(["outbox", "retry", f"#{second}"], notion.env()) == 0
    assert f"Put #{second} back in line" in capsys.readouterr().out
    with Ledger.in_dir(notion.data_dir) as ledger:
        assert {w.op_id: w.state for w in ledger.outbox()} == {
            first: "failed",
            second: "pending",
            third: "failed",
        }
    assert main(["outbox", "retry", str(second)], notion.env()) == 1
    assert capsys.readouterr().err == (
        f"timetrack: #{second}: it is pending, not failed; nothing changed\n"
    )
    assert main(["outbox", "retry"], notion.env()) == 0
    assert "Put 2 failed operation(s) back in line" in capsys.readouterr().out
    with Ledger.in_dir(notion.data_dir) as ledger:
        assert [w.state for w in ledger.outbox()] == ["pending"] * 3


def test_outbox_drop_says_what_is_lost_and_needs_yes_off_a_terminal(
    notion: Notion, capsys: pytest.CaptureFixture[str]
) -> None:
    failed, kept = _ledger_with(notion.data_dir, failed=1, pending=1)
    assert main(["outbox", "drop", str(failed)], notion.env()) == 1
    captured = capsys.readouterr()
    assert "it will never be written to Notion" in captured.out
    assert captured.err == "timetrack: not a terminal: add --yes to drop it; nothing changed\n"
    with Ledger.in_dir(notion.data_dir) as ledger:
        assert [w.op_id for w in ledger.outbox()] == [failed, kept]

    assert main(["outbox", "drop", f"#{failed}", "--yes"], notion.env()) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith(f"#{failed} failed · user {BOB}")
    assert out.splitlines()[-1] == f"Dropped #{failed}."
    with Ledger.in_dir(notion.data_dir) as ledger:
        assert [w.op_id for w in ledger.outbox()] == [kept]


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["drop", "abc", "--yes"], "'abc' is not an operation id"),
        (["drop", "999", "--yes"], "#999: no such pending or failed operation; nothing changed"),
        (["retry", "999"], "#999: no such operation; nothing changed"),
        (["retry", "9" * 30], f"'{'9' * 30}' is not an operation id"),
        (["drop", "#" + "9" * 30, "--yes"], f"'#{'9' * 30}' is not an operation id"),
    ],
)
def test_outbox_bad_ids_are_one_line_and_change_nothing(
    notion: Notion, capsys: pytest.CaptureFixture[str], args: list[str], line: str
) -> None:
    ids = _ledger_with(notion.data_dir, failed=1, pending=0)
    assert main(["outbox", *args], notion.env()) == 1
    err = capsys.readouterr().err
    assert err.startswith("timetrack: ") and line in err and err.count("\n") == 1
    with Ledger.in_dir(notion.data_dir) as ledger:
        assert [(w.op_id, w.state) for w in ledger.outbox()] == [(ids[0], "failed")]


def test_drop_refuses_an_operation_another_process_is_applying(tmp_path: Path) -> None:
    with Ledger.in_dir(tmp_path) as ours, Ledger.in_dir(tmp_path) as theirs:
        (op_id,) = ours.record(StartOp(planned(1, ALICE)))
        assert theirs.try_lease(ALICE)
        assert ours.drop(op_id) is None
        theirs.release_lease(ALICE)
        dropped = ours.drop(op_id)
        assert dropped is not None and dropped.op_id == op_id and ours.outbox() == []


def test_status_says_which_data_dir_file_it_cant_read(
    notion: Notion, capsys: pytest.CaptureFixture[str]
) -> None:
    notion.data_dir.mkdir(parents=True, exist_ok=True)
    (notion.data_dir / "health.sqlite3").write_bytes(b"not a database at all" * 100)
    code, out = _status(notion, capsys)
    assert code == 1
    assert out.splitlines()[-1] == "DATA_DIR: can't read health.sqlite3"
