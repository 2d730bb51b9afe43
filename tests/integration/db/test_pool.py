"""The connection pool: every Database of one URL in a process shares one bounded pool."""

from __future__ import annotations

import time

import psycopg

from server.adapters.postgres.database import POOL_MAX_SIZE, Database
from tests.integration.db.conftest import create_database, drop_database


def _connections(url: str, name: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (name,)
        ).fetchone()
    assert row is not None
    return int(row[0])


def _connections_after_close(url: str, name: str, wait: float = 5.0) -> int:
    """The count once closed connections' backends have exited (PostgreSQL ends them asynchronously)."""
    deadline = time.monotonic() + wait
    while (n := _connections(url, name)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return n


def test_many_database_objects_of_one_url_share_a_bounded_pool_closed_by_the_last() -> None:
    name, url = create_database()
    try:
        many = [Database(url) for _ in range(3 * POOL_MAX_SIZE)]
        for db in many:
            with db.transaction() as conn:
                conn.execute("SELECT 1")
        assert 1 <= _connections(url, name) <= POOL_MAX_SIZE
        for db in many[1:]:
            db.close()
        with many[0].transaction() as conn:  # the last user still has its pool
            conn.execute("SELECT 1")
        many[0].close()
        assert _connections_after_close(url, name) == 0
    finally:
        drop_database(name)
