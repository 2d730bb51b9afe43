"""The denylist of revoked access tokens in Redis: one key per token id, expiring with the token, so
every replica refuses a signed-out token and Redis forgets it once it could not be used anyway."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import redis

PREFIX = "hakobu:denylist:"


class RedisDenylist:
    """Implements ``server.identity.ports.Denylist``."""

    def __init__(
        self, client: redis.Redis, clock: Callable[[], float] = time.time, prefix: str = PREFIX
    ) -> None:
        self._redis = client
        self._clock = clock
        self._prefix = prefix

    @classmethod
    def from_url(cls, url: str) -> RedisDenylist:
        return cls(redis.Redis.from_url(url, socket_timeout=2.0, socket_connect_timeout=2.0))

    def revoke(self, token_id: str, expires_at: float) -> None:
        ttl = math.ceil(expires_at - self._clock())
        if ttl > 0:
            self._redis.set(self._prefix + token_id, b"1", ex=ttl)

    def is_revoked(self, token_id: str) -> bool:
        return bool(self._redis.exists(self._prefix + token_id))
