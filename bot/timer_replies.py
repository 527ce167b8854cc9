"""What a timer command or click answers: the text, the buttons (or menu) under it, and what
its log line says (changed, outcome, acted for)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import hikari

from bot.buttons import delete_rows, ended_rows, resume_rows, running_rows
from bot.correction_replies import (
    delete_prompt_text,
    deleted_text,
    edit_text,
    entries_text,
    log_text,
    pause_text,
    read_lines,
    resume_text,
)
from bot.format import format_active, format_end, format_start
from bot.logs import CommandRecord
from bot.menus import MAX_OPTIONS, pick_rows
from bot.typed import Read
from timesheet.entries.model import TimeEntry
from timesheet.tracking.corrections import Listed
from timesheet.tracking.results import (
    DeleteResult,
    EditResult,
    LogResult,
    PauseResult,
    ResumeResult,
)
from timesheet.tracking.tracker import ActiveView, EndOutcome, EndSaved, StartResult

__all__ = [
    "TimerReply",
    "active_reply",
    "delete_prompt_reply",
    "deleted_reply",
    "edit_reply",
    "end_reply",
    "entries_reply",
    "log_reply",
    "pause_reply",
    "resume_reply",
    "start_reply",
]


@dataclass(frozen=True, slots=True)
class TimerReply:
    """The text of a reply and its action rows (empty: no button)."""

    text: str
    components: Sequence[hikari.api.ComponentBuilder] = ()


def start_reply(
    result: StartResult,
    tz: ZoneInfo,
    now: datetime,
    record: CommandRecord,
    reads: Sequence[Read] = (),
) -> TimerReply:
    """The started timer, with Stop and Pause buttons for it; ``record`` notes the change (a
    queued start too). ``reads``: the typed times, shown when ambiguous."""
    record.changed = True
    if result.queued:
        record.outcome = "queued"
    text = format_start(result, tz, now)
    return TimerReply("\n".join([text, *read_lines(reads)]), running_rows([result.entry]))


def end_reply(
    result: EndOutcome,
    tz: ZoneInfo,
    now: datetime,
    record: CommandRecord,
    reads: Sequence[Read] = (),
) -> TimerReply:
    """The stopped timer, with "Start again" (not offered to a manager who stopped someone
    else's timer: starting it again is its owner's) and Adjust. ``record`` notes who and how,
    and whether it changed anything. A stop saved for no known timer says so, without
    buttons."""
    if isinstance(result, EndSaved):
        record.outcome = "queued"
        record.changed = True
        return TimerReply("\n".join([*read_lines(reads), format_end(result, tz, now)]))
    record.changed = None if result.already_ended else True
    if result.ended_by_other:
        record.acted_for = result.entry.user_id
        record.outcome = "ended_for_other"
    elif result.already_ended:
        record.outcome = "already_ended"
    if result.queued:
        record.outcome = "queued"
    rows = ended_rows(result.entry, own=not result.ended_by_other)
    text = "\n".join([format_end(result, tz, now), *read_lines(reads)])
    return TimerReply(text, rows)


def active_reply(
    view: ActiveView, tz: ZoneInfo, now: datetime, record: CommandRecord
) -> TimerReply:
    """The running timers, with a Stop button for each (and Pause for one); ``record`` notes
    why there is none."""
    if not view.notion_reachable:
        record.outcome = "notion_unavailable"
    elif not view.entries:
        record.outcome = "nothing_running"
    return TimerReply(format_active(view, tz, now), running_rows(view.entries))


def _changed(record: CommandRecord, queued: bool, entry: TimeEntry | None = None) -> None:
    """Note a change in ``record``: saved for later (``queued``), or someone else's entry."""
    record.changed = True
    if entry is not None and entry.user_id and entry.user_id != record.user_id:
        record.acted_for = entry.user_id
    if queued:
        record.outcome = "queued"


def log_reply(
    result: LogResult, tz: ZoneInfo, now: datetime, record: CommandRecord, reads: Sequence[Read]
) -> TimerReply:
    """The logged entry, with "Start again" and Adjust."""
    _changed(record, result.queued)
    return TimerReply(log_text(result, tz, now, reads), ended_rows(result.entry))


def edit_reply(
    result: EditResult,
    tz: ZoneInfo,
    now: datetime,
    record: CommandRecord,
    reads: Sequence[Read],
    *,
    verb: str = "Edited",
) -> TimerReply:
    """The edited (or adjusted) entry, with the buttons of where it stands now."""
    entry = result.entry
    _changed(record, result.queued, entry)
    if not entry.entry_id:  # saved for an entry the bot knows nothing of yet
        rows: Sequence[hikari.api.ComponentBuilder] = []
    elif entry.running:
        rows = running_rows([entry]) if not result.ended_by_other else []
    else:
        rows = ended_rows(entry, own=not result.ended_by_other)
    return TimerReply(edit_text(result, tz, now, reads, verb=verb), rows)


def delete_prompt_reply(
    entry: TimeEntry, tz: ZoneInfo, now: datetime, record: CommandRecord
) -> TimerReply:
    """What /delete entry would delete, with the Delete button that does it."""
    record.outcome = "asked"
    by_other = entry.user_id != record.user_id
    text = delete_prompt_text(entry, tz, now, by_other=by_other)
    return TimerReply(text, delete_rows(entry))


def deleted_reply(
    result: DeleteResult, tz: ZoneInfo, now: datetime, record: CommandRecord
) -> TimerReply:
    """The deleted entry and how to restore it (no buttons: there is nothing left to do)."""
    _changed(record, result.queued, result.entry)
    return TimerReply(deleted_text(result, tz, now))


def pause_reply(
    result: PauseResult,
    tz: ZoneInfo,
    now: datetime,
    at: datetime,
    record: CommandRecord,
    reads: Sequence[Read] = (),
) -> TimerReply:
    """The paused timer, with Resume."""
    _changed(record, result.queued)
    rows = resume_rows(result.entries[0]) if len(result.entries) == 1 else []
    return TimerReply(pause_text(result, tz, now, at, reads), rows)


def resume_reply(
    result: ResumeResult,
    tz: ZoneInfo,
    now: datetime,
    at: datetime,
    record: CommandRecord,
    reads: Sequence[Read] = (),
) -> TimerReply:
    """The resumed timer, with Stop and Pause."""
    _changed(record, result.queued)
    rows = running_rows([result.entry]) if result.entry is not None else []
    return TimerReply(resume_text(result, tz, now, at, reads), rows)


def entries_reply(
    listed: Sequence[Listed], title: str, tz: ZoneInfo, now: datetime, record: CommandRecord
) -> TimerReply:
    """The period's entries, with a menu to pick one to edit."""
    if not listed:
        record.outcome = "nothing_listed"
    rows = pick_rows(listed, tz)
    size = min(len(listed), MAX_OPTIONS)
    return TimerReply(entries_text(listed, title, tz, now, menu_size=size), rows)
