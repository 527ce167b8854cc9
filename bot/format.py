"""Reply text about timers, shared by Discord and the terminal (no hikari here)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from timesheet.entries.model import TimeEntry
from timesheet.text import clip, one_line
from timesheet.tracking.corrections import Listed, short_ref
from timesheet.tracking.results import (
    DeleteResult,
    EditResult,
    LogResult,
    PauseResult,
    ResumeResult,
)
from timesheet.tracking.tracker import ActiveView, EndOutcome, EndSaved, StartResult

__all__ = [
    "QUEUED",
    "SHOWN_NAME",
    "SHOWN_NOTE",
    "custom_name",
    "format_active",
    "format_delete",
    "format_duration",
    "format_edit",
    "format_end",
    "format_entries",
    "format_log",
    "format_pause",
    "format_read_as",
    "format_resume",
    "format_span",
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


def _wall(moment: datetime, tz: ZoneInfo, now: datetime | None) -> str:
    local = moment.astimezone(tz)
    if now is not None and now.astimezone(tz).date() == local.date():
        return f"{local:%H:%M}"
    return f"{local:%a %d %b %H:%M}"


def format_time(moment: datetime, tz: ZoneInfo, now: datetime | None = None) -> str:
    """``09:14 Europe/London`` today, ``Mon 17 Nov 09:14 Europe/London`` on another day."""
    return f"{_wall(moment, tz, now)} {tz.key}"


def format_span(entry: TimeEntry, tz: ZoneInfo, now: datetime, *, zone: bool = True) -> str:
    """``Mon 16 Nov 09:00–10:20 Europe/London``, ``09:00–now`` while it runs, both days when
    it ends on another one; ``zone=False`` leaves the zone out (a list names it once)."""
    start = _wall(entry.start, tz, now)
    if entry.end is None:
        text = f"{start}–now"
    elif entry.end.astimezone(tz).date() == entry.start.astimezone(tz).date():
        text = f"{start}–{entry.end.astimezone(tz):%H:%M}"
    else:
        text = f"{start} – {_wall(entry.end, tz, None)}"
    return f"{text} {tz.key}" if zone else text


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


# --- fixing time after the fact ------------------------------------------------------------


def format_read_as(typed: str, described: str, tz: ZoneInfo) -> str:
    """The line for a typed wall time that happens twice (a DST fold): which one was taken."""
    return (
        f'"{clip(one_line(typed.strip()), SHOWN_NAME)}" happens twice in {tz.key} (the clocks '
        f"go back): read as {described}."
    )


def _ref(entry: TimeEntry, markdown: bool) -> str:
    ref = short_ref(entry)
    return f"`{ref}`" if markdown else ref


def _overlap_lines(
    overlaps: Sequence[TimeEntry], tz: ZoneInfo, now: datetime, markdown: bool
) -> list[str]:
    return [
        f"It overlaps {_label(e, markdown)} ({format_span(e, tz, now)}, "
        f"ref {_ref(e, markdown)}).{_link(e, markdown)}"
        for e in overlaps
    ]


def _note_line(entry: TimeEntry) -> list[str]:
    return [f"Note: {clip(entry.note, SHOWN_NOTE)}"] if entry.note else []


def format_log(result: LogResult, tz: ZoneInfo, now: datetime, *, markdown: bool = True) -> str:
    """What a log reply says: the entry, its note, and each entry of yours it overlaps."""
    entry = result.entry
    lines = [
        f"Logged {_label(entry, markdown)}: {format_span(entry, tz, now)} "
        f"({format_duration(entry.duration(now))}).{_link(entry, markdown)}",
        *_note_line(entry),
        *_overlap_lines(result.overlaps, tz, now, markdown),
    ]
    if result.queued:
        lines.append(QUEUED)
    return "\n".join(lines)


def _changes(before: TimeEntry, after: TimeEntry, tz: ZoneInfo, now: datetime) -> list[str]:
    """One line per field an edit changed: ``Start: 09:00 → 09:15 Europe/London``."""

    def when(moment: datetime | None) -> str:
        return "none (running)" if moment is None else format_time(moment, tz, now)

    def text(value: str) -> str:
        return f'"{clip(value, SHOWN_NAME)}"' if value else "none"

    lines = []
    for field, old, new in (
        ("Start", when(before.start), when(after.start)),
        ("End", when(before.end), when(after.end)),
        ("Client", text(before.client), text(after.client)),
        ("Name", text(before.name), text(after.name)),
        ("Note", text(before.note), text(after.note)),
    ):
        if old != new:
            lines.append(f"{field}: {old} → {new}")
    return lines


def format_edit(result: EditResult, tz: ZoneInfo, now: datetime, *, markdown: bool = True) -> str:
    """What an edit reply says: the entry as it is now, what changed, what it overlaps."""
    entry = result.entry
    if not entry.entry_id:  # saved for an entry nothing here knows yet
        return f"Saved: your change to that entry will be written once Notion answers.\n{QUEUED}"
    owner = f" of <@{entry.user_id}>" if markdown else f" of user {entry.user_id}"
    whose = owner if result.ended_by_other else ""
    lines = [
        f"Changed {_label(entry, markdown)}{whose}: now {format_span(entry, tz, now)} "
        f"({format_duration(entry.duration(now))}).{_link(entry, markdown)}"
    ]
    if result.before is not None:
        lines += _changes(result.before, entry, tz, now)
    lines += _overlap_lines(result.overlaps, tz, now, markdown)
    if result.queued:
        lines.append(QUEUED)
    return "\n".join(lines)


def format_delete(
    result: DeleteResult, tz: ZoneInfo, now: datetime, *, markdown: bool = True
) -> str:
    """What a delete reply says: which entry went to Notion's trash, and how to restore it."""
    entry = result.entry
    if entry is None:
        return f"Saved: that entry will be moved to Notion's trash once Notion answers.\n{QUEUED}"
    verb = "Will move" if result.queued else "Moved"
    lines = [
        f"{verb} {_label(entry, markdown)} ({format_span(entry, tz, now)}, "
        f"{format_duration(entry.duration(now))}) to Notion's trash.",
        "To restore it: in Notion, Trash (in the sidebar) → Restore, or open the page and "
        f"click Restore page.{_link(entry, markdown)}",
    ]
    if result.queued:
        lines.append(QUEUED)
    return "\n".join(lines)


def format_pause(result: PauseResult, tz: ZoneInfo, now: datetime, *, markdown: bool = True) -> str:
    """What a pause reply says: the timer paused, its total, and what resuming does."""
    if result.queued:
        return f"Saved: your running timer will be paused at {format_time(now, tz, now)}.\n{QUEUED}"
    lines = [
        f"Paused {_label(e, markdown)} at {format_time(e.end or now, tz, now)} "
        f"(started {format_time(e.start, tz, now)}, total {format_duration(e.duration(now))})."
        f"{_link(e, markdown)}"
        for e in result.entries
    ]
    lines.append("Resuming starts a new entry with the same client, name and note.")
    return "\n".join(lines)


def format_resume(
    result: ResumeResult, tz: ZoneInfo, now: datetime, *, markdown: bool = True
) -> str:
    """What a resume reply says: the new timer, what it continues, the timers it stopped."""
    entry = result.entry
    if entry is None:
        return (
            "Saved: your paused timer (else your latest entry) continues from "
            f"{format_time(now, tz, now)} once Notion answers.\n{QUEUED}"
        )
    lines = [
        f"Resumed {_label(entry, markdown)} at {format_time(entry.start, tz, now)}."
        f"{_link(entry, markdown)}"
    ]
    if result.resumed is not None:
        lines.append(f"It continues the entry of {format_span(result.resumed, tz, now)}.")
    lines += _note_line(entry)
    lines.extend(_stopped_line(e, tz, now, markdown) for e in result.stopped)
    if result.queued:
        lines.append(QUEUED)
    return "\n".join(lines)


def _marks(item: Listed) -> str:
    marks = (
        ("running", item.entry.running),
        ("paused", item.entry.paused),
        ("overlap", item.overlaps),
    )
    return "".join(f" [{mark}]" for mark, shown in marks if shown)


def format_entries(
    listed: Sequence[Listed], title: str, tz: ZoneInfo, now: datetime, *, markdown: bool = True
) -> str:
    """Your entries of ``title`` (a period), one a line: short ref, client/name, start–end,
    duration, and marks for running, paused and overlapping ones. Times in ``tz``, named once;
    in the terminal (``markdown=False``) the columns line up.
    """
    if not listed:
        return f"No entries in {title}."
    rows = [
        (
            _ref(item.entry, markdown),
            _label(item.entry, markdown),
            format_span(item.entry, tz, now, zone=False),
            format_duration(item.entry.duration(now)),
        )
        for item in listed
    ]
    if markdown:
        cells = [" · ".join(row) for row in rows]
    else:
        widths = [max(len(cell) for cell in column) for column in zip(*rows, strict=True)]
        cells = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    count = "1 entry" if len(listed) == 1 else f"{len(listed)} entries"
    lines = [f"{count} in {title}, times in {tz.key}:"]
    lines += [(cell + _marks(item)).rstrip() for cell, item in zip(cells, listed, strict=True)]
    return "\n".join(lines)
