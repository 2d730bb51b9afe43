"""Matrix caches without a server: the in-process LRU, the URL choice, an unreachable Redis.

The tests against a real Redis are in tests/integration/geo.
"""

from __future__ import annotations

import numpy as np

from geo.cache import InProcessCache, RedisCache, cache_from_url
from geo.compiled import RoadGraph
from geo.matrix import travel_matrix


def test_lru_evicts_least_recently_used_by_bytes() -> None:
    """Past max_bytes the least recently read entries go first; oversized values are not stored."""
    cache = InProcessCache(max_bytes=100)
    cache.put("a", b"x" * 40)
    cache.put("b", b"y" * 40)
    assert cache.get("a") == b"x" * 40  # a is now the most recent
    cache.put("c", b"z" * 40)
    assert cache.get("b") is None and cache.get("a") is not None and cache.get("c") is not None
    assert cache.size_bytes == 80
    cache.put("huge", b"h" * 101)
    assert cache.get("huge") is None and len(cache) == 2


def test_cache_from_url() -> None:
    """No URL gives the in-process cache; a redis:// URL gives RedisCache."""
    assert isinstance(cache_from_url(None), InProcessCache)
    assert isinstance(cache_from_url("redis://127.0.0.1:6379/15"), RedisCache)


def test_unreachable_redis_is_a_miss_not_a_failure(nerima: RoadGraph) -> None:
    """With Redis down the matrix is still computed; the cache just misses."""
    cache = RedisCache("redis://127.0.0.1:1/0")
    pg = nerima.profile("軽")
    result = travel_matrix(nerima, "軽", np.column_stack([pg.lat[:3], pg.lng[:3]]), cache=cache)
    assert result.durations.shape == (3, 3) and cache.misses == 1
