"""Matrix caches: the in-process LRU and Redis (the real server on 127.0.0.1:6379)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import numpy as np
import pytest

from geo.cache import InProcessCache, RedisCache, cache_from_url
from geo.compiled import RoadGraph
from geo.matrix import travel_matrix

REDIS_URL = os.environ.get("HAKOBU_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_cache() -> Iterator[RedisCache]:
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"no Redis at {REDIS_URL}: {exc}")
    prefix = f"hakobu-test:{uuid.uuid4().hex}:"
    cache = RedisCache(REDIS_URL, prefix=prefix, ttl_s=60)
    try:
        yield cache
    finally:
        keys = list(client.scan_iter(match=prefix + "*"))
        if keys:
            client.delete(*keys)
        client.close()


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


def test_redis_round_trip_with_ttl(redis_cache: RedisCache) -> None:
    """Values come back byte for byte under the prefix, with the configured expiry."""
    assert redis_cache.get("k") is None
    redis_cache.put("k", b"\x00\x01payload")
    assert redis_cache.get("k") == b"\x00\x01payload"
    assert 0 < redis_cache.client.ttl(redis_cache.prefix + "k") <= 60  # type: ignore[attr-defined]
    assert (redis_cache.hits, redis_cache.misses) == (1, 1)


def test_travel_matrix_through_redis(nerima: RoadGraph, redis_cache: RedisCache) -> None:
    """A matrix is stored in Redis on a miss and read back, equal, on the next request."""
    pg = nerima.profile("4t")
    points = np.column_stack([pg.lat[100:130], pg.lng[100:130]])
    first = travel_matrix(nerima, "4t", points, cache=redis_cache)
    second = travel_matrix(nerima, "4t", points, cache=redis_cache)
    assert (redis_cache.hits, redis_cache.misses) == (1, 1)
    assert np.array_equal(first.durations, second.durations)
    assert np.array_equal(first.distances, second.distances)
    keys = list(redis_cache.client.scan_iter(match=redis_cache.prefix + "*"))  # type: ignore[attr-defined]
    assert len(keys) == 1 and nerima.graph_id in keys[0].decode()


def test_unreachable_redis_is_a_miss_not_a_failure(nerima: RoadGraph) -> None:
    """With Redis down the matrix is still computed; the cache just misses."""
    cache = RedisCache("redis://127.0.0.1:1/0")
    pg = nerima.profile("軽")
    result = travel_matrix(nerima, "軽", np.column_stack([pg.lat[:3], pg.lng[:3]]), cache=cache)
    assert result.durations.shape == (3, 3) and cache.misses == 1
