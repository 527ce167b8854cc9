"""What a timer command or button click answers: the text, the buttons under it, the outcome."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import hikari

from bot.buttons import start_again_rows, stop_rows
from bot.format import format_active, format_end, format_start
from bot.logs import CommandRecord
from timesheet.tracking.tracker import ActiveView, EndOutcome, EndSaved, StartResult

__all__ = ["TimerReply", "active_reply", "end_reply", "start_reply"]


@dataclass(frozen=True, slots=True)
class TimerReply:
    """The text of a reply and its action rows (empty: no button)."""

    text: str
    components: Sequence[hikari.api.ComponentBuilder] = ()


def start_reply(
    result: StartResult, tz: ZoneInfo, now: datetime, record: CommandRecord
) -> TimerReply:
    """The started timer, with a Stop button for it; ``record`` notes the change (a queued
    start too)."""
    record.changed = True
    if result.queued:
        record.outcome = "queued"
    return TimerReply(format_start(result, tz, now), stop_rows([result.entry]))


def end_reply(
    result: EndOutcome, tz: ZoneInfo, now: datetime, record: CommandRecord
) -> TimerReply:
    """The stopped timer, with "Start again" (not offered to a manager who stopped someone
    else's timer: starting it again is its owner's). ``record`` notes who and how, and
    whether it changed anything. A stop saved for no known timer says so, without buttons."""
    if isinstance(result, EndSaved):
        record.outcome = "queued"
        record.changed = True
        return TimerReply(format_end(result, tz, now))
    record.changed = None if result.already_ended else True
    if result.ended_by_other:
        record.acted_for = result.entry.user_id
        record.outcome = "ended_for_other"
    elif result.already_ended:
        record.outcome = "already_ended"
    if result.queued:
        record.outcome = "queued"
    rows = [] if result.ended_by_other else start_again_rows(result.entry)
    return TimerReply(format_end(result, tz, now), rows)


def active_reply(
    view: ActiveView, tz: ZoneInfo, now: datetime, record: CommandRecord
) -> TimerReply:
    """The running timers, with a Stop button for each; ``record`` notes why there is none."""
    if not view.notion_reachable:
        record.outcome = "notion_unavailable"
    elif not view.entries:
        record.outcome = "nothing_running"
    return TimerReply(format_active(view, tz, now), stop_rows(view.entries))
