"""The select menu under /entries: pick one of your entries to open its Edit modal."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final
from zoneinfo import ZoneInfo

import hikari

from bot.buttons import PREFIX
from bot.correction_replies import entry_span
from bot.format import shown_name
from timesheet.entries.refs import notion_id
from timesheet.text import clip, one_line
from timesheet.tracking.corrections import Listed

__all__ = ["MAX_OPTIONS", "PICK_COMMAND", "PICK_ID", "pick_rows", "picked_ref"]

#: The menu's custom id, and the name its log line carries.
PICK_ID: Final = f"{PREFIX}:pick"
PICK_COMMAND: Final = "menu:edit"
#: Discord's limits: at most 25 options; a label, value and description at most 100.
MAX_OPTIONS: Final = 25
MAX_OPTION_TEXT: Final = 100


def pick_rows(listed: Sequence[Listed], tz: ZoneInfo) -> list[hikari.api.ComponentBuilder]:
    """A menu of the latest 25 entries (latest first); none when there is nothing to pick."""
    options: list[tuple[str, str, str]] = []
    for item in reversed(listed):
        entry = item.entry
        ref = notion_id(entry.page_id or entry.entry_id)
        if ref is None:
            continue
        label = f"{item.ref} · {shown_name(entry)} · {entry_span(entry, tz)}"
        options.append((clip(label, MAX_OPTION_TEXT), ref, clip(one_line(entry.note), 100)))
        if len(options) == MAX_OPTIONS:
            break
    if not options:
        return []
    row = hikari.impl.MessageActionRowBuilder()
    menu = row.add_text_menu(PICK_ID, placeholder="Edit an entry…", min_values=1, max_values=1)
    for label, value, note in options:
        menu.add_option(label, value, description=note or hikari.UNDEFINED)
    return [row]


def picked_ref(interaction: hikari.ComponentInteraction) -> str | None:
    """The entry chosen in our menu (its page id or Entry ID); None for anything else."""
    if interaction.custom_id != PICK_ID or len(interaction.values) != 1:
        return None
    return notion_id(interaction.values[0])
