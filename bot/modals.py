"""The Edit and Adjust modals: their custom ids, their fields, and what a sent one changes.

A modal's custom id names what it acts on (``tt:edit:<ref>``, ``tt:adjust:<ref>``, like a
button's). Each prefilled field's own custom id carries a digest of the value it was opened
with (``start:<digest>``), so a sent modal tells which fields were changed without reading
Notion again, and only those are applied.
"""

from __future__ import annotations

import asyncio
import enum
import hashlib
from collections.abc import Awaitable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

import hikari

from bot.buttons import MAX_CUSTOM_ID, PREFIX
from bot.format import custom_name
from bot.typed import Read, duration_or_time, read_duration, read_time
from timesheet.entries.checks import normalise
from timesheet.entries.errors import InvalidEntryRef, InvalidInput, TrackerError
from timesheet.entries.model import TimeEntry, compact_id
from timesheet.entries.refs import notion_id
from timesheet.text import clip
from timesheet.tracking.edit_ops import Changes
from timesheet.tracking.tracker import MAX_TEXT_LENGTH

__all__ = [
    "MODAL_DEADLINE",
    "Field",
    "Modal",
    "ModalKind",
    "ModalTarget",
    "NotionTooSlow",
    "Submitted",
    "adjust_changes",
    "adjust_modal",
    "edit_changes",
    "edit_modal",
    "parse_modal_id",
    "submitted",
    "within_deadline",
]

#: Discord's limits: a modal's title and a field's label at most 45 characters, a
#: placeholder at most 100, at most 5 fields; a field's value at most 4,000.
MAX_TITLE: Final = 45
MAX_LABEL: Final = 45
MAX_PLACEHOLDER: Final = 100
#: Seconds a command or a click may spend reading the entry before it opens a modal: the
#: modal is the interaction's first response, due within Discord's 3 seconds.
MODAL_DEADLINE: Final = 2.5
#: How a time is shown in a field (in TIMEZONE), and how long a digest is (hex digits).
TIME_FORMAT: Final = "%Y-%m-%d %H:%M"
_DIGEST: Final = 12
#: The flag on the Client field of an entry named by its client: the Name follows the Client.
_NAMED_BY_CLIENT: Final = "n"


class ModalKind(enum.StrEnum):
    """Which modal; the value is what its custom id carries."""

    EDIT = "edit"
    ADJUST = "adjust"

    @property
    def command(self) -> str:
        """The name its log line carries: ``modal:edit``."""
        return f"modal:{self.value}"


class Field(enum.StrEnum):
    """A modal's fields (the first part of their custom ids)."""

    START = "start"
    END = "end"
    DURATION = "duration"
    CLIENT = "client"
    NOTE = "note"
    AMOUNT = "amount"


class NotionTooSlow(TrackerError):
    def __init__(self) -> None:
        super().__init__(
            "Notion is slow to answer right now, so the form could not open; nothing was "
            "changed. Try again in a moment."
        )


@dataclass(frozen=True, slots=True)
class ModalTarget:
    """A modal's custom id: ``kind`` on the entry ``ref`` names (a page id or Entry ID)."""

    kind: ModalKind
    ref: str

    @property
    def custom_id(self) -> str:
        return f"{PREFIX}:{self.kind.value}:{self.ref}"


def parse_modal_id(custom_id: str) -> ModalTarget | None:
    """The modal a custom id names; None when it is malformed or not one of ours."""
    parts = custom_id.split(":")
    if len(custom_id) > MAX_CUSTOM_ID or len(parts) != 3 or parts[0] != PREFIX:
        return None
    try:
        kind = ModalKind(parts[1])
    except ValueError:
        return None
    ref = notion_id(parts[2])
    return None if ref is None else ModalTarget(kind, ref)


class _ModalResponse(hikari.impl.InteractionModalBuilder):
    """hikari 2.7's modal response, built right: its own ``build`` puts each row in the HTTP
    answer as the ``(payload, files)`` pair a component builder returns, which Discord
    refuses (the REST call of gateway mode, ``create_modal_response``, gets it right)."""

    __slots__ = ()

    def build(
        self, entity_factory: hikari.api.EntityFactory, /
    ) -> tuple[dict[str, Any], Sequence[hikari.files.Resource[hikari.files.AsyncReader]]]:
        rows = [component.build()[0] for component in self.components]
        data = {"title": self.title, "custom_id": self.custom_id, "components": rows}
        return {"type": self.type, "data": data}, ()


@dataclass(frozen=True, slots=True)
class Modal:
    """A modal to open: its title, custom id and rows of text inputs."""

    title: str
    custom_id: str
    rows: Sequence[hikari.api.ComponentBuilder]

    def response(self) -> hikari.api.InteractionModalBuilder:
        """The interaction response opening it (both run modes)."""
        builder = _ModalResponse(title=self.title, custom_id=self.custom_id)
        for row in self.rows:
            builder.add_component(row)
        return builder


def _digest(value: str) -> str:
    return hashlib.blake2s(value.strip().encode(), digest_size=_DIGEST // 2).hexdigest()


def _input(
    field: Field,
    label: str,
    value: str,
    *,
    placeholder: str = "",
    required: bool = False,
    paragraph: bool = False,
    max_length: int = 100,
    flag: str = "",
) -> hikari.api.ComponentBuilder:
    custom_id = f"{field.value}:{_digest(value)}" + (f":{flag}" if flag else "")
    style = hikari.TextInputStyle.PARAGRAPH if paragraph else hikari.TextInputStyle.SHORT
    return hikari.impl.ModalActionRowBuilder().add_text_input(
        custom_id,
        clip(label, MAX_LABEL),
        style=style,
        placeholder=clip(placeholder, MAX_PLACEHOLDER) if placeholder else hikari.UNDEFINED,
        value=value or hikari.UNDEFINED,
        required=required,
        max_length=max_length,
    )


def local_text(moment: datetime, tz: ZoneInfo) -> str:
    """``2026-11-16 09:00``: a time as a field shows it (and takes it back)."""
    return f"{moment.astimezone(tz):{TIME_FORMAT}}"


def duration_text(span: timedelta) -> str:
    """``1h 20m``, ``45m``, ``30s``: a duration as a field shows it (and takes it back)."""
    seconds = max(int(span.total_seconds()), 0)
    if seconds < 60:
        return f"{seconds}s"
    hours, minutes = divmod(seconds // 60, 60)
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m"


def _ref(entry: TimeEntry) -> str:
    ref = notion_id(entry.page_id or entry.entry_id)
    if ref is None:
        raise InvalidEntryRef(entry.page_id or entry.entry_id)
    return ref


def edit_modal(entry: TimeEntry, tz: ZoneInfo) -> Modal:
    """The Edit modal, prefilled: Start, End and Duration (empty while it runs), Client, Note."""
    ref = _ref(entry)
    end = local_text(entry.end, tz) if entry.end is not None else ""
    duration = duration_text(entry.end - entry.start) if entry.end is not None else ""
    rows = [
        _input(
            Field.START,
            f"Start ({tz.key})",
            local_text(entry.start, tz),
            placeholder="YYYY-MM-DD HH:MM",
            required=True,
        ),
        _input(
            Field.END,
            f"End ({tz.key}; empty while it runs)",
            end,
            placeholder="YYYY-MM-DD HH:MM",
        ),
        _input(
            Field.DURATION,
            "Duration (keeps Start, moves End)",
            duration,
            placeholder="1h 20m, 80m or 1:20",
        ),
        _input(
            Field.CLIENT,
            "Client",
            entry.client,
            flag=_NAMED_BY_CLIENT if custom_name(entry) is None else "",
        ),
        _input(Field.NOTE, "Note", entry.note, paragraph=True, max_length=MAX_TEXT_LENGTH),
    ]
    short = compact_id(ref)[:8]
    return Modal(
        clip(f"Edit entry {short}", MAX_TITLE), ModalTarget(ModalKind.EDIT, ref).custom_id, rows
    )


def adjust_modal(ref: str) -> Modal:
    """The Adjust modal of the entry ``ref`` names: one field, a duration or an end time."""
    row = _input(
        Field.AMOUNT,
        "Effective duration or end time",
        "",
        placeholder="1h 20m keeps Start and moves End; 17:30 or 2026-11-30 17:30 sets End",
        required=True,
        max_length=40,
    )
    title = f"Adjust entry {compact_id(ref)[:8]}"
    return Modal(title, ModalTarget(ModalKind.ADJUST, ref).custom_id, [row])


async def within_deadline(reading: Awaitable[Modal]) -> Modal:
    """The modal ``reading`` builds, if in time to be the first response (`MODAL_DEADLINE`);
    else NotionTooSlow (the read is cancelled: it wrote nothing)."""
    try:
        return await asyncio.wait_for(reading, MODAL_DEADLINE)
    except TimeoutError:
        raise NotionTooSlow() from None


@dataclass(frozen=True, slots=True)
class Submitted:
    """One field of a sent modal: its value, whether it differs from what the modal was opened
    with, and its flag."""

    value: str
    changed: bool
    flag: str = ""


def submitted(interaction: hikari.ModalInteraction) -> dict[Field, Submitted]:
    """The fields of a sent modal, by name (fields we did not make are left out)."""
    found: dict[Field, Submitted] = {}
    for row in interaction.components:
        for component in row.components:
            if not isinstance(component, hikari.TextInputComponent):
                continue
            name, _, rest = component.custom_id.partition(":")
            digest, _, flag = rest.partition(":")
            try:
                field = Field(name)
            except ValueError:
                continue
            value = component.value or ""
            found[field] = Submitted(value, _digest(value) != digest, flag)
    return found


def _changed(fields: Mapping[Field, Submitted], field: Field) -> Submitted | None:
    sent = fields.get(field)
    return sent if sent is not None and sent.changed else None


def edit_changes(
    fields: Mapping[Field, Submitted],
    tz: ZoneInfo,
    now: datetime,
    presets: Sequence[str] = (),
) -> tuple[Changes, list[Read]]:
    """What a sent Edit modal changes (only the fields changed), and the times as read.

    An emptied Duration is left as it was (it follows Start and End); an emptied End is
    refused: an ended entry can't run again. A timer named by its client is renamed with it
    (spelled as the preset it matches, as the Client will be). Raises InvalidInput,
    TimeToCome.
    """
    reads: list[Read] = []
    start = end = None
    duration = None
    if (sent := _changed(fields, Field.START)) is not None:
        reads.append(read_time(sent.value, tz, now))
        start = reads[-1].moment
    if (sent := _changed(fields, Field.END)) is not None:
        if not sent.value.strip():
            raise InvalidInput("End", "can't be emptied: an ended entry can't run again")
        reads.append(read_time(sent.value, tz, now))
        end = reads[-1].moment
    if (sent := _changed(fields, Field.DURATION)) is not None and sent.value.strip():
        duration = read_duration(sent.value)
    client = name = note = None
    if (sent := _changed(fields, Field.CLIENT)) is not None:
        client = sent.value.strip()
        if sent.flag == _NAMED_BY_CLIENT:  # a timer named by its client keeps that name
            folded = normalise(client).casefold()
            name = next((p for p in presets if normalise(p).casefold() == folded), client)
    if (sent := _changed(fields, Field.NOTE)) is not None:
        note = sent.value.strip()
    return Changes(start, end, duration, client, name, note), reads


def adjust_changes(
    fields: Mapping[Field, Submitted], tz: ZoneInfo, now: datetime
) -> tuple[Changes, list[Read]]:
    """What a sent Adjust modal changes: a duration keeps Start and moves End; a time sets
    End. Raises NotDurationOrTime, TimeToCome."""
    sent = fields.get(Field.AMOUNT)
    amount = duration_or_time(sent.value if sent is not None else "", tz, now)
    if isinstance(amount, Read):
        return Changes(end=amount.moment), [amount]
    return Changes(duration=amount), []
