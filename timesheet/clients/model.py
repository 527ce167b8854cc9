"""What timetrack knows of a client: one row of the Clients database, or RATES/CURRENCY."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

__all__ = ["ClientInfo"]


@dataclass(frozen=True, slots=True)
class ClientInfo:
    """A client's billing facts. Hours are decimal hours; None = not set."""

    name: str
    rate: Decimal | None = None
    currency: str | None = None
    weekly_target: float | None = None
    budget: float | None = None
    archived: bool = False
