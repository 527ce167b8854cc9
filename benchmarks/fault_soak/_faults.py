"""The fault schedule: what the in-memory Notion does wrong, as the first process's commands go."""

from __future__ import annotations

import random
import time
from collections import Counter

from notion_client.fake import FakeNotion

from ._model import SoakConfig

__all__ = ["FaultSchedule"]


class FaultSchedule:
    """Applies the faults due at each operation number; ``injected`` counts what it did and
    ``outages`` holds the real-time windows Notion was down (to label every process's
    commands, the other process's included)."""

    def __init__(self, fake: FakeNotion, config: SoakConfig, operations: int) -> None:
        self._fake = fake
        self._config = config
        self._outages = [(int(a * operations), int(b * operations)) for a, b in config.outages]
        self._limits = {int(f * operations) for f in config.rate_limit_bursts}
        self._bursts = {int(f * operations) for f in config.server_error_bursts}
        self._count = 0
        self._drops: dict[str, int] = {}
        self._down_since: float | None = None
        self.injected: Counter[str] = Counter()
        self.outages: list[tuple[float, float]] = []
        rng = random.Random(config.seed * 7919)
        low, high = config.spike_seconds

        def spikes(_: str) -> float:
            if rng.random() < config.spike_probability:
                self.injected["latency spikes"] += 1
                return rng.uniform(low, high)
            return 0.0

        faults = fake.faults
        faults.seed(config.seed)
        faults.error_rate = config.error_rate
        faults.latency_fn = spikes
        faults.index_lag = config.index_lag

    def next_operation(self) -> None:
        """Apply the faults due at this operation."""
        n, self._count = self._count, self._count + 1
        faults, config, injected = self._fake.faults, self._config, self.injected
        down = any(a <= n < b for a, b in self._outages)
        faults.error_rate = 1.0 if down else config.error_rate
        if down and self._down_since is None:
            self._down_since = time.time()
            injected["outages"] += 1
        elif not down:
            self.close()
        if n in self._limits:
            faults.rate_limit_next(retry_after=config.retry_after, count=config.rate_limit_count)
            injected["429 bursts"] += 1
        if n in self._bursts:
            faults.fail_next(503, count=config.server_error_count)
            injected["503 bursts"] += 1
        if n and n % config.drop_create_every == 0:
            self._drop("create_page", "dropped creates")
        if n and n % config.drop_update_every == 0:
            self._drop("update_page", "dropped updates")

    def close(self) -> None:
        """End the outage under way, if any (also when the run ends inside one)."""
        if self._down_since is not None:
            self.outages.append((self._down_since, time.time()))
            self._down_since = None
            self._fake.faults.error_rate = self._config.error_rate

    def in_outage(self, moment: float) -> bool:
        return any(a <= moment < b for a, b in self.outages)

    def _drop(self, endpoint: str, what: str) -> None:
        # One outstanding drop per endpoint: drops queued while nobody writes would pile up
        # and hit one request's retries back to back (that is an outage, tested elsewhere).
        seen = self._fake.requests[endpoint]
        if self._drops.get(endpoint, -1) < seen:
            self._drops[endpoint] = seen
            self._fake.faults.drop_response_next(endpoint)
            self.injected[what] += 1
