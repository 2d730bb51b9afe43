"""The matrix cache against a real Redis (127.0.0.1:6379, database 15; HAKOBU_TEST_REDIS_URL to change)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import numpy as np
import pytest

from geo.cache import RedisCache
from geo.compiled import RoadGraph
from geo.matrix import travel_matrix
from tests.unit.geo.conftest import geo_cache, nerima, osm_dir  # noqa: F401  (fixtures)

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


def test_redis_round_trip_with_ttl(redis_cache: RedisCache) -> None:
    """Values come back byte for byte under the prefix, with the configured expiry."""
    assert redis_cache.get("k") is None
    redis_cache.put("k", b"\x00\x01payload")
    assert redis_cache.get("k") == b"\x00\x01payload"
    assert 0 < redis_cache.client.ttl(redis_cache.prefix + "k") <= 60  # type: ignore[attr-defined]
    assert (redis_cache.hits, redis_cache.misses) == (1, 1)


def test_travel_matrix_through_redis(nerima: RoadGraph,  # noqa: F811
                                     redis_cache: RedisCache) -> None:
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
