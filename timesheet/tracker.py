"""Timer rules: one running timer per user, ending by id or URL, ownership, input checks."""

from __future__ import annotations

import asyncio
import re
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final
from urllib.parse import parse_qs, urlsplit
from uuid import uuid4

from notion_client import ObjectNotFoundError
from timesheet.entries import TimeEntry
from timesheet.store import EntryStore, NotAnEntryError

__all__ = [
    "MAX_CLIENT_LENGTH",
    "MAX_TEXT_LENGTH",
    "EndResult",
    "EntryNotFound",
    "InvalidEntryRef",
    "InvalidInput",
    "NotYourEntry",
    "NothingRunning",
    "StartResult",
    "Tracker",
    "TrackerError",
    "UnknownClient",
    "parse_entry_ref",
]

#: Notion's limit per rich-text item, counted in UTF-16 code units as Notion does.
MAX_TEXT_LENGTH: Final = 2000
#: Notion's limit on a select option name.
MAX_CLIENT_LENGTH: Final = 100
_SHOWN_INPUT: Final = 60

_HEX32: Final = re.compile(r"[0-9a-fA-F]{32}")
_UUID: Final = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
_TRAILING_HEX32: Final = re.compile(r"(?:^|[^0-9a-fA-F])([0-9a-fA-F]{32})$")
_NOTION_HOSTS: Final = ("notion.so", "notion.site", "notion.com")


def _short(text: str) -> str:
    return text if len(text) <= _SHOWN_INPUT else text[: _SHOWN_INPUT - 1] + "…"


class TrackerError(Exception):
    """A request the rules refuse; ``str()`` is one line to show the user as is."""


class NothingRunning(TrackerError):
    def __init__(self) -> None:
        super().__init__("You have no running timer.")


class InvalidEntryRef(TrackerError):
    def __init__(self, ref: str) -> None:
        super().__init__(
            f'"{_short(ref.strip())}" is not a Notion page id or page URL '
            "(expected 32 hex digits, a UUID, or a notion.so link)."
        )
        self.ref = ref


class NotYourEntry(TrackerError):
    def __init__(self, entry: TimeEntry) -> None:
        super().__init__("That entry belongs to someone else; only its owner can end it.")
        self.entry = entry


class EntryNotFound(TrackerError):
    def __init__(self, page_id: str, reason: str = "") -> None:
        why = f" ({reason})" if reason else ""
        super().__init__(f"No time entry {page_id} in the timesheet database{why}.")
        self.page_id = page_id
        self.reason = reason


class UnknownClient(TrackerError):
    def __init__(self, client: str, presets: Sequence[str]) -> None:
        choices = ", ".join(presets) if presets else "(none configured)"
        super().__init__(f'Unknown client "{_short(client)}". Choose one of: {choices}.')
        self.client = client
        self.presets = tuple(presets)


class InvalidInput(TrackerError):
    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"The {field} {problem}.")
        self.field = field
        self.problem = problem


@dataclass(frozen=True, slots=True)
class StartResult:
    """The started entry and the running one it stopped (if any), stopped at its start."""

    entry: TimeEntry
    stopped: TimeEntry | None = None
    also_stopped: tuple[TimeEntry, ...] = ()


@dataclass(frozen=True, slots=True)
class EndResult:
    """The ended entry. ``ended_by_other``: a manager ended someone else's timer."""

    entry: TimeEntry
    ended_by_other: bool = False
    already_ended: bool = False
    also_ended: tuple[TimeEntry, ...] = ()


def _dashed(hex32: str) -> str:
    h = hex32.lower()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _id_in(text: str) -> str | None:
    if _HEX32.fullmatch(text):
        return _dashed(text)
    if _UUID.fullmatch(text):
        return text.lower()
    return None


def parse_entry_ref(text: str) -> str:
    """A Notion page id (32 hex, with or without dashes) or page URL -> dashed lowercase UUID.

    URLs: ``https://www.notion.so/[workspace/]Title-<32hex>`` with any query (``?pvs=4``,
    ``?v=...``); a database view link with ``p=<page id>`` names that page. Raises
    InvalidEntryRef for anything else.
    """
    ref = text.strip()
    found = _id_in(ref)
    if found is not None:
        return found
    if "://" not in ref and ref.split("/", 1)[0].lower().endswith(_NOTION_HOSTS):
        ref = "https://" + ref
    try:
        url = urlsplit(ref)
    except ValueError:
        raise InvalidEntryRef(text) from None
    host = (url.hostname or "").lower()
    is_notion = any(host == h or host.endswith("." + h) for h in _NOTION_HOSTS)
    if url.scheme not in ("http", "https") or not is_notion:
        raise InvalidEntryRef(text)
    peeked = parse_qs(url.query).get("p")
    if peeked:
        found = _id_in(peeked[0])
        if found is None:
            raise InvalidEntryRef(text)
        return found
    last = url.path.rstrip("/").rsplit("/", 1)[-1]
    match = _TRAILING_HEX32.search(last)
    if match is not None:
        return _dashed(match.group(1))
    found = _id_in(last)
    if found is None:
        raise InvalidEntryRef(text)
    return found


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _check_text(field: str, value: str, *, limit: int = MAX_TEXT_LENGTH) -> str:
    stripped = value.strip()
    if not stripped:
        raise InvalidInput(field, "is empty" if not value else "is blank")
    length = _utf16_len(stripped)
    if length > limit:
        raise InvalidInput(field, f"is too long ({length:,} characters, max {limit:,})")
    return stripped


def _to_millis(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("the tracker clock must return timezone-aware datetimes")
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def _new_uuid() -> str:
    return str(uuid4())


class Tracker:
    """The timer rules on top of an EntryStore. Every check happens before any write."""

    def __init__(
        self,
        store: EntryStore,
        *,
        clock: Callable[[], datetime],
        presets: Sequence[str],
        presets_only: bool = False,
        new_id: Callable[[], str] = _new_uuid,
    ) -> None:
        self.store = store
        self._clock = clock
        self.presets: tuple[str, ...] = tuple(presets)
        self.presets_only = presets_only
        self._new_id = new_id
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )

    def _lock(self, user_id: str) -> asyncio.Lock:
        # Serialises one user's starts and ends in this process, so two quick /start
        # commands cannot both see "nothing running" and leave two timers open.
        lock = self._locks.get(user_id)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[user_id] = lock
        return lock

    def now(self) -> datetime:
        """The bot's clock, to the millisecond (what Notion filters compare)."""
        return _to_millis(self._clock())

    def plan_start(
        self,
        user_id: str,
        client: str | None,
        *,
        name: str | None = None,
        note: str | None = "",
        at: datetime | None = None,
    ) -> TimeEntry:
        """The validated entry a start would write (no Notion request). ``name=None``: preset."""
        at = self.now() if at is None else _to_millis(at)
        user = user_id.strip()
        if not user:
            raise InvalidInput("user id", "is empty")
        title = None if name is None else _check_text("name", name)
        client_name = self._check_client(client, custom=title is not None)
        note_text = "" if not note else _check_text("note", note)
        return TimeEntry(
            entry_id=self._new_id(),
            user_id=user,
            client=client_name,
            name=title if title is not None else client_name,
            start=at,
            note=note_text,
        )

    def _check_client(self, client: str | None, *, custom: bool) -> str:
        raw = client or ""
        stripped = raw.strip()
        if not stripped:
            if custom and not self.presets_only:
                return ""
            if self.presets_only:
                raise UnknownClient(raw, self.presets)
            raise InvalidInput("client", "is empty" if not raw else "is blank")
        for preset in self.presets:
            if preset.casefold() == stripped.casefold():
                return preset
        if self.presets_only:
            raise UnknownClient(stripped, self.presets)
        if "," in stripped:
            raise InvalidInput("client", "can't contain a comma (Notion select options)")
        return _check_text("client", stripped, limit=MAX_CLIENT_LENGTH)

    async def start(
        self,
        user_id: str,
        client: str | None,
        *,
        name: str | None = None,
        note: str | None = "",
    ) -> StartResult:
        """Start a timer now, ending the user's running one at the same instant.

        Requests: 1 query + 1 create (+ 1 update per timer it stops).
        """
        entry = self.plan_start(user_id, client, name=name, note=note)
        async with self._lock(entry.user_id):
            return await self.start_entry(entry)

    async def start_entry(self, entry: TimeEntry, *, replay: bool = False) -> StartResult:
        """Write a planned start. Safe to repeat (``replay=True`` after a failure or crash)."""
        running = await self.store.find_running(entry.user_id)
        already = next((e for e in running if e.entry_id == entry.entry_id), None)
        others = [e for e in running if e.entry_id != entry.entry_id]
        # A timer started after this one (replayed late) stops this one at its own start.
        later = [e for e in others if e.start > entry.start]
        to_stop = [e for e in others if e.start <= entry.start]
        if already is not None:
            created = already
        else:
            created = await self.store.create(entry, maybe_exists=replay)
        if later and created.end is None:
            created = await self.store.end(created, min(e.start for e in later), fresh=True)
        stopped = [await self.store.end(e, entry.start, fresh=True) for e in to_stop]
        stopped.reverse()  # the most recently started first
        return StartResult(
            entry=created,
            stopped=stopped[0] if stopped else None,
            also_stopped=tuple(stopped[1:]),
        )

    async def end(
        self, user_id: str, ref: str | None = None, *, can_manage: bool = False
    ) -> EndResult:
        """End the user's running timer (``ref=None``) or the entry ``ref`` names.

        Requests: 1 query + 1 update (by ref: 1 retrieve + 1 update; none if already ended).
        """
        at = self.now()
        if ref is None or not ref.strip():
            async with self._lock(user_id):
                running = await self.store.find_running(user_id)
                if not running:
                    raise NothingRunning()
                ended = [await self.store.end(e, max(at, e.start), fresh=True) for e in running]
            ended.reverse()
            return EndResult(entry=ended[0], also_ended=tuple(ended[1:]))
        page_id = parse_entry_ref(ref)
        entry = await self._get(page_id)
        by_other = entry.user_id != user_id
        if by_other and not can_manage:
            raise NotYourEntry(entry)
        if entry.end is not None:
            return EndResult(entry=entry, ended_by_other=by_other, already_ended=True)
        entry = await self.store.end(entry, max(at, entry.start), fresh=True)
        return EndResult(entry=entry, ended_by_other=by_other)

    async def _get(self, page_id: str) -> TimeEntry:
        try:
            return await self.store.get(page_id)
        except NotAnEntryError as exc:
            raise EntryNotFound(page_id, exc.reason) from exc
        except ObjectNotFoundError:
            pass
        # People also paste the Entry ID (a UUID too): one query before giving up.
        entry = await self.store.find_by_entry_id(page_id)
        if entry is None:
            raise EntryNotFound(page_id, "not found, or not shared with the integration")
        return entry

    async def active(self, user_id: str) -> list[TimeEntry]:
        """The user's running timers (normally at most one): one query."""
        return await self.store.find_running(user_id)
