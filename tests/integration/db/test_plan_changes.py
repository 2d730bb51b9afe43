"""Plan changes heard from PostgreSQL (trigger of migration 0012 + LISTEN): a write by another
connection reaches the watcher; a lost listening connection makes the watcher deaf, then it listens
again; this process's own writes through ``PgPlans`` are told at once."""

from __future__ import annotations

import datetime
import threading
import time
import uuid
from collections.abc import Callable

import psycopg

from server.adapters.postgres.database import Database
from server.adapters.postgres.plan_changes import PgPlanChanges
from server.adapters.postgres.plans import PgPlans
from tests.integration.db.conftest import new_org


class Watcher:
    def __init__(self) -> None:
        self.events: list[tuple[str, ...]] = []
        self.lock = threading.Lock()

    def listening(self) -> None:
        with self.lock:
            self.events.append(("listening",))

    def deaf(self) -> None:
        with self.lock:
            self.events.append(("deaf",))

    def changed(self, org: str, plan_id: str) -> None:
        with self.lock:
            self.events.append(("changed", org, plan_id))

    def seen(self, event: tuple[str, ...]) -> int:
        with self.lock:
            return self.events.count(event)


def _until(check: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return check()


def _plan(conn: psycopg.Connection, org: str) -> str:
    plan_id = uuid.uuid4().hex
    conn.execute("INSERT INTO branches (organization_id, id, code, name, latitude, longitude) "
                 "VALUES (%s, 'B1', 'B1', '本店', 35.7, 139.7) ON CONFLICT DO NOTHING", (org,))
    conn.execute("INSERT INTO plans (organization_id, id, branch_id, plan_date, status, revision) "
                 "VALUES (%s, %s, 'B1', %s, 'DRAFT', 1)", (org, plan_id, datetime.date(2026, 12, 8)))
    return plan_id


def test_writes_by_another_connection_are_heard_and_a_lost_connection_is_noticed(db_url: str) -> None:
    org = new_org(db_url)
    watcher = Watcher()
    feed = PgPlanChanges(db_url, retry=0.1, poll=0.2)
    feed.start(watcher)
    try:
        assert _until(lambda: watcher.seen(("listening",)) == 1)
        with psycopg.connect(db_url, autocommit=True) as conn:
            plan_id = _plan(conn, org)
            assert _until(lambda: watcher.seen(("changed", org, plan_id)) == 1)  # the INSERT
            conn.execute("UPDATE plans SET status = 'PUBLISHED' WHERE id = %s", (plan_id,))
            assert _until(lambda: watcher.seen(("changed", org, plan_id)) == 2)
            with conn.transaction():  # nothing is told before COMMIT, nothing at all after ROLLBACK
                conn.execute("UPDATE plans SET status = 'DONE' WHERE id = %s", (plan_id,))
                time.sleep(0.5)
                assert watcher.seen(("changed", org, plan_id)) == 2
                raise psycopg.Rollback()
            time.sleep(0.5)
            assert watcher.seen(("changed", org, plan_id)) == 2
            # The listener's connection is cut (a restarted server, a lost network): deaf, then back.
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                         "WHERE datname = current_database() AND application_name = 'hakobu-plan-changes'")
            assert _until(lambda: watcher.seen(("deaf",)) >= 1)
            assert _until(lambda: watcher.seen(("listening",)) == 2)
            conn.execute("DELETE FROM plans WHERE id = %s", (plan_id,))
            assert _until(lambda: watcher.seen(("changed", org, plan_id)) == 3)
    finally:
        feed.close()
    assert watcher.events[-1] == ("deaf",)


def test_this_process_writes_are_told_before_the_call_returns(db_url: str) -> None:
    org = new_org(db_url)
    watcher = Watcher()
    feed = PgPlanChanges(db_url, retry=0.1, poll=0.2)
    feed.start(watcher)
    try:
        with psycopg.connect(db_url, autocommit=True) as conn:
            plan_id = _plan(conn, org)
        assert _until(lambda: watcher.seen(("changed", org, plan_id)) == 1)
        plans = PgPlans(Database(db_url))
        plans.delete(org, plan_id, None)
        # told by the adapter at once (the notification comes later and counts again)
        assert watcher.seen(("changed", org, plan_id)) >= 2
    finally:
        feed.close()
