"""/status: is Notion reachable and the schema right, the ledger, the weekly post, reminders
due, the version — for members with Manage Server, privately."""

from __future__ import annotations

from typing import Final

import crescent
import hikari

from bot.command_run import current_run, model_of, new_plugin
from bot.plugins.check import clip_lines
from timesheet.health.status import check_notion, gather_status

__all__ = ["MANAGERS_ONLY", "plugin"]

MANAGERS_ONLY: Final = "Only members with Manage Server can run /status."

plugin = new_plugin()


@plugin.include
@crescent.command(
    name="status",
    description="Is timetrack well: Notion, the ledger, the weekly post (Manage Server)",
    default_member_permissions=hikari.Permissions.MANAGE_GUILD,
)
class Status:
    async def callback(self, ctx: crescent.Context) -> None:
        run, model = current_run(), model_of(ctx)
        if await run.refused_unless_manager(MANAGERS_ONLY):
            return
        settings = model.settings
        assert settings.notion_database_id is not None
        state, schema = await check_notion(
            model.notion, settings.notion_database_id, model.notion_watch
        )
        report = await gather_status(
            settings,
            ledger=model.ledger,
            notion=state,
            schema=schema,
            now=model.now(),
            reminders_due=model.reminders_due,
        )
        problems = report.problems()
        run.record.extra["problems"] = str(len(problems))
        await run.reply(clip_lines(report.lines(settings.timezone)))
