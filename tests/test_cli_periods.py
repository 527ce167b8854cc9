"""`timetrack report --period` and `timetrack check --period` against Notion served over HTTP."""

from __future__ import annotations

import pytest
from clikit import Notion

from bot.cli import main
from timesheet.reports.week import PERIOD_CHOICES


def test_report_period_prints_a_month_csv(
    notion: Notion, capsys: pytest.CaptureFixture[str]
) -> None:
    env = notion.env()
    assert main(["log", "Acme", "90m", "--end", "2026-10-01 12:00"], env) == 0
    assert main(["log", "Globex", "45m", "--end", "2026-10-31 18:00"], env) == 0
    capsys.readouterr()

    assert main(["report", "--period", "2026-10", "--csv", "-"], env) == 0

    rows = capsys.readouterr().out.splitlines()
    assert rows[0] == "day,Acme,Globex,Total"
    assert [row.split(",")[0] for row in rows[1:-1]] == [f"2026-10-{d:02d}" for d in range(1, 32)]
    assert rows[1] == "2026-10-01,1.50,0.00,1.50"
    assert rows[31] == "2026-10-31,0.00,0.75,0.75"
    assert rows[-1] == "Total,1.50,0.75,2.25"

    assert main(["report", "--period", "2026"], env) == 0
    out = capsys.readouterr().out
    assert out.startswith("Year 2026 · ")
    assert "Month" in out and "Oct 2026" in out and "Dec 2026" in out


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (["report", "--period", "soon"], f"timetrack: --period soon: expected {PERIOD_CHOICES}\n"),
        (
            ["report", "--period", "2026-02-30..2026-03-02"],
            f"timetrack: --period 2026-02-30..2026-03-02: expected {PERIOD_CHOICES} "
            "(no such date)\n",
        ),
        (
            ["report", "--week", "last", "--period", "this-month"],
            "timetrack: report takes --week or --period, not both\n",
        ),
        (
            ["check", "--week", "last", "--period", "this-month"],
            "timetrack: check takes --week or --period, not both\n",
        ),
    ],
    ids=["unknown", "no such date", "report both", "check both"],
)
def test_a_bad_period_is_one_line(
    notion: Notion, capsys: pytest.CaptureFixture[str], argv: list[str], line: str
) -> None:
    assert main(argv, notion.env()) == 1
    captured = capsys.readouterr()
    assert captured.err == line and captured.out == ""
    assert notion.fake.requests["query_data_source"] == 0


def test_check_period_names_the_period(notion: Notion, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--period", "2026-10"], notion.env()) == 0
    assert capsys.readouterr().out == "October 2026: nothing a report would stumble on.\n"
