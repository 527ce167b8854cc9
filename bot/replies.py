"""Ephemeral replies that work the same in gateway and HTTP mode."""

from __future__ import annotations

from collections.abc import Sequence

import crescent
import hikari

__all__ = ["Responder"]


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

    async def send(self, content: str, *, attachments: Sequence[hikari.Resourceish] = ()) -> None:
        """The answer: edits the deferred response, or responds, or follows up, ephemerally."""
        files: hikari.UndefinedOr[Sequence[hikari.Resourceish]] = (
            list(attachments) if attachments else hikari.UNDEFINED
        )
        if self.responded:
            await self._ctx.app.rest.execute_webhook(
                self._ctx.application_id,
                self._ctx.token,
                content,
                attachments=files,
                flags=hikari.MessageFlag.EPHEMERAL,
            )
        elif self.deferred:
            await self._ctx.edit(content, attachments=files)
        else:
            await self._ctx.respond(content, ephemeral=True, attachments=files)
        self.responded = True
