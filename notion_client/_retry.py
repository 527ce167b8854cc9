"""Retry policy (exponential backoff with full jitter) and the client-side token-bucket limiter."""

from __future__ import annotations

import asyncio
import random as _random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

__all__ = ["Clock", "RandomSource", "RateLimit", "RetryPolicy", "Sleep", "backoff_ceiling"]

Sleep = Callable[[float], Awaitable[object]]
"""An `asyncio.sleep`-like coroutine function (injected so tests never really sleep)."""
Clock = Callable[[], float]
"""A monotonic clock in seconds."""
RandomSource = Callable[[], float]
"""Returns a float in [0, 1)."""


def backoff_ceiling(attempt: int, base: float, cap: float) -> float:
    """The exponential backoff before retry ``attempt`` (1-based): ``base * 2**(attempt-1)``,
    at most ``cap``. Callers add their own jitter. The one formula every retry loop uses."""
    return min(cap, base * 2.0 ** (attempt - 1))


@dataclass(frozen=True, kw_only=True)
class RetryPolicy:
    """How often and how long to retry a failed request.

    `max_attempts` counts every attempt (1 disables retries). Backoff before retry `n` (1-based)
    is uniform in [0, min(max_delay, base_delay * 2**(n-1))] ("full jitter"); a `Retry-After`
    from Notion is honoured as given. A retry that would start later than `max_total` seconds
    after the first attempt started is not made: the last error is raised instead (so the
    whole call takes at most `max_total` plus one request timeout).
    """

    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_total: float = 30.0
    sleep: Sleep = field(default=asyncio.sleep, repr=False)
    clock: Clock = field(default=time.monotonic, repr=False)
    random: RandomSource = field(default=_random.random, repr=False)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.base_delay < 0 or self.max_delay < 0 or self.max_total < 0:
            raise ValueError("delays must not be negative")

    def backoff(self, retry: int) -> float:
        """Jittered delay before retry number `retry` (1 for the first retry)."""
        return self.random() * backoff_ceiling(retry, self.base_delay, self.max_delay)


class RateLimit:
    """Token bucket: `rate` requests per second on average, bursts of up to `burst`.

    One instance is shared by every call of a client. Callers reserve their slot in arrival
    order without holding a lock, so concurrent callers are spaced `1/rate` apart.
    `rate=0` disables limiting.
    """

    def __init__(
        self,
        rate: float = 3.0,
        burst: int = 3,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if rate < 0:
            raise ValueError("rate must not be negative")
        if burst < 1:
            raise ValueError("burst must be at least 1")
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(burst)
        self._updated = clock()

    def __repr__(self) -> str:
        return f"RateLimit(rate={self.rate!r}, burst={self.burst!r})"

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    async def acquire(self) -> None:
        """Wait until a request may be sent, then take its token."""
        if not self.enabled:
            return
        now = self._clock()
        elapsed = max(0.0, now - self._updated)
        self._tokens = min(float(self.burst), self._tokens + elapsed * self.rate)
        self._updated = now
        # Take the token now (the balance may go negative): later callers queue behind us.
        self._tokens -= 1.0
        if self._tokens < 0:
            await self._sleep(-self._tokens / self.rate)
