"""Reading stored plans: a plan with its routes, stops and current snapshot, as a ``PlanRecord``."""

from __future__ import annotations

import datetime
from typing import Any

import psycopg

from server.jst import JST
from server.plans.errors import NotFoundError
from server.plans.records import PlanRecord, RouteRecord, StopRecord, UnassignedOrder

#: The snapshot of one revision.
SNAPSHOT_SQL = (
    "SELECT snapshot FROM plan_versions WHERE organization_id = %s AND plan_id = %s AND revision = %s"
)


def find_row(
    conn: psycopg.Connection[Any], org: str, branch_id: str, date: datetime.date, lock: bool = False
) -> Any:
    q = (
        "SELECT * FROM plans WHERE organization_id = %s AND branch_id = %s AND plan_date = %s "
        "ORDER BY created_at DESC, id LIMIT 1"
    )
    return conn.execute(q + (" FOR UPDATE" if lock else ""), (org, branch_id, date)).fetchone()


def _jst(t: datetime.datetime | None) -> datetime.datetime | None:
    return None if t is None else t.astimezone(JST)


def load(conn: psycopg.Connection[Any], org: str, plan_id: str) -> PlanRecord:
    plan = conn.execute(
        "SELECT * FROM plans WHERE organization_id = %s AND id = %s", (org, plan_id)
    ).fetchone()
    if plan is None:
        raise NotFoundError(f"plans/{plan_id} not found")
    ver = conn.execute(SNAPSHOT_SQL, (org, plan_id, plan["revision"])).fetchone()
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


