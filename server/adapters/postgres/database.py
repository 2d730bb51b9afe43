"""The connection pool of one PostgreSQL database, and storage errors mapped to the domain's."""

from __future__ import annotations

import select
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import errors
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from server.plans.errors import AlreadyExistsError, InUseError, InvalidArgumentError, InvalidReferenceError
from server.platform.tracing import db_span

#: Connections kept per process and database URL: every ``Database`` of one URL shares them.
POOL_MAX_SIZE = 10
#: An idle connection above the minimum is closed after this many seconds.
POOL_MAX_IDLE = 60.0
#: How long a transaction waits for a connection (the database down or every connection busy).
POOL_TIMEOUT = 15.0

Pool = ConnectionPool[psycopg.Connection[dict[str, Any]]]


class TracedCursor(psycopg.Cursor[Any]):
    """Each statement is a span of the current trace (``db.statement``: its SQL text)."""

    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:  # type: ignore[override]
        with db_span(_statement(query, self)):
            return super().execute(query, params, **kwargs)

    def executemany(self, query: Any, params_seq: Any, **kwargs: Any) -> None:  # type: ignore[override]
        with db_span(_statement(query, self)):
            super().executemany(query, params_seq, **kwargs)


def _statement(query: Any, cursor: psycopg.Cursor[Any]) -> str:
    if isinstance(query, str):
        return query
    if isinstance(query, bytes):
        return query.decode(errors="replace")
    try:
        return str(query.as_string(cursor))
    except Exception:  # a composed query the cursor cannot render: its type is enough
        return type(query).__name__
_pools_lock = threading.Lock()
#: url -> (the pool, how many open ``Database`` objects use it)
_pools: dict[str, tuple[Pool, int]] = {}


def _acquire(url: str) -> Pool:
    """The process's pool for ``url`` (opened on first use), counted as used once more."""
    with _pools_lock:
        pool, users = _pools.get(url, (None, 0))
        if pool is None:
            pool = ConnectionPool(
                url, min_size=0, max_size=POOL_MAX_SIZE, max_idle=POOL_MAX_IDLE, timeout=POOL_TIMEOUT,
                kwargs={"row_factory": dict_row, "cursor_factory": TracedCursor}, open=False, name="hakobu",
                # A connection broken by a database restart is replaced instead of failing a call.
                check=check_connection,
            )
            pool.open(wait=False)
        _pools[url] = (pool, users + 1)
        return pool


def check_connection(conn: psycopg.Connection[Any]) -> None:
    """At checkout, usually without a round trip: an idle connection has nothing to read until the server
    ends it (a restart or a terminated backend sends its error, then closes the socket). Only then is the
    full check run (one empty statement), which raises so that the pool replaces the connection."""
    if conn.closed or conn.broken:
        raise psycopg.OperationalError("the connection is closed")
    poller = select.poll()
    poller.register(conn.pgconn.socket, select.POLLIN | select.POLLERR | select.POLLHUP)
    if poller.poll(0):
        ConnectionPool.check_connection(conn)


def _release(url: str) -> None:
    """One user less of ``url``'s pool; the last one closes it."""
    with _pools_lock:
        if url not in _pools:  # closed already (close_pool)
            return
        pool, users = _pools[url]
        if users > 1:
            _pools[url] = (pool, users - 1)
            return
        del _pools[url]
    pool.close()


def close_pool(url: str) -> None:
    """Close ``url``'s pool now, whoever uses it (e.g. before the database is dropped); a ``Database``
    that uses it again takes a new one."""
    with _pools_lock:
        entry = _pools.pop(url, None)
    if entry is not None:
        entry[0].close()


class Database:
    """One PostgreSQL URL; each ``transaction()`` is one transaction on a pooled connection.

    Every ``Database`` of the same URL in a process shares one pool (at most ``POOL_MAX_SIZE``
    connections, however many objects are made); it opens on first use (nothing connects when this is
    built), holds no connection while idle, and closes when the last of its users is closed.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self._pool: Pool | None = None
        self._lock = threading.Lock()

    def _opened(self) -> Pool:
        with self._lock:
            if self._pool is None or self._pool.closed:
                self._pool = _acquire(self.url)
            return self._pool

    @contextmanager
    def transaction(self) -> Iterator[psycopg.Connection[dict[str, Any]]]:
        """A pooled connection inside one transaction: committed on success, rolled back on error."""
        with self._opened().connection() as conn:
            yield conn

    def read_one(self, query: str, params: tuple[Any, ...]) -> dict[str, Any] | None:
        """The first row of one read-only statement, run outside a transaction: one round trip instead
        of three (BEGIN, the statement, COMMIT), for the hot single-row reads."""
        with self._opened().connection() as conn:
            conn.autocommit = True
            try:
                return conn.execute(query, params).fetchone()
            finally:
                if not conn.closed:
                    conn.autocommit = False

    def close(self) -> None:
        """Stop using the pool (the last user closes it); a later transaction takes it again."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            _release(self.url)

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextmanager
def mapped_errors() -> Iterator[None]:
    """Constraint violations become the domain's errors (the edge maps those to status codes)."""
    try:
        yield
    except errors.UniqueViolation as exc:
        raise AlreadyExistsError(_detail(exc)) from exc
    except errors.ForeignKeyViolation as exc:
        if "is still referenced" in (exc.diag.message_detail or ""):
            raise InUseError(_detail(exc)) from exc
        raise InvalidReferenceError(_detail(exc)) from exc
    except (errors.CheckViolation, errors.NotNullViolation, errors.DataError) as exc:
        raise InvalidArgumentError(_detail(exc)) from exc


def _detail(exc: psycopg.Error) -> str:
    return exc.diag.message_detail or exc.diag.message_primary or str(exc)
