"""Time as whole microseconds since the Unix epoch: the integer unit the report's numpy work
(splitting at midnight, rounding cells, invoice lines, DST notes) computes in, exactly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Final

__all__ = [
    "US_PER_DAY",
    "US_PER_HOUR",
    "US_PER_MINUTE",
    "from_microseconds",
    "to_microseconds",
]

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_US: Final = timedelta(microseconds=1)
US_PER_MINUTE: Final = 60_000_000
US_PER_HOUR: Final = 60 * US_PER_MINUTE
#: A day of 24 hours (a local day with a clock change has one more or one less).
US_PER_DAY: Final = 24 * US_PER_HOUR


def to_microseconds(moment: datetime) -> int:
    """Microseconds since the Unix epoch (exact; ``moment`` must be aware)."""
    return (moment - _EPOCH) // _US


def from_microseconds(micros: int) -> datetime:
    """The aware UTC moment ``micros`` microseconds after the Unix epoch."""
    return _EPOCH + timedelta(microseconds=micros)
