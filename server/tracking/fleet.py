"""A vehicle's live state, composed: its last position and motion, today's plan and next stop, ETAs per
remaining stop, minutes late, its active alerts and its stop counts.

Live state (``LiveState``) holds the position; the plan (``server.plans``) holds the route and each stop's
progress; ETAs come from ``server.tracking.eta``; alerts from the ``AlertBoard`` that the detectors fill.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from optimizer.compiled import RoadMatrices
from server.jst import JST, today_jst
from server.plans.errors import NotFoundError
from server.plans.ports import PlanStores
from server.plans.records import Order, PlanRecord, Vehicle
from server.tracking.eta import PlannedStop, StopEta, estimate
from server.tracking.model import EventType, LiveVehicle
from server.tracking.ports import LiveState, Records, StopEvents
from server.tracking.updates import Alert

#: Below this speed (km/h) a vehicle is stopped.
MOVING_KMH = 3.0
OPEN = ("PLANNED", "ARRIVED")


@dataclass(frozen=True)
class LiveConfig:
    """The detectors' thresholds (``HAKOBU_ARRIVAL_*``, ``HAKOBU_SILENT_SECONDS``, ``HAKOBU_OFF_ROUTE_*``)."""

    arrival_radius: float = 150.0
    arrival_dwell: float = 60.0
    silent_after: float = 600.0
    off_route: float = 2000.0
    #: 荷待ち longer than this raises LONG_WAIT (the 2024 rules' target: 30 minutes at most).
    long_wait: float = 30 * 60.0


class AlertBoard:
    """The active alerts per vehicle (in-process): a detector sets or clears an alert by (kind, order)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._alerts: dict[tuple[str, str], dict[tuple[str, str | None], Alert]] = {}

    def set(self, alert: Alert) -> bool:
        """Raise ``alert``; True when it is new (not already active for the same kind and order)."""
        with self._lock:
            active = self._alerts.setdefault((alert.organization, alert.vehicle_id), {})
            key = (alert.kind, alert.order_id)
            new = key not in active
            active[key] = alert
            return new

    def clear(self, org: str, vehicle_id: str, kind: str, order_id: str | None = None) -> None:
        with self._lock:
            self._alerts.get((org, vehicle_id), {}).pop((kind, order_id), None)

    def of(self, org: str, vehicle_id: str) -> list[Alert]:
        with self._lock:
            return sorted(self._alerts.get((org, vehicle_id), {}).values(), key=lambda a: (a.time, a.kind))


def _utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


@dataclass
class FleetDeps:
    plans: PlanStores
    live: LiveState
    vehicles: Records[Vehicle]
    orders: Records[Order]
    events: StopEvents | None = None
    #: Road matrices (geo): the first leg of a road-graph plan's ETA on the roads; None = straight lines.
    road: RoadMatrices | None = None
    alerts: AlertBoard = field(default_factory=AlertBoard)
    config: LiveConfig = field(default_factory=LiveConfig)
    clock: Callable[[], datetime.datetime] = field(default=_utcnow)


@dataclass(frozen=True)
class VehicleView:
    organization: str
    vehicle_id: str
    branch_id: str
    driver_id: str | None
    plan_id: str | None
    last: LiveVehicle | None
    motion: str  # DRIVING, STOPPED, SILENT
    etas: tuple[StopEta, ...]
    alerts: tuple[Alert, ...]
    stops_done: int
    stops_failed: int
    updated: datetime.datetime

    @property
    def next(self) -> StopEta | None:
        return self.etas[0] if self.etas else None

    @property
    def minutes_late(self) -> int:
        return self.etas[0].minutes_late if self.etas else 0


def window_of(order: Order, planned_start: datetime.datetime) -> tuple[datetime.datetime | None,
                                                                       datetime.datetime | None]:
    """The order's time window (時間指定) the plan serves it in: the one holding the planned service start,
    else the next one after it, else the last."""
    spans = [(datetime.datetime.combine(order.delivery_date, a, tzinfo=JST),
              datetime.datetime.combine(order.delivery_date, b, tzinfo=JST)) for a, b in order.time_windows]
    if not spans:
        return None, None
    for a, b in spans:
        if a <= planned_start <= b:
            return a, b
    later = [s for s in spans if s[0] >= planned_start]
    return later[0] if later else spans[-1]


def planned_stops(stores: PlanStores, org: str, plan: PlanRecord, vehicle_id: str,
                  statuses: Sequence[str] = OPEN,
                  orders: dict[str, Order] | None = None) -> list[PlannedStop]:
    """The vehicle's delivery stops in ``statuses`` (default: not yet done), with places and windows
    (``orders``: the day's orders by id, read when not given)."""
    route = next((r for r in plan.routes if r.vehicle_id == vehicle_id), None)
    if route is None:
        return []
    if orders is None:
        orders = {o.id: o for o in stores.master.day_orders(org, plan.branch_id, plan.plan_date)}
    out = []
    for s in route.stops:
        o = orders.get(s.order_id or "")
        if o is None or s.status not in statuses or s.arrival_time is None:
            continue
        start = s.service_start_time or s.arrival_time
        ws, we = window_of(o, start)
        out.append(PlannedStop(s.sequence, o.id, o.latitude, o.longitude, s.arrival_time, start,
                               s.departure_time or start, ws, we))
    return out


def depot_departure(plan: PlanRecord, vehicle_id: str) -> datetime.datetime | None:
    route = next((r for r in plan.routes if r.vehicle_id == vehicle_id), None)
    if route is None or not route.stops:
        return None
    return route.stops[0].departure_time or route.start_time


def motion(last: LiveVehicle | None, now: datetime.datetime, silent_after: float) -> str:
    if last is None or (now - last.time).total_seconds() > silent_after:
        return "SILENT"
    return "DRIVING" if (last.speed_kmh or 0.0) > MOVING_KMH else "STOPPED"


def plan_of(deps: FleetDeps, org: str, vehicle: Vehicle, day: datetime.date) -> PlanRecord | None:
    """The vehicle's plan of ``day`` (its branch's day plan, if the vehicle has a route on it)."""
    plan = deps.plans.plans.find(org, vehicle.branch_id, day)
    if plan is None or not any(r.vehicle_id == vehicle.id for r in plan.routes):
        return None
    return plan


def route_driver(deps: FleetDeps, org: str, vehicle_id: str, day: datetime.date) -> str | None:
    """Who drives the vehicle's route on ``day``'s plan (None: no route, no driver, unknown vehicle)."""
    try:
        vehicle = deps.vehicles.get(org, vehicle_id)
    except NotFoundError:
        return None
    plan = plan_of(deps, org, vehicle, day)
    if plan is None:
        return None
    return next((r.driver_id for r in plan.routes if r.vehicle_id == vehicle_id), None)


def _arrived_at(deps: FleetDeps, org: str, plan: PlanRecord, order_id: str) -> datetime.datetime | None:
    if deps.events is None:
        return None
    times = [e.time for e in deps.events.for_plan(org, plan.id)
             if e.order_id == order_id and e.type is EventType.ARRIVED]
    return max(times) if times else None


def etas(deps: FleetDeps, org: str, plan: PlanRecord, vehicle_id: str, last: LiveVehicle | None,
         now: datetime.datetime, *, orders: dict[str, Order] | None = None,
         travel: tuple[float, float] | None = None) -> list[StopEta]:
    """ETAs of the vehicle's remaining stops: from its live position when it has one (and the route has
    begun), else the plan's own times. ``orders`` (by id) and ``travel`` (speed km/h, detour factor)
    may be given by a caller that keeps them."""
    remaining = planned_stops(deps.plans, org, plan, vehicle_id, orders=orders)
    if not remaining:
        return []
    start = depot_departure(plan, vehicle_id)
    if last is None or (start is not None and now < start and plan.status == "PUBLISHED"):
        return [StopEta(s, s.arrival, 0) for s in remaining]
    speed, detour = travel if travel is not None else travel_of(deps.plans, org, plan.branch_id)
    first = plan.stop_of(remaining[0].order_id or "")
    since = None
    if first is not None and first[1].status == "ARRIVED":
        since = _arrived_at(deps, org, plan, remaining[0].order_id or "") or now
    leg = None
    if since is None and plan.travel == "road":
        leg = road_leg(deps, org, plan, vehicle_id, (last.latitude, last.longitude),
                       (remaining[0].latitude, remaining[0].longitude))
    return estimate(last.latitude, last.longitude, now, remaining, speed, detour, at_first_since=since,
                    first_leg=leg)


def road_leg(deps: FleetDeps, org: str, plan: PlanRecord, vehicle_id: str, a: tuple[float, float],
             b: tuple[float, float]) -> int | None:
    """Seconds from a to b on the plan's road graph for the vehicle's class (the branch's graph, as
    planning chose it); None when there is no road model here or a point is off the roads."""
    if deps.road is None:
        return None
    try:
        graph = deps.plans.master.planning_levels(org, plan.branch_id).for_branch().road_graph
        if not graph and deps.plans.graphs is not None:
            branch = deps.plans.master.branch(org, plan.branch_id)
            graph = deps.plans.graphs.graph_at(branch.latitude, branch.longitude) if branch else None
        if not graph:
            return None
        vehicle_class = deps.vehicles.get(org, vehicle_id).vehicle_class
        _, durations = deps.road.matrices(graph, vehicle_class, [a, b], 500.0)
        return int(durations[0][1])
    except Exception:  # off the roads, an unknown graph or class: the straight-line model answers
        return None


def travel_of(stores: PlanStores, org: str, branch_id: str) -> tuple[float, float]:
    """The branch's straight-line travel model: (speed km/h, detour factor)."""
    levels = stores.master.planning_levels(org, branch_id).for_branch()
    return levels.speed_kmh, levels.detour_factor


def vehicle_view(deps: FleetDeps, org: str, vehicle: Vehicle, plan: PlanRecord | None = None,
                 *, with_plan: bool = True, orders: dict[str, Order] | None = None,
                 travel: tuple[float, float] | None = None) -> VehicleView:
    """The state of ``vehicle`` now; ``plan`` = its plan of today (looked up when not given); ``orders``
    and ``travel`` as for :func:`etas`, when the caller has them."""
    now = deps.clock()
    if plan is None and with_plan:
        plan = plan_of(deps, org, vehicle, today_jst(now))
    last = deps.live.get(org, vehicle.id)
    route = next((r for r in plan.routes if r.vehicle_id == vehicle.id), None) if plan else None
    stops = [s for s in route.stops if s.order_id] if route else []
    return VehicleView(
        organization=org, vehicle_id=vehicle.id, branch_id=vehicle.branch_id,
        driver_id=route.driver_id if route else None, plan_id=plan.id if plan else None, last=last,
        motion=motion(last, now, deps.config.silent_after),
        # ETAs run from the last fix, as of its time (a silent vehicle shows SILENT, not a drifting ETA).
        etas=tuple(etas(deps, org, plan, vehicle.id, last, last.time if last else now, orders=orders,
                        travel=travel)) if plan else (),
        # Only the day's alerts: one raised on an earlier day's plan is no longer about anything.
        alerts=tuple(a for a in deps.alerts.of(org, vehicle.id)
                     if a.time.astimezone(JST).date() == (plan.plan_date if plan else today_jst(now))),
        stops_done=sum(s.status == "DONE" for s in stops),
        stops_failed=sum(s.status == "FAILED" for s in stops),
        updated=last.time if last else now,
    )


def get_view(deps: FleetDeps, org: str, vehicle_id: str) -> VehicleView:
    """``NotFoundError`` for a vehicle outside ``org``."""
    return vehicle_view(deps, org, deps.vehicles.get(org, vehicle_id))


def branch_views(deps: FleetDeps, org: str, branch_id: str) -> list[VehicleView]:
    """Every active vehicle of the branch, by id; ``NotFoundError`` for a branch outside ``org``."""
    if deps.plans.master.branch(org, branch_id) is None:
        raise NotFoundError(f"branches/{branch_id} not found")
    plan = deps.plans.plans.find(org, branch_id, today_jst(deps.clock()))
    orders, travel = None, None
    if plan is not None:  # read once for the whole branch
        orders = {o.id: o for o in deps.plans.master.day_orders(org, branch_id, plan.plan_date)}
        travel = travel_of(deps.plans, org, branch_id)
    return [vehicle_view(deps, org, v, plan if plan and any(r.vehicle_id == v.id for r in plan.routes)
                         else None, with_plan=False, orders=orders, travel=travel)
            for v in deps.plans.master.active_vehicles(org, branch_id)]
