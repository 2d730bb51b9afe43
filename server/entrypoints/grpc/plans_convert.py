"""Plans between the stored form (records and revision snapshots) and the PlanService messages."""

from __future__ import annotations

import datetime
from typing import Any

from google.protobuf import duration_pb2

from hakobu.plans.v1 import plans_pb2 as pb
from server.entrypoints.grpc.context import resource_name
from server.entrypoints.grpc.errors import FieldError
from server.entrypoints.grpc.wellknown import date_to_proto, ts
from server.plans.compare import Comparison, Totals
from server.plans.layout import Edit, LockOrder, MoveOrder, SetDriver, SetStopStatus, UnassignOrder
from server.plans.records import PlanRecord, PlanVersion

#: TravelMode → the ``travel`` text the plans use cases take and plan snapshots keep.
TRAVEL_NAMES: dict[int, str] = {pb.TRAVEL_MODE_HAVERSINE: "haversine", pb.TRAVEL_MODE_ROAD: "road"}
_TRAVEL_MODES = {name: mode for mode, name in TRAVEL_NAMES.items()}


def _enum(enum: Any, name: str | None) -> int:
    """The value of ``name`` in ``enum``; 0 (UNSPECIFIED) for a name this API version does not know."""
    return int(enum.Value(name)) if name and name in enum.keys() else 0


def _change(text: str) -> int:
    """A revision's stored change text (``EDITED: …``, ``REOPTIMIZED_FROM_PUBLISHED``) → its Change."""
    head = text.split(":", 1)[0].strip()
    if head.startswith("REOPTIMIZED"):
        head = "REOPTIMIZED"
    return _enum(pb.PlanRevision.Change, head)


def _duration(seconds: int) -> duration_pb2.Duration:
    return duration_pb2.Duration(seconds=int(seconds))


def _route_seconds(r: dict[str, Any]) -> int:
    if not r.get("start_time") or not r.get("end_time"):
        return 0
    delta = datetime.datetime.fromisoformat(r["end_time"]) - datetime.datetime.fromisoformat(r["start_time"])
    return int(delta.total_seconds())


def issue(org: str, v: dict[str, Any]) -> pb.PlanIssue:
    return pb.PlanIssue(
        code=_enum(pb.PlanIssue.Code, v.get("code")),
        message=v.get("message", ""),
        message_ja=v.get("message_ja", ""),
        vehicle=resource_name(org, "vehicles", v["vehicle_id"]) if v.get("vehicle_id") else "",
        order=resource_name(org, "orders", v["order_id"]) if v.get("order_id") else "",
        amount=int(v.get("amount") or 0),
        limit=int(v.get("limit") or 0),
    )


def plan_to_proto(plan: PlanRecord, snap: dict[str, Any] | None = None) -> pb.DeliveryPlan:
    """The plan's header from ``plan`` and its content from ``snap`` (default: its current revision)."""
    org = plan.organization_id
    snap = snap if snap is not None else (plan.snapshot or {})
    routes = []
    for r in snap.get("routes", []):
        stops = []
        for s in r["stops"]:
            load = [*s.get("load", []), 0, 0]
            stops.append(pb.PlanStop(
                sequence=int(s["sequence"]),
                kind=_enum(pb.PlanStop.Kind, s["kind"]),
                order=resource_name(org, "orders", s["order_id"]) if s.get("order_id") else "",
                arrival_time=ts(s.get("arrival")),
                service_start_time=ts(s.get("start")),
                departure_time=ts(s.get("departure")),
                load_kg=int(load[0]),
                load_litres=int(load[1]),
                status=pb.PlanStop.Status.Value(s.get("status", "PLANNED")),
                locked=bool(s.get("locked", False)),
            ))
        routes.append(pb.PlanRoute(
            vehicle=resource_name(org, "vehicles", r["vehicle_id"]),
            driver=resource_name(org, "drivers", r["driver_id"]) if r.get("driver_id") else "",
            start_time=ts(r.get("start_time")),
            end_time=ts(r.get("end_time")),
            distance_meters=int(r.get("distance_m", 0)),
            cost=float(r.get("cost", 0.0)),
            stops=stops,
        ))
    out = pb.DeliveryPlan(
        name=resource_name(org, "plans", plan.id),
        branch=resource_name(org, "branches", plan.branch_id),
        plan_date=date_to_proto(plan.plan_date),
        status=pb.DeliveryPlan.Status.Value(plan.status),
        revision=plan.revision,
        etag=plan.etag,
        routes=routes,
        unassigned=[
            pb.UnassignedOrder(
                order=resource_name(org, "orders", u["order_id"]),
                reason=_enum(pb.UnassignedOrder.Reason, u.get("reason")),
                message=u.get("message", ""),
                message_ja=u.get("message_ja", ""),
            )
            for u in snap.get("unassigned", [])
        ],
        issues=[issue(org, v) for v in snap.get("violations", [])],
        distance_meters=int(sum(r.get("distance_m", 0) for r in snap.get("routes", []))),
        duration=_duration(sum(_route_seconds(r) for r in snap.get("routes", []))),
        cost=float(snap.get("cost", 0.0)),
        travel=_TRAVEL_MODES.get(snap.get("travel", "haversine"), pb.TRAVEL_MODE_UNSPECIFIED),
        created_by=plan.created_by or "",
        create_time=ts(plan.created_at),
        update_time=ts(plan.updated_at),
        published_by=plan.published_by or "",
    )
    if plan.published_at is not None:
        out.publish_time.CopyFrom(ts(plan.published_at))
    return out


def revision_to_proto(v: PlanVersion) -> pb.PlanRevision:
    return pb.PlanRevision(
        revision=v.revision,
        changed_by=v.changed_by or "",
        change=_change(v.change),
        description=v.change,
        create_time=ts(v.created_at),
    )


def totals_to_proto(t: Totals) -> pb.PlanTotals:
    return pb.PlanTotals(
        distance_meters=t.distance_m,
        duration=_duration(t.duration_s),
        vehicles_used=t.vehicles_used,
        stops=t.stops,
        late_stops=t.late_stops,
        unassigned=t.unassigned,
        cost=t.cost,
    )


def comparison_to_proto(org: str, c: Comparison) -> pb.ComparePlansResponse:
    def order(o: str) -> str:
        return resource_name(org, "orders", o)

    def driver(d: str | None) -> str:
        return resource_name(org, "drivers", d) if d else ""

    return pb.ComparePlansResponse(
        a=totals_to_proto(c.a),
        b=totals_to_proto(c.b),
        changed_routes=[
            pb.RouteDiff(
                vehicle=resource_name(org, "vehicles", r.vehicle_id),
                driver_before=driver(r.driver_before),
                driver_after=driver(r.driver_after),
                added_orders=[order(o) for o in r.added],
                removed_orders=[order(o) for o in r.removed],
                resequenced=r.resequenced,
                distance_before_meters=r.distance_before_m,
                distance_after_meters=r.distance_after_m,
            )
            for r in c.routes
            if r.changed
        ],
        newly_unassigned=[order(o) for o in c.newly_unassigned],
        newly_assigned=[order(o) for o in c.newly_assigned],
    )


NameParser = Any  # (name, collection, field) -> id


def edit_from_proto(e: pb.PlanEdit, field: str, parse: NameParser) -> Edit:
    """One PlanEdit as a domain edit; names are checked by ``parse`` (which aborts on a bad one)."""
    kind = e.WhichOneof("edit")
    if kind == "move_order":
        m = e.move_order
        if m.HasField("position") and m.position < -1:
            raise FieldError([(f"{field}.move_order.position",
                               f"0 以上か -1 (最後) / must be >= 0, or -1 for last; got {m.position}")])
        position = m.position if m.HasField("position") and m.position >= 0 else None
        return MoveOrder(
            parse(m.order, "orders", f"{field}.move_order.order"),
            parse(m.vehicle, "vehicles", f"{field}.move_order.vehicle"),
            position,
        )
    if kind == "unassign_order":
        return UnassignOrder(parse(e.unassign_order.order, "orders", f"{field}.unassign_order.order"))
    if kind == "set_driver":
        d = e.set_driver
        driver = parse(d.driver, "drivers", f"{field}.set_driver.driver") if d.driver else None
        return SetDriver(parse(d.vehicle, "vehicles", f"{field}.set_driver.vehicle"), driver)
    if kind == "lock_order":
        lock = e.lock_order
        return LockOrder(parse(lock.order, "orders", f"{field}.lock_order.order"), lock.locked)
    if kind == "set_stop_status":
        s = e.set_stop_status
        if s.status not in pb.PlanStop.Status.values():
            known = ", ".join(pb.PlanStop.Status.keys()[1:])
            raise FieldError([(f"{field}.set_stop_status.status",
                               f"不明な状態です / unknown status {s.status}; expected one of {known}")])
        return SetStopStatus(
            parse(s.order, "orders", f"{field}.set_stop_status.order"),
            pb.PlanStop.Status.Name(s.status) if s.status else "",
        )
    raise ValueError(field)
