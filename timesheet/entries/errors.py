"""The errors the timer rules refuse a request with; ``str()`` is one line to show as is."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo
from typing import Final

from timesheet.entries.model import TimeEntry
from timesheet.text import clip, one_line

__all__ = [
    "EndNotAfterStart",
    "EntryNotFound",
    "InvalidEntryRef",
    "InvalidInput",
    "InvalidTime",
    "NotYourEntry",
    "NothingRunning",
    "NothingToResume",
    "StopBeforeStart",
    "TrackerError",
    "UnknownClient",
]

#: How much of what people typed an error line echoes, and of the list of preset clients.
_SHOWN_INPUT: Final = 60
_SHOWN_CHOICES: Final = 1000


def _moment(moment: datetime, tz: tzinfo) -> str:
    """``Tue 01 Dec 09:30 Europe/London``: a time an error line names, in ``tz``."""
    local = moment.astimezone(tz)
    return f"{local:%a %d %b %H:%M} {getattr(tz, 'key', None) or local.tzname() or 'UTC'}"


def _echo(text: str) -> str:
    """What someone typed, as an error line shows it: on one line, clipped."""
    return clip(one_line(text), _SHOWN_INPUT)


class TrackerError(Exception):
    """A request the rules refuse; ``str()`` is one line to show the user as is."""

    def line(self, tz: tzinfo) -> str:
        """The line to show, its times in ``tz`` (``str()`` gives them in UTC)."""
        return str(self)


class NothingRunning(TrackerError):
    def __init__(self) -> None:
        super().__init__("You have no running timer.")


class InvalidEntryRef(TrackerError):
    def __init__(self, ref: str) -> None:
        super().__init__(
            f'"{_echo(ref.strip())}" is not a Notion page id or page URL '
            "(expected 32 hex digits, a UUID, or a notion.so link)."
        )
        self.ref = ref


class NotYourEntry(TrackerError):
    """``action``: what was asked of the entry (``end``, ``change``, ``delete``)."""

    def __init__(self, entry: TimeEntry, action: str = "end") -> None:
        super().__init__(f"That entry belongs to someone else; only its owner can {action} it.")
        self.entry = entry
        self.action = action


class EntryNotFound(TrackerError):
    def __init__(self, page_id: str, reason: str = "") -> None:
        why = f" ({reason})" if reason else ""
        super().__init__(f"No time entry {page_id} in the timesheet database{why}.")
        self.page_id = page_id
        self.reason = reason


class UnknownClient(TrackerError):
    def __init__(self, client: str, presets: Sequence[str]) -> None:
        choices = clip(", ".join(presets), _SHOWN_CHOICES) if presets else "(none configured)"
        super().__init__(f'Unknown client "{_echo(client)}". Choose one of: {choices}.')
        self.client = client
        self.presets = tuple(presets)


class InvalidInput(TrackerError):
    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"The {field} {problem}.")
        self.field = field
        self.problem = problem


class StopBeforeStart(TrackerError):
    def __init__(self, entry: TimeEntry, at: datetime) -> None:
        self.entry = entry
        self.at = at
        super().__init__(self.line(UTC))

    def line(self, tz: tzinfo) -> str:
        return (
            f"That stop ({_moment(self.at, tz)}) is before the entry's Start "
            f"({_moment(self.entry.start, tz)}); nothing was changed. Give a time after it."
        )


class EndNotAfterStart(TrackerError):
    def __init__(self, entry: TimeEntry | None = None) -> None:
        super().__init__("End must be after Start; nothing was changed.")
        self.entry = entry


class NothingToResume(TrackerError):
    def __init__(self) -> None:
        super().__init__("You have nothing to resume: no paused timer and no earlier entry.")


class InvalidTime(InvalidInput):
    """A duration or a time people typed that can't be read or is refused: ``str()`` echoes
    what was typed, says what is wrong (``problem``) and what to type (``accepted``)."""

    #: The problems that say the text is no duration or time at all (not merely refused).
    EMPTY: Final = "is empty"
    UNREADABLE: Final = "can't be read"

    @property
    def unreadable(self) -> bool:
        """The text is no duration or time at all (not one refused: future, DST gap...)."""
        return self.problem in (self.EMPTY, self.UNREADABLE)

    def __init__(self, field: str, text: str, problem: str, accepted: str) -> None:
        typed = text.strip()
        said = f'"{_echo(typed)}" {problem}' if typed else problem
        super().__init__(field, f"{said}; {accepted}")
        self.text = text
        self.problem = problem
        self.accepted = accepted
