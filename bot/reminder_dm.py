"""The forgotten-timer reminder DM: its text, its buttons (Stop now, Stop at…, Keep going),
their stateless custom ids (an action and the timer's ref) and the Stop at… modal."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime
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
    "LastMessage",
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
    #: Stop at the user's last message in the guild (gateway mode); its time is in the id.
    STOP_AT_LAST = "rlast"
    #: The Stop at… modal sent.
    STOP_AT_SENT = "ratm"

    @property
    def command(self) -> str:
        """The name its log line carries: ``reminder:stop_now``."""
        return f"reminder:{self.name.lower()}"


@dataclass(frozen=True, slots=True)
class ReminderButton:
    """``action`` on the timer ``ref`` names (a Notion page id, or the Entry ID of a start
    still in the ledger); ``at``: the time Stop at my last message stops at."""

    action: ReminderAction
    ref: str
    at: datetime | None = None

    @property
    def custom_id(self) -> str:
        at = f":{int(self.at.timestamp())}" if self.at is not None else ""
        return f"{PREFIX}:{self.action.value}:{self.ref}{at}"


def parse_reminder_id(custom_id: str) -> ReminderButton | None:
    """The reminder button (or modal) a custom id names; None when it is not one."""
    parts = custom_id.split(":")
    if len(custom_id) > MAX_CUSTOM_ID or len(parts) not in (3, 4) or parts[0] != PREFIX:
        return None
    try:
        action = ReminderAction(parts[1])
    except ValueError:
        return None
    ref = notion_id(parts[2])
    if ref is None or (len(parts) == 4) != (action is ReminderAction.STOP_AT_LAST):
        return None
    if len(parts) == 3:
        return ReminderButton(action, ref)
    if not parts[3].isdigit():
        return None
    try:
        at = datetime.fromtimestamp(int(parts[3]), UTC)
    except (OverflowError, OSError, ValueError):  # past what a datetime holds
        return None
    return ReminderButton(action, ref, at)


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


@dataclass(frozen=True, slots=True)
class LastMessage:
    """The owner's last message in the guild, offered as a stop time (shown in ``tz``)."""

    at: datetime
    tz: ZoneInfo
    now: datetime


def reminder_rows(
    entry: TimeEntry, *, keep_going: bool = True, last: LastMessage | None = None
) -> list[hikari.api.ComponentBuilder]:
    """Stop now, Stop at…, Keep going (unless ``keep_going=False``) on ``entry``; and Stop at
    my last message when ``last`` is after its Start (and not after now)."""
    ref = _ref(entry)
    if ref is None:
        return []
    row = hikari.impl.MessageActionRowBuilder()
    buttons: list[tuple[ReminderButton, str, InteractiveButtonTypesT]] = [
        (ReminderButton(ReminderAction.STOP_NOW, ref), "Stop now", hikari.ButtonStyle.DANGER),
        (ReminderButton(ReminderAction.STOP_AT, ref), "Stop at…", hikari.ButtonStyle.SECONDARY),
    ]
    if last is not None and entry.start < last.at <= last.now:
        label = f"Stop at my last message ({format_time(last.at, last.tz, last.now)})"
        button = ReminderButton(ReminderAction.STOP_AT_LAST, ref, last.at)
        buttons.append((button, label, hikari.ButtonStyle.SECONDARY))
    if keep_going:
        button = ReminderButton(ReminderAction.KEEP_GOING, ref)
        buttons.append((button, "Keep going", hikari.ButtonStyle.PRIMARY))
    for button, label, style in buttons:
        row.add_interactive_button(style, button.custom_id, label=label[:80])
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
