"""ETAs from a live position with the plan's own travel model, held against the checker's schedule."""

from __future__ import annotations

import datetime
from dataclasses import replace
from pathlib import Path

from server.tracking.eta import PlannedStop, estimate, minutes_late, travel_seconds
from server.tracking.fleet import depot_departure, etas, planned_stops
from server.tracking.model import LiveVehicle
from tests.unit.plans.builders import HOME, ORG, day
from tests.unit.tracking.live_fakes import fleet_deps, published_day

T0 = datetime.datetime(2026, 12, 7, 9, 0, tzinfo=datetime.UTC)


def _at(minutes: float) -> datetime.datetime:
    return T0 + datetime.timedelta(minutes=minutes)


def test_leaving_the_depot_on_time_gives_the_checkers_schedule(tmp_path: Path) -> None:
    deps, plan = published_day(tmp_path, orders=10, date=day())
    for route in plan.routes:
        start = depot_departure(plan, route.vehicle_id)
        assert start is not None
        fd = fleet_deps(deps, now=start)
        live = LiveVehicle(ORG, route.vehicle_id, "dev", start, HOME[0], HOME[1], speed_kmh=0.0)
        got = etas(fd, ORG, replace(plan, status="IN_PROGRESS"), route.vehicle_id, live, start)
        planned = [s.arrival_time for s in route.stops if s.order_id]
        assert [e.eta for e in got] == planned and len(got) >= 1
        assert all(e.minutes_late <= 0 for e in got)


def test_a_late_start_ripples_down_the_route(tmp_path: Path) -> None:
    deps, plan = published_day(tmp_path, orders=6)
    route = plan.routes[0]
    start = depot_departure(plan, route.vehicle_id)
    assert start is not None
    late = start + datetime.timedelta(minutes=25)
    live = LiveVehicle(ORG, route.vehicle_id, "dev", late, HOME[0], HOME[1])
    got = etas(fleet_deps(deps, now=late), ORG, replace(plan, status="IN_PROGRESS"), route.vehicle_id, live,
               late)
    planned = [s.arrival_time for s in route.stops if s.order_id]
    shifts = [e.eta - p for e, p in zip(got, planned, strict=True)]
    assert shifts == [datetime.timedelta(minutes=25)] * len(got)
    # Before the route begins, a PUBLISHED plan's own times are the ETAs.
    early = start - datetime.timedelta(hours=1)
    before = etas(fleet_deps(deps, now=early), ORG, plan, route.vehicle_id, live, early)
    assert [e.eta for e in before] == planned


def test_waiting_for_a_window_absorbs_a_delay_and_a_missed_window_is_late() -> None:
    a = PlannedStop(1, "O-1", 35.0, 139.0, _at(10), _at(10), _at(15))
    # The plan waits 30 minutes at B for its window (10:00-10:30 JST here as UTC times).
    b = PlannedStop(2, "O-2", 35.01, 139.0, _at(20), _at(50), _at(55), window_start=_at(50),
                    window_end=_at(80))
    c = PlannedStop(3, "O-3", 35.02, 139.0, _at(60), _at(60), _at(65), window_end=_at(70))
    leg = travel_seconds(35.0, 139.0, 35.0, 139.0, 30, 1.3)
    assert leg == 0
    on_time = estimate(35.0, 139.0, _at(10), [a, b, c], 30.0, 1.3)
    assert [e.eta for e in on_time] == [_at(10), _at(20), _at(60)]
    delayed = estimate(35.0, 139.0, _at(30), [a, b, c], 30.0, 1.3)  # 20 minutes late at A
    assert [e.eta for e in delayed] == [_at(30), _at(40), _at(60)]  # B's wait absorbs it
    very = estimate(35.0, 139.0, _at(60), [a, b, c], 30.0, 1.3)  # 50 minutes late at A
    assert [e.eta for e in very] == [_at(60), _at(70), _at(80)]
    assert [e.minutes_late for e in very] == [0, 0, 10] and very[2].misses_window
    assert minutes_late(_at(0), _at(30), _at(60)) == -30


def test_at_a_stop_its_service_counts_from_the_arrival() -> None:
    a = PlannedStop(1, "O-1", 35.0, 139.0, _at(10), _at(10), _at(25))
    b = PlannedStop(2, "O-2", 35.0, 139.0, _at(35), _at(35), _at(40))
    got = estimate(35.0, 139.0, _at(20), [a, b], 30.0, 1.3, at_first_since=_at(15))
    assert [e.eta for e in got] == [_at(15), _at(40)]
    overrun = estimate(35.0, 139.0, _at(50), [a, b], 30.0, 1.3, at_first_since=_at(15))
    assert [e.eta for e in overrun] == [_at(15), _at(60)]


def test_planned_stops_skip_finished_ones(tmp_path: Path) -> None:
    from server.tracking.events import NewEvent, record_event
    from server.tracking.model import EventType

    deps, plan = published_day(tmp_path, orders=4)
    route = plan.routes[0]
    first = next(s.order_id for s in route.stops if s.order_id)
    record_event(deps, ORG, plan.id, NewEvent("d", EventType.DELIVERED, route.vehicle_id, first))
    left = planned_stops(deps.plans, ORG, deps.plans.plans.get(ORG, plan.id), route.vehicle_id)
    assert first not in [s.order_id for s in left]
    assert len(left) == len([s for s in route.stops if s.order_id]) - 1


def test_a_vehicle_state_shows_only_the_days_alerts(tmp_path: Path) -> None:
    from server.jst import today_jst
    from server.tracking.fleet import get_view
    from server.tracking.updates import Alert

    deps, plan = published_day(tmp_path, orders=4, date=today_jst())
    fd = fleet_deps(deps)
    v = plan.routes[0].vehicle_id
    now = datetime.datetime.now(datetime.UTC)
    fd.alerts.set(Alert("LATE", ORG, v, "今日 / today", now, 12, "O-001"))
    fd.alerts.set(Alert("SILENT", ORG, v, "おととい / two days ago", now - datetime.timedelta(days=2), 900))
    assert [a.kind for a in get_view(fd, ORG, v).alerts] == ["LATE"]


def test_a_road_plans_first_leg_is_the_roads_and_falls_back_to_straight_lines(tmp_path: Path) -> None:
    from dataclasses import replace as copy

    import numpy as np

    class Graphs:
        def known(self, graph: str) -> bool:
            return graph == "g"

        def graph_at(self, latitude: float, longitude: float) -> str | None:
            return "g"

    calls: list[tuple[str, str]] = []

    class Road:
        def matrices(self, graph, vehicle_class, points, max_snap_m):  # type: ignore[no-untyped-def]
            calls.append((graph, vehicle_class))
            if points[0][0] > 40:
                raise LookupError("off the roads")
            return np.zeros((2, 2), dtype=np.int64), np.array([[0, 1234], [1234, 0]], dtype=np.int64)

    deps, plan = published_day(tmp_path, orders=4)
    deps.plans = copy(deps.plans, graphs=Graphs())
    fd = fleet_deps(deps)
    fd.road = Road()
    route = plan.routes[0]
    start = depot_departure(plan, route.vehicle_id)
    assert start is not None
    on_road = copy(plan, status="IN_PROGRESS", travel="road")
    live = LiveVehicle(ORG, route.vehicle_id, "dev", start, HOME[0], HOME[1])
    got = etas(fd, ORG, on_road, route.vehicle_id, live, start)
    assert got[0].eta == start + datetime.timedelta(seconds=1234)
    assert calls == [("g", "2t" if route.vehicle_id != "V-3" else "4t")]
    far = LiveVehicle(ORG, route.vehicle_id, "dev", start, 45.0, HOME[1])
    straight = etas(fd, ORG, on_road, route.vehicle_id, far, start)
    assert straight[0].eta - start > datetime.timedelta(hours=10)  # haversine from 1,000 km away
    # A haversine plan never asks the roads.
    etas(fd, ORG, copy(plan, status="IN_PROGRESS"), route.vehicle_id, live, start)
    assert len(calls) == 2
