"""Rate limits: the port, the in-process implementation, and the route classes with their limits.

A limit is ``N`` requests per ``window`` seconds per key (fixed windows). The Redis implementation of the
same port (``server.adapters.redis.ratelimit``) shares the counts between gateway replicas.
"""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Limit:
    requests: int
    window: float  # seconds

    @classmethod
    def parse(cls, text: str) -> Limit:
        """``"2000/300"``: 2,000 requests per 300 seconds."""
        n, sep, w = text.partition("/")
        if not sep:
            raise ValueError(f"expected REQUESTS/SECONDS, got {text!r}")
        limit = cls(int(n), float(w))
        if limit.requests < 1 or not 0 < limit.window <= 86400:
            raise ValueError(f"expected REQUESTS ≥ 1 and 0 < SECONDS ≤ 86400, got {text!r}")
        return limit


class RateLimiter(Protocol):
    async def hit(self, key: str, limit: Limit) -> float | None:
        """Count one request under ``key``; None when allowed, else the seconds until it would be."""
        ...

    async def close(self) -> None: ...


class InProcessRateLimiter:
    """Counts in this process's memory (one gateway process; the default without ``REDIS_URL``)."""

    def __init__(self, clock=time.monotonic) -> None:
        self._clock = clock
        self._counts: dict[str, tuple[int, int]] = {}  # key -> (window number, count)
        self._lock = asyncio.Lock()
        self._last_prune = 0.0

    async def hit(self, key: str, limit: Limit) -> float | None:
        now = self._clock()
        slot = int(now // limit.window)
        full = f"{key}|{limit.requests}/{limit.window}"
        window, count = self._counts.get(full, (slot, 0))
        if window != slot:
            window, count = slot, 0
        count += 1
        self._counts[full] = (window, count)
        if now - self._last_prune > 60:
            self._prune(now, limit.window)
        if count <= limit.requests:
            return None
        return max(1.0, math.ceil((slot + 1) * limit.window - now))

    def _prune(self, now: float, window: float) -> None:
        self._last_prune = now
        slot = int(now // window)
        stale = [k for k, (w, _) in self._counts.items() if w < slot - 1]
        for k in stale:
            del self._counts[k]

    async def close(self) -> None:
        self._counts.clear()
