"""What the reminder DM's buttons and its Stop at… modal do: the tracker's stop (as /end),
or Keep going recorded in the ledger. `bot.clicks` authorizes, acknowledges and logs."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Final

import hikari

from bot.click_actions import Action, Answer, NoLongerRunning, NotYourTimer, OpensModal
from bot.format import format_time, shown_name
from bot.modals import Modal
from bot.reminder_dm import (
    STOP_AT_FIELD,
    ReminderAction,
    ReminderButton,
    parse_reminder_id,
    reminder_rows,
    stop_at_modal,
)
from bot.replies import Clicked
from bot.timer_replies import TimerReply, end_reply
from bot.typed import read_time
from timesheet.tracking.ledger_reminders import ReminderBook, reminder_key

if TYPE_CHECKING:
    from bot.command_run import CommandRun
    from bot.model import Model

__all__ = ["REMINDER_COMMANDS", "reminder_action"]

#: How the log-line command of every reminder click starts.
REMINDER_COMMANDS: Final = "reminder:"


def reminder_action(interaction: Clicked) -> Action | None:
    """What a click on a reminder DM asks for; None when it is not one."""
    button = parse_reminder_id(interaction.custom_id)
    if button is None:
        return None
    is_modal = isinstance(interaction, hikari.ModalInteraction)
    if is_modal != (button.action is ReminderAction.STOP_AT_SENT):
        return None
    command = button.action.command
    if button.action is ReminderAction.STOP_AT:
        return OpensModal(command, partial(_stop_at_form, button))
    if button.action is ReminderAction.STOP_AT_SENT:
        assert isinstance(interaction, hikari.ModalInteraction)
        typed = _typed_time(interaction)
        act = partial(_stop_at, button, typed)
        return Answer(command, act, update=interaction.message is not None)
    if button.action is ReminderAction.KEEP_GOING:
        return Answer(command, partial(_keep_going, button))
    if button.action is ReminderAction.STOP_AT_LAST:
        return Answer(command, partial(_stop_at_last, button))
    return Answer(command, partial(_stop_now, button))


def _typed_time(interaction: hikari.ModalInteraction) -> str:
    for row in interaction.components:
        for component in row.components:
            is_input = isinstance(component, hikari.TextInputComponent)
            if is_input and component.custom_id == STOP_AT_FIELD:
                return component.value or ""
    return ""


async def _stop_now(button: ReminderButton, run: CommandRun, model: Model) -> TimerReply:
    """Stop the timer at the click, as /end timer entry:<ref> does (its owner only)."""
    result = await model.tracker.end(run.caller.user_id, button.ref)
    return end_reply(result, model.settings.timezone, model.now(), run.record)


async def _stop_at_form(button: ReminderButton, run: CommandRun, model: Model) -> Modal:
    return stop_at_modal(button.ref, model.settings.timezone)


async def _stop_at(button: ReminderButton, typed: str, run: CommandRun, model: Model) -> TimerReply:
    """Stop the timer at the time typed (read in TIMEZONE; never after now, never before its
    Start), as /end timer entry:<ref> at:<time> does."""
    tz = model.settings.timezone
    read = read_time(typed, tz, model.now())
    result = await model.tracker.end(run.caller.user_id, button.ref, at=read.moment)
    return end_reply(result, tz, model.now(), run.record, [read])


async def _stop_at_last(button: ReminderButton, run: CommandRun, model: Model) -> TimerReply:
    """Stop the timer at the owner's last message in the guild (the time its button carries),
    as /end timer entry:<ref> at:<that time> does."""
    assert button.at is not None
    result = await model.tracker.end(run.caller.user_id, button.ref, at=button.at)
    return end_reply(result, model.settings.timezone, model.now(), run.record)


async def _keep_going(button: ReminderButton, run: CommandRun, model: Model) -> TimerReply:
    """Ask again a REMIND_AFTER from now (recorded in the ledger), if the timer still runs."""
    entry = await model.tracker.entry(button.ref)
    if entry.user_id != run.caller.user_id:
        raise NotYourTimer("keep it going")
    if not entry.running:
        raise NoLongerRunning("stopped", "kept going")
    tz, now = model.settings.timezone, model.now()
    kept_at, _ = ReminderBook(model.ledger).keep_going(reminder_key(entry), entry.user_id, now)
    run.record.outcome = "kept_going"
    remind_after = model.settings.remind_after
    again = (
        f" I'll ask again at {format_time(kept_at + remind_after, tz, now)} if it is still running."
        if remind_after is not None
        else ""
    )
    text = (
        f"Keeping **{shown_name(entry)}** going (since {format_time(entry.start, tz, now)}).{again}"
    )
    return TimerReply(text, reminder_rows(entry, keep_going=False))
