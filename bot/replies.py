"""Ephemeral replies that work the same in gateway and HTTP mode."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, TypeAlias

import crescent
import hikari

from timesheet.publishing.discord_webhook import MESSAGE_CONTENT_LIMIT
from timesheet.text import pack_lines

if TYPE_CHECKING:
    from bot.modals import Modal

__all__ = [
    "Answerer",
    "ClickResponder",
    "ClickResponse",
    "Clicked",
    "Responder",
    "ResponseFuture",
    "message_parts",
]

#: The action rows under a message.
Components: TypeAlias = Sequence[hikari.api.ComponentBuilder]
#: The initial response to a click (a button, a menu choice, a modal sent): a message, a
#: deferral, or (to a button or a menu) a modal.
ClickResponse: TypeAlias = (
    hikari.api.InteractionMessageBuilder
    | hikari.api.InteractionDeferredBuilder
    | hikari.api.InteractionModalBuilder
)
#: What a click comes as: a component used (button, menu) or a modal sent.
Clicked: TypeAlias = hikari.ComponentInteraction | hikari.ModalInteraction
#: In HTTP mode, where the initial response to a click goes: the interaction server's
#: listener returns it as the HTTP response.
ResponseFuture: TypeAlias = asyncio.Future[ClickResponse]


class Answerer(Protocol):
    """How a command or a click acknowledges and answers (one line, text with buttons, or a
    modal as the first response)."""

    async def defer(self) -> None: ...

    async def open_modal(self, modal: Modal) -> None: ...

    async def send(
        self,
        content: str,
        *,
        attachments: Sequence[hikari.Resourceish] = (),
        components: Components = (),
    ) -> None: ...


def message_parts(content: str) -> list[str]:
    """``content`` as the messages Discord takes (at most 2,000 characters each): one, unless
    it is longer; then split between lines (a line too long alone is split), never cut."""
    return pack_lines(content.split("\n"), MESSAGE_CONTENT_LIMIT)


def _files(
    attachments: Sequence[hikari.Resourceish],
) -> hikari.UndefinedOr[list[hikari.Resourceish]]:
    return list(attachments) if attachments else hikari.UNDEFINED


def _rows(components: Components) -> hikari.UndefinedOr[list[hikari.api.ComponentBuilder]]:
    return list(components) if components else hikari.UNDEFINED


class Responder:
    """Answers one interaction ephemerally: defer first, then edit the deferred response.

    crescent's ``ctx.defer(ephemeral=True)`` drops the flag in HTTP mode (the deferred
    response is built without flags), and the edit of a deferred response keeps the flags of
    the defer. So the defer is sent as a builder carrying EPHEMERAL, which both modes honour.
    """

    def __init__(self, ctx: crescent.Context) -> None:
        self._ctx = ctx
        self.deferred = False
        self.responded = False

    async def defer(self) -> None:
        """Acknowledge now ("thinking…", only the caller sees it); the answer follows."""
        if self.deferred or self.responded:
            return
        builder = self._ctx.interaction.build_deferred_response().set_flags(
            hikari.MessageFlag.EPHEMERAL
        )
        await self._ctx.respond_with_builder(builder)
        self.deferred = True

    async def open_modal(self, modal: Modal) -> None:
        """Answer with a modal: the first and only response (a command that opens one does
        not defer)."""
        await self._ctx.respond_with_builder(modal.response())
        self.responded = True

    async def send(
        self,
        content: str,
        *,
        attachments: Sequence[hikari.Resourceish] = (),
        components: Components = (),
    ) -> None:
        """The answer: edits the deferred response, or responds, or follows up, ephemerally.
        Past Discord's 2,000 characters the rest follows in more messages (`message_parts`);
        the attachments and buttons go with the first."""
        first, *more = message_parts(content)
        await self._send(first, _files(attachments), _rows(components))
        for part in more:
            await self._send(part, hikari.UNDEFINED, hikari.UNDEFINED)

    async def _send(
        self,
        content: str,
        files: hikari.UndefinedOr[list[hikari.Resourceish]],
        rows: hikari.UndefinedOr[list[hikari.api.ComponentBuilder]],
    ) -> None:
        if self.responded:
            await self._ctx.app.rest.execute_webhook(
                self._ctx.application_id,
                self._ctx.token,
                content,
                attachments=files,
                components=rows,
                flags=hikari.MessageFlag.EPHEMERAL,
            )
        elif self.deferred:
            await self._ctx.edit(content, attachments=files, components=rows)
        else:
            await self._ctx.respond(content, ephemeral=True, attachments=files, components=rows)
        self.responded = True


class ClickResponder:
    """Answers one click (a button, a menu choice, a modal sent), in gateway mode (REST calls)
    or HTTP mode (``server``).

    `defer` acknowledges by deferring an update of the message the button sits on (or, with
    ``update=False``, a new message only the clicker sees), and `update` then edits that
    message (its text and buttons). `open_modal` answers a button or a menu with a modal.
    `send` is for one-line answers (refusals, errors): a new ephemeral message, so the
    button's message stays as it was.
    """

    def __init__(self, interaction: Clicked, server: ResponseFuture | None = None) -> None:
        self._interaction = interaction
        self._server = server
        self.deferred = False
        self.responded = False

    async def _initial(self, builder: ClickResponse) -> None:
        if self._server is not None:
            self._server.set_result(builder)
            return
        interaction = self._interaction
        if isinstance(builder, hikari.api.InteractionModalBuilder):
            assert isinstance(interaction, hikari.ComponentInteraction)
            await interaction.create_modal_response(
                builder.title, builder.custom_id, components=builder.components
            )
        elif isinstance(builder, hikari.api.InteractionMessageBuilder):
            await interaction.create_initial_response(
                builder.type, builder.content, flags=builder.flags, components=builder.components
            )
        else:
            await interaction.create_initial_response(builder.type, flags=builder.flags)

    async def defer(self, *, update: bool = True) -> None:
        """Acknowledge now (Discord's 3 seconds); `update` edits the message later: the one
        the button sits on, or (``update=False``) a new one only the clicker sees."""
        if self.deferred or self.responded:
            return
        rest = self._interaction.app.rest
        if update:
            kind = hikari.ResponseType.DEFERRED_MESSAGE_UPDATE
            await self._initial(rest.interaction_deferred_builder(kind))
        else:
            kind = hikari.ResponseType.DEFERRED_MESSAGE_CREATE
            builder = rest.interaction_deferred_builder(kind)
            await self._initial(builder.set_flags(hikari.MessageFlag.EPHEMERAL))
        self.deferred = True

    async def open_modal(self, modal: Modal) -> None:
        """Answer a button or a menu choice with a modal (the initial response: not deferred)."""
        if not isinstance(self._interaction, hikari.ComponentInteraction):
            raise TypeError("only a button or a menu can open a modal")
        await self._initial(modal.response())
        self.responded = True

    async def update(self, content: str, components: Components) -> None:
        """Replace the text and the buttons of the deferred message (the one the button sits
        on, unless deferred with ``update=False``; deferred here if it was not yet). Past
        Discord's 2,000 characters the rest follows in new messages only the clicker sees."""
        first, *more = message_parts(content)
        await self.defer()
        await self._interaction.edit_initial_response(first, components=list(components))
        self.responded = True
        for part in more:
            await self.send(part)

    async def send(
        self,
        content: str,
        *,
        attachments: Sequence[hikari.Resourceish] = (),
        components: Components = (),
    ) -> None:
        """A new message only the clicker sees (more than one past Discord's 2,000 characters;
        the attachments and buttons go with the first)."""
        first, *more = message_parts(content)
        await self._send(first, attachments, components)
        for part in more:
            await self._send(part, (), ())

    async def _send(
        self, content: str, attachments: Sequence[hikari.Resourceish], components: Components
    ) -> None:
        if self.deferred or self.responded:
            await self._interaction.execute(
                content,
                attachments=_files(attachments),
                components=_rows(components),
                flags=hikari.MessageFlag.EPHEMERAL,
            )
        else:
            kind = hikari.ResponseType.MESSAGE_CREATE
            builder = self._interaction.app.rest.interaction_message_builder(kind)
            builder.set_content(content).set_flags(hikari.MessageFlag.EPHEMERAL)
            for resource in attachments:
                builder.add_attachment(resource)
            for row in components:
                builder.add_component(row)
            await self._initial(builder)
        self.responded = True
