"""Caches for travel matrices: in-process (LRU, bounded in bytes) or Redis. Values are opaque bytes.

A cache failure never fails a request: a Redis error is logged and counts as a miss (get) or is dropped
(put). Values are only ever stored whole (one SET), so a reader never sees a partial matrix.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from typing import Protocol, runtime_checkable

log = logging.getLogger(__name__)

DEFAULT_TTL_S = 7 * 24 * 3600
DEFAULT_PREFIX = "hakobu:geo:matrix:"


@runtime_checkable
class MatrixCache(Protocol):
    """Where computed matrices are kept, by key."""

    hits: int
    misses: int

    def get(self, key: str) -> bytes | None: ...

    def put(self, key: str, value: bytes) -> None: ...


class InProcessCache:
    """A thread-safe LRU cache holding at most ``max_bytes`` of values."""

    def __init__(self, max_bytes: int = 256 * 1024 * 1024) -> None:
        if max_bytes <= 0:
            raise ValueError("max_bytes must be positive")
        self.max_bytes = max_bytes
        self.hits = 0
        self.misses = 0
        self._size = 0
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    @property
    def size_bytes(self) -> int:
        return self._size

    def get(self, key: str) -> bytes | None:
        with self._lock:
            value = self._items.get(key)
            if value is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: str, value: bytes) -> None:
        if len(value) > self.max_bytes:
            return  # would evict everything and still not fit
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._size -= len(old)
            self._items[key] = value
            self._size += len(value)
            while self._size > self.max_bytes:
                _, evicted = self._items.popitem(last=False)
                self._size -= len(evicted)


class RedisCache:
    """Matrices in Redis under ``prefix + key``, expiring after ``ttl_s`` seconds."""

    def __init__(
        self,
        url: str = "redis://127.0.0.1:6379/0",
        prefix: str = DEFAULT_PREFIX,
        ttl_s: int | None = DEFAULT_TTL_S,
        client: object | None = None,
    ) -> None:
        import redis

        self.prefix = prefix
        self.ttl_s = ttl_s
        self.hits = 0
        self.misses = 0
        self._errors = (redis.RedisError, OSError)
        self.client = (
            client
            if client is not None
            else redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
        )

    def get(self, key: str) -> bytes | None:
        try:
            value = self.client.get(self.prefix + key)  # type: ignore[attr-defined]
        except self._errors as exc:
            log.warning("redis get failed, computing the matrix: %s", exc)
            value = None
        if value is None:
            self.misses += 1
            return None
        self.hits += 1
        return bytes(value)

    def put(self, key: str, value: bytes) -> None:
        try:
            self.client.set(self.prefix + key, value, ex=self.ttl_s)  # type: ignore[attr-defined]
        except self._errors as exc:
            log.warning("redis set failed, matrix not cached: %s", exc)


def cache_from_url(url: str | None, **kwargs: object) -> MatrixCache:
    """RedisCache for a redis:// URL, an InProcessCache when there is none."""
    if not url:
        return InProcessCache()
    return RedisCache(url, **kwargs)  # type: ignore[arg-type]
