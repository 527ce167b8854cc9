"""Timer buttons: their custom ids (an action and an entry ref) and the action rows they sit in."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, TypeAlias

import hikari
from hikari.components import InteractiveButtonTypesT

from timesheet.entries.model import TimeEntry
from timesheet.entries.refs import notion_id
from timesheet.text import clip

__all__ = [
    "MAX_BUTTONS",
    "MAX_CUSTOM_ID",
    "Button",
    "ButtonAction",
    "button_for",
    "delete_rows",
    "ended_rows",
    "parse_custom_id",
    "resume_rows",
    "running_rows",
    "start_again_rows",
    "stop_rows",
]

#: Discord's limits: a custom_id of at most 100 characters, a label of at most 80, five
#: buttons in an action row and five rows in a message.
MAX_CUSTOM_ID: Final = 100
MAX_LABEL: Final = 80
ROW_WIDTH: Final = 5
MAX_ROWS: Final = 5
MAX_BUTTONS: Final = ROW_WIDTH * MAX_ROWS

#: Every custom_id we make starts with this; anything else is not ours.
PREFIX: Final = "tt"


class ButtonAction(enum.StrEnum):
    """What a button does; the value is what its custom_id carries."""

    STOP = "stop"
    START_AGAIN = "again"
    PAUSE = "pause"
    RESUME = "resume"
    #: Opens the Adjust modal (effective duration or end time).
    ADJUST = "adjust"
    #: The confirmation of /delete entry: the click moves the page to Notion's trash.
    DELETE = "delete"

    @property
    def command(self) -> str:
        """The name its log line carries, like a command's: ``button:stop``."""
        return f"button:{self.name.lower()}"


@dataclass(frozen=True, slots=True)
class Button:
    """One timer button: ``action`` on the entry ``ref`` names.

    ``ref`` is the Notion page id, or the Entry ID of a timer whose start still waits in the
    ledger (what the /end autocomplete offers too); the tracker accepts both.
    """

    action: ButtonAction
    ref: str

    @property
    def custom_id(self) -> str:
        return f"{PREFIX}:{self.action.value}:{self.ref}"


def button_for(action: ButtonAction, entry: TimeEntry) -> Button | None:
    """The button doing ``action`` on ``entry``; None when the entry has no usable ref."""
    ref = notion_id(entry.page_id or entry.entry_id)
    return None if ref is None else Button(action, ref)


def parse_custom_id(custom_id: str) -> Button | None:
    """The button a custom_id names; None when it is malformed or not one of ours."""
    if len(custom_id) > MAX_CUSTOM_ID:
        return None
    parts = custom_id.split(":")
    if len(parts) != 3 or parts[0] != PREFIX:
        return None
    try:
        action = ButtonAction(parts[1])
    except ValueError:
        return None
    ref = notion_id(parts[2])
    return None if ref is None else Button(action, ref)


def _rows(
    buttons: Sequence[tuple[Button, str]], style: InteractiveButtonTypesT
) -> list[hikari.api.ComponentBuilder]:
    rows: list[hikari.api.ComponentBuilder] = []
    for first in range(0, min(len(buttons), MAX_BUTTONS), ROW_WIDTH):
        row = hikari.impl.MessageActionRowBuilder()
        for button, label in buttons[first : first + ROW_WIDTH]:
            row.add_interactive_button(style, button.custom_id, label=clip(label, MAX_LABEL))
        rows.append(row)
    return rows


def stop_rows(entries: Sequence[TimeEntry]) -> list[hikari.api.ComponentBuilder]:
    """A Stop button per running entry (at most 25); named by client when there are several."""
    found: list[tuple[Button, TimeEntry]] = []
    for entry in entries:
        button = button_for(ButtonAction.STOP, entry) if entry.running else None
        if button is not None:
            found.append((button, entry))
    several = len(found) > 1
    labels = [(b, f"Stop {e.client or e.name}" if several else "Stop") for b, e in found]
    return _rows(labels, hikari.ButtonStyle.DANGER)


def start_again_rows(entry: TimeEntry) -> list[hikari.api.ComponentBuilder]:
    """A "Start again" button: a new timer with the entry's client (and name)."""
    button = button_for(ButtonAction.START_AGAIN, entry)
    if button is None:
        return []
    return _rows([(button, "Start again")], hikari.ButtonStyle.PRIMARY)


#: One button of a row: what it does, its label, its style.
_Spec: TypeAlias = tuple[ButtonAction, str, InteractiveButtonTypesT]


def _one_row(entry: TimeEntry, buttons: Sequence[_Spec]) -> list[hikari.api.ComponentBuilder]:
    """One row of buttons acting on ``entry`` (none when it has no usable ref)."""
    row = hikari.impl.MessageActionRowBuilder()
    for action, label, style in buttons:
        button = button_for(action, entry)
        if button is None:
            return []
        row.add_interactive_button(style, button.custom_id, label=label)
    return [row]


def running_rows(entries: Sequence[TimeEntry]) -> list[hikari.api.ComponentBuilder]:
    """Stop and Pause under one running timer; a Stop per timer when there are several."""
    running = [e for e in entries if e.running]
    if len(running) != 1:
        return stop_rows(running)
    return _one_row(
        running[0],
        [
            (ButtonAction.STOP, "Stop", hikari.ButtonStyle.DANGER),
            (ButtonAction.PAUSE, "Pause", hikari.ButtonStyle.SECONDARY),
        ],
    )


def ended_rows(entry: TimeEntry, *, own: bool = True) -> list[hikari.api.ComponentBuilder]:
    """Under an ended timer: "Start again" (its owner's only) and Adjust (its End)."""
    again: _Spec = (ButtonAction.START_AGAIN, "Start again", hikari.ButtonStyle.PRIMARY)
    adjust: _Spec = (ButtonAction.ADJUST, "Adjust", hikari.ButtonStyle.SECONDARY)
    return _one_row(entry, [again, adjust] if own else [adjust])


def resume_rows(entry: TimeEntry) -> list[hikari.api.ComponentBuilder]:
    """A Resume button under a paused timer."""
    return _one_row(entry, [(ButtonAction.RESUME, "Resume", hikari.ButtonStyle.PRIMARY)])


def delete_rows(entry: TimeEntry) -> list[hikari.api.ComponentBuilder]:
    """The button confirming /delete entry."""
    return _one_row(entry, [(ButtonAction.DELETE, "Delete", hikari.ButtonStyle.DANGER)])
