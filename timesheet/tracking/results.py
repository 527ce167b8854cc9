"""What the tracker answers: its results (the errors it refuses with are re-exported)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from timesheet.entries.errors import (
    EntryNotFound,
    InvalidEntryRef,
    InvalidInput,
    NothingRunning,
    NotYourEntry,
    TrackerError,
    UnknownClient,
)
from timesheet.entries.model import TimeEntry

__all__ = [
    "ActiveView",
    "DeleteResult",
    "EditResult",
    "EndResult",
    "EndSaved",
    "EntryNotFound",
    "InvalidEntryRef",
    "InvalidInput",
    "LogResult",
    "NotYourEntry",
    "NothingRunning",
    "PauseResult",
    "ResumeResult",
    "StartResult",
    "TrackerError",
    "UnknownClient",
]


@dataclass(frozen=True, slots=True)
class EndSaved:
    """A stop saved in the ledger that no known timer answers yet: Notion can't be asked
    which timer runs (or can't read the entry ``ref`` names), and the ledger knows none. It is
    applied to the timer(s) running at ``at`` once Notion answers (by ref: to that entry, if
    it is the user's, or anyone's when ``can_manage``). ``reply(tz)`` is the answer to show.
    """

    user_id: str
    at: datetime
    ref: str | None = None
    can_manage: bool = False

    def reply(self, tz: tzinfo) -> str:
        """The answer to show, with the stop time in ``tz`` (an IANA zone is named by its key)."""
        local = self.at.astimezone(tz)
        when = f"{local:%Y-%m-%d %H:%M} {getattr(tz, 'key', None) or local.tzname() or 'UTC'}"
        if self.ref is None:
            text = f"your running timer will be stopped at {when} once Notion answers."
        else:
            mine = "" if self.can_manage else " (if the entry is yours)"
            text = f"your stop at {when} will be applied once Notion answers{mine}."
        return f"Notion can't be reached right now. Saved: {text}"


@dataclass(frozen=True, slots=True)
class StartResult:
    """The started entry and the running one it stopped (if any), stopped at its start.

    ``queued``: Notion could not take it now (or earlier operations of the user wait): it is
    saved in the ledger and will sync; ``entry.page_id`` is then None unless the page was
    written before Notion failed. ``stopped`` lists only the timers known to stop.
    """

    entry: TimeEntry
    stopped: TimeEntry | None = None
    also_stopped: tuple[TimeEntry, ...] = ()
    queued: bool = False


@dataclass(frozen=True, slots=True)
class EndResult:
    """The ended entry. ``ended_by_other``: a manager ended someone else's timer.

    ``queued``: the end is saved in the ledger and will sync (``entry.end`` is the End it
    will get).
    """

    entry: TimeEntry
    ended_by_other: bool = False
    already_ended: bool = False
    also_ended: tuple[TimeEntry, ...] = ()
    queued: bool = False


@dataclass(frozen=True, slots=True)
class ActiveView:
    """The user's running timers, pending ones included (``page_id`` None: not in Notion yet).

    ``notion_reachable`` False: Notion did not answer, so ``entries`` are only what the ledger
    holds ("Notion is unreachable; showing what is saved locally").
    """

    entries: list[TimeEntry]
    notion_reachable: bool = True
    #: Nothing runs but a session is paused: its last page, and the time worked today on
    #: that client and name (every page of the session, up to now).
    paused: TimeEntry | None = None
    worked_today: timedelta = timedelta(0)

    @property
    def pending(self) -> list[TimeEntry]:
        """Entries whose start has not reached Notion yet."""
        return [e for e in self.entries if e.page_id is None]


@dataclass(frozen=True, slots=True)
class LogResult:
    """The logged entry, and the user's entries it overlaps. ``queued``: saved, will sync."""

    entry: TimeEntry
    overlaps: tuple[TimeEntry, ...] = ()
    queued: bool = False


@dataclass(frozen=True, slots=True)
class EditResult:
    """The entry as edited (``before``: as it was, when Notion was read)."""

    entry: TimeEntry
    before: TimeEntry | None = None
    overlaps: tuple[TimeEntry, ...] = ()
    ended_by_other: bool = False
    queued: bool = False


@dataclass(frozen=True, slots=True)
class DeleteResult:
    """The entry moved to Notion's trash (``queued``: saved, will be moved once Notion
    answers; ``entry`` None when the ledger does not know it yet)."""

    entry: TimeEntry | None
    ended_by_other: bool = False
    queued: bool = False


@dataclass(frozen=True, slots=True)
class PauseResult:
    """The timer(s) a pause ended (Paused ticked)."""

    entries: tuple[TimeEntry, ...]
    queued: bool = False


@dataclass(frozen=True, slots=True)
class ResumeResult:
    """The new running entry, what it continues, and the timers it stopped. ``entry`` None:
    saved until Notion answers (what is resumed is known only then)."""

    entry: TimeEntry | None
    resumed: TimeEntry | None = None
    stopped: tuple[TimeEntry, ...] = ()
    queued: bool = False
