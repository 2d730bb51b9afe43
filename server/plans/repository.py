"""Store and load daily plans: plans + routes + stops + plan_versions, org-scoped, one transaction each.

A plan is keyed by (organization, branch, date). Saving a solution for a day that already has a DRAFT plan
refreshes that plan in place (same id): its routes and stops are replaced, ``revision`` and ``version`` go
up by one, and a new ``plan_versions`` row keeps the new routes as a JSON snapshot with who and when — so
every revision ever saved stays readable. Saving a result identical to the current revision changes nothing.
The per-stop load, costs and unassigned orders have no columns, so they live in the revision's snapshot.
"""

from __future__ import annotations

import datetime
import json
import uuid
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from optimizer.model import JobKind, NodeKind, Problem
from optimizer.solve import Solution
from server.db.repository import Database, NotFoundError, RepositoryError, StaleEtagError, _mapped_errors
from server.jst import JST
from server.plans.build import origin_of

#: checker step kind -> stops.kind
_STOP_KIND = {"START": "DEPOT", "END": "DEPOT", "RELOAD": "RELOAD", "BREAK": "BREAK"}
#: The snapshot of one revision.
_SNAPSHOT_SQL = (
    "SELECT snapshot FROM plan_versions WHERE organization_id = %s AND plan_id = %s AND revision = %s"
)


class PlanLockedError(RepositoryError):
    """The day's plan is PUBLISHED (or already running) and may not be replaced."""


@dataclass(frozen=True)
class StopRecord:
    sequence: int
    kind: str  # DEPOT, DELIVERY, PICKUP, RELOAD, BREAK
    order_id: str | None
    arrival_time: datetime.datetime | None
    service_start_time: datetime.datetime | None
    departure_time: datetime.datetime | None
    load: tuple[int, ...]  # on board after the stop, per dimension (kg, litres)
    status: str = "PLANNED"
    id: str = ""
    #: Re-planning keeps a locked stop on its route.
    locked: bool = False


@dataclass(frozen=True)
class RouteRecord:
    id: str
    vehicle_id: str
    driver_id: str | None
    start_time: datetime.datetime | None
    end_time: datetime.datetime | None
    distance_m: int
    cost: float
    stops: tuple[StopRecord, ...]


@dataclass(frozen=True)
class UnassignedOrder:
    order_id: str
    reason: str
    message: str
    message_ja: str


@dataclass(frozen=True)
class PlanRecord:
    id: str
    organization_id: str
    branch_id: str
    plan_date: datetime.date
    status: str
    revision: int
    version: int
    created_by: str | None
    created_at: datetime.datetime
    updated_at: datetime.datetime
    routes: tuple[RouteRecord, ...]
    unassigned: tuple[UnassignedOrder, ...]
    published_at: datetime.datetime | None = None
    published_by: str | None = None
    #: The checker's findings on this revision (accepted by whoever saved it); empty when clean.
    violations: tuple[dict[str, Any], ...] = ()
    #: "haversine" or "road": how travel was computed for this revision.
    travel: str = "haversine"
    snapshot: dict[str, Any] | None = None

    @property
    def etag(self) -> str:
        return str(self.version)

    def stop_of(self, order_id: str) -> tuple[RouteRecord, StopRecord] | None:
        for r in self.routes:
            for s in r.stops:
                if s.order_id == order_id:
                    return r, s
        return None


@dataclass(frozen=True)
class PlanVersion:
    revision: int
    changed_by: str | None
    change: str
    created_at: datetime.datetime
    snapshot: dict[str, Any]


# ---------------------------------------------------------------- snapshot of a solution


def _ts(t: datetime.datetime | None) -> str | None:
    return None if t is None else t.isoformat()


def _parse_ts(s: str | None) -> datetime.datetime | None:
    return None if s is None else datetime.datetime.fromisoformat(s)


def snapshot_of(solution: Solution, problem: Problem, date: datetime.date) -> dict[str, Any]:
    """The plan's content as JSON-ready data (times as ISO timestamps in JST)."""
    origin = origin_of(date)

    def at(sec: int) -> str:
        return (origin + datetime.timedelta(seconds=int(sec))).isoformat()

    routes = []
    for r in solution.evaluation.routes:
        if not any(s.kind in ("JOB", "PICKUP", "DELIVERY") for s in r.steps):
            continue
        stops = []
        for seq, s in enumerate(r.steps):
            order_id = None
            if s.kind == "JOB" and s.visit is not None and s.visit.kind is NodeKind.JOB:
                job = problem.jobs[s.visit.index]
                order_id = job.id
                kind = "PICKUP" if job.kind is JobKind.PICKUP else "DELIVERY"
            else:
                kind = _STOP_KIND.get(s.kind, s.kind)  # shipment PICKUP / DELIVERY keep their kind
            stops.append({
                "sequence": seq,
                "kind": kind,
                "order_id": order_id,
                "arrival": at(s.arrival),
                "start": at(s.start),
                "departure": at(s.departure),
                "load": [int(x) for x in s.load],
            })
        routes.append({
            "vehicle_id": r.vehicle_id,
            "driver_id": r.driver_id or None,
            "start_time": at(r.start_time),
            "end_time": at(r.end_time),
            "distance_m": int(r.distance),
            "cost": float(r.cost),
            "stops": stops,
        })
    unassigned = [
        {"order_id": u.id, "reason": u.reason.value, "message": u.message, "message_ja": u.message_ja}
        for u in solution.unassigned
    ]
    ev = solution.evaluation
    return {
        "routes": routes,
        "unassigned": unassigned,
        "distance_m": int(ev.distance),
        "cost": float(ev.cost.total),
        "dimensions": list(problem.dimensions),
    }


# ---------------------------------------------------------------- save


def save_plan(
    db: Database,
    org: str,
    branch_id: str,
    date: datetime.date,
    solution: Solution,
    problem: Problem,
    created_by: str | None,
    request_id: str | None = None,
    *,
    force: bool = False,
    travel: str = "haversine",
) -> PlanRecord:
    """Create the day's DRAFT plan, or refresh it (revision + 1) — all in one transaction.

    A PUBLISHED plan is refreshed only with ``force`` (it goes back to DRAFT); IN_PROGRESS / DONE plans
    never are (``PlanLockedError``). A repeated ``request_id`` returns the plan of the first call.
    """
    snap = snapshot_of(solution, problem, date)
    snap["travel"] = travel
    snap = json.loads(json.dumps(snap, ensure_ascii=False))
    with _mapped_errors(), db.transaction() as conn:
        # Serialize saves of the same (org, branch, date): there is no unique key on plans for it.
        conn.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
            (f"plan|{org}|{branch_id}|{date.isoformat()}",),
        )
        row = _find_row(conn, org, branch_id, date, lock=True)
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
                return _load(conn, org, prev["resource_id"])
        if row is None:
            conn.execute(
                "INSERT INTO plans (organization_id, id, branch_id, plan_date, status, revision, created_by) "
                "VALUES (%s, %s, %s, %s, 'DRAFT', 1, %s)",
                (org, plan_id, branch_id, date, created_by),
            )
            _insert_routes(conn, org, plan_id, snap)
            _insert_version(conn, org, plan_id, 1, created_by, "CREATED", snap)
            return _load(conn, org, plan_id)
        status = row["status"]
        if status in ("IN_PROGRESS", "DONE") or (status == "PUBLISHED" and not force):
            raise PlanLockedError(
                f"plan {plan_id} of {branch_id} on {date} is {status}; it is not replaced"
                + ("" if status != "PUBLISHED" else " (use force to replace a published plan)")
            )
        current = conn.execute(_SNAPSHOT_SQL, (org, plan_id, row["revision"])).fetchone()
        if status == "DRAFT" and current is not None and current["snapshot"] == snap:
            return _load(conn, org, plan_id)  # same result: nothing to refresh
        change = "REOPTIMIZED" if status == "DRAFT" else f"REOPTIMIZED_FROM_{status}"
        if current is not None:
            from server.plans.compare import describe

            change += ": " + describe(current["snapshot"], snap)
        _write_revision(conn, org, plan_id, row["revision"] + 1, "DRAFT", snap, created_by, change)
        return _load(conn, org, plan_id)


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
            (org, route_id, plan_id, r["vehicle_id"], r["driver_id"], _parse_ts(r["start_time"]),
             _parse_ts(r["end_time"]), r["distance_m"]),
        )
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO stops (organization_id, id, route_id, sequence, kind, order_id, arrival_time, "
                "service_start_time, departure_time, status, locked) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [
                    (org, uuid.uuid4().hex, route_id, s["sequence"], s["kind"], s["order_id"],
                     _parse_ts(s["arrival"]), _parse_ts(s["start"]), _parse_ts(s["departure"]),
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


# ---------------------------------------------------------------- load


def _find_row(
    conn: psycopg.Connection[Any], org: str, branch_id: str, date: datetime.date, lock: bool = False
) -> Any:
    q = (
        "SELECT * FROM plans WHERE organization_id = %s AND branch_id = %s AND plan_date = %s "
        "ORDER BY created_at DESC, id LIMIT 1"
    )
    return conn.execute(q + (" FOR UPDATE" if lock else ""), (org, branch_id, date)).fetchone()


def _jst(t: datetime.datetime | None) -> datetime.datetime | None:
    return None if t is None else t.astimezone(JST)


def _load(conn: psycopg.Connection[Any], org: str, plan_id: str) -> PlanRecord:
    plan = conn.execute(
        "SELECT * FROM plans WHERE organization_id = %s AND id = %s", (org, plan_id)
    ).fetchone()
    if plan is None:
        raise NotFoundError(f"plans/{plan_id} not found")
    ver = conn.execute(_SNAPSHOT_SQL, (org, plan_id, plan["revision"])).fetchone()
    snap = ver["snapshot"] if ver is not None else {"routes": [], "unassigned": []}
    loads = {
        (r["vehicle_id"], s["sequence"]): tuple(s["load"]) for r in snap["routes"] for s in r["stops"]
    }
    costs = {r["vehicle_id"]: float(r["cost"]) for r in snap["routes"]}
    routes = conn.execute(
        "SELECT * FROM routes WHERE organization_id = %s AND plan_id = %s ORDER BY vehicle_id",
        (org, plan_id),
    ).fetchall()
    stops = conn.execute(
        "SELECT s.* FROM stops s "
        "JOIN routes r ON r.organization_id = s.organization_id AND r.id = s.route_id "
        "WHERE s.organization_id = %s AND r.plan_id = %s ORDER BY s.route_id, s.sequence",
        (org, plan_id),
    ).fetchall()
    by_route: dict[str, list[Any]] = {}
    for s in stops:
        by_route.setdefault(s["route_id"], []).append(s)
    route_records = tuple(
        RouteRecord(
            id=r["id"],
            vehicle_id=r["vehicle_id"],
            driver_id=r["driver_id"],
            start_time=_jst(r["start_time"]),
            end_time=_jst(r["end_time"]),
            distance_m=int(r["distance_m"]),
            cost=costs.get(r["vehicle_id"], 0.0),
            stops=tuple(
                StopRecord(
                    id=s["id"],
                    sequence=s["sequence"],
                    kind=s["kind"],
                    order_id=s["order_id"],
                    arrival_time=_jst(s["arrival_time"]),
                    service_start_time=_jst(s["service_start_time"]),
                    departure_time=_jst(s["departure_time"]),
                    load=loads.get((r["vehicle_id"], s["sequence"]), ()),
                    status=s["status"],
                    locked=s["locked"],
                )
                for s in by_route.get(r["id"], [])
            ),
        )
        for r in routes
    )
    return PlanRecord(
        id=plan["id"],
        organization_id=plan["organization_id"],
        branch_id=plan["branch_id"],
        plan_date=plan["plan_date"],
        status=plan["status"],
        revision=plan["revision"],
        version=plan["version"],
        created_by=plan["created_by"],
        created_at=plan["created_at"],
        updated_at=plan["updated_at"],
        routes=route_records,
        unassigned=tuple(UnassignedOrder(**u) for u in snap.get("unassigned", [])),
        published_at=plan["published_at"],
        published_by=plan["published_by"],
        violations=tuple(snap.get("violations", [])),
        travel=snap.get("travel", "haversine"),
        snapshot=snap,
    )


def get_plan(db: Database, org: str, plan_id: str) -> PlanRecord:
    """The plan with its routes and ordered stops; ``NotFoundError`` outside ``org``."""
    with db.transaction() as conn:
        return _load(conn, org, plan_id)


def find_plan(db: Database, org: str, branch_id: str, date: datetime.date) -> PlanRecord | None:
    """The plan of ``branch_id`` on ``date`` in ``org``, or ``None``."""
    with db.transaction() as conn:
        row = _find_row(conn, org, branch_id, date)
        return None if row is None else _load(conn, org, row["id"])


def list_versions(db: Database, org: str, plan_id: str) -> list[PlanVersion]:
    """Every saved revision of the plan, oldest first (who, what, when, and the routes then)."""
    with db.transaction() as conn:
        if conn.execute(
            "SELECT 1 FROM plans WHERE organization_id = %s AND id = %s", (org, plan_id)
        ).fetchone() is None:
            raise NotFoundError(f"plans/{plan_id} not found")
        rows = conn.execute(
            "SELECT * FROM plan_versions WHERE organization_id = %s AND plan_id = %s ORDER BY revision",
            (org, plan_id),
        ).fetchall()
    return [
        PlanVersion(r["revision"], r["changed_by"], r["change"], r["created_at"], r["snapshot"]) for r in rows
    ]


# ---------------------------------------------------------------- revisions, status, listing

#: Plan statuses in which nothing but stop progress may change.
FINAL_STATUSES = ("DONE",)


class PlanStateError(RepositoryError):
    """The plan's status forbids the change (e.g. editing a DONE plan)."""


def _check_etag(plan_id: str, etag: str | None, current: int | str) -> None:
    """``StaleEtagError`` unless ``etag`` is empty (unconditional) or the plan's current version."""
    if etag and etag.strip().strip('"') != str(current):
        raise StaleEtagError(
            f"計画 {plan_id} は他の人が変更しました。読み直してください / plans/{plan_id} was changed by "
            f"someone else (etag {etag} is stale, current {current}); read it again"
        )


def check_changeable(plan: PlanRecord, etag: str | None, action_ja: str, action: str) -> None:
    """A DONE plan takes no change (``PlanStateError``); a stale etag fails (``StaleEtagError``)."""
    if plan.status == "DONE":
        raise PlanStateError(
            f"完了した計画は{action_ja}できません / plan {plan.id} is DONE; it cannot be {action}"
        )
    _check_etag(plan.id, etag, plan.version)


def _lock_current(conn: psycopg.Connection[Any], org: str, plan_id: str, etag: str | None) -> Any:
    row = conn.execute(
        "SELECT * FROM plans WHERE organization_id = %s AND id = %s FOR UPDATE", (org, plan_id)
    ).fetchone()
    if row is None:
        raise NotFoundError(f"plans/{plan_id} not found")
    _check_etag(plan_id, etag, row["version"])
    return row


#: Order status that a stop's progress stands for, once the plan is out of DRAFT.
_ORDER_STATUS = {"PLANNED": "PLANNED", "ARRIVED": "IN_TRANSIT", "DONE": "DELIVERED", "FAILED": "FAILED",
                 "SKIPPED": "PLANNED"}


def _sync_orders(conn: psycopg.Connection[Any], org: str, plan_id: str) -> None:
    """Orders follow the published plan: on a route → PLANNED (then IN_TRANSIT, DELIVERED, FAILED with
    their stop); a published plan's unassigned orders go back to PENDING. DRAFT plans change no order."""
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
    with conn.cursor() as cur:
        cur.executemany(
            "UPDATE orders SET status = %s, version = version + 1, updated_at = now() "
            "WHERE organization_id = %s AND id = %s AND status NOT IN ('CANCELLED', %s)",
            [(_ORDER_STATUS[s["status"]], org, s["order_id"], _ORDER_STATUS[s["status"]]) for s in stops],
        )
    snap = conn.execute(
        "SELECT v.snapshot FROM plan_versions v JOIN plans p ON p.organization_id = v.organization_id "
        "AND p.id = v.plan_id AND p.revision = v.revision WHERE p.organization_id = %s AND p.id = %s",
        (org, plan_id),
    ).fetchone()
    unassigned = [u["order_id"] for u in (snap["snapshot"].get("unassigned", []) if snap else [])]
    if unassigned:
        conn.execute(
            "UPDATE orders SET status = 'PENDING', version = version + 1, updated_at = now() "
            "WHERE organization_id = %s AND id = ANY(%s) AND status = 'PLANNED'",
            (org, unassigned),
        )


def save_revision(
    db: Database,
    org: str,
    plan_id: str,
    snap: dict[str, Any],
    changed_by: str | None,
    change: str,
    etag: str | None,
    *,
    status: str | None = None,
    allowed_from: tuple[str, ...] = ("DRAFT", "PUBLISHED", "IN_PROGRESS"),
    skip_if_same: bool = False,
) -> PlanRecord:
    """Store ``snap`` as the plan's next revision (routes and stops replaced) in one transaction.

    ``etag`` (the version the caller read) must still be current, else ``StaleEtagError`` and nothing is
    written; the plan's status must be one of ``allowed_from``, else ``PlanStateError``.
    """
    snap = json.loads(json.dumps(snap, ensure_ascii=False))
    with _mapped_errors(), db.transaction() as conn:
        row = _lock_current(conn, org, plan_id, etag)
        if row["status"] not in allowed_from:
            raise PlanStateError(
                f"計画は {row['status']} のため変更できません / plan {plan_id} is {row['status']}; "
                f"it cannot be changed"
            )
        if skip_if_same and (status is None or status == row["status"]):
            current = conn.execute(_SNAPSHOT_SQL, (org, plan_id, row["revision"])).fetchone()
            if current is not None and current["snapshot"] == snap:
                return _load(conn, org, plan_id)  # same content: no new revision
        _write_revision(conn, org, plan_id, row["revision"] + 1, status, snap, changed_by, change)
        _sync_orders(conn, org, plan_id)
        return _load(conn, org, plan_id)


def set_status(
    db: Database,
    org: str,
    plan_id: str,
    status: str,
    etag: str | None,
    changed_by: str | None,
    allowed_from: tuple[str, ...],
) -> PlanRecord:
    """Move the plan to ``status`` (a new revision with the same routes records who and when)."""
    with _mapped_errors(), db.transaction() as conn:
        row = _lock_current(conn, org, plan_id, etag)
        if row["status"] not in allowed_from:
            raise PlanStateError(
                f"計画は {row['status']} のため {status} にできません / plan {plan_id} is {row['status']}; "
                f"it cannot become {status}"
            )
        current = conn.execute(
            _SNAPSHOT_SQL,
            (org, plan_id, row["revision"]),
        ).fetchone()
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
        return _load(conn, org, plan_id)


def get_revision(db: Database, org: str, plan_id: str, revision: int) -> dict[str, Any]:
    """The snapshot (routes, unassigned, totals) of one stored revision."""
    with db.transaction() as conn:
        row = conn.execute(
            _SNAPSHOT_SQL,
            (org, plan_id, revision),
        ).fetchone()
    if row is None:
        raise NotFoundError(f"plans/{plan_id} revision {revision} not found")
    return dict(row["snapshot"])


def list_plans(
    db: Database,
    org: str,
    *,
    branch_id: str | None = None,
    plan_date: datetime.date | None = None,
    status: str | None = None,
    page_size: int = 50,
    after: tuple[datetime.date, str] | None = None,
) -> tuple[list[PlanRecord], tuple[datetime.date, str] | None]:
    """Plans of ``org`` newest date first (then id), filtered; returns (page, key after the page or None)."""
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
    with db.transaction() as conn:
        rows = conn.execute(
            f"SELECT id, plan_date FROM plans WHERE {' AND '.join(conds)} "
            "ORDER BY plan_date DESC, id DESC LIMIT %s",
            (*params, size + 1),
        ).fetchall()
        more = len(rows) > size
        rows = rows[:size]
        plans = [_load(conn, org, r["id"]) for r in rows]
    nxt = (rows[-1]["plan_date"], rows[-1]["id"]) if more and rows else None
    return plans, nxt


def delete_plan(db: Database, org: str, plan_id: str, etag: str | None) -> None:
    """Delete a DRAFT plan (routes, stops and revisions go with it); other statuses are kept."""
    with _mapped_errors(), db.transaction() as conn:
        row = _lock_current(conn, org, plan_id, etag)
        if row["status"] != "DRAFT":
            raise PlanStateError(
                f"下書き以外の計画は削除できません / plan {plan_id} is {row['status']}; only DRAFT plans "
                "can be deleted"
            )
        conn.execute("DELETE FROM plans WHERE organization_id = %s AND id = %s", (org, plan_id))
