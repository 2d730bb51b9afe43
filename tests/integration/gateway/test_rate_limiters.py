"""The rate-limit port's two implementations behave alike: in-process, and Redis (127.0.0.1:6379,
database 15; HAKOBU_TEST_REDIS_URL to change) shared by gateway replicas."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Callable

import pytest

from gateway.ratelimit import InProcessRateLimiter, Limit, RateLimiter
from server.adapters.redis.ratelimit import RedisRateLimiter

REDIS_URL = os.environ.get("HAKOBU_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_020.0  # the start of a 60 s window

    def __call__(self) -> float:
        return self.now


def _redis(clock: Clock) -> RateLimiter:
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"no Redis at {REDIS_URL}: {exc}")
    finally:
        client.close()
    return RedisRateLimiter(REDIS_URL, clock=clock)


MAKERS: dict[str, Callable[[Clock], RateLimiter]] = {
    "in-process": lambda clock: InProcessRateLimiter(clock=clock),
    "redis": _redis,
}


@pytest.mark.parametrize("kind", MAKERS)
def test_a_key_gets_its_limit_per_window_then_a_retry_time(kind: str) -> None:
    clock = Clock()
    limiter = MAKERS[kind](clock)
    key = f"test:{uuid.uuid4().hex}"
    limit = Limit(3, 60)

    async def run() -> None:
        try:
            assert [await limiter.hit(key, limit) for _ in range(3)] == [None, None, None]
            clock.now += 20
            retry = await limiter.hit(key, limit)
            assert retry is not None and 1 <= retry <= 60
            assert await limiter.hit(f"{key}:other", limit) is None  # keys are counted apart
            clock.now += retry
            assert await limiter.hit(key, limit) is None  # a new window
        finally:
            await limiter.close()

    asyncio.run(run())


@pytest.mark.parametrize("kind", MAKERS)
def test_two_limits_on_one_key_are_counted_apart(kind: str) -> None:
    clock = Clock()
    limiter = MAKERS[kind](clock)
    key = f"test:{uuid.uuid4().hex}"

    async def run() -> None:
        try:
            assert await limiter.hit(key, Limit(1, 60)) is None
            assert await limiter.hit(key, Limit(1, 60)) is not None
            assert await limiter.hit(key, Limit(5, 60)) is None
        finally:
            await limiter.close()

    asyncio.run(run())


def test_limits_parse_from_their_setting_text() -> None:
    assert Limit.parse("2000/300") == Limit(2000, 300.0)
    for bad in ("2000", "0/300", "5/0", "x/y"):
        with pytest.raises(ValueError):
            Limit.parse(bad)
