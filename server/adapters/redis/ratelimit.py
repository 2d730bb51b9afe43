"""Rate-limit counters in Redis (fixed windows): the gateway's ``RateLimiter`` port, shared by replicas.

Each (key, window) is one counter, ``INCR``-ed and given an expiry of one window, so Redis forgets it.
"""

from __future__ import annotations

import math
import time
from typing import Protocol

from redis import asyncio as aioredis


class _Limit(Protocol):
    requests: int
    window: float


class RedisRateLimiter:
    PREFIX = "hakobu:ratelimit:"

    def __init__(self, url: str, clock=time.time) -> None:
        self._redis = aioredis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._clock = clock

    async def hit(self, key: str, limit: _Limit) -> float | None:
        now = self._clock()
        slot = int(now // limit.window)
        name = f"{self.PREFIX}{key}|{limit.requests}/{limit.window}|{slot}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, max(1, math.ceil(limit.window)) + 1, nx=True)
            count, _ = await pipe.execute()
        if int(count) <= limit.requests:
            return None
        return max(1.0, math.ceil((slot + 1) * limit.window - now))

    async def close(self) -> None:
        await self._redis.aclose()
