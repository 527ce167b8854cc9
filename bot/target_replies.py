"""What `timetrack target` and `/target` share: the Targets store of the model, setting a
target and the reply, the rows of `target show`, and the extra notes of a report."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Final

from bot.model import Model
from notion_client import NotionError
from timesheet.clients.model import ClientInfo
from timesheet.entries.checks import check_client
from timesheet.entries.store_errors import NoDataSourceError
from timesheet.reports.report import ExtraNotes, ReportOptions
from timesheet.reports.week import WEEK_CHOICES, Period
from timesheet.targets.errors import InvalidTarget, TargetsError
from timesheet.targets.progress import compact_hours
from timesheet.targets.report_notes import load_report_extras
from timesheet.targets.show import TargetsShown, week_against_targets
from timesheet.targets.spec import TargetWeek, parse_hours, target_week
from timesheet.targets.store import TargetStore

__all__ = [
    "NOT_SET_UP",
    "UNREAD",
    "TargetsShown",
    "client_infos",
    "report_extra_notes",
    "set_target",
    "show_targets",
    "target_store",
]

#: The note of a report whose targets and budgets Notion could not give.
UNREAD: Final = "Targets and budgets could not be read from Notion this time."
NOT_SET_UP: Final = (
    "Targets are not set up: set NOTION_TARGETS_DATABASE_ID (`timetrack setup` creates the "
    "database)."
)

_log = logging.getLogger("timetrack.bot")


def target_store(model: Model) -> TargetStore:
    """The Targets database of the model's settings; InvalidTarget when there is none."""
    if model.targets is None:
        raise InvalidTarget(NOT_SET_UP)
    return model.targets


async def client_infos(model: Model) -> Sequence[ClientInfo]:
    """The Clients database's rows (Weekly target, Budget), read at most once a TTL; none when
    NOTION_CLIENTS_DATABASE_ID is unset or the database can't be read (then a log line: the
    report and the targets still answer, without Clients fallbacks and budgets)."""
    if not model.clients.has_database:
        return ()
    try:
        return await model.clients.clients()
    except (NotionError, NoDataSourceError) as exc:
        _log.warning("could not read the Clients database: %s", type(exc).__name__)
        return ()


async def set_target(
    model: Model, user_id: str, client: str, hours_text: str, week: str | None, *, every: bool
) -> str:
    """Set (or with 0 remove) ``user_id``'s target for ``week`` (every week when None) and say
    what changed, in one or two lines. Bad hours, week or client: InvalidTarget /
    InvalidInput before anything is written."""
    hours = parse_hours(hours_text)
    settings = model.settings
    every = every or week is None
    chosen = target_week(week, settings.timezone, settings.week_start, model.now(), every=every)
    store = target_store(model)
    name = check_client(
        client, await model.client_choices(), presets_only=settings.presets_only, custom=False
    )
    result = await store.set_target(user_id, name, chosen, hours)
    what = f"{name}, {_week_words(chosen)}"
    if hours == 0:
        line = f"Removed the target for {what}." if result.removed else f"No target for {what}."
    elif result.created:
        line = f"Target for {what}: {compact_hours(hours)} h."
    else:
        before = "" if result.previous is None else f" (was {compact_hours(result.previous)} h)"
        line = f"Target for {what}: {compact_hours(hours)} h{before}."
    if result.ignored:
        others = ", ".join(r.ref for r in result.ignored)
        line += f"\nOther copies of this target in Notion are ignored: {others}."
    return line


def _week_words(week: TargetWeek) -> str:
    return "every week" if week.every else f"week {week.label}"


async def show_targets(model: Model, user_id: str, week: str | None) -> TargetsShown:
    """``user_id``'s targets of the week (``this`` by default) against the hours tracked."""
    settings = model.settings
    chosen = target_week(week, settings.timezone, settings.week_start, model.now())
    if chosen.every:  # ``every`` names targets, not a week whose hours can be tracked
        raise InvalidTarget(f"the week must be {WEEK_CHOICES} (one week, not every week)")
    return await week_against_targets(
        model.store,
        target_store(model),
        user_id,
        chosen,
        ReportOptions.from_settings(settings),
        model.now(),
        clients=await client_infos(model),
    )


async def report_extra_notes(
    model: Model,
    period: Period,
    now: datetime,
    user_id: str | None = None,
    *,
    targets: bool = True,
) -> ExtraNotes | None:
    """The notes targets and budgets add to a report of ``period``: ``user_id``'s targets
    (every user's when None, for per-user tables; none without ``targets``, e.g. a table of
    everyone) and the budgets. None when there is nothing to say. They never hold the report
    back: if Notion can't give them, the report says so in one note."""
    clients = await client_infos(model)
    store = model.targets if targets else None
    if store is None and not clients:
        return None
    opts = ReportOptions.from_settings(model.settings)
    try:
        extras = await load_report_extras(
            model.store, store, period, opts, now, clients=clients, user_id=user_id
        )
    except (NotionError, NoDataSourceError, TargetsError) as exc:
        _log.warning("targets and budgets could not be read: %s", type(exc).__name__)
        return lambda user, table: [UNREAD]
    return extras.notes
