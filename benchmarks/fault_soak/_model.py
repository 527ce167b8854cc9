"""The soak's settings and what each command did, as every process records it (JSON across)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any, Final

from timesheet.entries.model import TimeEntry

__all__ = ["CLIENTS", "T0", "TOKEN", "Command", "Shown", "SoakConfig", "user_id_of"]

TOKEN: Final = "secret_soak"
CLIENTS: Final = ("Acme", "Globex", "Initech")
#: What the bots' clock reads when the run begins.
T0: Final = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)


def user_id_of(index: int) -> str:
    return f"{100000000000000000 + index}"


@dataclass(frozen=True, slots=True)
class SoakConfig:
    """One run. Fault windows are placed by operation number (of the first process's
    commands), as fractions of its share of ``operations``."""

    users: int = 20
    operations: int = 1000
    seed: int = 1
    #: 2: a second OS process runs every user too, on the same ledger and the same Notion
    #: (served over loopback), so each user's commands come from both at once.
    processes: int = 1
    #: Seconds Notion's query index lags writes (real seconds: the fake runs on real time).
    index_lag: float = 3.0
    #: Seconds a page whose create lost its answer is looked for before it is created again
    #: (the bot's ``CREATE_SETTLE``); more than ``index_lag``, or a lost answer doubles a page.
    create_settle: float = 10.0
    error_rate: float = 0.1
    #: The last one lasts to the end: what it leaves pending is for the final replay.
    outages: tuple[tuple[float, float], ...] = ((0.15, 0.22), (0.55, 0.62), (0.96, 1.0))
    rate_limit_bursts: tuple[float, ...] = (0.35, 0.80)
    rate_limit_count: int = 60
    retry_after: float = 10.0
    server_error_bursts: tuple[float, ...] = (0.45,)
    server_error_count: int = 40
    drop_create_every: int = 23
    drop_update_every: int = 29
    spike_probability: float = 0.02
    spike_seconds: tuple[float, float] = (0.002, 0.01)
    #: Share of commands that are ``/active`` (the rest start or end a timer).
    active_share: float = 0.2
    #: Real pause before each command, uniform in [0, think_seconds]: people type, so the
    #: replayer gets the loop between commands.
    think_seconds: float = 0.2
    #: Simulated seconds of the bots' clock per real second (one clock for every process).
    clock_speed: float = 1000.0

    def to_json(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SoakConfig:
        values = dict(data)
        values["outages"] = tuple(tuple(w) for w in values["outages"])
        for key in ("rate_limit_bursts", "server_error_bursts", "spike_seconds"):
            values[key] = tuple(values[key])
        return cls(**values)


@dataclass(frozen=True, slots=True)
class Shown:
    """An entry as a command's answer showed it."""

    entry_id: str
    start: datetime
    end: datetime | None

    @classmethod
    def of(cls, entry: TimeEntry) -> Shown:
        return cls(entry.entry_id, entry.start, entry.end)

    def to_json(self) -> list[str | None]:
        return [self.entry_id, self.start.isoformat(), _iso(self.end)]

    @classmethod
    def from_json(cls, data: list[str | None]) -> Shown:
        entry_id, start, end = data
        assert entry_id is not None and start is not None
        return cls(entry_id, datetime.fromisoformat(start), _parse(end))


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _parse(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


@dataclass(slots=True)
class Command:
    """One command a user sent and what it answered.

    ``outcome``: started, ended, nothing_running, end_saved (``EndSaved``), active,
    active_local (Notion unreachable: the ledger's view), error. ``op_ids``: the operations
    it recorded in the ledger (their order is the order they are applied in). ``shown``: the
    started entry, the ended ones, or the running ones ``/active`` listed; ``stopped``: the
    timers a start said it stopped.
    """

    process: int
    user_id: str
    seq: int
    kind: str
    at: datetime
    began: float
    op_ids: list[int] = field(default_factory=list)
    entry_id: str | None = None
    outcome: str = ""
    queued: bool = False
    shown: list[Shown] = field(default_factory=list)
    stopped: list[Shown] = field(default_factory=list)
    wall_ms: float = 0.0
    waited: float = 0.0
    retries: int = 0
    requests: int = 0
    error: str = ""
    in_outage: bool = False

    def to_json(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["at"] = self.at.isoformat()
        data["shown"] = [s.to_json() for s in self.shown]
        data["stopped"] = [s.to_json() for s in self.stopped]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Command:
        values = dict(data)
        values["at"] = datetime.fromisoformat(values["at"])
        values["shown"] = [Shown.from_json(s) for s in values["shown"]]
        values["stopped"] = [Shown.from_json(s) for s in values["stopped"]]
        return cls(**values)
