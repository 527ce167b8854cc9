"""The notes targets and budgets add to a report, through the real pipeline on the in-memory
Notion: a target line per target of the table's user, a burn-down line per client with a
Budget and time in the table (everyone's hours of the month), and what each costs in requests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from notionkit import ALICE, BOB, make_entry, notion_env, seed_entry

from timesheet.clients.model import ClientInfo
from timesheet.reports.report import ReportOptions, build_timesheets
from timesheet.reports.week import named_period, week_period
from timesheet.targets.report_notes import load_report_extras, week_of_period
from timesheet.targets.schema import expected_schema
from timesheet.targets.spec import TargetWeek
from timesheet.targets.store import TargetStore

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 20, 17, 30, tzinfo=LONDON)  # Fri, week 2026-W47
MONDAY = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
CLIENTS = [
    ClientInfo("Acme", weekly_target=10, budget=20),
    ClientInfo("Globex", weekly_target=5),
    ClientInfo("Initech", budget=30),  # no time in the table: no line
    ClientInfo("Umbrella", weekly_target=9, budget=1, archived=True),
]


async def test_target_and_budget_notes_per_user_table() -> None:
    async with notion_env(("Acme", "Globex")) as env:
        for n, (user, client, start, hours) in enumerate(
            [
                (ALICE, "Acme", MONDAY, 8),
                (ALICE, "Acme", MONDAY + timedelta(days=1), 6.5),
                (ALICE, "Globex", MONDAY + timedelta(days=2), 3),
                (BOB, "Acme", datetime(2026, 11, 3, 9, tzinfo=UTC), 2),  # earlier this month
                (BOB, "Umbrella", MONDAY, 1),
            ],
            start=1,
        ):
            entry = make_entry(n, user=user, client=client, start=start, minutes=hours * 60)
            seed_entry(env.fake, env.ds_id, entry)
        parent = env.fake.add_parent_page("Team")
        targets_id, _ = env.fake.add_database(parent, "Targets", expected_schema())
        targets = TargetStore(env.client, targets_id)
        await targets.set_target(ALICE, "Acme", TargetWeek(None, "every week"), 20)

        opts = ReportOptions(tz=LONDON)
        period = week_period("2026-W47", LONDON, 0)
        before = env.snapshot()
        extras = await load_report_extras(env.store, targets, period, opts, NOW, clients=CLIENTS)
        # the Targets database (its data source, then one query), the month (one query)
        assert env.since(before) == {"retrieve_database": 1, "query_data_source": 2}
        assert extras.month_used == {"Acme": 16.5, "Globex": 3.0, "Umbrella": 1.0}

        sheets = await build_timesheets(
            env.store, period, opts, NOW, per_user=True, extra_notes=extras.notes
        )
        alice, bob = sheets
        burn = "Acme: 16.5 of 20 h this month; at this pace it runs out Tue 24 Nov"
        assert alice.extra_notes == (
            "Acme 14.50 / 20 h this week (72%)",  # her own row over the Clients' 10
            "Globex 3.00 / 5 h this week (60%)",  # the Clients' Weekly target
            burn,
        )
        assert alice.table.notes[-3:] == alice.extra_notes
        assert "• Acme 14.50 / 20 h this week (72%)" in "\n".join(alice.messages)
        # Bob tracked nothing for Acme this week (no fallback line), and Umbrella is archived.
        assert bob.user_id == BOB and bob.extra_notes == ()

        (everyone,) = await build_timesheets(env.store, period, opts, NOW, extra_notes=extras.notes)
        assert everyone.extra_notes == (burn,)  # targets are per user


async def test_no_targets_database_and_no_budgets_cost_no_request() -> None:
    async with notion_env(("Acme",)) as env:
        opts = ReportOptions(tz=LONDON)
        period = week_period("2026-W47", LONDON, 0)
        before = env.snapshot()
        extras = await load_report_extras(env.store, None, period, opts, NOW)
        assert env.since(before) == {}
        assert (
            extras.notes(ALICE, (await build_timesheets(env.store, period, opts, NOW))[0].table)
            == []
        )


def test_only_a_whole_week_gets_target_lines() -> None:
    week = week_period("2026-W47", LONDON, 0)
    assert week_of_period(week, LONDON, 0) == datetime(2026, 11, 16).date()
    assert week_of_period(week, LONDON, 6) is None  # not a Sunday week
    days = named_period("2026-11-16..2026-11-18", LONDON, 0, NOW)
    assert week_of_period(days, LONDON, 0) is None


async def test_set_costs_one_query_and_one_write() -> None:
    async with notion_env(("Acme",)) as env:
        parent = env.fake.add_parent_page("Team")
        targets_id, _ = env.fake.add_database(parent, "Targets", expected_schema())
        targets = TargetStore(env.client, targets_id)
        every = TargetWeek(None, "every week")
        before = env.snapshot()
        created = await targets.set_target(ALICE, "Acme", every, 20)
        assert created.created
        assert env.since(before) == {
            "retrieve_database": 1,
            "query_data_source": 1,
            "create_page": 1,
        }
        before = env.snapshot()
        updated = await targets.set_target(ALICE, "ACME", every, 25)
        assert not updated.created and updated.previous == 20
        assert env.since(before) == {"query_data_source": 1, "update_page": 1}
        before = env.snapshot()
        removed = await targets.set_target(ALICE, "acme", every, 0)
        assert removed.removed == 1 and removed.row is None
        assert env.since(before) == {"query_data_source": 1, "update_page": 1}  # to the trash


async def test_the_notes_are_read_while_the_period_is() -> None:
    """Targets and budgets cost Notion requests of their own: given as an awaitable, they are
    read at the same time as the period's entries, not before them."""
    import asyncio

    from timesheet.entries.store import Overlapping

    order: list[str] = []

    async def notes() -> object:
        order.append("notes start")
        await asyncio.sleep(0.01)
        order.append("notes end")
        return lambda user, table: ["Acme 1.00 / 2 h this week (50%)"]

    class Store:
        async def scan_overlapping(self, *args: object, **kwargs: object) -> Overlapping:
            order.append("scan start")
            await asyncio.sleep(0.01)
            order.append("scan end")
            return Overlapping([make_entry(1, user=ALICE, start=MONDAY, minutes=60)], [])

    period = week_period("2026-W47", LONDON, 0, NOW)
    opts = ReportOptions(tz=LONDON)
    (sheet,) = await build_timesheets(Store(), period, opts, NOW, extra_notes=notes())  # type: ignore[arg-type]
    assert order.index("notes start") < order.index("scan end")
    assert order.index("scan start") < order.index("notes end")
    assert sheet.extra_notes == ("Acme 1.00 / 2 h this week (50%)",)
