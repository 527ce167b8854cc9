"""Which target counts for a user, a client and a week (pure): the week's own row, else the
every-week row, else the Clients database's Weekly target."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final, Literal

from timesheet.clients.model import ClientInfo
from timesheet.targets.schema import TargetRow

__all__ = [
    "MAX_HOURS",
    "Source",
    "Target",
    "WeekTargets",
    "current_rows",
    "usable_hours",
    "week_targets",
]

#: A week has 168 hours: a target above that can't be met (0 < hours <= MAX_HOURS).
MAX_HOURS: Final = 168.0

Source = Literal["week", "every week", "clients"]
_KEY = tuple[str, str, date | None]


def usable_hours(hours: float | None) -> bool:
    """Whether ``hours`` can be a target: a number in (0, 168]."""
    return hours is not None and 0 < hours <= MAX_HOURS


@dataclass(frozen=True, slots=True)
class Target:
    """One client's target for a week and where it came from (``row`` is None for Clients)."""

    client: str
    hours: float
    source: Source
    row: TargetRow | None = None


@dataclass(frozen=True, slots=True)
class WeekTargets:
    """A user's targets for the week starting ``week``, by client (case-insensitive order),
    and notes on rows that were ignored."""

    user_id: str
    week: date
    targets: tuple[Target, ...]
    notes: tuple[str, ...] = ()

    def for_client(self, client: str) -> Target | None:
        folded = client.casefold()
        return next((t for t in self.targets if t.client.casefold() == folded), None)


def _week_text(week: date | None) -> str:
    return "every week" if week is None else f"week of {week.isoformat()}"


def current_rows(rows: Iterable[TargetRow]) -> tuple[dict[_KEY, TargetRow], list[str]]:
    """One row per (user, client case-insensitively, week or every week): the one edited last
    (`TargetRow.newness`). Rows without a user are nobody's; rows without a client or with
    hours outside (0, 168] are ignored. Returns the rows kept by key, and a note for every row
    ignored (rows with a client and a user only, so a user's notes are about their rows)."""
    groups: dict[_KEY, list[TargetRow]] = defaultdict(list)
    notes: list[str] = []
    for row in rows:
        if not row.user_id:
            continue
        if not row.client:
            notes.append(f"Targets row {row.ref} has no Client: ignored.")
            continue
        if not usable_hours(row.hours):
            notes.append(
                f"Targets row {row.ref} ({row.client}, {_week_text(row.week)}) needs Hours "
                f"above 0 and at most {MAX_HOURS:g}: ignored."
            )
            continue
        groups[(row.user_id, row.client.casefold(), row.week)].append(row)
    kept: dict[_KEY, TargetRow] = {}
    for key, group in groups.items():
        group.sort(key=lambda r: r.newness, reverse=True)
        kept[key] = group[0]
        if len(group) > 1:
            ignored = ", ".join(r.ref for r in group[1:])
            notes.append(
                f"{len(group)} Targets rows for {group[0].client} ({_week_text(key[2])}): "
                f"used the one edited last ({group[0].ref}); ignored {ignored}."
            )
    return kept, notes


def week_targets(
    rows: Iterable[TargetRow],
    user_id: str,
    week: date,
    clients: Sequence[ClientInfo] = (),
) -> WeekTargets:
    """``user_id``'s targets for the week whose first day is ``week``: a row for that week
    overrides the every-week row of the same client; a non-archived client's Weekly target is
    the fallback for clients with neither. Rows of other users and other weeks are left out."""
    mine = [r for r in rows if r.user_id == user_id and r.week in (None, week)]
    kept, notes = current_rows(mine)
    chosen: dict[str, Target] = {}
    for (_, folded, row_week), row in sorted(kept.items(), key=lambda kv: kv[0][2] is not None):
        assert row.hours is not None
        source: Source = "every week" if row_week is None else "week"
        chosen[folded] = Target(row.client, row.hours, source, row)  # the week's row last: wins
    for info in clients:
        folded = info.name.strip().casefold()
        if info.archived or not folded or folded in chosen:
            continue
        if usable_hours(info.weekly_target):
            assert info.weekly_target is not None
            chosen[folded] = Target(info.name.strip(), info.weekly_target, "clients")
    ordered = sorted(chosen.values(), key=lambda t: (t.client.casefold(), t.client))
    return WeekTargets(user_id, week, tuple(ordered), tuple(notes))
