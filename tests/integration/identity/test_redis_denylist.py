"""The sign-out denylist on a real Redis (127.0.0.1:6379, database 15; HAKOBU_TEST_REDIS_URL to change):
a revoked token is refused by every replica (two Authenticators share one Redis) until it expires."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import redis

from server.adapters.redis.denylist import RedisDenylist
from server.identity.authenticate import Authenticator
from server.identity.errors import Unauthenticated
from server.identity.principal import Principal, Role
from server.identity.tokens import TokenIssuer

REDIS_URL = os.environ.get("HAKOBU_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
KEY = b"k" * 32


@pytest.fixture
def prefix() -> str:
    return f"hakobu-test:{uuid.uuid4().hex}:"


@pytest.fixture
def client(prefix: str) -> Iterator[redis.Redis]:
    c = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        c.ping()
    except redis.RedisError as exc:
        pytest.skip(f"no Redis at {REDIS_URL}: {exc}")
    yield c
    for key in c.scan_iter(prefix + "*"):
        c.delete(key)
    c.close()


def test_a_revoked_token_is_refused_by_every_replica(client: redis.Redis, prefix: str) -> None:
    now = [1_800_000_000.0]
    issuer = TokenIssuer(KEY, clock=lambda: now[0])
    one = Authenticator(issuer, RedisDenylist(client, clock=lambda: now[0], prefix=prefix), None, None)
    two = Authenticator(issuer, RedisDenylist(client, clock=lambda: now[0], prefix=prefix), None, None)
    issued = issuer.issue(Principal("ORG-001", "U-002", Role.DISPATCHER))
    md = {"authorization": f"Bearer {issued.token}"}
    assert one.principal(md) is not None and two.principal(md) is not None
    one.denylist.revoke(issued.token_id, issued.expires_at)
    for replica in (one, two):
        with pytest.raises(Unauthenticated, match="revoked"):
            replica.principal(md)
    ttl = client.ttl(prefix + issued.token_id)
    assert 0 < ttl <= 24 * 3600, "Redis forgets the entry when the token would have expired"


def test_an_expired_token_is_not_stored(client: redis.Redis, prefix: str) -> None:
    denylist = RedisDenylist(client, clock=lambda: 2_000.0, prefix=prefix)
    denylist.revoke("old", 1_000.0)
    assert not denylist.is_revoked("old") and client.exists(prefix + "old") == 0
