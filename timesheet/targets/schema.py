"""The Targets database: its properties, and one row of it as a typed value."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final, TypeVar

from notion_client import (
    DataSource,
    Date,
    Number,
    Page,
    PropertySchema,
    PropertyValue,
    RichText,
    Select,
    Title,
)
from timesheet.entries.schema import property_problems

__all__ = [
    "CLIENT",
    "HOURS",
    "NAME",
    "PROPERTY_TYPES",
    "USER",
    "WEEK",
    "TargetRow",
    "expected_schema",
    "row_from_page",
    "row_properties",
    "schema_problems",
    "week_first_day",
]

_T = TypeVar("_T")

NAME: Final = "Name"
CLIENT: Final = "Client"
USER: Final = "User"
WEEK: Final = "Week"
HOURS: Final = "Hours"

#: Property name -> Notion type, in the order the database shows them (pinned by the issue).
PROPERTY_TYPES: Final[Mapping[str, str]] = {
    NAME: "title",
    CLIENT: "select",
    USER: "rich_text",
    WEEK: "date",
    HOURS: "number",
}


def expected_schema() -> dict[str, PropertySchema]:
    """The schema `timetrack setup` creates."""
    return {name: PropertySchema(name, kind) for name, kind in PROPERTY_TYPES.items()}


def schema_problems(ds: DataSource) -> list[str]:
    """Each property missing or of another type, as a phrase (empty: the schema is fine)."""
    return [str(problem) for problem in property_problems(ds, PROPERTY_TYPES)]


def week_first_day(day: date, week_start: int) -> date:
    """The first day (per WEEK_START, 0 = Monday) of the week holding ``day``."""
    return day - timedelta(days=(day.weekday() - week_start) % 7)


@dataclass(frozen=True, slots=True)
class TargetRow:
    """One row of the Targets database: ``week`` is the first day of the week it is for, None
    for every week; ``hours`` is None when the row has no usable number."""

    page_id: str
    user_id: str
    client: str
    week: date | None
    hours: float | None
    edited: datetime
    created: datetime
    url: str = ""

    @property
    def ref(self) -> str:
        """The page's link, else its id (for notes)."""
        return self.url or f"page {self.page_id}"

    @property
    def newness(self) -> tuple[datetime, datetime, str]:
        """How rows for the same target are ranked: the latest edit wins (ties: the latest
        created, then the page id, so the choice never depends on query order)."""
        return (self.edited, self.created, self.page_id)


def row_from_page(page: Page, week_start: int) -> TargetRow:
    """A row from a page; properties missing or of another type read as empty, so a row
    broken by hand is named in notes rather than failing a report."""
    return TargetRow(
        page_id=page.id,
        user_id=_read(lambda: page.text(USER), "").strip(),
        client=(_read(lambda: page.select(CLIENT), None) or "").strip(),
        week=_week(_read(lambda: page.date(WEEK), None), week_start),
        hours=_read(lambda: page.number(HOURS), None),
        edited=page.last_edited_time,
        created=page.created_time,
        url=page.url,
    )


def row_properties(
    user_id: str, client: str, week: date | None, hours: float, label: str
) -> dict[str, PropertyValue]:
    """The values `target set` writes; ``label`` names the week in the title."""
    return {
        NAME: Title(f"{client} · {label}"),
        CLIENT: Select(client),
        USER: RichText(user_id),
        WEEK: Date(week),
        HOURS: Number(hours),
    }


def _read(get: Callable[[], _T], default: _T) -> _T:
    try:
        return get()
    except (KeyError, TypeError):
        return default


def _week(value: Date | None, week_start: int) -> date | None:
    if value is None or value.start is None:
        return None
    start = value.start
    day = start.date() if isinstance(start, datetime) else start
    return week_first_day(day, week_start)
