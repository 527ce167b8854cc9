"""The final check: Notion against the ground truth of the commands, in the ledger's order.

A user's operations are applied in the order of their ids in the ledger (across processes),
so that order is the truth's: a start stops the user's running timer at its time (at its own
Start if that is later: a clock read earlier in another process) and runs its entry; an end
stops the running timer the same way, or finds none. Each command only says which operation
it recorded, so a ledger that forgets or an engine that applies wrongly shows in Notion.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from timesheet.entries.model import TimeEntry

from ._model import Command, Shown

__all__ = ["Verdict", "check"]

#: The order problems are listed in: what is wrong in Notion first, then wrong answers.
_ORDER: Final = (
    "lost",
    "doubled",
    "two_running",
    "wrong_times",
    "stray",
    "pending",
    "set_aside",
    "errors",
    "wrong_replies",
)


@dataclass(slots=True)
class Verdict:
    """What the check found; every count is 0 in a correct run.

    ``lost``: a start with no page, or a stop that left its entry's page running.
    ``doubled``: an Entry ID on more than one page (the page that matches is the entry's; the
    others are named in the problem). ``two_running``: users with two running timers (Entry
    IDs) at the end. ``wrong_times``: a page whose Start or End is not the command's time.
    ``wrong_replies``: an answer that names another timer or time than the ledger's order
    gives. ``errors``: a command that raised. ``stray``: a page no command started.
    """

    entries: int = 0
    pages: int = 0
    lost: int = 0
    doubled: int = 0
    two_running: int = 0
    wrong_times: int = 0
    wrong_replies: int = 0
    stray: int = 0
    errors: int = 0
    pending: int = 0
    set_aside: int = 0
    found: list[tuple[str, str]] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        """One line per problem, what is wrong in Notion first."""
        ranked = sorted(self.found, key=lambda f: _ORDER.index(f[0]))
        return [text for _, text in ranked]

    @property
    def ok(self) -> bool:
        return not self.found

    def problem(self, counter: str, text: str, count: int = 1) -> None:
        setattr(self, counter, getattr(self, counter) + count)
        self.found.append((counter, text))


@dataclass(slots=True)
class _Expected:
    entry_id: str
    user_id: str
    start: datetime
    end: datetime | None = None

    def stop(self, at: datetime) -> None:
        self.end = max(at, self.start)


def _t(moment: datetime | None) -> str:
    return "-" if moment is None else moment.strftime("%H:%M:%S.%f")[:-3]


def _e(entry_id: str | None, end: datetime | None = None, *, with_end: bool = True) -> str:
    short = (entry_id or "?")[:8]
    return f"{short} ended {_t(end)}" if with_end and end is not None else short


def _shown(shown: Iterable[Shown]) -> str:
    return "[" + ", ".join(_e(s.entry_id, s.end) for s in shown) + "]"


def _who(c: Command) -> str:
    op = f" (op {c.op_ids[0]})" if c.op_ids else ""
    return f"{c.kind} of user {c.user_id} at {_t(c.at)} in process {c.process + 1}{op}"


def _pairs(shown: Iterable[Shown]) -> list[tuple[str, datetime | None]]:
    return [(s.entry_id, s.end) for s in shown]


def _check_start(c: Command, new: _Expected, stopped: _Expected | None, v: Verdict) -> None:
    created = [(s.entry_id, s.start, s.end) for s in c.shown]
    if created != [(new.entry_id, new.start, None)]:
        v.problem("wrong_replies", f"{_who(c)} answered {_shown(c.shown)}")
    want = [] if stopped is None else [(stopped.entry_id, stopped.end)]
    if _pairs(c.stopped) != want:
        expected = "nothing" if stopped is None else _e(stopped.entry_id, stopped.end)
        v.problem(
            "wrong_replies",
            f"{_who(c)} said it stopped {_shown(c.stopped)}; the ledger's order stops {expected}",
        )


def _check_end(c: Command, target: _Expected | None, v: Verdict) -> None:
    if c.outcome == "end_saved":
        return  # saved for the timer running when it is applied: nothing more to say
    if target is None:
        if c.outcome != "nothing_running":
            v.problem(
                "wrong_replies",
                f"{_who(c)} answered {c.outcome} {_shown(c.shown)}; nothing runs there",
            )
    elif c.outcome != "ended" or _pairs(c.shown) != [(target.entry_id, target.end)]:
        v.problem(
            "wrong_replies",
            f"{_who(c)} answered {c.outcome} {_shown(c.shown)}; expected "
            f"{_e(target.entry_id, target.end)}",
        )


def _walk_ledger_order(commands: Sequence[Command], v: Verdict) -> dict[str, _Expected]:
    """The entries the commands make, applied in the ledger's order; replies checked."""
    by_user: dict[str, list[Command]] = defaultdict(list)
    for c in commands:
        if c.kind == "active" or c.outcome == "error":
            continue
        if len(c.op_ids) != 1:
            v.problem("lost", f"{_who(c)} recorded {len(c.op_ids)} operations")
            continue
        by_user[c.user_id].append(c)
    expected: dict[str, _Expected] = {}
    for user_id, cmds in by_user.items():
        running: _Expected | None = None
        for c in sorted(cmds, key=lambda c: c.op_ids[0]):
            before, running = running, None
            if before is not None:
                before.stop(c.at)
            if c.kind == "start":
                assert c.entry_id is not None
                running = expected[c.entry_id] = _Expected(c.entry_id, user_id, c.at)
                _check_start(c, running, before, v)
            else:
                _check_end(c, before, v)
    return expected


def _check_active(commands: Sequence[Command], v: Verdict) -> None:
    """``/active`` shows one timer at most; for a user whose commands all come from one task
    (one after another), exactly the one its own commands left running."""
    by_user: dict[str, list[Command]] = defaultdict(list)
    for c in commands:
        by_user[c.user_id].append(c)
    for cmds in by_user.values():
        one_task = len({c.process for c in cmds}) == 1
        running: str | None = None
        for c in sorted(cmds, key=lambda c: c.seq):
            if c.kind == "start" and c.outcome == "started":
                running = c.entry_id
            elif c.kind == "end" and c.outcome != "error":
                running = None
            elif c.kind == "active" and c.outcome != "error":
                shown = [s.entry_id for s in c.shown]
                if one_task and shown != ([running] if running else []):
                    v.problem(
                        "wrong_replies",
                        f"{_who(c)} showed {_shown(c.shown)}; expected "
                        f"{_e(running) if running else 'nothing'}",
                    )
                elif len(shown) > 1:
                    v.problem("wrong_replies", f"{_who(c)} showed {_shown(c.shown)}")


def _check_pages(e: _Expected, copies: Sequence[TimeEntry], v: Verdict) -> None:
    """The entry's page has its Start and End. An Entry ID on several pages is one problem
    (doubled), the page that matches being the entry's; the others are described there."""
    name = f"entry {_e(e.entry_id)} of user {e.user_id}"
    if not copies:
        v.problem("lost", f"{name} started {_t(e.start)}: no page")
        return
    right = [p for p in copies if (p.user_id, p.start, p.end) == (e.user_id, e.start, e.end)]
    page = right[0] if right else copies[0]
    if len(copies) > 1:
        others = ", ".join(
            f"page {(p.page_id or '?')[:8]} {_t(p.start)}..{_t(p.end) if p.end else 'running'}"
            for p in copies
            if p is not page
        )
        v.problem(
            "doubled",
            f"{name} on {len(copies)} pages: {_t(e.start)}..{_t(e.end)} expected; also {others}",
        )
    if (page.user_id, page.start) != (e.user_id, e.start):
        v.problem(
            "wrong_times",
            f"{name}: Notion has user {page.user_id} from {_t(page.start)}, expected {_t(e.start)}",
        )
    elif e.end is not None and page.end is None:
        v.problem("lost", f"{name}: still running, expected End {_t(e.end)}")
    elif page.end != e.end:
        v.problem("wrong_times", f"{name}: Notion has End {_t(page.end)}, expected {_t(e.end)}")


def check(
    commands: Sequence[Command],
    pages: Sequence[TimeEntry],
    pending: int,
    set_aside: Sequence[tuple[int, str]],
) -> Verdict:
    """Every start in Notion exactly once with the Start and End the ledger's order gives,
    one running timer per user at most, every answer right, the ledger empty."""
    v = Verdict(pages=len(pages))
    for c in commands:
        if c.outcome == "error":
            v.problem("errors", f"{_who(c)} raised {c.error}")
    expected = _walk_ledger_order(commands, v)
    _check_active(commands, v)
    v.entries = len(expected)
    found: dict[str, list[TimeEntry]] = defaultdict(list)
    for page in pages:
        found[page.entry_id].append(page)
    for entry_id, copies in found.items():
        if entry_id not in expected:
            v.problem("stray", f"page {copies[0].page_id}: no command started {entry_id}")
    for e in expected.values():
        _check_pages(e, found.get(e.entry_id, []), v)
    running: dict[str, set[str]] = defaultdict(set)
    for page in pages:
        if page.end is None:
            running[page.user_id].add(page.entry_id)
    for user_id, ids in sorted(running.items()):
        if len(ids) > 1:
            listed = ", ".join(_e(i) for i in sorted(ids))
            v.problem("two_running", f"user {user_id} has {len(ids)} running timers: {listed}")
    if pending:
        v.problem("pending", f"{pending} operations still pending", pending)
    for _, why in set_aside:
        v.problem("set_aside", f"set aside: {why}")
    return v
