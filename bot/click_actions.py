"""What each click does (a button, a menu choice, a modal sent): the same tracker calls, rules
and replies as the commands. `bot.clicks` authorizes, acknowledges and logs around them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, TypeAlias

import hikari

from bot.auth import Caller
from bot.buttons import Button, ButtonAction, parse_custom_id
from bot.format import custom_name
from bot.menus import PICK_COMMAND, picked_ref
from bot.modals import (
    Field,
    Modal,
    ModalKind,
    Submitted,
    adjust_changes,
    adjust_modal,
    edit_changes,
    edit_modal,
    parse_modal_id,
    submitted,
)
from bot.replies import Clicked
from bot.timer_replies import (
    TimerReply,
    deleted_reply,
    edit_reply,
    end_reply,
    pause_reply,
    resume_reply,
    start_reply,
)
from notion_client import NotionError, is_unavailable
from timesheet.entries.errors import NotYourEntry, TrackerError
from timesheet.entries.model import TimeEntry

if TYPE_CHECKING:
    from bot.command_run import CommandRun
    from bot.model import Model

__all__ = [
    "Action",
    "Answer",
    "NoLongerRunning",
    "NotYourTimer",
    "OpensModal",
    "action_for",
    "edit_form",
    "own_entry",
    "pause_now",
    "resume_now",
    "unknown_command",
]


class NotYourTimer(TrackerError):
    """A timer button ("Start again", Pause, Resume) on someone else's timer: its owner's."""

    def __init__(self, doing: str = "start it again") -> None:
        super().__init__(f"That timer belongs to someone else; only its owner can {doing}.")


class NoLongerRunning(TrackerError):
    """Pause or Resume on a timer that has moved on since its message was shown."""

    def __init__(self, state: str, nothing: str) -> None:
        super().__init__(f"That timer is {state} now; nothing was {nothing}.")


@dataclass(frozen=True, slots=True)
class Answer:
    """A click answered with a message: acknowledged first (deferring an update of the
    message it came from, or with ``update=False`` a new message only the clicker sees),
    then ``act``'s reply replaces it."""

    command: str
    act: Callable[[CommandRun, Model], Awaitable[TimerReply]]
    update: bool = True


@dataclass(frozen=True, slots=True)
class OpensModal:
    """A click answered with a modal, which must be its first response: ``build`` runs
    before any acknowledgement (within `bot.modals.MODAL_DEADLINE`)."""

    command: str
    build: Callable[[CommandRun, Model], Awaitable[Modal]]


Action: TypeAlias = Answer | OpensModal


def unknown_command(interaction: Clicked) -> str:
    """The log line's command for a click we do not know."""
    if isinstance(interaction, hikari.ModalInteraction):
        return "modal:unknown"
    if interaction.component_type == hikari.ComponentType.BUTTON:
        return "button:unknown"
    return "menu:unknown"


def action_for(interaction: Clicked) -> Action | None:
    """What this click asks for; None when its custom id is not one of ours."""
    if isinstance(interaction, hikari.ModalInteraction):
        return _modal_action(interaction)
    if interaction.component_type != hikari.ComponentType.BUTTON:
        ref = picked_ref(interaction)
        return None if ref is None else OpensModal(PICK_COMMAND, partial(_edit_form, ref))
    button = parse_custom_id(interaction.custom_id)
    if button is None:
        return None
    command = button.action.command
    if button.action is ButtonAction.ADJUST:
        return OpensModal(command, partial(_adjust_form, button.ref))
    acts: dict[ButtonAction, Callable[[Button, CommandRun, Model], Awaitable[TimerReply]]] = {
        ButtonAction.STOP: _stop,
        ButtonAction.START_AGAIN: _start_again,
        ButtonAction.PAUSE: _pause,
        ButtonAction.RESUME: _resume,
        ButtonAction.DELETE: _delete,
    }
    return Answer(command, partial(acts[button.action], button))


def _modal_action(interaction: hikari.ModalInteraction) -> Action | None:
    target = parse_modal_id(interaction.custom_id)
    if target is None:
        return None
    fields = submitted(interaction)
    if target.kind is ModalKind.EDIT:  # sent from /edit or the /entries menu: a new message
        return Answer(target.kind.command, partial(_edit, target.ref, fields), update=False)
    # Adjust comes from a button: its answer replaces the message the button sits on.
    adjust = partial(_adjust, target.ref, fields)
    return Answer(target.kind.command, adjust, update=interaction.message is not None)


# -- reading the entry a click names --------------------------------------------------------


async def own_entry(model: Model, caller: Caller, ref: str, action: str = "change") -> TimeEntry:
    """The entry ``ref`` names (a short ref, page id, URL or Entry ID), if the caller may
    change it: their own, or anyone's with Manage Server. Raises InvalidEntryRef,
    EntryNotFound, NotYourEntry; Notion's errors propagate."""
    tracker = model.tracker
    entry = await tracker.entry(await tracker.resolve_ref(caller.user_id, ref))
    if entry.user_id != caller.user_id and not caller.manages_server:
        raise NotYourEntry(entry, action)
    return entry


async def edit_form(model: Model, caller: Caller, ref: str) -> Modal:
    """The Edit modal of the entry ``ref`` names, prefilled as it is now."""
    entry = await own_entry(model, caller, ref)
    return edit_modal(entry, model.settings.timezone)


async def _edit_form(ref: str, run: CommandRun, model: Model) -> Modal:
    return await edit_form(model, run.caller, ref)


async def _adjust_form(ref: str, run: CommandRun, model: Model) -> Modal:
    return adjust_modal(ref)


async def _timer_as_shown(model: Model, caller: Caller, ref: str, doing: str) -> TimeEntry | None:
    """The timer a Pause or Resume button names, read to see it is still as its message
    showed it; None when Notion can't be read now (the click is then saved as it is)."""
    try:
        entry = await model.tracker.entry(ref)
    except NotionError as exc:
        if not is_unavailable(exc):
            raise
        return None
    if entry.user_id != caller.user_id:
        raise NotYourTimer(doing)
    return entry


# -- buttons ----------------------------------------------------------------------------------


async def _stop(button: Button, run: CommandRun, model: Model) -> TimerReply:
    """/end timer entry:<ref>: owner only, managers too; an ended entry is left as it is."""
    caller = run.caller
    result = await model.tracker.end(caller.user_id, button.ref, can_manage=caller.manages_server)
    return end_reply(result, model.settings.timezone, model.now(), run.record)


async def _start_again(button: Button, run: CommandRun, model: Model) -> TimerReply:
    """/start with the entry's client (and, for a custom timer, its name) as they are now."""
    entry = await model.tracker.entry(button.ref)
    if entry.user_id != run.caller.user_id:
        raise NotYourTimer()
    result = await model.tracker.start(run.caller.user_id, entry.client, name=custom_name(entry))
    return start_reply(result, model.settings.timezone, model.now(), run.record)


async def pause_now(run: CommandRun, model: Model) -> TimerReply:
    """Pause the caller's timer now (/pause, and the Pause button): the reply."""
    at = model.now()
    result = await model.tracker.pause(run.caller.user_id, at)
    return pause_reply(result, model.settings.timezone, model.now(), at, run.record)


async def resume_now(run: CommandRun, model: Model) -> TimerReply:
    """Resume the caller's paused (or latest) work now (/resume, the Resume button)."""
    at = model.now()
    result = await model.tracker.resume(run.caller.user_id, at)
    return resume_reply(result, model.settings.timezone, model.now(), at, run.record)


async def _pause(button: Button, run: CommandRun, model: Model) -> TimerReply:
    """/pause, if the timer the button names still runs."""
    entry = await _timer_as_shown(model, run.caller, button.ref, "pause it")
    if entry is not None and not entry.running:
        raise NoLongerRunning("stopped", "paused")
    return await pause_now(run, model)


async def _resume(button: Button, run: CommandRun, model: Model) -> TimerReply:
    """/resume, if the timer the button names is still paused."""
    entry = await _timer_as_shown(model, run.caller, button.ref, "resume it")
    if entry is not None and not entry.paused:
        raise NoLongerRunning("no longer paused (resumed or ended since)", "started")
    return await resume_now(run, model)


async def _delete(button: Button, run: CommandRun, model: Model) -> TimerReply:
    """The confirmation of /delete entry: move the page to Notion's trash."""
    caller = run.caller
    result = await model.tracker.delete(
        caller.user_id, button.ref, can_manage=caller.manages_server
    )
    return deleted_reply(result, model.settings.timezone, model.now(), run.record)


# -- modals -----------------------------------------------------------------------------------


async def _edit(
    ref: str, fields: dict[Field, Submitted], run: CommandRun, model: Model
) -> TimerReply:
    """A sent Edit modal: the fields changed, applied as /edit would."""
    tz, caller = model.settings.timezone, run.caller
    changes, reads = edit_changes(fields, tz, model.now(), model.tracker.presets)
    result = await model.tracker.edit(
        caller.user_id, ref, changes, can_manage=caller.manages_server
    )
    return edit_reply(result, tz, model.now(), run.record, reads)


async def _adjust(
    ref: str, fields: dict[Field, Submitted], run: CommandRun, model: Model
) -> TimerReply:
    """A sent Adjust modal: the effective duration (End moves) or the end time."""
    tz, caller = model.settings.timezone, run.caller
    changes, reads = adjust_changes(fields, tz, model.now())
    result = await model.tracker.edit(
        caller.user_id, ref, changes, can_manage=caller.manages_server
    )
    return edit_reply(result, tz, model.now(), run.record, reads, verb="Adjusted")
