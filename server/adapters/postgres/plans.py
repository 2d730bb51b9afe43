"""``PlanRepository`` over PostgreSQL: plans, routes, stops, plan_versions; org-scoped, one transaction each.

A plan is keyed by (organization, branch, date). Saving a solution for a day that already has a DRAFT plan
refreshes that plan in place (same id): its routes and stops are replaced, ``revision`` and ``version`` go
up by one, and a new ``plan_versions`` row keeps the new routes as a JSON snapshot with who and when — so
every revision ever saved stays readable. The rules (who may replace what) are ``server.plans.rules``.
The per-stop load, costs and unassigned orders have no columns, so they live in the revision's snapshot.
"""

from __future__ import annotations

import datetime
import functools
import json
import uuid
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import psycopg
from psycopg.types.json import Jsonb

from server.adapters.postgres.database import Database, mapped_errors
from server.adapters.postgres.plan_changes import written
from server.adapters.postgres.plans_load import SNAPSHOT_SQL, find_row, load
from server.plans import rules
from server.plans.errors import NotFoundError
from server.plans.ports import DEFAULT_ALLOWED_FROM, PageKey, Snapshot
from server.plans.records import PlanRecord, PlanVersion
from server.plans.snapshot import parse_ts

#: A plan is read in several statements (plan, routes, stops): all from one snapshot, or a revision saved
#: meanwhile (routes and stops replaced) shows a reader the old routes with none of their stops.
_ONE_SNAPSHOT = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"


_W = TypeVar("_W", bound=Callable[..., Any])


def _announced(method: _W) -> _W:
    """After the write's COMMIT, tell this process's GetPlan caches (``plan_changes.written``); other
    processes hear it from the ``plans_changed`` trigger's notification."""

    @functools.wraps(method)
    def wrapper(self: PgPlans, org: str, *args: Any, **kwargs: Any) -> Any:
        result = method(self, org, *args, **kwargs)
        written(self.db.url, org, result.id if result is not None else args[0])
        return result

    return wrapper  # type: ignore[return-value]


class PgPlans:
    """Implements ``server.plans.ports.PlanRepository``."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # ------------------------------------------------------------ reads

    def get(self, org: str, plan_id: str) -> PlanRecord:
        with self.db.transaction() as conn:
            conn.execute(_ONE_SNAPSHOT)
            return load(conn, org, plan_id)

    def stamp(self, org: str, plan_id: str) -> str:
        # xmin: the transaction that wrote the row last, whoever it was (even one forgetting ``version``)
        row = self.db.read_one(
            "SELECT xmin::text || ':' || version::text AS stamp FROM plans "
            "WHERE organization_id = %s AND id = %s",
            (org, plan_id),
        )
        if row is None:
            raise NotFoundError(f"plans/{plan_id} not found")
        return str(row["stamp"])

    def find(self, org: str, branch_id: str, date: datetime.date) -> PlanRecord | None:
        with self.db.transaction() as conn:
            conn.execute(_ONE_SNAPSHOT)
            row = find_row(conn, org, branch_id, date)
            return None if row is None else load(conn, org, row["id"])

    def versions(self, org: str, plan_id: str) -> list[PlanVersion]:
        with self.db.transaction() as conn:
            if conn.execute(
                "SELECT 1 FROM plans WHERE organization_id = %s AND id = %s", (org, plan_id)
            ).fetchone() is None:
                raise NotFoundError(f"plans/{plan_id} not found")
            rows = conn.execute(
                "SELECT * FROM plan_versions WHERE organization_id = %s AND plan_id = %s ORDER BY revision",
                (org, plan_id),
            ).fetchall()
        return [
            PlanVersion(r["revision"], r["changed_by"], r["change"], r["created_at"], r["snapshot"])
            for r in rows
        ]

    def revision(self, org: str, plan_id: str, revision: int) -> Snapshot:
        with self.db.transaction() as conn:
            row = conn.execute(SNAPSHOT_SQL, (org, plan_id, revision)).fetchone()
        if row is None:
            raise NotFoundError(f"plans/{plan_id} revision {revision} not found")
        return dict(row["snapshot"])

    def list(
        self, org: str, *, branch_id: str | None = None, plan_date: datetime.date | None = None,
        status: str | None = None, page_size: int = 50, after: PageKey | None = None,
    ) -> tuple[list[PlanRecord], PageKey | None]:
        conds = ["organization_id = %s"]
        params: list[Any] = [org]
        for col, val in (("branch_id", branch_id), ("plan_date", plan_date), ("status", status)):
            if val is not None:
                conds.append(f"{col} = %s")
                params.append(val)
        if after is not None:
            conds.append("(plan_date, id) < (%s, %s)")
            params += list(after)
        size = max(1, min(page_size or 50, 500))
        with self.db.transaction() as conn:
            rows = conn.execute(
                f"SELECT id, plan_date FROM plans WHERE {' AND '.join(conds)} "
                "ORDER BY plan_date DESC, id DESC LIMIT %s",
                (*params, size + 1),
            ).fetchall()
            more = len(rows) > size
            rows = rows[:size]
            plans = [load(conn, org, r["id"]) for r in rows]
        nxt = (rows[-1]["plan_date"], rows[-1]["id"]) if more and rows else None
        return plans, nxt

    # ------------------------------------------------------------ writes

    @_announced
    def save_day(
        self, org: str, branch_id: str, date: datetime.date, snap: Snapshot, created_by: str | None,
        request_id: str | None = None, *, force: bool = False,
    ) -> PlanRecord:
        snap = _plain(snap)
        with mapped_errors(), self.db.transaction() as conn:
            # Serialize saves of the same (org, branch, date): there is no unique key on plans for it.
            conn.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                (f"plan|{org}|{branch_id}|{date.isoformat()}",),
            )
            row = find_row(conn, org, branch_id, date, lock=True)
            plan_id = row["id"] if row is not None else uuid.uuid4().hex
            if request_id:
                key = conn.execute(
                    "INSERT INTO idempotency_keys (organization_id, resource, request_id, resource_id) "
                    "VALUES (%s, 'plans', %s, %s) ON CONFLICT DO NOTHING RETURNING resource_id",
                    (org, request_id, plan_id),
                ).fetchone()
                if key is None:
                    prev = conn.execute(
                        "SELECT resource_id FROM idempotency_keys "
                        "WHERE organization_id = %s AND resource = 'plans' AND request_id = %s",
                        (org, request_id),
                    ).fetchone()
                    assert prev is not None
                    return load(conn, org, prev["resource_id"])
            if row is None:
                conn.execute(
                    "INSERT INTO plans (organization_id, id, branch_id, plan_date, status, revision, "
                    "created_by) VALUES (%s, %s, %s, %s, 'DRAFT', 1, %s)",
                    (org, plan_id, branch_id, date, created_by),
                )
                _insert_routes(conn, org, plan_id, snap)
                _insert_version(conn, org, plan_id, 1, created_by, "CREATED", snap)
                return load(conn, org, plan_id)
            current = conn.execute(SNAPSHOT_SQL, (org, plan_id, row["revision"])).fetchone()
            change = rules.day_save_change(
                plan_id, row["status"], force, f"{branch_id} on {date}",
                None if current is None else current["snapshot"], snap,
            )
            if change is None:
                return load(conn, org, plan_id)  # same result: nothing to refresh
            _write_revision(conn, org, plan_id, row["revision"] + 1, "DRAFT", snap, created_by, change)
            return load(conn, org, plan_id)

    @_announced
    def save_revision(
        self, org: str, plan_id: str, snap: Snapshot, changed_by: str | None, change: str, etag: str | None,
        *, status: str | None = None, allowed_from: Sequence[str] = DEFAULT_ALLOWED_FROM,
        skip_if_same: bool = False,
    ) -> PlanRecord:
        snap = _plain(snap)
        with mapped_errors(), self.db.transaction() as conn:
            row = _lock_current(conn, org, plan_id, etag)
            rules.check_transition(plan_id, row["status"], None, allowed_from)
            if skip_if_same and (status is None or status == row["status"]):
                current = conn.execute(SNAPSHOT_SQL, (org, plan_id, row["revision"])).fetchone()
                if current is not None and current["snapshot"] == snap:
                    return load(conn, org, plan_id)  # same content: no new revision
            _write_revision(conn, org, plan_id, row["revision"] + 1, status, snap, changed_by, change)
            _sync_orders(conn, org, plan_id)
            return load(conn, org, plan_id)

    @_announced
    def set_status(
        self, org: str, plan_id: str, status: str, etag: str | None, changed_by: str | None,
        allowed_from: Sequence[str],
    ) -> PlanRecord:
        with mapped_errors(), self.db.transaction() as conn:
            row = _lock_current(conn, org, plan_id, etag)
            rules.check_transition(plan_id, row["status"], status, allowed_from)
            current = conn.execute(SNAPSHOT_SQL, (org, plan_id, row["revision"])).fetchone()
            revision = row["revision"] + 1
            published = status == "PUBLISHED"
            conn.execute(
                "UPDATE plans SET status = %s, revision = %s, version = version + 1, updated_at = now(), "
                "published_at = CASE WHEN %s THEN now() ELSE published_at END, "
                "published_by = CASE WHEN %s THEN %s ELSE published_by END "
                "WHERE organization_id = %s AND id = %s",
                (status, revision, published, published, changed_by, org, plan_id),
            )
            _insert_version(
                conn, org, plan_id, revision, changed_by, status, current["snapshot"] if current else {}
            )
            _sync_orders(conn, org, plan_id)
            return load(conn, org, plan_id)

    @_announced
    def delete(self, org: str, plan_id: str, etag: str | None) -> None:
        with mapped_errors(), self.db.transaction() as conn:
            row = _lock_current(conn, org, plan_id, etag)
            rules.check_deletable(plan_id, row["status"])
            conn.execute("DELETE FROM plans WHERE organization_id = %s AND id = %s", (org, plan_id))


def _plain(snap: Snapshot) -> Snapshot:
    """The snapshot as it reads back from JSON (so comparing with a stored one is exact)."""
    return json.loads(json.dumps(snap, ensure_ascii=False))  # type: ignore[no-any-return]


def _lock_current(conn: psycopg.Connection[Any], org: str, plan_id: str, etag: str | None) -> Any:
    row = conn.execute(
        "SELECT * FROM plans WHERE organization_id = %s AND id = %s FOR UPDATE", (org, plan_id)
    ).fetchone()
    if row is None:
        raise NotFoundError(f"plans/{plan_id} not found")
    rules.check_etag(plan_id, etag, row["version"])
    return row


def _write_revision(
    conn: psycopg.Connection[Any], org: str, plan_id: str, revision: int, status: str | None,
    snap: dict[str, Any], by: str | None, change: str,
) -> None:
    """Replace the plan's routes and stops with ``snap`` as ``revision`` (``status`` None = unchanged)."""
    conn.execute("DELETE FROM routes WHERE organization_id = %s AND plan_id = %s", (org, plan_id))
    conn.execute(
        "UPDATE plans SET revision = %s, version = version + 1, updated_at = now(), "
        "status = COALESCE(%s, status) WHERE organization_id = %s AND id = %s",
        (revision, status, org, plan_id),
    )
    _insert_routes(conn, org, plan_id, snap)
    _insert_version(conn, org, plan_id, revision, by, change, snap)


def _insert_routes(conn: psycopg.Connection[Any], org: str, plan_id: str, snap: dict[str, Any]) -> None:
    for r in snap["routes"]:
        route_id = uuid.uuid4().hex
        conn.execute(
            "INSERT INTO routes (organization_id, id, plan_id, vehicle_id, driver_id, start_time, end_time, "
            "distance_m) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            (org, route_id, plan_id, r["vehicle_id"], r["driver_id"], parse_ts(r["start_time"]),
             parse_ts(r["end_time"]), r["distance_m"]),
        )
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO stops (organization_id, id, route_id, sequence, kind, order_id, arrival_time, "
                "service_start_time, departure_time, status, locked) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [
                    (org, uuid.uuid4().hex, route_id, s["sequence"], s["kind"], s["order_id"],
                     parse_ts(s["arrival"]), parse_ts(s["start"]), parse_ts(s["departure"]),
                     s.get("status", "PLANNED"), bool(s.get("locked", False)))
                    for s in r["stops"]
                ],
            )


def _insert_version(
    conn: psycopg.Connection[Any], org: str, plan_id: str, revision: int, by: str | None, change: str,
    snap: dict[str, Any],
) -> None:
    conn.execute(
        "INSERT INTO plan_versions (organization_id, plan_id, revision, changed_by, change, snapshot) "
        "VALUES (%s, %s, %s, %s, %s, %s)",
        (org, plan_id, revision, by, change, Jsonb(snap)),
    )


def _sync_orders(conn: psycopg.Connection[Any], org: str, plan_id: str) -> None:
    """Orders follow the plan once it is out of DRAFT (``rules.order_updates``)."""
    plan = conn.execute(
        "SELECT status FROM plans WHERE organization_id = %s AND id = %s", (org, plan_id)
    ).fetchone()
    if plan is None or plan["status"] == "DRAFT":
        return
    stops = conn.execute(
        "SELECT s.order_id, s.status FROM stops s JOIN routes r ON r.organization_id = s.organization_id "
        "AND r.id = s.route_id WHERE s.organization_id = %s AND r.plan_id = %s AND s.order_id IS NOT NULL",
        (org, plan_id),
    ).fetchall()
    snap = conn.execute(
        "SELECT v.snapshot FROM plan_versions v JOIN plans p ON p.organization_id = v.organization_id "
        "AND p.id = v.plan_id AND p.revision = v.revision WHERE p.organization_id = %s AND p.id = %s",
        (org, plan_id),
    ).fetchone()
    unassigned = [u["order_id"] for u in (snap["snapshot"].get("unassigned", []) if snap else [])]
    status_of, pending = rules.order_updates(
        plan["status"], [(s["order_id"], s["status"]) for s in stops], unassigned
    )
    with conn.cursor() as cur:
        cur.executemany(
            "UPDATE orders SET status = %s, version = version + 1, updated_at = now() "
            "WHERE organization_id = %s AND id = %s AND status NOT IN ('CANCELLED', %s)",
            [(st, org, order, st) for order, st in status_of.items()],
        )
    if pending:
        conn.execute(
            "UPDATE orders SET status = 'PENDING', version = version + 1, updated_at = now() "
            "WHERE organization_id = %s AND id = ANY(%s) AND status = 'PLANNED'",
            (org, list(pending)),
        )
