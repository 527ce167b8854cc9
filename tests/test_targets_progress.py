"""Targets and budgets, the pure parts: which target counts, tracked against target, the
burn-down (hand-computed tables, DST months included), `target show`'s CSV and text, and the
hours and week arguments."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from timesheet.clients.model import ClientInfo
from timesheet.targets.errors import InvalidTarget
from timesheet.targets.progress import (
    TargetLine,
    budget_burn,
    burn_line,
    elapsed_days,
    month_period,
    target_line,
    target_lines,
)
from timesheet.targets.resolve import week_targets
from timesheet.targets.schema import TargetRow
from timesheet.targets.show import render_targets_csv, render_targets_text
from timesheet.targets.spec import parse_hours, target_week

LONDON = ZoneInfo("Europe/London")
ALICE = "100000000000000001"
BOB = "100000000000000002"
W47 = date(2026, 11, 16)
T = datetime(2026, 11, 1, tzinfo=UTC)


def row(
    n: int,
    client: str,
    hours: float | None,
    week: date | None = None,
    *,
    user: str = ALICE,
    edited_min: int = 0,
) -> TargetRow:
    return TargetRow(
        page_id=f"p{n}",
        user_id=user,
        client=client,
        week=week,
        hours=hours,
        edited=T + timedelta(minutes=edited_min),
        created=T,
        url=f"https://www.notion.so/p{n}",
    )


# --- which target counts ---------------------------------------------------------------------


def test_a_weeks_row_overrides_every_week_and_clients_are_the_fallback() -> None:
    rows = [
        row(1, "Acme", 20),  # every week
        row(2, "Acme", 12, W47),  # only week 47
        row(3, "Globex", 8),
        row(4, "Acme", 30, W47 + timedelta(days=7)),  # another week
        row(5, "Initech", 5, user=BOB),  # another user
    ]
    clients = [
        ClientInfo("Globex", weekly_target=10),  # Alice's own row wins
        ClientInfo("Initech", weekly_target=6),
        ClientInfo("Umbrella", weekly_target=4, archived=True),
        ClientInfo("Hooli"),
    ]
    got = week_targets(rows, ALICE, W47, clients)
    assert [(t.client, t.hours, t.source) for t in got.targets] == [
        ("Acme", 12, "week"),
        ("Globex", 8, "every week"),
        ("Initech", 6, "clients"),
    ]
    week48 = week_targets(rows, ALICE, W47 + timedelta(days=7))
    assert [(t.client, t.hours) for t in week48.targets] == [("Acme", 30), ("Globex", 8)]
    week49 = week_targets(rows, ALICE, W47 + timedelta(days=14))
    assert [(t.client, t.hours) for t in week49.targets] == [("Acme", 20), ("Globex", 8)]
    assert got.notes == ()


def test_rows_duplicated_by_hand_the_newest_edit_wins_the_rest_are_named() -> None:
    rows = [
        row(1, "Acme", 20, edited_min=5),
        row(2, "acme", 25, edited_min=9),  # same client, other case: the same target
        row(3, "Acme", 30, edited_min=1),
    ]
    got = week_targets(rows, ALICE, W47)
    assert [(t.client, t.hours) for t in got.targets] == [("acme", 25)]
    assert got.notes == (
        "3 Targets rows for acme (every week): used the one edited last "
        "(https://www.notion.so/p2); ignored https://www.notion.so/p1, https://www.notion.so/p3.",
    )


def test_rows_without_client_or_usable_hours_are_ignored_with_a_note() -> None:
    rows = [row(1, "", 10), row(2, "Acme", None), row(3, "Acme", 200, W47), row(4, "Globex", 0)]
    got = week_targets(rows, ALICE, W47)
    assert got.targets == ()
    assert got.notes == (
        "Targets row https://www.notion.so/p1 has no Client: ignored.",
        "Targets row https://www.notion.so/p2 (Acme, every week) needs Hours above 0 and at "
        "most 168: ignored.",
        "Targets row https://www.notion.so/p3 (Acme, week of 2026-11-16) needs Hours above 0 "
        "and at most 168: ignored.",
        "Targets row https://www.notion.so/p4 (Globex, every week) needs Hours above 0 and at "
        "most 168: ignored.",
    )


# --- tracked against target --------------------------------------------------------------------


def test_target_lines_match_clients_case_insensitively_and_say_the_percentage() -> None:
    targets = week_targets([row(1, "Acme", 20), row(2, "Globex", 8)], ALICE, W47)
    lines = target_lines(targets, {"ACME": 14.5, "Globex": 9.25, "Initech": 3})
    assert lines == [
        TargetLine("Acme", 20, 14.5, "every week"),
        TargetLine("Globex", 8, 9.25, "every week"),
    ]
    assert [line.remaining for line in lines] == [5.5, -1.25]
    assert [target_line(line) for line in lines] == [
        "Acme 14.50 / 20 h this week (72%)",
        "Globex 9.25 / 8 h this week (115%)",
    ]


def test_report_lines_leave_out_clients_fallbacks_with_nothing_tracked() -> None:
    targets = week_targets([], ALICE, W47, [ClientInfo("Acme", weekly_target=20)])
    assert target_lines(targets, {}, fallback_if_tracked=True) == []
    assert target_lines(targets, {}) == [TargetLine("Acme", 20, 0, "clients")]


def test_show_csv_exact_bytes_and_text_table() -> None:
    lines = [
        TargetLine("Acme", 20, 14.5, "week"),
        TargetLine("Globex, Inc", 7.5, 9.25, "every week"),
        TargetLine("=Evil", 1, 0, "clients"),
    ]
    assert render_targets_csv(lines).encode() == (
        b"client,target,tracked,remaining\n"
        b"Acme,20.00,14.50,5.50\n"
        b'"Globex, Inc",7.50,9.25,-1.75\n'
        b"'=Evil,1.00,0.00,1.00\n"
    )
    assert render_targets_csv([]) == "client,target,tracked,remaining\n"
    assert render_targets_text(lines, "Targets, Week 2026-W47").splitlines() == [
        "Targets, Week 2026-W47",
        "client       target  tracked  remaining  set for",
        "Acme             20    14.50       5.50  that week",
        "Globex, Inc     7.5     9.25      -1.75  every week",
        "=Evil             1     0.00       1.00  Clients",
    ]


# --- burn-down ---------------------------------------------------------------------------------

NOW_W47 = datetime(2026, 11, 20, 17, 30, tzinfo=LONDON)  # Fri, GMT


@pytest.mark.parametrize(
    ("moment", "days"),
    [
        (datetime(2026, 11, 1, 0, 0, tzinfo=LONDON), Fraction(0)),
        (NOW_W47, 19 + Fraction(35, 48)),  # 17.5 of 24 h
        # Sun 29 Mar 2026 lasts 23 h (clocks forward at 01:00 GMT); 12:00 BST is 11 h in.
        (datetime(2026, 3, 29, 12, 0, tzinfo=LONDON), 28 + Fraction(11, 23)),
        # Sun 25 Oct 2026 lasts 25 h (clocks back at 02:00 BST); 13:00 GMT is 14 h in.
        (datetime(2026, 10, 25, 13, 0, tzinfo=LONDON), 24 + Fraction(14, 25)),
        # 01:30 happens twice that night: the first (BST) is 1.5 h in, the second 2.5 h.
        (datetime(2026, 10, 25, 1, 30, tzinfo=LONDON), 24 + Fraction(3, 50)),
        (datetime(2026, 10, 25, 1, 30, fold=1, tzinfo=LONDON), 24 + Fraction(1, 10)),
    ],
)
def test_elapsed_days_of_the_month(moment: datetime, days: Fraction) -> None:
    assert elapsed_days(moment, LONDON) == days


def test_month_period_is_local_midnight_to_midnight() -> None:
    march = month_period(datetime(2026, 3, 29, 12, 0, tzinfo=LONDON), LONDON)
    assert march.start == datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
    assert march.end == datetime(2026, 3, 31, 23, 0, tzinfo=UTC)  # 1 April 00:00 BST
    assert march.duration == timedelta(days=31, hours=-1)


@pytest.mark.parametrize(
    ("moment", "budget", "used", "line"),
    [
        # point = elapsed × budget / used; it runs out on the day holding that point.
        # 947/48 × 20/15.5 = 25.46 → day 26 (index 25).
        (NOW_W47, 20, 15.5, "Acme: 15.5 of 20 h this month; at this pace it runs out Thu 26 Nov"),
        # 947/48 × 20/14.5 = 27.21 → day 28.
        (NOW_W47, 20, 14.5, "Acme: 14.5 of 20 h this month; at this pace it runs out Sat 28 Nov"),
        (NOW_W47, 20, 10, "Acme: 10 of 20 h this month; on track"),  # 39.46 ≥ 30 days
        (NOW_W47, 20, 0, "Acme: 0 of 20 h this month; on track"),
        (NOW_W47, 20, 20, "Acme: 20 of 20 h this month; budget used up"),
        (NOW_W47, 20, 22.25, "Acme: 22.25 of 20 h this month; over budget by 2.25 h"),
        # 16 Nov 00:00: 15 days gone; 15 × 20/10 = 30, the month's very end: on track.
        (datetime(2026, 11, 16, tzinfo=LONDON), 20, 10, "Acme: 10 of 20 h this month; on track"),
        # 15 × 20/10.01 = 29.97 → day 30.
        (
            datetime(2026, 11, 16, tzinfo=LONDON),
            20,
            10.01,
            "Acme: 10.01 of 20 h this month; at this pace it runs out Mon 30 Nov",
        ),
        # 11 Nov 00:00: 10 days; 10 × 20/10 = 20 exactly: spent at the end of 20 Nov.
        (
            datetime(2026, 11, 11, tzinfo=LONDON),
            20,
            10,
            "Acme: 10 of 20 h this month; at this pace it runs out Fri 20 Nov",
        ),
        # DST month, 23 h day: (28 + 11/23) × 40/37.98 = 29.993 → day 30 (24 h days would
        # say 28.5 × 40/37.98 = 30.016 → 31 Mar).
        (
            datetime(2026, 3, 29, 12, 0, tzinfo=LONDON),
            40,
            37.98,
            "Acme: 37.98 of 40 h this month; at this pace it runs out Mon 30 Mar",
        ),
        # DST month, 25 h day: (24 + 14/25) × 31/24.55 = 31.013 ≥ 31: on track (24 h days
        # would say 24.5417 × 31/24.55 = 30.99 → 31 Oct).
        (
            datetime(2026, 10, 25, 13, 0, tzinfo=LONDON),
            31,
            24.55,
            "Acme: 24.55 of 31 h this month; on track",
        ),
        # 24.56 × 31/24.57 = 30.987 → day 31.
        (
            datetime(2026, 10, 25, 13, 0, tzinfo=LONDON),
            31,
            24.57,
            "Acme: 24.57 of 31 h this month; at this pace it runs out Sat 31 Oct",
        ),
    ],
)
def test_burn_down(moment: datetime, budget: float, used: float, line: str) -> None:
    assert burn_line(budget_burn("Acme", budget, used, moment, LONDON, now=moment)) == line


def test_burn_down_of_another_month_names_it() -> None:
    burn = budget_burn("Acme", 20, 5, NOW_W47, LONDON, now=NOW_W47 + timedelta(days=20))
    assert burn_line(burn) == "Acme: 5 of 20 h in Nov 2026; on track"


# --- the arguments -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "hours"), [("20", 20.0), ("7.5", 7.5), ("7,25", 7.25), (" 8h ", 8.0), ("0", 0.0)]
)
def test_hours(text: str, hours: float) -> None:
    assert parse_hours(text) == hours


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("lots", "lots: expected hours above 0 and at most 168 (0 removes the target)"),
        ("-1", "-1: expected hours above 0 and at most 168 (0 removes the target)"),
        ("168.5", "168.5: expected hours above 0 and at most 168 (0 removes the target)"),
        ("nan", "nan: expected hours above 0 and at most 168 (0 removes the target)"),
        ("inf", "inf: expected hours above 0 and at most 168 (0 removes the target)"),
        (
            "0.001",
            "0.001: expected hours above 0 and at most 168 (0 removes the target) (at least 0.01)",
        ),
        ("", "(empty): expected hours above 0 and at most 168 (0 removes the target)"),
    ],
)
def test_bad_hours_are_one_line(text: str, line: str) -> None:
    with pytest.raises(InvalidTarget) as caught:
        parse_hours(text)
    assert str(caught.value) == line


def test_target_weeks() -> None:
    now = NOW_W47
    assert target_week("2026-W47", LONDON, 0, now).first_day == W47
    assert target_week("this", LONDON, 0, now).label == "2026-W47"
    assert target_week("last", LONDON, 0, now).first_day == date(2026, 11, 9)
    assert target_week(None, LONDON, 6, now).first_day == date(2026, 11, 15)  # Sunday weeks
    every = target_week(None, LONDON, 0, now, every=True)
    assert every.every and every.label == "every week"
    assert target_week("every", LONDON, 0, now).every
    with pytest.raises(InvalidTarget) as caught:
        target_week("someday", LONDON, 0, now)
    assert str(caught.value) == (
        "the week must be this, last or an ISO week such as 2026-W47, or every week"
    )
