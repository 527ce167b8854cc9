"""Reply text about timers, shared by Discord and the terminal (no hikari here)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from timesheet.entries.model import TimeEntry
from timesheet.text import clip
from timesheet.tracking.tracker import ActiveView, EndOutcome, EndSaved, StartResult

__all__ = [
    "QUEUED",
    "SHOWN_NAME",
    "SHOWN_NOTE",
    "custom_name",
    "format_active",
    "format_duration",
    "format_end",
    "format_start",
    "format_time",
    "shown_name",
]


#: Said when an operation Notion could not take now stays saved in the ledger.
QUEUED = (
    "Notion can't be reached right now: this is saved on the bot's side and will be written "
    "to Notion as soon as it answers."
)
UNREACHABLE = "Notion can't be reached right now; showing what is saved locally."

#: How much of a name, a client and a note a reply echoes (Notion keeps them whole, up to
#: 2,000 characters): a reply states its facts (times, totals, links) within Discord's 2,000.
SHOWN_NAME: Final = 80
SHOWN_NOTE: Final = 300
#: A page link longer than this (Notion puts the page's title in its URL) is given by page id.
_LONG_URL: Final = 200


def format_duration(span: timedelta) -> str:
    """``45s``, ``12m``, ``3h 05m``: short and unambiguous."""
    seconds = max(int(span.total_seconds()), 0)
    if seconds < 60:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes}m"
    return f"{minutes // 60}h {minutes % 60:02d}m"


def format_time(moment: datetime, tz: ZoneInfo, now: datetime | None = None) -> str:
    """``09:14 Europe/London`` today, ``Mon 17 Nov 09:14 Europe/London`` on another day."""
    local = moment.astimezone(tz)
    if now is not None and now.astimezone(tz).date() == local.date():
        return f"{local:%H:%M} {tz.key}"
    return f"{local:%a %d %b %H:%M} {tz.key}"


def _url(entry: TimeEntry) -> str | None:
    if entry.url and len(entry.url) > _LONG_URL and entry.page_id:
        return "https://www.notion.so/" + entry.page_id.replace("-", "")
    return entry.url


def _link(entry: TimeEntry, markdown: bool) -> str:
    url = _url(entry)
    if not url:
        return " (not in Notion yet)" if entry.page_id is None else ""
    return f" [Notion page](<{url}>)" if markdown else f"\n  {url}"


def custom_name(entry: TimeEntry) -> str | None:
    """The free-text name of a /start custom timer; None for a preset one (named by client)."""
    return entry.name if entry.name and entry.name != entry.client else None


def shown_name(entry: TimeEntry) -> str:
    """What a reply calls the timer: its client, or its own name and its client (each clipped
    to ``SHOWN_NAME``)."""
    client = clip(entry.client, SHOWN_NAME) if entry.client else "no client"
    name = custom_name(entry)
    return client if name is None else f"{clip(name, SHOWN_NAME)} ({client})"


def _label(entry: TimeEntry, markdown: bool) -> str:
    text = shown_name(entry)
    return f"**{text}**" if markdown else text


def _stopped_line(entry: TimeEntry, tz: ZoneInfo, now: datetime, markdown: bool) -> str:
    return (
        f"Stopped {_label(entry, markdown)} (started {format_time(entry.start, tz, now)}, "
        f"total {format_duration(entry.duration(now))}).{_link(entry, markdown)}"
    )


def format_start(result: StartResult, tz: ZoneInfo, now: datetime, *, markdown: bool = True) -> str:
    """What a start reply says: the new timer, and the timer(s) it stopped."""
    entry = result.entry
    lines = [
        f"Started {_label(entry, markdown)} at {format_time(entry.start, tz, now)}."
        f"{_link(entry, markdown)}"
    ]
    if entry.note:
        lines.append(f"Note: {clip(entry.note, SHOWN_NOTE)}")
    stopped = [e for e in (result.stopped, *result.also_stopped) if e is not None]
    lines.extend(_stopped_line(e, tz, now, markdown) for e in stopped)
    if result.queued:
        lines.append(QUEUED)
    return "\n".join(lines)


def format_end(
    result: EndOutcome,
    tz: ZoneInfo,
    now: datetime,
    *,
    markdown: bool = True,
) -> str:
    """What an end reply says: client, start, total and link; and whose timer it was (or, for
    a stop saved for no known timer, when it will apply)."""
    if isinstance(result, EndSaved):
        return result.reply(tz)
    entry = result.entry
    owner = f"<@{entry.user_id}>" if markdown else f"user {entry.user_id}"
    if result.already_ended:
        verb = "was already stopped"
    elif result.ended_by_other:
        verb = f"stopped for {owner} by you"
    else:
        verb = "stopped"
    lines = [
        f"{_label(entry, markdown)} {verb}: started {format_time(entry.start, tz, now)}, "
        f"total {format_duration(entry.duration(now))}.{_link(entry, markdown)}"
    ]
    lines.extend(_stopped_line(e, tz, now, markdown) for e in result.also_ended)
    if result.queued:
        lines.append(QUEUED)
    return "\n".join(lines)


def format_active(
    view: ActiveView | Sequence[TimeEntry], tz: ZoneInfo, now: datetime, *, markdown: bool = True
) -> str:
    """The running timer(s): client, start, elapsed time and link (pending ones flagged)."""
    entries = view.entries if isinstance(view, ActiveView) else view
    unreachable = isinstance(view, ActiveView) and not view.notion_reachable
    if not entries:
        text = "You have no running timer."
        if isinstance(view, ActiveView) and view.paused is not None:
            paused = view.paused
            text = (
                f"Paused: {_label(paused, markdown)} since "
                f"{format_time(paused.end or paused.start, tz, now)}; "
                f"{format_duration(view.worked_today)} worked on it today. Resume to continue."
            )
        return f"{UNREACHABLE}\n{text}" if unreachable else text
    lines = [UNREACHABLE] if unreachable else []
    lines += [
        f"Running: {_label(e, markdown)} since {format_time(e.start, tz, now)}, "
        f"elapsed {format_duration(e.duration(now))}.{_link(e, markdown)}"
        for e in entries
    ]
    return "\n".join(lines)
