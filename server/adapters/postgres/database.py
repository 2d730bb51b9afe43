"""The connection pool of one PostgreSQL database, and storage errors mapped to the domain's."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import errors
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from server.plans.errors import AlreadyExistsError, InUseError, InvalidArgumentError, InvalidReferenceError

#: Connections kept per process and database: the gRPC servers' threads share them.
POOL_MAX_SIZE = 10
#: An idle connection above the minimum is closed after this many seconds.
POOL_MAX_IDLE = 60.0
#: How long a transaction waits for a connection (the database down or every connection busy).
POOL_TIMEOUT = 15.0


class Database:
    """A pool of connections to one PostgreSQL URL; each ``transaction()`` is one transaction.

    The pool opens on first use (nothing connects when it is built) and holds no connection while idle.
    """

    def __init__(self, url: str, *, max_size: int = POOL_MAX_SIZE) -> None:
        self.url = url
        self._max_size = max_size
        self._pool: ConnectionPool[psycopg.Connection[dict[str, Any]]] | None = None
        self._lock = threading.Lock()

    def _opened(self) -> ConnectionPool[psycopg.Connection[dict[str, Any]]]:
        with self._lock:
            if self._pool is None:
                self._pool = ConnectionPool(
                    self.url, min_size=0, max_size=self._max_size, max_idle=POOL_MAX_IDLE,
                    timeout=POOL_TIMEOUT, kwargs={"row_factory": dict_row}, open=False, name="hakobu",
                    # A connection broken by a database restart is replaced instead of failing a call.
                    check=ConnectionPool.check_connection,
                )
                self._pool.open(wait=False)
            return self._pool

    @contextmanager
    def transaction(self) -> Iterator[psycopg.Connection[dict[str, Any]]]:
        """A pooled connection inside one transaction: committed on success, rolled back on error."""
        with self._opened().connection() as conn:
            yield conn

    def close(self) -> None:
        """Close the pool's connections; a later transaction opens a new pool."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()

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
