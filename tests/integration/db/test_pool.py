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


def test_read_one_runs_outside_a_transaction_and_gives_back_a_transactional_connection() -> None:
    name, url = create_database()
    try:
        with Database(url) as db:
            row = db.read_one("SELECT now() = statement_timestamp() AS alone", ())
            assert row == {"alone": True}  # no transaction: the statement is its own
            assert db.read_one("SELECT 1 AS one WHERE false", ()) is None
            try:
                db.read_one("SELECT 1/0", ())
            except psycopg.errors.DivisionByZero:
                pass
            with db.transaction() as conn:  # the pool's connections are transactional again
                assert not conn.autocommit
                conn.execute("CREATE TABLE t (x int)")
                conn.execute("INSERT INTO t VALUES (1)")
                conn.rollback()
                assert conn.execute("SELECT to_regclass('t') AS t").fetchone() == {"t": None}
    finally:
        drop_database(name)


def test_a_connection_whose_backend_ended_is_replaced_at_checkout() -> None:
    name, url = create_database()
    try:
        with Database(url) as db:
            row = db.read_one("SELECT pg_backend_pid() AS pid", ())
            assert row is not None
            with psycopg.connect(url, autocommit=True) as admin:  # as a restart would, for this backend
                admin.execute("SELECT pg_terminate_backend(%s)", (row["pid"],))
                deadline = time.monotonic() + 5
                alive = "SELECT 1 FROM pg_stat_activity WHERE pid = %s"
                while admin.execute(alive, (row["pid"],)).fetchone():
                    assert time.monotonic() < deadline
                    time.sleep(0.02)
            time.sleep(0.1)  # the server's goodbye reaches the pooled socket
            for _ in range(3):
                with db.transaction() as conn:
                    assert conn.execute("SELECT 1 AS one").fetchone() == {"one": 1}
            assert db.read_one("SELECT pg_backend_pid() AS pid", ()) != row
    finally:
        drop_database(name)
