"""What the tracker writes straight to Notion for a start: the page, and the stops it implies."""

from __future__ import annotations

from timesheet.entries.duplicates import one_per_entry_id
from timesheet.entries.model import TimeEntry
from timesheet.entries.store import EntryStore
from timesheet.tracking.queue import StartProgress
from timesheet.tracking.results import StartResult

__all__ = ["write_start"]


async def write_start(
    store: EntryStore,
    entry: TimeEntry,
    *,
    replay: bool = False,
    progress: StartProgress | None = None,
) -> StartResult:
    """Create ``entry``'s page and stop the user's timers running at its start (at that start).

    Requests: 1 query + 1 create (+ 1 update per timer it stops). ``replay``: the page may
    exist already (looked up by Entry ID first). ``progress`` records how far it got, for the
    queued fallback when Notion fails half-way. Notion's errors propagate.
    """
    done = StartProgress() if progress is None else progress
    running = await store.find_running(entry.user_id)
    done.running = running
    already = next((e for e in running if e.entry_id == entry.entry_id), None)
    others = [e for e in running if e.entry_id != entry.entry_id]
    # A timer started after this one (replayed late) stops this one at its own start.
    later = [e for e in others if e.start > entry.start]
    to_stop = [e for e in others if e.start <= entry.start]
    if already is not None:
        created = already
    else:
        created = await store.create(entry, maybe_exists=replay)
    done.created = created
    if later and created.end is None:
        created = await store.end(created, min(e.start for e in later), fresh=True)
        done.created = created
    for e in to_stop:
        done.stopped.append(await store.end(e, entry.start, fresh=True))
    # The most recently started first; a doubled start's pages, both stopped, listed once.
    stopped = list(reversed(one_per_entry_id(done.stopped)))
    return StartResult(
        entry=created,
        stopped=stopped[0] if stopped else None,
        also_stopped=tuple(stopped[1:]),
    )
