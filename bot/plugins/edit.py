"""/edit entry: a modal prefilled with the entry's Start, End, Duration, Client and Note."""

from __future__ import annotations

import crescent

from bot.autocomplete import autocomplete_recent
from bot.click_actions import edit_form
from bot.command_run import current_run, model_of, new_plugin
from bot.modals import within_deadline

__all__ = ["plugin"]

#: Not deferred: the modal must be the interaction's first response.
plugin = new_plugin(defer=False)
edit = crescent.Group("edit", "Change an entry")


@plugin.include
@edit.child
@crescent.command(name="entry", description="Change one of your entries' times, client or note")
class EditEntry:
    entry = crescent.option(
        str,
        "Entry: pick one, or give its short ref (from /entries), page id or URL",
        autocomplete=autocomplete_recent,
    )

    async def callback(self, ctx: crescent.Context) -> None:
        run, model = current_run(), model_of(ctx)
        modal = await within_deadline(edit_form(model, run.caller, self.entry))
        await run.deliver(run.responder.open_modal(modal))
        run.record.outcome = "modal"
