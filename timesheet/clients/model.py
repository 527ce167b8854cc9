"""What timetrack knows of a client: one row of the Clients database, or RATES/CURRENCY."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from timesheet.entries.checks import normalise

__all__ = ["ClientInfo", "client_key"]


def client_key(name: str) -> str:
    """What two spellings of a client's name compare by: NFC, no zero-width characters, no
    outer spaces, case-folded (a Clients row, RATES, an entry's Client)."""
    return normalise(name).strip().casefold()


@dataclass(frozen=True, slots=True)
class ClientInfo:
    """A client's billing facts. Hours are decimal hours; None = not set."""

    name: str
    rate: Decimal | None = None
    currency: str | None = None
    weekly_target: float | None = None
    budget: float | None = None
    archived: bool = False
