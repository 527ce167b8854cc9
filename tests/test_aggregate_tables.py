"""aggregate(): hand-computed day × client tables (midnight, DST, running, rounding, clipping)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import count
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from notionkit import make_entry

from timesheet.entries.model import TimeEntry
from timesheet.reports.aggregate import TOTAL, WeekTable, aggregate, round_cells, split_by_day
from timesheet.reports.week import week_period

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
SYDNEY = ZoneInfo("Australia/Sydney")
W47 = week_period("2026-W47", LONDON)  # Mon 16 - Sun 22 Nov 2026, GMT all week
W47_DAYS = [date(2026, 11, d) for d in range(16, 23)]
NOON_WED = datetime(2026, 11, 18, 12, 0, tzinfo=LONDON)
_ids = count(1)


def at(day: int, hour: int, minute: int = 0, second: int = 0, *, month: int = 11) -> datetime:
    """A London wall time in 2026."""
    return datetime(2026, month, day, hour, minute, second, tzinfo=LONDON)


def entry(
    client: str, start: datetime, end: datetime | None, *, user: str = "u1", entry_id: str = ""
) -> TimeEntry:
    """`make_entry` for ``client`` with an Entry ID of its own (``e1``, ``e2``, ...)."""
    entry_id = entry_id or f"e{next(_ids)}"
    return make_entry(user=user, client=client, start=start, end=end, entry_id=entry_id)


def check(table: WeekTable, clients: list[str], expected: list[list[float]]) -> None:
    """``expected`` lists one row per day, then the Total row; each row ends with its total."""
    assert list(table.hours.columns) == [*clients, TOTAL]
    assert list(table.hours.index) == [*table.days, TOTAL]
    assert len(expected) == len(table.days) + 1
    for label, got, want in zip(table.hours.index, table.hours.to_numpy(), expected, strict=True):
        assert got.tolist() == pytest.approx(want, abs=1e-9), f"row {label}"


def test_entry_over_midnight_is_split_at_local_midnight_and_clipped_to_the_week() -> None:
    entries = [
        entry("Acme", at(17, 22, 30), at(18, 1, 15)),  # Tue 1.5 h + Wed 1.25 h
        entry("Beta", at(16, 9), at(16, 12)),  # Mon 3 h
        entry("Acme", at(22, 23), at(23, 1)),  # Sun 1 h; Mon 23 is next week
        entry("Beta", at(15, 22), at(16, 2)),  # Sun 15 is last week; Mon 2 h
    ]
    table = aggregate(entries, W47, LONDON, NOON_WED)
    check(
        table,
        ["Acme", "Beta"],
        [
            [0.0, 5.0, 5.0],  # Mon 16: 3 + 2
            [1.5, 0.0, 1.5],  # Tue 17: 22:30-24:00
            [1.25, 0.0, 1.25],  # Wed 18: 00:00-01:15
            [0.0, 0.0, 0.0],
            [0.0, 0.0, 0.0],
            [0.0, 0.0, 0.0],
            [1.0, 0.0, 1.0],  # Sun 22: 23:00-24:00
            [3.75, 5.0, 8.75],
        ],
    )
    assert table.days == W47_DAYS
    assert table.entry_count == 4
    assert table.running == frozenset()
    assert table.notes == ()
    assert table.total_hours == 8.75
    assert table.title == "Week 2026-W47 (16–22 Nov 2026)"
    assert table.label == "2026-W47"


# (tz, week, DST Sunday, 00:00-12:00 on it, the whole day, Sunday's part of a Sat 22:00 entry)
DST_WEEKS = [
    # London forward 29 Mar 01:00 GMT -> 02:00 BST: 12 - 1 = 11; 24 - 1 = 23; night 00-03 = 2
    (LONDON, "2026-W13", date(2026, 3, 29), 11.0, 23.0, 3, 2.0),
    # London back 25 Oct 02:00 BST -> 01:00 GMT: 13; 25; night 00:00 BST - 03:00 GMT = 4
    (LONDON, "2026-W43", date(2026, 10, 25), 13.0, 25.0, 3, 4.0),
    # New York forward 8 Mar 02:00 EST -> 03:00 EDT: 11; 23; night 00-03 = 2
    (NEW_YORK, "2026-W10", date(2026, 3, 8), 11.0, 23.0, 3, 2.0),
    # New York back 1 Nov 02:00 EDT -> 01:00 EST: 13; 25; night 00:00 EDT - 03:00 EST = 4
    (NEW_YORK, "2026-W44", date(2026, 11, 1), 13.0, 25.0, 3, 4.0),
    # Sydney back 5 Apr 03:00 AEDT -> 02:00 AEST: 13; 25; night 00:00 AEDT - 04:00 AEST = 5
    (SYDNEY, "2026-W14", date(2026, 4, 5), 13.0, 25.0, 4, 5.0),
    # Sydney forward 4 Oct 02:00 AEST -> 03:00 AEDT: 11; 23; night 00-03 = 2
    (SYDNEY, "2026-W40", date(2026, 10, 4), 11.0, 23.0, 3, 2.0),
]


@pytest.mark.parametrize(
    ("tz", "spec", "sunday", "morning", "whole", "night_end", "night"), DST_WEEKS
)
def test_dst_sundays(
    tz: ZoneInfo,
    spec: str,
    sunday: date,
    morning: float,
    whole: float,
    night_end: int,
    night: float,
) -> None:
    period = week_period(spec, tz)
    y, m, d = sunday.year, sunday.month, sunday.day
    saturday = datetime.combine(sunday - timedelta(days=1), time(22), tzinfo=tz)
    entries = [
        entry("Morning", datetime(y, m, d, 0, tzinfo=tz), datetime(y, m, d, 12, tzinfo=tz)),
        entry("Whole day", datetime(y, m, d, tzinfo=tz), period.end, user="u2"),
        entry("Night", saturday, datetime(y, m, d, night_end, tzinfo=tz), user="u3"),  # Sat: 2 h
    ]
    table = aggregate(entries, period, tz, period.end)
    zero = [0.0, 0.0, 0.0, 0.0]
    check(
        table,
        ["Morning", "Night", "Whole day"],
        [
            zero,
            zero,
            zero,
            zero,
            zero,
            [0.0, 2.0, 0.0, 2.0],
            [morning, night, whole, morning + night + whole],
            [morning, 2.0 + night, whole, morning + 2.0 + night + whole],
        ],
    )
    assert table.days[-1] == sunday
    change = "forward" if whole == 23 else "back"
    day_text = f"{sunday:%a} {sunday.day} {sunday:%b %Y}"
    assert table.notes == (f"{day_text} has {whole:g} hours (clocks went {change}).",)
    # The offsets the entries were recorded with do not matter, only the instants.
    in_utc = [
        TimeEntry(
            e.entry_id,
            e.user_id,
            e.client,
            e.name,
            e.start.astimezone(UTC),
            None if e.end is None else e.end.astimezone(UTC),
        )
        for e in entries
    ]
    assert aggregate(in_utc, period, tz, period.end).hours.equals(table.hours)


def test_ambiguous_fall_back_hour_counts_real_elapsed_time() -> None:
    period = week_period("2026-W44", NEW_YORK)
    first = datetime(2026, 11, 1, 1, 30, tzinfo=NEW_YORK)  # EDT, first pass
    second = datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=NEW_YORK)  # EST, an hour later
    table = aggregate([entry("Acme", first, second)], period, NEW_YORK, period.end)
    assert table.hours.loc[date(2026, 11, 1), "Acme"] == 1.0
    assert table.total_hours == 1.0


def test_running_entries_count_up_to_now_and_are_marked() -> None:
    now = at(18, 14, 30)  # Wed 14:30
    entries = [
        entry("Acme", at(18, 9), None, user="u1"),  # Wed 5.5
        entry("Beta", at(17, 22), None, user="u2"),  # Tue 2, Wed 14.5
        entry("Gamma", at(15, 20), None, user="u3"),  # since last Sunday: Mon 24, Tue 24, Wed 14.5
        entry("Delta", at(16, 10), at(16, 11), user="u1"),  # Mon 1
    ]
    table = aggregate(entries, W47, LONDON, now)
    check(
        table,
        ["Acme", "Beta", "Delta", "Gamma"],
        [
            [0.0, 0.0, 1.0, 24.0, 25.0],
            [0.0, 2.0, 0.0, 24.0, 26.0],
            [5.5, 14.5, 0.0, 14.5, 34.5],
            [0.0, 0.0, 0.0, 0.0, 0.0],
            [0.0, 0.0, 0.0, 0.0, 0.0],
            [0.0, 0.0, 0.0, 0.0, 0.0],
            [0.0, 0.0, 0.0, 0.0, 0.0],
            [5.5, 16.5, 1.0, 62.5, 85.5],
        ],
    )
    assert table.running == frozenset({"Acme", "Beta", "Gamma"})
    assert table.as_of == now
    assert table.entry_count == 4

    # Last week only sees Gamma's first 4 hours (Sun 15 Nov 20:00-24:00); it is still running.
    last = aggregate(entries, week_period("last", LONDON, 0, now), LONDON, now)
    check(
        last,
        ["Gamma"],
        [
            [0.0, 0.0],
            [0.0, 0.0],
            [0.0, 0.0],
            [0.0, 0.0],
            [0.0, 0.0],
            [0.0, 0.0],
            [4.0, 4.0],
            [4.0, 4.0],
        ],
    )
    assert last.running == frozenset({"Gamma"})

    # Next week has not started: nothing counted, nothing marked.
    future = aggregate(entries, week_period("2026-W48", LONDON), LONDON, now)
    assert future.clients == [] and future.running == frozenset() and future.total_hours == 0


def test_running_entry_that_starts_after_now_counts_zero_and_is_noted() -> None:
    table = aggregate(
        [entry("Early", at(18, 15), None, entry_id="clock-skew")], W47, LONDON, at(18, 14, 30)
    )
    assert table.clients == [] and table.running == frozenset()
    assert table.notes == (
        "Entry clock-skew (Early, Wed 18 Nov 15:00) starts after the report time; counted as 0 h.",
    )


def rounding_entries() -> list[TimeEntry]:
    return [
        entry("A", at(16, 9), at(16, 9, 7, 30)),  # Mon 7.5 min
        entry("B", at(16, 10), at(16, 10, 52)),  # Mon 52 min
        entry("A", at(17, 9), at(17, 9, 22)),  # Tue 22 min
        entry("B", at(18, 9), at(18, 10, 1)),  # Wed 61 min
        entry("A", at(19, 9), at(19, 9, 5)),  # Thu 5 min ...
        entry("A", at(19, 10), at(19, 10, 5)),  # ... + 5 min = one 10 min cell
    ]


def test_no_rounding_keeps_exact_hours() -> None:
    table = aggregate(rounding_entries(), W47, LONDON, NOON_WED)
    zero = [0.0, 0.0, 0.0]
    check(
        table,
        ["A", "B"],
        [
            [7.5 / 60, 52 / 60, 59.5 / 60],
            [22 / 60, 0.0, 22 / 60],
            [0.0, 61 / 60, 61 / 60],
            [10 / 60, 0.0, 10 / 60],
            zero,
            zero,
            zero,
            [39.5 / 60, 113 / 60, 152.5 / 60],
        ],
    )


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        # 15-minute steps per cell. nearest: 7.5->15 (half up), 52->45, 22->15, 61->60, 10->15
        (
            "nearest",
            [
                [0.25, 0.75, 1.0],
                [0.25, 0.0, 0.25],
                [0.0, 1.0, 1.0],
                [0.25, 0.0, 0.25],
                [0.75, 1.75, 2.5],
            ],
        ),
        # up: 7.5->15, 52->60, 22->30, 61->75, 10->15
        (
            "up",
            [
                [0.25, 1.0, 1.25],
                [0.5, 0.0, 0.5],
                [0.0, 1.25, 1.25],
                [0.25, 0.0, 0.25],
                [1.0, 2.25, 3.25],
            ],
        ),
        # down: 7.5->0, 52->45, 22->15, 61->60, 10->0
        (
            "down",
            [
                [0.0, 0.75, 0.75],
                [0.25, 0.0, 0.25],
                [0.0, 1.0, 1.0],
                [0.0, 0.0, 0.0],
                [0.25, 1.75, 2.0],
            ],
        ),
    ],
)
def test_rounding_modes_apply_per_cell_and_totals_add_the_shown_cells(
    mode: str, expected: list[list[float]]
) -> None:
    table = aggregate(rounding_entries(), W47, LONDON, NOON_WED, round_minutes=15, rounding=mode)
    zero = [0.0, 0.0, 0.0]
    check(table, ["A", "B"], [*expected[:4], zero, zero, zero, expected[4]])
    assert (table.round_minutes, table.rounding) == (15, mode)


def test_rounding_is_exact_where_floats_are_not() -> None:
    # 21 min = 0.35 h; 0.35 / 0.1 is 3.4999999999999996 in floats, but 21 min is exactly 3.5
    # six-minute steps, so "nearest" (half up) gives 24 min = 0.4 h. 3 min is half a step: 0.1 h.
    entries = [entry("A", at(16, 9), at(16, 9, 21)), entry("B", at(16, 9), at(16, 9, 3), user="u2")]
    table = aggregate(entries, W47, LONDON, NOON_WED, round_minutes=6, rounding="nearest")
    assert table.hours.loc[date(2026, 11, 16), "A"] == 0.4
    assert table.hours.loc[date(2026, 11, 16), "B"] == 0.1
    assert table.hours.loc[date(2026, 11, 16), TOTAL] == 0.5


def test_round_cells_on_raw_microseconds() -> None:
    minute = 60_000_000
    cells = np.array([0, 1, 7 * minute + 30_000_000, 15 * minute, 15 * minute + 1], dtype=np.int64)
    assert (round_cells(cells, 15, "nearest") // minute).tolist() == [0, 0, 15, 15, 15]
    assert (round_cells(cells, 15, "up") // minute).tolist() == [0, 15, 15, 15, 30]
    assert (round_cells(cells, 15, "down") // minute).tolist() == [0, 0, 0, 15, 15]
    assert round_cells(cells, 0, "up").tolist() == cells.tolist()


def test_empty_week_is_seven_zero_rows_with_only_a_total_column() -> None:
    outside = [entry("Acme", at(9, 9), at(9, 17))]  # the week before
    for entries in ([], outside):
        table = aggregate(entries, W47, LONDON, NOON_WED)
        check(table, [], [[0.0]] * 8)
        assert table.days == W47_DAYS
        assert table.clients == [] and table.entry_count == 0
        assert table.running == frozenset() and table.notes == ()


def test_week_starting_on_sunday() -> None:
    period = week_period("2026-W47", LONDON, 6)  # Sun 15 - Sat 21 Nov
    entries = [
        entry("Acme", at(15, 10), at(15, 12)),  # Sun 15: 2 h, first row
        entry("Acme", at(21, 23), at(22, 1)),  # Sat 21: 1 h; Sun 22 belongs to the next week
        entry("Acme", at(22, 9), at(22, 10)),  # next week
    ]
    table = aggregate(entries, period, LONDON, NOON_WED)
    assert table.days == [date(2026, 11, d) for d in range(15, 22)]
    check(
        table,
        ["Acme"],
        [
            [2.0, 2.0],
            [0.0, 0.0],
            [0.0, 0.0],
            [0.0, 0.0],
            [0.0, 0.0],
            [0.0, 0.0],
            [1.0, 1.0],
            [3.0, 3.0],
        ],
    )


def test_entries_ending_at_or_before_their_start_count_zero_and_are_noted() -> None:
    entries = [
        entry("Acme", at(16, 9), at(16, 9), entry_id="zero"),
        entry("Beta", at(17, 10), at(17, 9), entry_id="reversed"),
        entry("Gamma", at(18, 9), at(18, 10)),
    ]
    table = aggregate(entries, W47, LONDON, NOON_WED)
    assert table.clients == ["Gamma"] and table.total_hours == 1.0 and table.entry_count == 1
    assert table.notes == (
        "Entry zero (Acme, Mon 16 Nov 09:00) ends at its start (Mon 16 Nov 09:00); counted as 0 h.",
        "Entry reversed (Beta, Tue 17 Nov 10:00) ends before it starts (Tue 17 Nov 09:00); "
        "counted as 0 h.",
    )


def test_overlapping_entries_of_one_user_are_counted_as_recorded_and_noted() -> None:
    entries = [
        entry("Acme", at(16, 9), at(16, 11), user="u1"),
        entry("Beta", at(16, 10, 30), at(16, 12), user="u1"),  # 30 min inside Acme
        entry("Gamma", at(16, 9), at(16, 17), user="u2"),  # another person: not an overlap
        entry("Acme", at(17, 9), at(17, 10), user="u1"),
        entry("Acme", at(17, 9), at(17, 10), user="u1"),  # recorded twice
    ]
    table = aggregate(entries, W47, LONDON, NOON_WED)
    zero = [0.0, 0.0, 0.0, 0.0]
    check(
        table,
        ["Acme", "Beta", "Gamma"],
        [
            [2.0, 1.5, 8.0, 11.5],
            [2.0, 0.0, 0.0, 2.0],
            zero,
            zero,
            zero,
            zero,
            zero,
            [4.0, 1.5, 8.0, 13.5],
        ],
    )
    assert table.notes == (
        "User u1: Acme (Mon 16 Nov 09:00–11:00) and Beta (Mon 16 Nov 10:30–12:00) overlap by "
        "30 min; both are counted as recorded.",
        "User u1: Acme (Tue 17 Nov 09:00–10:00) and Acme (Tue 17 Nov 09:00–10:00) overlap by "
        "1 h 00 min; both are counted as recorded.",
    )


def test_overlap_inside_the_period_only_and_notes_are_capped() -> None:
    # Overlap before the week starts is not this week's business.
    before = [entry("A", at(15, 20), at(16, 1)), entry("B", at(15, 21), at(15, 23))]
    assert aggregate(before, W47, LONDON, NOON_WED).notes == ()
    # Fifteen copies of one timer: 14 overlaps, ten described, the rest counted.
    copies = [entry("A", at(16, 9), at(16, 10)) for _ in range(15)]
    notes = aggregate(copies, W47, LONDON, NOON_WED).notes
    assert len(notes) == 11 and notes[-1] == "… and 4 more overlaps."
    assert notes[0].startswith("A (Mon 16 Nov 09:00–10:00) and A (Mon 16 Nov 09:00–10:00)")


def test_clients_sorted_case_insensitively_with_special_names_kept_apart() -> None:
    names = ["beta", "Acme", "alpha", "Zed", "Beta", "", "Total"]
    entries = [
        entry(name, at(16, 9 + i), at(16, 10 + i), user=f"u{i}") for i, name in enumerate(names)
    ]
    table = aggregate(entries, W47, LONDON, NOON_WED)
    assert table.clients == [
        "(no client)",
        "Acme",
        "alpha",
        "Beta",
        "beta",
        "Total (client)",
        "Zed",
    ]
    assert table.total_hours == 7.0
    assert (
        'The client "Total" is shown as "Total (client)" to keep the totals apart.' in table.notes
    )


def test_invalid_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        aggregate([], W47, LONDON, datetime(2026, 11, 18, 12))
    with pytest.raises(ValueError, match="rounding must be one of nearest, up, down"):
        aggregate([], W47, LONDON, NOON_WED, round_minutes=15, rounding="sideways")
    with pytest.raises(ValueError, match="round_minutes"):
        aggregate([], W47, LONDON, NOON_WED, round_minutes=-6)


def test_split_by_day_on_literal_boundaries() -> None:
    bounds = np.array([0, 10, 20, 30], dtype=np.int64)
    starts = np.array([5, -5, 12, 25, 18], dtype=np.int64)
    ends = np.array([25, 40, 12, 15, 22], dtype=np.int64)
    assert split_by_day(starts, ends, bounds).tolist() == [
        [5, 10, 5],  # 5..25 across three days
        [10, 10, 10],  # clipped on both sides
        [0, 0, 0],  # empty
        [0, 0, 0],  # reversed
        [0, 2, 2],  # over the 20 boundary
    ]
