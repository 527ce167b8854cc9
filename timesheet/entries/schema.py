"""The Notion schema of the time-entry database: names, types, checks and page conversion."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from notion_client import (
    Checkbox,
    DataSource,
    Date,
    Page,
    PropertySchema,
    PropertyValue,
    RichText,
    Select,
    Title,
)
from timesheet.entries.model import TimeEntry

__all__ = [
    "CLIENT",
    "END",
    "END_BEFORE_START",
    "ENTRY_ID",
    "HOURS",
    "HOURS_EXPRESSION",
    "NAME",
    "NOTE",
    "OPTIONAL_PROPERTIES",
    "PAUSED",
    "PROPERTY_TYPES",
    "START",
    "USER",
    "MalformedEntryError",
    "SchemaProblem",
    "SkippedPage",
    "check_schema",
    "expected_schema",
    "from_page",
    "parse_page",
    "property_problems",
    "start_of",
    "to_properties",
]

NAME: Final = "Name"
CLIENT: Final = "Client"
START: Final = "Start"
END: Final = "End"
USER: Final = "User"
ENTRY_ID: Final = "Entry ID"
NOTE: Final = "Note"
HOURS: Final = "Hours"
#: Ticked on a page ended by a pause (cleared on resume, or by /end while paused).
PAUSED: Final = "Paused"

#: Notion formula 2.0: hours between Start and End to two decimals, empty while running.
HOURS_EXPRESSION: Final = (
    'if(empty(prop("End")), toNumber(""), '
    'round(dateBetween(prop("End"), prop("Start"), "minutes") / 60 * 100) / 100)'
)

#: Why a page whose End is before its Start is not a usable entry.
END_BEFORE_START: Final = f"{END} is before {START}"

#: Property name -> Notion property type, in the order the database shows them.
PROPERTY_TYPES: Final[Mapping[str, str]] = {
    NAME: "title",
    CLIENT: "select",
    START: "date",
    END: "date",
    USER: "rich_text",
    ENTRY_ID: "rich_text",
    NOTE: "rich_text",
    HOURS: "formula",
    PAUSED: "checkbox",
}

#: Properties only people read; the code works without them.
OPTIONAL_PROPERTIES: Final = frozenset({HOURS, PAUSED})


def expected_schema(preset_clients: Iterable[str] = ()) -> dict[str, PropertySchema]:
    """The schema `timetrack setup` creates; Client options come from the presets."""
    schema: dict[str, PropertySchema] = {}
    for name, kind in PROPERTY_TYPES.items():
        if kind == "select":
            options = tuple(dict.fromkeys(c for c in preset_clients if c.strip()))
            schema[name] = PropertySchema(name, kind, options=options)
        elif kind == "formula":
            schema[name] = PropertySchema(name, kind, expression=HOURS_EXPRESSION)
        else:
            schema[name] = PropertySchema(name, kind)
    return schema


@dataclass(frozen=True, slots=True)
class SchemaProblem:
    """One property that is missing (``actual is None``) or of the wrong type."""

    name: str
    expected: str
    actual: str | None = None
    required: bool = True
    hint: str = ""

    @property
    def missing(self) -> bool:
        return self.actual is None

    @property
    def fixable(self) -> bool:
        """`setup --fix` can add it: missing, and not the (single) title property."""
        return self.missing and self.expected != "title"

    def __str__(self) -> str:
        if self.actual is None:
            text = f'missing property "{self.name}" ({self.expected})'
        else:
            text = f'"{self.name}" is {self.actual}, expected {self.expected}'
        return f"{text}; {self.hint}" if self.hint else text


def check_schema(ds: DataSource) -> list[SchemaProblem]:
    """Exactly what is missing or of the wrong type, in the pinned property order."""
    return property_problems(ds, PROPERTY_TYPES, optional=OPTIONAL_PROPERTIES)


def property_problems(
    ds: DataSource, types: Mapping[str, str], *, optional: Collection[str] = ()
) -> list[SchemaProblem]:
    """Each of ``types`` (name -> Notion type, in order) that ``ds`` lacks or has with another
    type; a missing title says what the title property is called now. The one schema check
    of every database timetrack uses (entries, Clients, Targets)."""
    problems: list[SchemaProblem] = []
    titles = [p.name for p in ds.properties.values() if p.type == "title"]
    for name, kind in types.items():
        required = name not in optional
        found = ds.properties.get(name)
        if found is None:
            hint = ""
            if kind == "title" and titles:
                hint = f'the title property is "{titles[0]}": rename it to "{name}" in Notion'
            problems.append(SchemaProblem(name, kind, None, required, hint))
        elif found.type != kind:
            hint = "change its type in Notion (setup does not change types)"
            problems.append(SchemaProblem(name, kind, found.type, required, hint))
    return problems


def to_properties(entry: TimeEntry) -> dict[str, PropertyValue]:
    """The property values of ``entry`` as written to Notion (End left out while running)."""
    props: dict[str, PropertyValue] = {
        NAME: Title(entry.name),
        CLIENT: Select(entry.client or None),
        START: Date(entry.start),
        USER: RichText(entry.user_id),
        ENTRY_ID: RichText(entry.entry_id),
        NOTE: RichText(entry.note),
    }
    if entry.end is not None:
        props[END] = Date(entry.end)
    if entry.paused:  # only then: a database without Paused still takes every other write
        props[PAUSED] = Checkbox(True)
    return props


class MalformedEntryError(ValueError):
    """A page of the database that is not a usable time entry (e.g. Start emptied in Notion)."""

    def __init__(self, page_id: str, url: str, reason: str) -> None:
        super().__init__(f"page {url or page_id}: {reason}")
        self.page_id = page_id
        self.url = url
        self.reason = reason


def _checked(props: Mapping[str, PropertyValue], name: str) -> bool:
    value = props.get(name)
    return isinstance(value, Checkbox) and value.value


def _text(props: Mapping[str, PropertyValue], name: str) -> str:
    value = props.get(name)
    if isinstance(value, Title | RichText):
        return value.text
    return ""


def _moment(props: Mapping[str, PropertyValue], name: str) -> datetime | str | None:
    """The aware datetime in a date property, None when empty, or a reason it is unusable."""
    value = props.get(name)
    if value is None:
        return f"no {name} property"
    if not isinstance(value, Date):
        return f"{name} is not a date property"
    start = value.start
    if start is None:
        return None
    if not isinstance(start, datetime):
        return f"{name} has a date but no time"
    if start.tzinfo is None or start.utcoffset() is None:
        return f"{name} has no time zone"
    return start


def start_of(page: Page) -> datetime | None:
    """The page's Start as an aware datetime, or None when it is unusable."""
    start = _moment(page.properties, START)
    return start if isinstance(start, datetime) else None


def from_page(page: Page) -> TimeEntry:
    """The entry stored in ``page``; raises MalformedEntryError when Start/End are unusable."""
    props = page.properties
    start = _moment(props, START)
    if start is None:
        raise MalformedEntryError(page.id, page.url, f"{START} is empty")
    if isinstance(start, str):
        raise MalformedEntryError(page.id, page.url, start)
    end = _moment(props, END)
    if isinstance(end, str):
        raise MalformedEntryError(page.id, page.url, end)
    if end is not None and end < start:
        raise MalformedEntryError(page.id, page.url, END_BEFORE_START)
    client = props.get(CLIENT)
    return TimeEntry(
        entry_id=_text(props, ENTRY_ID),
        user_id=_text(props, USER),
        client=(client.name or "") if isinstance(client, Select) else "",
        name=_text(props, NAME),
        start=start,
        end=end,
        note=_text(props, NOTE),
        page_id=page.id,
        url=page.url,
        edited_at=page.last_edited_time,
        created_at=page.created_time,
        paused=_checked(props, PAUSED),
    )


@dataclass(frozen=True, slots=True)
class SkippedPage:
    """A page of the database that is not a usable entry, and whose it is (its User text)."""

    page_id: str
    url: str
    reason: str
    user_id: str = ""

    def __str__(self) -> str:
        return f"page {self.url or self.page_id}: {self.reason}"


def parse_page(page: Page) -> tuple[TimeEntry | None, SkippedPage | None]:
    """``(entry, None)``, or ``(None, why)`` for a page that is not a usable entry."""
    try:
        return from_page(page), None
    except MalformedEntryError as exc:
        user = _text(page.properties, USER)
        return None, SkippedPage(exc.page_id, exc.url, exc.reason, user)
