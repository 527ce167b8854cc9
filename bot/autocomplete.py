"""Autocomplete shared by the commands: clients, your running timers, your recent entries."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta
from typing import Final

import crescent
import hikari

from bot.auth import caller_from, is_allowed
from bot.command_run import model_of
from bot.correction_replies import entry_span
from bot.format import format_duration, format_time, shown_name
from timesheet.text import clip
from timesheet.tracking.corrections import SHORT_REF_DAYS

__all__ = [
    "MAX_CHOICES",
    "MAX_CHOICE_LENGTH",
    "RECENT_DAYS",
    "autocomplete_client",
    "autocomplete_recent",
    "autocomplete_running",
    "match_choices",
]

#: Discord shows at most 25 autocomplete choices, each name and value at most 100 characters.
MAX_CHOICES: Final = 25
MAX_CHOICE_LENGTH: Final = 100
#: How far back the entry option of /edit and /delete suggests your entries.
RECENT_DAYS: Final = min(14, SHORT_REF_DAYS)

_log = logging.getLogger("timetrack.bot")


def match_choices(choices: Iterable[str], typed: str) -> list[tuple[str, str]]:
    """Choices containing what was typed (case-insensitive), prefix matches first, at most 25."""
    needle = typed.strip().casefold()
    prefix: list[str] = []
    inside: list[str] = []
    for choice in dict.fromkeys(choices):
        folded = choice.casefold()
        if folded.startswith(needle):
            prefix.append(choice)
        elif needle in folded:
            inside.append(choice)
    # A choice's value is what the option receives: a longer name can't be offered at all.
    return [(c, c) for c in (prefix + inside) if len(c) <= MAX_CHOICE_LENGTH][:MAX_CHOICES]


def _allowed(ctx: crescent.AutocompleteContext) -> bool:
    settings = model_of(ctx).settings
    caller = caller_from(ctx.user, ctx.member)
    return is_allowed(caller, settings.allowed_user_ids, settings.allowed_role_ids)


async def autocomplete_client(
    ctx: crescent.AutocompleteContext, option: hikari.AutocompleteInteractionOption
) -> list[tuple[str, str]]:
    """Presets and the database's Client options matching what the user typed."""
    try:
        if not _allowed(ctx):
            return []
        choices = await model_of(ctx).client_choices()
    except Exception as exc:  # an autocomplete that raises leaves Discord waiting
        _log.warning("client autocomplete failed: %s", type(exc).__name__)
        return []
    return match_choices(choices, str(option.value or ""))


async def autocomplete_running(
    ctx: crescent.AutocompleteContext, option: hikari.AutocompleteInteractionOption
) -> list[tuple[str, str]]:
    """The caller's running entries; the value is the Notion page id."""
    try:
        if not _allowed(ctx):
            return []
        model = model_of(ctx)
        running = await model.tracker.active(str(ctx.user.id), drain=False)
    except Exception as exc:
        _log.warning("entry autocomplete failed: %s", type(exc).__name__)
        return []
    tz, now = model.settings.timezone, model.now()
    typed = str(option.value or "").strip().casefold()
    found: list[tuple[str, str]] = []
    for entry in running:
        # A timer whose start is still in the ledger is named by its Entry ID.
        ref = entry.page_id or entry.entry_id
        elapsed = format_duration(entry.duration(now))
        facts = f" · since {format_time(entry.start, tz, now)} ({elapsed})"
        label = clip(entry.name or entry.client, MAX_CHOICE_LENGTH - len(facts)) + facts
        if typed in label.casefold() or typed in ref:
            found.append((label, ref))
    return found[:MAX_CHOICES]


async def autocomplete_recent(
    ctx: crescent.AutocompleteContext, option: hikari.AutocompleteInteractionOption
) -> list[tuple[str, str]]:
    """The caller's entries of the last `RECENT_DAYS` days, latest first (one query); the
    value is the page id (or the Entry ID of a start not in Notion yet)."""
    try:
        if not _allowed(ctx):
            return []
        model = model_of(ctx)
        now = model.now()
        listed = await model.tracker.entries(
            str(ctx.user.id), now - timedelta(days=RECENT_DAYS), now + timedelta(minutes=1)
        )
    except Exception as exc:
        _log.warning("recent entries autocomplete failed: %s", type(exc).__name__)
        return []
    tz = model.settings.timezone
    typed = str(option.value or "").strip().casefold()
    found: list[tuple[str, str]] = []
    for item in reversed(listed):
        entry = item.entry
        ref = entry.page_id or entry.entry_id
        label = clip(
            f"{item.ref} · {shown_name(entry)} · {entry_span(entry, tz)}", MAX_CHOICE_LENGTH
        )
        if typed in label.casefold() or typed in ref:
            found.append((label, ref))
    return found[:MAX_CHOICES]
