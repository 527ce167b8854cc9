"""Reply text (Discord markdown) for fixing time after the fact: /log, /edit, Adjust, /delete,
/pause, /resume and /entries. No hikari here: the buttons are `bot.timer_replies`'."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from bot.format import QUEUED, SHOWN_NOTE, format_duration, format_time, shown_name
from bot.typed import Read
from timesheet.entries.model import TimeEntry, compact_id
from timesheet.text import clip
from timesheet.tracking.corrections import Listed
from timesheet.tracking.results import (
    DeleteResult,
    EditResult,
    LogResult,
    PauseResult,
    ResumeResult,
)

__all__ = [
    "RESTORE_HELP",
    "delete_prompt_text",
    "deleted_text",
    "edit_text",
    "entries_text",
    "entry_span",
    "log_text",
    "pause_text",
    "read_lines",
    "resume_text",
    "short_ref",
]

#: How a deleted entry comes back: Notion keeps trashed pages (it empties its trash later).
RESTORE_HELP: Final = (
    "To restore it, open Trash in Notion's sidebar, find the page and choose Restore."
)
#: Marks in the /entries list.
RUNNING_MARK: Final = "▶ running"
PAUSED_MARK: Final = "⏸ paused"
OVERLAP_MARK: Final = "⚠ overlaps"
#: A page link longer than this (Notion puts the page's title in its URL) is given by page id.
_LONG_URL: Final = 200


def short_ref(entry: TimeEntry) -> str:
    """The short ref /entries shows and commands take: a page id's first 8 hex digits."""
    return compact_id(entry.page_id or entry.entry_id)[:8]


def entry_span(entry: TimeEntry, tz: ZoneInfo) -> str:
    """``Mon 16 Nov 09:00–10:00`` (local); ``–now`` while it runs; both days when it spans two."""
    start = entry.start.astimezone(tz)
    if entry.end is None:
        return f"{start:%a %d %b %H:%M}–now"
    end = entry.end.astimezone(tz)
    if end.date() == start.date():
        return f"{start:%a %d %b %H:%M}–{end:%H:%M}"
    return f"{start:%a %d %b %H:%M} – {end:%a %d %b %H:%M}"


def _link(entry: TimeEntry) -> str:
    url = entry.url
    if url and len(url) > _LONG_URL and entry.page_id:
        url = "https://www.notion.so/" + compact_id(entry.page_id)
    if not url:
        return " (not in Notion yet)" if entry.page_id is None else ""
    return f" [Notion page](<{url}>)"


def _facts(entry: TimeEntry, tz: ZoneInfo, now: datetime) -> str:
    """``**Acme** Mon 16 Nov 09:00–10:00 Europe/London, 1h 00m``."""
    return (
        f"**{shown_name(entry)}** {entry_span(entry, tz)} {tz.key}, "
        f"{format_duration(entry.duration(now))}"
    )


def read_lines(reads: Sequence[Read]) -> list[str]:
    """How each ambiguous time typed was read."""
    return [
        f'"{clip(r.text, 40)}" was read as {r.when.describe()}.' for r in reads if r.when.ambiguous
    ]


def _overlap_line(overlaps: Sequence[TimeEntry], tz: ZoneInfo) -> list[str]:
    if not overlaps:
        return []
    shown = "; ".join(
        f"**{shown_name(e)}** {entry_span(e, tz)} (`{short_ref(e)}`)" for e in overlaps[:5]
    )
    more = f" and {len(overlaps) - 5} more" if len(overlaps) > 5 else ""
    return [f"⚠ It overlaps {shown}{more}: /entries shows them, /edit entry fixes either."]


def _note(entry: TimeEntry) -> list[str]:
    return [f"Note: {clip(entry.note, SHOWN_NOTE)}"] if entry.note else []


def log_text(result: LogResult, tz: ZoneInfo, now: datetime, reads: Sequence[Read] = ()) -> str:
    """The logged entry: client, local start–end, duration, link; what it overlaps."""
    entry = result.entry
    lines = [f"Logged {_facts(entry, tz, now)}.{_link(entry)}", *_note(entry)]
    lines += read_lines(reads)
    lines += _overlap_line(result.overlaps, tz)
    if result.queued:
        lines.append(QUEUED)
    return "\n".join(lines)


def edit_text(
    result: EditResult,
    tz: ZoneInfo,
    now: datetime,
    reads: Sequence[Read] = (),
    *,
    verb: str = "Edited",
) -> str:
    """The entry as edited, and as it was; whose it was when someone else's."""
    entry = result.entry
    if not entry.entry_id:  # saved for an entry the bot knows nothing of yet
        return "\n".join([*read_lines(reads), f"Your edit is saved. {QUEUED}"])
    whose = f" (an entry of <@{entry.user_id}>)" if result.ended_by_other else ""
    lines = [f"{verb} {_facts(entry, tz, now)}{whose}.{_link(entry)}"]
    before = result.before
    if before is not None and before != entry:
        lines.append(f"Was: {_facts(before, tz, now)}.")
    lines += _note(entry)
    lines += read_lines(reads)
    lines += _overlap_line(result.overlaps, tz)
    if result.queued:
        lines.append(QUEUED)
    return "\n".join(lines)


def delete_prompt_text(entry: TimeEntry, tz: ZoneInfo, now: datetime, *, by_other: bool) -> str:
    """Asks before deleting: what goes, and that the button does it."""
    whose = f" (an entry of <@{entry.user_id}>)" if by_other else ""
    return (
        f"Delete {_facts(entry, tz, now)}{whose}? Its page goes to Notion's trash. "
        "Press Delete to confirm."
    )


def deleted_text(result: DeleteResult, tz: ZoneInfo, now: datetime) -> str:
    """The deleted entry, and how to get it back."""
    entry = result.entry
    if entry is None:
        return (
            f"Saved: the entry will be moved to Notion's trash once Notion answers. {RESTORE_HELP}"
        )
    whose = f" (an entry of <@{entry.user_id}>)" if result.ended_by_other else ""
    if result.queued:
        return (
            f"Saved: {_facts(entry, tz, now)}{whose} will be moved to Notion's trash once "
            f"Notion answers. {RESTORE_HELP}"
        )
    return f"Deleted {_facts(entry, tz, now)}{whose}: its page is in Notion's trash. {RESTORE_HELP}"


def pause_text(
    result: PauseResult, tz: ZoneInfo, now: datetime, at: datetime, reads: Sequence[Read] = ()
) -> str:
    """The paused timer(s), and how to go on."""
    when = format_time(at, tz, now)
    if not result.entries:
        text = (
            f"Saved: your running timer will be paused at {when} once Notion answers; "
            "/resume continues it."
        )
        return "\n".join([*read_lines(reads), text])
    lines = [
        f"Paused **{shown_name(e)}** at {format_time(e.end or at, tz, now)} "
        f"(this stretch {format_duration(e.duration(now))}).{_link(e)}"
        for e in result.entries
    ]
    lines += read_lines(reads)
    lines.append("Resume (or /resume) goes on with it as a new entry.")
    if result.queued:
        lines.append(QUEUED)
    return "\n".join(lines)


def resume_text(
    result: ResumeResult, tz: ZoneInfo, now: datetime, at: datetime, reads: Sequence[Read] = ()
) -> str:
    """The new running timer, what it goes on with, and what it stopped."""
    if result.entry is None:
        when = format_time(at, tz, now)
        text = f"Saved: your paused timer will be resumed at {when} once Notion answers."
        return "\n".join([*read_lines(reads), text])
    entry = result.entry
    lines = [
        f"Resumed **{shown_name(entry)}** at {format_time(entry.start, tz, now)}.{_link(entry)}"
    ]
    resumed = result.resumed
    if resumed is not None and resumed.end is not None:
        lines.append(f"It goes on from {_facts(resumed, tz, now)}.")
    lines += [
        f"Stopped **{shown_name(e)}** (started {format_time(e.start, tz, now)}, "
        f"total {format_duration(e.duration(now))})."
        for e in result.stopped
    ]
    lines += read_lines(reads)
    if result.queued:
        lines.append(QUEUED)
    return "\n".join(lines)


def _marks(item: Listed) -> str:
    marks = []
    if item.entry.end is None:
        marks.append(RUNNING_MARK)
    if item.entry.paused:
        marks.append(PAUSED_MARK)
    if item.overlaps:
        marks.append(OVERLAP_MARK)
    return f" · {' · '.join(marks)}" if marks else ""


def entries_text(
    listed: Sequence[Listed], title: str, tz: ZoneInfo, now: datetime, *, menu_size: int
) -> str:
    """The entries of a period, one a line: short ref, local start–end, duration, name,
    marks; the total; and what the menu under it holds."""
    if not listed:
        return f"You have no entries in {title}."
    lines = [f"Your entries, {title} (times in {tz.key}):"]
    total = timedelta(0)
    for item in listed:
        entry = item.entry
        total += entry.duration(now)
        lines.append(
            f"`{item.ref}` {entry_span(entry, tz)} · {format_duration(entry.duration(now))} · "
            f"**{shown_name(entry)}**{_marks(item)}"
        )
    count = f"{len(listed)} entr{'y' if len(listed) == 1 else 'ies'}"
    lines.append(f"Total: {format_duration(total)} in {count}.")
    if menu_size < len(listed):
        lines.append(
            f"The menu below holds the latest {menu_size}; /edit entry takes any ref shown."
        )
    return "\n".join(lines)
