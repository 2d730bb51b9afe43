"""build_problem: a branch's day read through the ports, with its planning settings and road graph."""

from __future__ import annotations

import dataclasses
import datetime
from typing import ClassVar

import pytest

from optimizer.model import TravelMode
from server.plans.build import NO_GRAPH_NOTE, build_problem
from server.plans.errors import InvalidDayError
from server.plans.planning import DEFAULTS
from server.plans.records import Driver, Vehicle
from tests.unit.plans.builders import BRANCH, ORG, day, master, order, stores


class Graphs:
    """Two road graphs: one holding the test branch, one far away."""

    boxes: ClassVar[dict[str, tuple[float, ...]]] = {
        "near": (35.70, 139.60, 35.80, 139.70), "far": (47.0, 9.4, 47.3, 9.7),
    }

    def known(self, graph: str) -> bool:
        return graph in self.boxes

    def graph_at(self, latitude: float, longitude: float) -> str | None:
        inside = [g for g, (s, w, n, e) in self.boxes.items() if s <= latitude <= n and w <= longitude <= e]
        return inside[0] if inside else None


def test_the_day_becomes_depot_fleet_drivers_and_jobs() -> None:
    """The branch is the depot, its active trucks and licensed drivers the fleet, its open orders the jobs."""
    d = day()
    s = stores(d, orders=5)
    m = master(s)
    m.add(ORG, Vehicle(id="V-9", branch_id=BRANCH, registration_number="x", vehicle_class="2t",
                       payload_kg=1.0, status="MAINTENANCE"))
    m.add(ORG, Driver(id="D-9", branch_id=BRANCH, employee_number="E9", name="九", licence_class=""))
    m.add(ORG, order(6, d, status="CANCELLED"), order(7, d + datetime.timedelta(days=1)))
    problem, maps = build_problem(s, ORG, BRANCH, d)
    assert problem.depots[0].id == BRANCH
    assert maps.vehicle_ids == ("V-1", "V-2", "V-3")
    assert maps.driver_ids == ("D-1", "D-2", "D-3") and maps.skipped_drivers == ("D-9",)
    assert maps.order_ids == ("O-001", "O-002", "O-003", "O-004", "O-005")
    assert problem.jobs[0].demand == (50, 100)  # kg, litres


def test_defaults_are_the_optimizers_straight_line_defaults() -> None:
    """Without stored settings: 08:00–19:00, 30 km/h × 1.3 (the OptimizerService's haversine defaults)."""
    problem, maps = build_problem(stores(), ORG, BRANCH, day())
    assert problem.travel.mode is TravelMode.HAVERSINE and maps.travel == "haversine"
    assert problem.travel.speed == pytest.approx(30.0 / 3.6) and problem.travel.detour_factor == 1.3
    v = problem.vehicles[0]
    assert (v.shift.start, v.shift.end) == (8 * 3600, 19 * 3600)
    assert (v.fixed_cost, v.cost_per_km, v.cost_per_hour, v.max_trips) == (9000.0, 30.0, 1800.0, 2)


def test_settings_of_vehicle_over_branch_over_organization() -> None:
    """Each value comes from the narrowest level that sets it; speed is the branch's, never a vehicle's."""
    s = stores()
    m = master(s)
    m.settings[(ORG, None, None)] = {"cost_per_km": 40.0, "speed_kmh": 20.0, "max_trips": 3}
    m.settings[(ORG, BRANCH, None)] = {"cost_per_km": 50.0, "shift_start": datetime.time(6, 0)}
    m.settings[(ORG, None, "V-3")] = {"fixed_cost": 15000.0, "max_trips": 1, "speed_kmh": 90.0}
    problem, _ = build_problem(s, ORG, BRANCH, day())
    v1, _, v3 = problem.vehicles
    assert (v1.cost_per_km, v1.fixed_cost, v1.max_trips, v1.shift.start) == (50.0, 9000.0, 3, 6 * 3600)
    assert (v3.cost_per_km, v3.fixed_cost, v3.max_trips) == (50.0, 15000.0, 1)
    assert problem.travel.speed == pytest.approx(20.0 / 3.6)


def test_road_travel_uses_the_graph_holding_the_branch() -> None:
    s = dataclasses.replace(stores(), graphs=Graphs())
    problem, maps = build_problem(s, ORG, BRANCH, day(), "road")
    assert (problem.travel.mode, problem.travel.graph, maps.travel, maps.notes) == (TravelMode.ROAD, "near",
                                                                                     "road", ())


def test_road_graph_set_for_the_branch_wins_and_must_exist() -> None:
    s = dataclasses.replace(stores(), graphs=Graphs())
    master(s).settings[(ORG, BRANCH, None)] = {"road_graph": "far"}
    problem, _ = build_problem(s, ORG, BRANCH, day(), "road")
    assert problem.travel.graph == "far"
    master(s).settings[(ORG, BRANCH, None)] = {"road_graph": "atlantis"}
    with pytest.raises(ValueError, match="atlantis"):
        build_problem(s, ORG, BRANCH, day(), "road")


def test_branch_outside_every_graph_is_planned_on_straight_lines_and_says_so() -> None:
    s = dataclasses.replace(stores(), graphs=Graphs())
    osaka = dataclasses.replace(master(s).branches[(ORG, BRANCH)], latitude=34.70, longitude=135.49)
    master(s).add(ORG, osaka)
    problem, maps = build_problem(s, ORG, BRANCH, day(), "road")
    assert problem.travel.mode is TravelMode.HAVERSINE
    assert maps.travel == "haversine" and maps.notes == (NO_GRAPH_NOTE,)


def test_unknown_branch_past_date_and_travel_are_refused() -> None:
    s = stores()
    with pytest.raises(LookupError):
        build_problem(s, "ORG-OTHER", BRANCH, day())
    with pytest.raises(ValueError, match="in the past"):
        build_problem(s, ORG, BRANCH, day(-3))
    with pytest.raises(ValueError, match="travel"):
        build_problem(s, ORG, BRANCH, day(), "teleport")


def test_planning_settings_are_validated() -> None:
    with pytest.raises(ValueError, match="shift_end"):
        dataclasses.replace(DEFAULTS, shift_end=datetime.time(7, 0))
    with pytest.raises(ValueError, match="max_trips"):
        dataclasses.replace(DEFAULTS, max_trips=0)


def test_a_stored_order_the_optimizer_refuses_is_named() -> None:
    """One bad stored order fails the day with the order's name, not the optimizer's job index."""
    s = stores(day(), orders=2)
    windows = ((datetime.time(9), datetime.time(12)), (datetime.time(10), datetime.time(11)))
    master(s).add(ORG, order(3, day(), time_windows=windows))
    with pytest.raises(InvalidDayError) as err:
        build_problem(s, ORG, BRANCH, day())
    assert [f for f, _ in err.value.violations] == ["orders/O-003.time_windows"]
    assert "orders/O-003" in str(err.value) and "jobs[" not in str(err.value)
