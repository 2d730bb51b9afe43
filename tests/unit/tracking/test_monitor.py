"""The live monitor on the in-memory ports: a simulated drive becomes GEOFENCE events that move the plan,
late vehicles get LATE alerts, far ones OFF_ROUTE, quiet ones SILENT, long drives DRIVING_RULES."""

from __future__ import annotations

import dataclasses
import datetime
from pathlib import Path

from server.jst import JST, today_jst
from server.tracking.events import EventDeps, list_events
from server.tracking.fleet import LiveConfig, depot_departure
from server.tracking.model import EventSource, EventType, LiveVehicle, Position
from server.tracking.monitor import LiveMonitor
from server.tracking.simulate import Fix, along, stay
from server.tracking.updates import ALERT, parse
from tests.unit.plans.builders import HOME, ORG
from tests.unit.tracking.live_fakes import fleet_deps, published_day


class History:
    def __init__(self) -> None:
        self.rows: list[Position] = []

    def between(self, org: str, vehicle_id: str, start: datetime.datetime,
                end: datetime.datetime) -> list[Position]:
        return [p for p in self.rows if p.organization == org and p.vehicle_id == vehicle_id
                and start <= p.time < end]


def _positions(vehicle: str, fixes: list[Fix]) -> list[Position]:
    return [Position(ORG, "dev", vehicle, f.time, f.latitude, f.longitude, f.speed_kmh, f.heading)
            for f in fixes]


def _setup(tmp_path: Path, **config: float):  # type: ignore[no-untyped-def]
    deps, plan = published_day(tmp_path, orders=4, date=today_jst())
    fleet = fleet_deps(deps)
    fleet.config = LiveConfig(**config)
    history = History()
    seen: list[str] = []
    monitor = LiveMonitor(deps, fleet, history, evaluate_every=0, driving_every=0,
                          on_alert=lambda a: seen.append(a.kind))
    return deps, plan, fleet, history, monitor, seen


def _feed(monitor: LiveMonitor, deps: EventDeps, history: History, vehicle: str, fixes: list[Fix]) -> None:
    ps = _positions(vehicle, fixes)
    history.rows += ps
    for i in range(0, len(ps), 5):
        batch = ps[i:i + 5]
        deps.live.update([LiveVehicle(ORG, p.vehicle_id, p.device_id, p.time, p.latitude, p.longitude,
                                      p.speed_kmh) for p in batch])
        monitor.observe(batch)


def test_a_drive_to_the_first_stop_arrives_and_departs_by_geofence(tmp_path: Path) -> None:
    deps, plan, fleet, history, monitor, seen = _setup(tmp_path, arrival_radius=100, arrival_dwell=60)
    route = plan.routes[0]
    order = next(s.order_id for s in route.stops if s.order_id)
    o = deps.plans.master.orders[(ORG, order)]  # type: ignore[attr-defined]
    start = depot_departure(plan, route.vehicle_id)
    assert start is not None
    trip = along([HOME, (o.latitude, o.longitude)], start, 30.0, 10.0)
    trip += stay(o.latitude, o.longitude, trip[-1].time, 300, 10.0)
    trip += along([(o.latitude, o.longitude), (o.latitude + 0.01, o.longitude)], trip[-1].time, 30.0, 10.0)
    _feed(monitor, deps, history, route.vehicle_id, trip)
    events = list_events(deps, ORG, plan.id)
    assert [(e.type, e.order_id, e.source) for e in events] == [
        (EventType.ARRIVED, order, EventSource.GEOFENCE), (EventType.DEPARTED, order, EventSource.GEOFENCE)]
    now = deps.plans.plans.get(ORG, plan.id)
    assert now.status == "IN_PROGRESS" and now.stop_of(order)[1].status == "ARRIVED"  # type: ignore[index]
    # Replaying the same positions (a restarted observer) records nothing twice.
    monitor2 = LiveMonitor(deps, fleet, history, evaluate_every=0, driving_every=0)
    _feed(monitor2, deps, History(), route.vehicle_id, trip)
    assert len(list_events(deps, ORG, plan.id)) == 2
    assert seen == []  # on time, on route


def test_a_late_vehicle_gets_late_alerts_and_a_far_one_off_route(tmp_path: Path) -> None:
    deps, plan, fleet, history, monitor, seen = _setup(tmp_path)
    route = plan.routes[0]
    for o in [s.order_id for s in route.stops if s.order_id]:
        order = deps.plans.master.orders[(ORG, o)]  # type: ignore[attr-defined]
        deps.plans.master.orders[(ORG, o)] = type(order)(**{  # type: ignore[attr-defined]
            **order.__dict__, "time_windows": ((datetime.time(0, 0), datetime.time(9, 0)),)})
    late = datetime.datetime.combine(today_jst(), datetime.time(11, 0), tzinfo=JST)
    _feed(monitor, deps, history, route.vehicle_id, stay(HOME[0], HOME[1], late, 20, 10.0))
    assert "LATE" in seen
    bus = [parse(p) for _, p in deps.bus.published]  # type: ignore[union-attr]
    assert any(m and m["kind"] == ALERT and m["body"]["kind"] == "LATE" for m in bus)
    state_alerts = {a.kind for a in fleet.alerts.of(ORG, route.vehicle_id)}
    assert "LATE" in state_alerts
    far = late + datetime.timedelta(minutes=5)
    _feed(monitor, deps, history, route.vehicle_id, stay(HOME[0] + 0.2, HOME[1], far, 20, 10.0))
    assert "OFF_ROUTE" in seen
    back = far + datetime.timedelta(minutes=5)
    _feed(monitor, deps, history, route.vehicle_id, stay(HOME[0], HOME[1], back, 20, 10.0))
    assert "OFF_ROUTE" not in {a.kind for a in fleet.alerts.of(ORG, route.vehicle_id)}


def test_a_quiet_vehicle_is_silent_and_a_long_drive_breaks_the_driving_rules(tmp_path: Path) -> None:
    deps, plan, fleet, history, monitor, seen = _setup(tmp_path, silent_after=600)
    route = plan.routes[0]
    start = datetime.datetime.combine(today_jst(), datetime.time(5, 0), tzinfo=JST)
    # Four and a half hours of driving in circles near the depot, no break of 10 minutes or more.
    loop = [HOME, (HOME[0] + 0.005, HOME[1]), (HOME[0] + 0.005, HOME[1] + 0.005), HOME]
    fixes: list[Fix] = []
    t = start
    while t < start + datetime.timedelta(hours=4, minutes=30):
        leg = along(loop, t, 20.0, 60.0)
        fixes += leg
        t = leg[-1].time
    _feed(monitor, deps, history, route.vehicle_id, fixes)
    assert "DRIVING_RULES" in seen
    rule = next(a for a in fleet.alerts.of(ORG, route.vehicle_id) if a.kind == "DRIVING_RULES")
    assert "連続運転" in rule.message and rule.amount > 4 * 3600
    monitor.tick(t + datetime.timedelta(minutes=15))
    assert "SILENT" in seen and any(a.kind == "SILENT" for a in fleet.alerts.of(ORG, route.vehicle_id))
    _feed(monitor, deps, history, route.vehicle_id, stay(HOME[0], HOME[1], t + datetime.timedelta(minutes=16),
                                                          20, 10.0))
    assert not any(a.kind == "SILENT" for a in fleet.alerts.of(ORG, route.vehicle_id))


def test_handling_and_waiting_time_per_stop_from_events() -> None:
    from server.tracking.alerts import handling_times
    from server.tracking.model import StopEvent

    t0 = datetime.datetime(2026, 12, 7, 1, 0, tzinfo=datetime.UTC)

    def ev(minutes: int, type: EventType, order: str | None) -> StopEvent:
        return StopEvent(ORG, "P", f"e{minutes}", f"r{minutes}", type, "V-1",
                         t0 + datetime.timedelta(minutes=minutes), order_id=order)

    got = handling_times([
        ev(0, EventType.WAITING_STARTED, "O-1"), ev(45, EventType.WAITING_ENDED, "O-1"),
        ev(46, EventType.UNLOADING_STARTED, "O-1"), ev(66, EventType.UNLOADING_ENDED, "O-1"),
        ev(70, EventType.LOADING_STARTED, None), ev(75, EventType.LOADING_ENDED, None),
        ev(80, EventType.WAITING_STARTED, "O-2"),  # still waiting: not counted yet
    ])
    assert got == {("O-1", "WAITING"): 45 * 60, ("O-1", "UNLOADING"): 20 * 60, (None, "LOADING"): 5 * 60}


def test_a_day_still_ahead_of_the_wall_clock_is_detected_too(tmp_path: Path) -> None:
    """The demo replays today's plan on a fast clock: run in the morning, its positions are hours ahead."""
    deps, plan, _, history, monitor, _ = _setup(tmp_path, arrival_radius=100, arrival_dwell=60)
    morning = datetime.datetime.combine(today_jst(), datetime.time(6, 0), tzinfo=JST)
    deps.clock = lambda: morning  # the wall clock at 06:00; the drive is at 14:00 the same day
    route = plan.routes[0]
    order = next(s.order_id for s in route.stops if s.order_id)
    o = deps.plans.master.orders[(ORG, order)]  # type: ignore[attr-defined]
    ahead = morning + datetime.timedelta(hours=8)
    _feed(monitor, deps, history, route.vehicle_id, stay(o.latitude, o.longitude, ahead, 180, 30.0))
    assert [(e.type, e.order_id) for e in list_events(deps, ORG, plan.id)] == [(EventType.ARRIVED, order)]


def test_vehicles_without_a_route_cost_one_plan_lookup_per_branch(tmp_path: Path) -> None:
    """A fleet reporting with no plan of its own is not two store queries per vehicle: the vehicles'
    branch and the branch's plan are remembered."""
    deps, _, _, _, monitor, seen = _setup(tmp_path)
    master = deps.plans.master
    vehicle = next(iter(master.vehicles.values()))  # type: ignore[attr-defined]
    idle = [f"IDLE-{i}" for i in range(20)]
    for v in idle:  # same branch, no route on its plan
        master.vehicles[(ORG, v)] = dataclasses.replace(vehicle, id=v)  # type: ignore[attr-defined]
    finds: list[tuple[str, datetime.date]] = []
    plans = deps.plans.plans
    original = plans.find

    def counted(org: str, branch_id: str, day: datetime.date):  # type: ignore[no-untyped-def]
        finds.append((branch_id, day))
        return original(org, branch_id, day)

    plans.find = counted  # type: ignore[method-assign]
    at = datetime.datetime.now(datetime.UTC)
    for _ in range(3):
        monitor.observe([Position(ORG, "dev", v, at, HOME[0], HOME[1]) for v in idle])
    assert len(finds) == 1
    assert seen == []
    # Once the plan's time is up, the branch's plan is asked again (a new revision may route them).
    monitor.context_ttl = 0.0
    monitor.observe([Position(ORG, "dev", idle[0], at, HOME[0], HOME[1])])
    assert len(finds) == 2
