"""The forgotten-timer reminder DM: its text, its buttons (Stop now, Stop at…, Keep going),
their stateless custom ids (an action and the timer's ref) and the Stop at… modal."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

import hikari
from hikari.components import InteractiveButtonTypesT

from bot.buttons import MAX_CUSTOM_ID, PREFIX
from bot.format import format_duration, format_time, shown_name
from bot.modals import Modal
from timesheet.entries.model import TimeEntry
from timesheet.entries.refs import notion_id
from timesheet.reminders.due import Reminder

__all__ = [
    "STOP_AT_FIELD",
    "ReminderAction",
    "ReminderButton",
    "parse_reminder_id",
    "reminder_rows",
    "reminder_text",
    "stop_at_modal",
]

#: The Stop at… modal's one text input.
STOP_AT_FIELD: Final = "when"


class ReminderAction(enum.StrEnum):
    """What a reminder button (or the Stop at… modal) does; the value is in its custom id."""

    STOP_NOW = "rstop"
    STOP_AT = "rat"
    KEEP_GOING = "rkeep"
    #: The Stop at… modal sent.
    STOP_AT_SENT = "ratm"

    @property
    def command(self) -> str:
        """The name its log line carries: ``reminder:stop_now``."""
        return f"reminder:{self.name.lower()}"


@dataclass(frozen=True, slots=True)
class ReminderButton:
    """``action`` on the timer ``ref`` names (a Notion page id, or the Entry ID of a start
    still in the ledger)."""

    action: ReminderAction
    ref: str

    @property
    def custom_id(self) -> str:
        return f"{PREFIX}:{self.action.value}:{self.ref}"


def parse_reminder_id(custom_id: str) -> ReminderButton | None:
    """The reminder button (or modal) a custom id names; None when it is not one."""
    parts = custom_id.split(":")
    if len(custom_id) > MAX_CUSTOM_ID or len(parts) != 3 or parts[0] != PREFIX:
        return None
    try:
        action = ReminderAction(parts[1])
    except ValueError:
        return None
    ref = notion_id(parts[2])
    return None if ref is None else ReminderButton(action, ref)


def _ref(entry: TimeEntry) -> str | None:
    return notion_id(entry.page_id or entry.entry_id)


def reminder_text(reminder: Reminder, tz: ZoneInfo, now: datetime) -> str:
    """What the DM says: what has been running, since when (in TIMEZONE) and how long."""
    entry = reminder.entry
    again = " still" if reminder.threshold > 1 else ""
    return (
        f"Your timer **{shown_name(entry)}** is{again} running: since "
        f"{format_time(entry.start, tz, now)}, {format_duration(entry.duration(now))} so far. "
        "Did you forget to stop it?"
    )


def reminder_rows(
    entry: TimeEntry, *, keep_going: bool = True
) -> list[hikari.api.ComponentBuilder]:
    """Stop now, Stop at… and (unless ``keep_going=False``) Keep going, on ``entry``."""
    ref = _ref(entry)
    if ref is None:
        return []
    row = hikari.impl.MessageActionRowBuilder()
    buttons: list[tuple[ReminderAction, str, InteractiveButtonTypesT]] = [
        (ReminderAction.STOP_NOW, "Stop now", hikari.ButtonStyle.DANGER),
        (ReminderAction.STOP_AT, "Stop at…", hikari.ButtonStyle.SECONDARY),
    ]
    if keep_going:
        buttons.append((ReminderAction.KEEP_GOING, "Keep going", hikari.ButtonStyle.PRIMARY))
    for action, label, style in buttons:
        row.add_interactive_button(style, ReminderButton(action, ref).custom_id, label=label)
    return [row]


def stop_at_modal(ref: str, tz: ZoneInfo) -> Modal:
    """The Stop at… modal: one field, the time the timer should have stopped."""
    row = hikari.impl.ModalActionRowBuilder().add_text_input(
        STOP_AT_FIELD,
        f"Stopped at ({tz.key})"[:45],
        placeholder="17:30, yesterday 18:00, 2026-11-30 17:30, 3h ago",
        required=True,
        max_length=40,
    )
    custom_id = ReminderButton(ReminderAction.STOP_AT_SENT, ref).custom_id
    return Modal("Stop the timer at…", custom_id, [row])
