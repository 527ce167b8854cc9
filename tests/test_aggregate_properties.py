"""Property-based tests of the aggregation: nothing lost at midnight, totals and rounding add up."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from timesheet.entries.model import TimeEntry
from timesheet.reports.aggregate import TOTAL, WeekTable, aggregate, split_by_day
from timesheet.reports.micros import to_microseconds
from timesheet.reports.week import Period, day_bounds, local_midnight, period_days, week_period

ZONES = [
    ZoneInfo(name)
    for name in (
        "Europe/London",
        "America/New_York",
        "Australia/Sydney",
        "Australia/Lord_Howe",  # 30-minute DST shift
        "America/Santiago",  # DST changes at midnight
        "Asia/Kolkata",
        "UTC",
    )
]
# DST weeks of 2026 in those zones, plus ordinary ones.
SPECS = [
    "2026-W10",
    "2026-W13",
    "2026-W14",
    "2026-W15",
    "2026-W36",
    "2026-W40",
    "2026-W43",
    "2026-W44",
    "2026-W47",
    "2026-W53",
]
CLIENTS = ["Acme", "beta", "Beta", "Zed & Co"]
MAX_EXAMPLES = 60
HOUR_US = 3_600_000_000


# (zone, week) pairs whose week contains a clock change, drawn half of the time.
DST_WEEKS = [
    ("Europe/London", "2026-W13"),
    ("Europe/London", "2026-W43"),
    ("America/New_York", "2026-W10"),
    ("America/New_York", "2026-W44"),
    ("Australia/Sydney", "2026-W14"),
    ("Australia/Sydney", "2026-W40"),
    ("Australia/Lord_Howe", "2026-W14"),
    ("America/Santiago", "2026-W36"),
]

#: What `scenarios()` draws: a zone, a week in it, the moment "now" and the entries.
Scenario = tuple[ZoneInfo, Period, datetime, list[TimeEntry]]


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    if draw(st.booleans()):
        name, spec = draw(st.sampled_from(DST_WEEKS))
        tz = ZoneInfo(name)
    else:
        tz, spec = draw(st.sampled_from(ZONES)), draw(st.sampled_from(SPECS))
    period = week_period(spec, tz, draw(st.integers(0, 6)))
    # Entries start anywhere from 2 days before to 2 days after the week, or close to a local
    # midnight (where splitting happens).
    origin = period.start.astimezone(UTC) - timedelta(days=2)
    anywhere = st.integers(0, 11 * 86_400).map(lambda s: origin + timedelta(seconds=s))
    midnights = [b.astimezone(UTC) for b in day_bounds(period, tz)]
    near_midnight = st.builds(
        lambda b, s: b + timedelta(seconds=s),
        st.sampled_from(midnights),
        st.integers(-4 * 3600, 4 * 3600),
    )
    moments = st.one_of(anywhere, near_midnight)
    now = draw(moments)
    entries = []
    for i in range(draw(st.integers(0, 25))):
        start = draw(moments) + timedelta(microseconds=draw(st.integers(0, 999_999)))
        kind = draw(st.sampled_from(["closed", "closed", "closed", "running", "reversed"]))
        if kind == "running":
            end = None
        else:
            length = timedelta(seconds=draw(st.integers(0, 3 * 86_400)))
            end = start - length if kind == "reversed" else start + length
        entries.append(
            TimeEntry(
                f"e{i}",
                draw(st.sampled_from(["u1", "u2"])),
                draw(st.sampled_from(CLIENTS)),
                "x",
                start.astimezone(tz),
                None if end is None else end.astimezone(tz),
            )
        )
    return tz, period, now, entries


def clipped(entry: TimeEntry, lo: datetime, hi: datetime, now: datetime) -> timedelta:
    """The oracle: the part of the entry inside [lo, hi), with plain datetime arithmetic in UTC."""
    start = max(entry.start.astimezone(UTC), lo.astimezone(UTC))
    end = min((entry.end or now).astimezone(UTC), hi.astimezone(UTC))
    return max(end - start, timedelta(0))


def column(table: WeekTable, client: str) -> list[float]:
    return table.hours[client].to_numpy(dtype=float).tolist()


@settings(max_examples=MAX_EXAMPLES, deadline=None)
@given(scenarios())
def test_totals_equal_the_sum_of_clipped_durations(scenario: Scenario) -> None:
    tz, period, now, entries = scenario
    table = aggregate(entries, period, tz, now)
    expected = sum((clipped(e, period.start, period.end, now) for e in entries), timedelta(0))
    assert abs(table.total_hours - expected / timedelta(hours=1)) < 1e-9
    for client in table.clients:
        mine = [e for e in entries if e.client == client]
        want = sum((clipped(e, period.start, period.end, now) for e in mine), timedelta(0))
        assert abs(column(table, client)[-1] - want / timedelta(hours=1)) < 1e-9
    # Each day's cell against the oracle on that local day.
    for i, day in enumerate(table.days):
        lo = max(local_midnight(day, tz), period.start, key=lambda d: d.astimezone(UTC))
        hi = min(
            local_midnight(day + timedelta(days=1), tz), period.end, key=lambda d: d.astimezone(UTC)
        )
        want = sum((clipped(e, lo, hi, now) for e in entries), timedelta(0))
        assert abs(column(table, TOTAL)[i] - want / timedelta(hours=1)) < 1e-9


@settings(max_examples=MAX_EXAMPLES, deadline=None)
@given(scenarios())
def test_splitting_at_midnight_never_loses_or_adds_a_microsecond(scenario: Scenario) -> None:
    tz, period, now, entries = scenario
    bounds = np.array([to_microseconds(b) for b in day_bounds(period, tz)], dtype=np.int64)
    starts = np.array([to_microseconds(e.start) for e in entries], dtype=np.int64)
    ends = np.array([to_microseconds(e.end or now) for e in entries], dtype=np.int64)
    parts = split_by_day(starts, ends, bounds)
    assert parts.shape == (len(entries), len(period_days(period, tz)))
    assert (parts >= 0).all()
    assert (parts <= np.diff(bounds)).all()  # no day gets more than its 23, 24 or 25 hours
    for row, e in zip(parts.tolist(), entries, strict=True):
        assert sum(row) == clipped(e, period.start, period.end, now) // timedelta(microseconds=1)


@settings(max_examples=MAX_EXAMPLES, deadline=None)
@given(
    scenarios(),
    st.sampled_from([1, 5, 6, 10, 15, 30, 60]),
    st.sampled_from(["nearest", "up", "down"]),
)
def test_rounding_keeps_rows_and_columns_adding_up(
    scenario: Scenario, step: int, mode: str
) -> None:
    tz, period, now, entries = scenario
    raw = aggregate(entries, period, tz, now)
    table = aggregate(entries, period, tz, now, round_minutes=step, rounding=mode)
    assert table.clients == raw.clients
    body = table.hours.to_numpy(dtype=float)
    cells = body[:-1, :-1]
    # Every cell is a whole number of steps...
    steps = cells * 60 / step
    assert np.allclose(steps, np.round(steps), atol=1e-9)
    # ...within one step of the exact value, on the side the mode says.
    delta = cells - raw.hours.to_numpy(dtype=float)[:-1, :-1]
    unit = step / 60
    if mode == "up":
        assert (delta > -1e-9).all() and (delta < unit + 1e-9).all()
    elif mode == "down":
        assert (delta < 1e-9).all() and (delta > -unit - 1e-9).all()
    else:
        assert (np.abs(delta) <= unit / 2 + 1e-9).all()
    # Totals are the sums of the shown cells: rows, columns and the grand total.
    assert np.allclose(body[:-1, -1], cells.sum(axis=1), atol=1e-9)
    assert np.allclose(body[-1, :-1], cells.sum(axis=0), atol=1e-9)
    assert abs(body[-1, -1] - cells.sum()) < 1e-9
    assert abs(body[-1, -1] - body[:-1, -1].sum()) < 1e-9
    # And the shown two-decimal strings add up whenever a step is a whole number of 0.01 h.
    if step % 3 == 0:
        shown = np.round(cells * 100).astype(int)
        assert shown.sum() == round(body[-1, -1] * 100)


@settings(max_examples=MAX_EXAMPLES, deadline=None)
@given(scenarios())
def test_every_overlap_inside_the_period_is_reported(scenario: Scenario) -> None:
    tz, period, now, entries = scenario
    lo, hi = period.start.astimezone(UTC), period.end.astimezone(UTC)

    def inside(e: TimeEntry) -> tuple[datetime, datetime]:
        return max(e.start.astimezone(UTC), lo), min((e.end or now).astimezone(UTC), hi)

    # Brute force: per user, in start order, an entry that begins before an earlier one ends.
    expected = 0
    for user in {e.user_id for e in entries}:
        spans = sorted(s for s in (inside(e) for e in entries if e.user_id == user) if s[1] > s[0])
        expected += sum(
            1 for i, (start, _) in enumerate(spans) if any(start < end for _, end in spans[:i])
        )
    notes = [n for n in aggregate(entries, period, tz, now).notes if "overlap" in n]
    if expected <= 10:
        assert len(notes) == expected
    else:
        assert len(notes) == 11 and notes[-1] == f"… and {expected - 10} more overlaps."


def test_days_are_local_calendar_days_in_order() -> None:
    tz = ZoneInfo("Australia/Lord_Howe")
    period = week_period("2026-W14", tz)  # clocks back 30 min on Sun 5 Apr
    table = aggregate([], period, tz, period.end)
    assert table.days == [date(2026, 3, 30) + timedelta(days=i) for i in range(7)]
    assert table.notes == ("Sun 5 Apr 2026 has 24.5 hours (clocks went back).",)
