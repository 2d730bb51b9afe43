"""Plan changes from PostgreSQL: LISTEN on the channel the ``plans_changed`` trigger (migration 0012)
notifies at every COMMIT that wrote a plan's row, and tell a ``PlanReplyCache`` (``ChangeFeed``).

Writes made by this process are told at once, when their COMMIT returned (``written``, called by
``PgPlans``): a client that saved through this server and reads again is never served the old plan.
Writes by other processes arrive as notifications, milliseconds after their COMMIT.

One thread and one connection of its own. While connected, the cache trusts its replies; when the
connection fails (PostgreSQL restarted, network lost: TCP keepalives and a user timeout notice a silent
peer within about ten seconds), the cache is told it is deaf and checks stamps again, and the thread
connects again after ``retry`` seconds.
"""

from __future__ import annotations

import logging
import threading
from typing import Protocol

import psycopg

log = logging.getLogger("hakobu.plans")

CHANNEL = "hakobu_plan_changed"
#: libpq options that make a dead peer an error within seconds instead of hanging the listener.
_KEEPALIVE = {"keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2, "keepalives_count": 2,
              "tcp_user_timeout": 10_000, "connect_timeout": 5, "application_name": "hakobu-plan-changes"}


class Watcher(Protocol):
    def listening(self) -> None: ...

    def deaf(self) -> None: ...

    def changed(self, org: str, plan_id: str) -> None: ...


#: The caches of this process listening to each database (its URL), told of this process's own writes.
_local: dict[str, list[Watcher]] = {}
_local_lock = threading.Lock()


def written(url: str, org: str, plan_id: str) -> None:
    """This process has committed a write to the plan (``PgPlans`` calls it): tell the caches at once."""
    with _local_lock:
        watchers = list(_local.get(url, ()))
    for watcher in watchers:
        watcher.changed(org, plan_id)


class PgPlanChanges:
    """Implements ``server.entrypoints.grpc.plan_cache.ChangeFeed``."""

    def __init__(self, url: str, *, retry: float = 1.0, poll: float = 1.0) -> None:
        self.url = url
        self.retry = retry
        self.poll = poll
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._cache: Watcher | None = None

    def start(self, cache: Watcher) -> None:
        if self._thread is None:
            self._cache = cache
            with _local_lock:
                _local.setdefault(self.url, []).append(cache)
            self._thread = threading.Thread(target=self._run, args=(cache,), name="plan-changes", daemon=True)
            self._thread.start()

    def close(self) -> None:
        self._stop.set()
        with _local_lock:
            mine = _local.get(self.url, [])
            if self._cache in mine:
                mine.remove(self._cache)
            if not mine:
                _local.pop(self.url, None)
        if self._thread is not None:
            self._thread.join(self.poll + 5)
            self._thread = None

    def _run(self, cache: Watcher) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                with psycopg.connect(self.url, autocommit=True, **_KEEPALIVE) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    cache.listening()
                    if failures:
                        log.info("plan changes heard again")
                    failures = 0
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=self.poll):
                            org, _, plan_id = note.payload.partition("/")
                            cache.changed(org, plan_id)
                        conn.execute("SELECT 1")  # a lost server is an error here, not silence
            except psycopg.Error as exc:
                failures += 1
                if failures == 1:
                    log.warning("plan changes not heard: GetPlan reads each plan's stamp",
                                extra={"error": repr(exc)})
            finally:
                cache.deaf()
            self._stop.wait(self.retry)
