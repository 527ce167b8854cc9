"""Clicks in both run modes (buttons, menu choices, modals sent): the same allow-list, log line
and one-line errors as the commands; what each does is `bot.click_actions`'."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

import hikari

from bot.auth import REFUSAL, caller_from, is_allowed
from bot.click_actions import Action, NotYourTimer, OpensModal, action_for, unknown_command
from bot.command_run import CommandRun, fail_command
from bot.errors import UNEXPECTED
from bot.logs import CommandRecord, start_counting
from bot.modals import within_deadline
from bot.panel import panel_action
from bot.reminder_clicks import REMINDER_COMMANDS, reminder_action
from bot.replies import Clicked, ClickResponder, ClickResponse, ResponseFuture

if TYPE_CHECKING:
    from bot.model import Model

__all__ = ["UNKNOWN_BUTTON", "UNKNOWN_FORM", "NotYourTimer", "handle_click", "route_clicks"]

#: The answer to a custom_id we did not make (or no longer understand).
UNKNOWN_BUTTON: Final = (
    "This button is not one timetrack knows (it may be from an older version); "
    "use /active, /end timer or /start instead."
)
UNKNOWN_FORM: Final = (
    "This menu or form is not one timetrack knows (it may be from an older version); "
    "use /entries or /edit entry instead."
)


async def handle_click(model: Model, interaction: Clicked, responder: ClickResponder) -> None:
    """Answer one click: refuse (one line, nothing written) or act, then answer: a modal, or
    the message the click came from updated (or a new one, for a modal sent).

    Like `bot.command_run.begin_command`: nothing that can be slow happens before the
    acknowledgement, except reading the entry a modal opens with (it must be the first
    response, within Discord's 3 seconds). Never raises: an unanswered click would leave
    Discord (and, in HTTP mode, the request) waiting.
    """
    counter = start_counting()
    action = action_for(interaction) or reminder_action(interaction) or panel_action(interaction)
    caller = caller_from(interaction.user, interaction.member)
    command = action.command if action is not None else unknown_command(interaction)
    record = CommandRecord(command=command, user_id=caller.user_id)
    run = CommandRun(caller=caller, responder=responder, record=record, counter=counter)
    try:
        settings = model.settings
        allowed = is_allowed(caller, settings.allowed_user_ids, settings.allowed_role_ids)
        if not allowed and not _role_unknowable(interaction, action, settings.allowed_role_ids):
            await run.reply(REFUSAL)
            run.finish("not_allowed")
            return
        if action is None:
            await run.reply(UNKNOWN_BUTTON if command == "button:unknown" else UNKNOWN_FORM)
            run.finish("unknown_button")
            return
        if isinstance(action, OpensModal):
            modal = await within_deadline(action.build(run, model))
            await run.deliver(responder.open_modal(modal))
            run.finish("modal")
            return
        await run.deliver(responder.defer(update=action.update))
        if settings.presets_only and settings.notion_clients_database_id:
            await model.accepted_clients()  # as `bot.command_run` does for a command
        reply = await action.act(run, model)
        await run.deliver(responder.update(reply.text, reply.components))
        run.finish()
    except Exception as exc:
        await fail_command(run, exc, model)


def _role_unknowable(
    interaction: Clicked, action: Action | None, allowed_role_ids: Sequence[str]
) -> bool:
    """A click on a reminder DM with ALLOWED_ROLE_IDS set: Discord sends no roles with a
    click in a DM, so the role can't be checked. Let it through: its buttons act only on the
    clicker's own timer (the action checks), started while they were allowed."""
    is_reminder = action is not None and action.command.startswith(REMINDER_COMMANDS)
    return is_reminder and interaction.guild_id is None and bool(allowed_role_ids)


class _ServerClicks:
    """The interaction server's listener (HTTP mode): returns the click's initial response
    (a deferral, a modal or a one-line answer) while `handle_click` goes on in its own task."""

    def __init__(self, model: Model) -> None:
        self._model = model
        self._running: set[asyncio.Task[None]] = set()

    async def answer(self, interaction: Clicked) -> ClickResponse:
        answer: ResponseFuture = asyncio.get_running_loop().create_future()
        responder = ClickResponder(interaction, server=answer)
        task = asyncio.create_task(handle_click(self._model, interaction, responder))
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        await asyncio.wait((answer, task), return_when=asyncio.FIRST_COMPLETED)
        if answer.done():
            return answer.result()
        # handle_click always answers; should it ever not, Discord still gets a line.
        return _unexpected(interaction)

    async def component(self, interaction: hikari.ComponentInteraction) -> ClickResponse:
        return await self.answer(interaction)

    async def modal(
        self, interaction: hikari.ModalInteraction
    ) -> hikari.api.InteractionMessageBuilder | hikari.api.InteractionDeferredBuilder:
        response = await self.answer(interaction)
        if isinstance(response, hikari.api.InteractionModalBuilder):  # a modal opens no modal
            return _unexpected(interaction)
        return response


def _unexpected(interaction: Clicked) -> hikari.api.InteractionMessageBuilder:
    builder = interaction.app.rest.interaction_message_builder(hikari.ResponseType.MESSAGE_CREATE)
    builder.set_content(UNEXPECTED)
    return builder.set_flags(hikari.MessageFlag.EPHEMERAL)


def route_clicks(app: hikari.GatewayBot | hikari.RESTBot, model: Model) -> None:
    """Send every click (button, menu, modal) to `handle_click` (crescent routes only
    commands)."""
    if isinstance(app, hikari.GatewayBot):

        async def on_interaction(event: hikari.InteractionCreateEvent) -> None:
            interaction = event.interaction
            if isinstance(interaction, hikari.ComponentInteraction | hikari.ModalInteraction):
                await handle_click(model, interaction, ClickResponder(interaction))

        app.event_manager.subscribe(hikari.InteractionCreateEvent, on_interaction)
    else:
        server = _ServerClicks(model)
        app.interaction_server.set_listener(hikari.ComponentInteraction, server.component)
        app.interaction_server.set_listener(hikari.ModalInteraction, server.modal)
