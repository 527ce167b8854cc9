"""Button clicks, in both run modes: the same tracker calls, rules and log line as the commands."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Final

import hikari

from bot.auth import REFUSAL, caller_from, is_allowed
from bot.buttons import Button, ButtonAction, parse_custom_id
from bot.command_run import CommandRun, fail_command
from bot.errors import UNEXPECTED
from bot.format import custom_name
from bot.logs import CommandRecord, start_counting
from bot.replies import ClickResponder, ClickResponse, ResponseFuture
from bot.timer_replies import TimerReply, end_reply, start_reply
from timesheet.tracking.tracker import TrackerError

if TYPE_CHECKING:
    from bot.model import Model

__all__ = ["UNKNOWN_BUTTON", "NotYourTimer", "handle_click", "route_clicks"]

#: The answer to a custom_id we did not make (or no longer understand).
UNKNOWN_BUTTON: Final = (
    "This button is not one timetrack knows (it may be from an older version); "
    "use /active, /end timer or /start instead."
)
#: The log line's command for such a click.
UNKNOWN_COMMAND: Final = "button:unknown"


class NotYourTimer(TrackerError):
    """ "Start again" on someone else's timer: starting a timer is its owner's."""

    def __init__(self) -> None:
        super().__init__("That timer belongs to someone else; only its owner can start it again.")


async def handle_click(
    model: Model, interaction: hikari.ComponentInteraction, responder: ClickResponder
) -> None:
    """Answer one click: refuse (one line, nothing written) or act, then update the message.

    Like `bot.command_run.begin_command`: nothing that can be slow happens before the defer.
    Never raises: an unanswered click would leave Discord (and, in HTTP mode, the request)
    waiting.
    """
    counter = start_counting()
    button = parse_custom_id(interaction.custom_id)
    caller = caller_from(interaction.user, interaction.member)
    command = button.action.command if button is not None else UNKNOWN_COMMAND
    record = CommandRecord(command=command, user_id=caller.user_id)
    run = CommandRun(caller=caller, responder=responder, record=record, counter=counter)
    try:
        settings = model.settings
        if not is_allowed(caller, settings.allowed_user_ids, settings.allowed_role_ids):
            await run.reply(REFUSAL)
            run.finish("not_allowed")
            return
        if button is None:
            await run.reply(UNKNOWN_BUTTON)
            run.finish("unknown_button")
            return
        await run.deliver(responder.defer())
        if button.action is ButtonAction.STOP:
            reply = await _stop(run, model, button)
        else:
            reply = await _start_again(run, model, button)
        await run.deliver(responder.update(reply.text, reply.components))
        run.finish()
    except Exception as exc:
        await fail_command(run, exc, model)


async def _stop(run: CommandRun, model: Model, button: Button) -> TimerReply:
    """/end timer entry:<ref>: owner only, managers too; an ended entry is left as it is."""
    caller = run.caller
    result = await model.tracker.end(caller.user_id, button.ref, can_manage=caller.manages_server)
    return end_reply(result, model.settings.timezone, model.now(), run.record)


async def _start_again(run: CommandRun, model: Model, button: Button) -> TimerReply:
    """/start with the entry's client (and, for a custom timer, its name) as they are now."""
    entry = await model.tracker.entry(button.ref)
    if entry.user_id != run.caller.user_id:
        raise NotYourTimer()
    result = await model.tracker.start(run.caller.user_id, entry.client, name=custom_name(entry))
    return start_reply(result, model.settings.timezone, model.now(), run.record)


class _ServerClicks:
    """The interaction server's listener (HTTP mode): returns the click's initial response
    (a deferral or a one-line answer) while `handle_click` goes on in its own task."""

    def __init__(self, model: Model) -> None:
        self._model = model
        self._running: set[asyncio.Task[None]] = set()

    async def __call__(self, interaction: hikari.ComponentInteraction) -> ClickResponse:
        answer: ResponseFuture = asyncio.get_running_loop().create_future()
        responder = ClickResponder(interaction, server=answer)
        task = asyncio.create_task(handle_click(self._model, interaction, responder))
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        await asyncio.wait((answer, task), return_when=asyncio.FIRST_COMPLETED)
        if answer.done():
            return answer.result()
        # handle_click always answers; should it ever not, Discord still gets a line.
        builder = interaction.build_response(hikari.ResponseType.MESSAGE_CREATE)
        builder.set_content(UNEXPECTED)
        return builder.set_flags(hikari.MessageFlag.EPHEMERAL)


def route_clicks(app: hikari.GatewayBot | hikari.RESTBot, model: Model) -> None:
    """Send every button click to `handle_click` (crescent routes only commands)."""
    if isinstance(app, hikari.GatewayBot):

        async def on_interaction(event: hikari.InteractionCreateEvent) -> None:
            interaction = event.interaction
            if isinstance(interaction, hikari.ComponentInteraction):
                await handle_click(model, interaction, ClickResponder(interaction))

        app.event_manager.subscribe(hikari.InteractionCreateEvent, on_interaction)
    else:
        app.interaction_server.set_listener(hikari.ComponentInteraction, _ServerClicks(model))
