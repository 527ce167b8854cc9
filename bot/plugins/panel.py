"""/panel (Manage Server): posts the panel, a message anyone allowed can start and stop their
own timer from (see `bot.panel`)."""

from __future__ import annotations

from typing import Final

import crescent
import hikari

from bot.command_run import current_run, model_of, new_plugin
from bot.panel import panel_rows, panel_text

__all__ = ["MANAGERS_ONLY", "plugin"]

MANAGERS_ONLY: Final = "Only members with Manage Server can post the panel."

# Not deferred: the panel is the command's own answer, seen by everyone in the channel (a
# deferral would make it ephemeral).
plugin = new_plugin(defer=False)


@plugin.include
@crescent.command(
    name="panel",
    description="Post a panel of buttons to start and stop timers (Manage Server)",
    default_member_permissions=hikari.Permissions.MANAGE_GUILD,
)
class Panel:
    async def callback(self, ctx: crescent.Context) -> None:
        run, model = current_run(), model_of(ctx)
        if await run.refused_unless_manager(MANAGERS_ONLY):
            return
        # PRESET_CLIENTS, then the Clients database's not archived (never raises for Notion).
        clients = await model.accepted_clients()
        run.record.extra["clients"] = str(len(clients))
        await run.deliver(_post(ctx, panel_text(clients), panel_rows(clients)))


async def _post(ctx: crescent.Context, text: str, rows: list[hikari.api.ComponentBuilder]) -> None:
    """The panel, as the command's answer everyone in the channel sees (it stays there)."""
    await ctx.respond(text, components=rows)
