"""Driving-time rules through solve(): every engine's plan gets its breaks and keeps the limits."""

from __future__ import annotations

import math

import pytest

from optimizer.checker import ViolationCode, driving_violations
from optimizer.model import Depot, Job, Location, Problem, Stop, Travel, TravelMode, Vehicle
from optimizer.rules import DrivingRules
from optimizer.solve import SolveOptions, solve

HOUR = 3600
#: Euclidean travel at 1 unit per second: coordinates are seconds of driving.
TRAVEL = Travel(mode=TravelMode.EUCLIDEAN, scale=1.0, speed=1.0)


def ring(jobs: int, radius_h: float, rules: DrivingRules | None, vehicles: int = 1) -> Problem:
    """Jobs on a circle of ``radius_h`` hours of driving around the depot."""
    r = radius_h * HOUR
    return Problem(
        depots=(Depot("d", Location(x=0, y=0)),),
        vehicles=tuple(Vehicle(f"v{k}", capacity=(100,), rules=rules) for k in range(vehicles)),
        jobs=tuple(
            Job(
                f"j{i}",
                Stop(
                    Location(x=r * math.cos(2 * math.pi * i / jobs), y=r * math.sin(2 * math.pi * i / jobs)),
                    service_duration=20 * 60,
                ),
                demand=(1,),
            )
            for i in range(jobs)
        ),
        travel=TRAVEL,
    )


@pytest.mark.parametrize("engine", ["pyvrp", "ortools"])
def test_long_route_gets_breaks_before_four_hours(engine: str) -> None:
    """A route with about 6 h of driving has ≥ 30 min of breaks and no stretch over 4 h."""
    rules = DrivingRules()
    sol = solve(ring(4, 1.5, rules), SolveOptions(engine=engine, time_limit=1, seed=1))
    assert sol.evaluation.is_feasible and not sol.unassigned
    [route] = sol.evaluation.routes
    driving = sum(s.duration_from_previous for s in route.steps)
    assert driving > 4 * HOUR
    breaks = [s for s in route.steps if s.kind == "BREAK"]
    assert sum(s.departure - s.start for s in breaks) >= 30 * 60
    assert all(s.departure - s.start >= rules.break_min_part for s in breaks)
    assert driving_violations(route.steps, rules) == []
    stretch = 0
    for s in route.steps:
        if s.kind == "BREAK":
            stretch = 0
        else:
            stretch += s.duration_from_previous
        assert stretch <= rules.max_continuous_driving


@pytest.mark.parametrize("engine", ["pyvrp", "ortools"])
def test_day_over_restraint_leaves_jobs_out_with_the_reason(engine: str) -> None:
    """Three far jobs need about 14 h; with the 13 h restraint one is left out, reason DRIVING_TIME_RULES."""
    free = solve(ring(3, 2.5, None), SolveOptions(engine=engine, time_limit=1))
    assert not free.unassigned
    sol = solve(ring(3, 2.5, DrivingRules()), SolveOptions(engine=engine, time_limit=1))
    assert sol.evaluation.is_feasible
    assert len(sol.unassigned) >= 1
    assert {u.reason.name for u in sol.unassigned} == {"DRIVING_TIME_RULES"}
    for route in sol.evaluation.routes:
        assert route.end_time - route.start_time <= 13 * HOUR


def test_rules_switched_off_add_no_breaks() -> None:
    """A disabled rule set plans the same day without breaks."""
    sol = solve(ring(4, 1.5, DrivingRules(enabled=False)), SolveOptions(time_limit=1))
    assert all(s.kind != "BREAK" for r in sol.evaluation.routes for s in r.steps)


def test_checker_reports_continuous_driving_on_a_caller_plan_without_rules_vehicle_swap() -> None:
    """The verification flags a hand-made step list that drives 5 h straight."""
    sol = solve(ring(4, 1.5, None), SolveOptions(time_limit=1))
    [route] = sol.evaluation.routes
    found = driving_violations(route.steps, DrivingRules())
    assert any(v.code is ViolationCode.CONTINUOUS_DRIVING for v in found)


@pytest.mark.parametrize("engine", ["pyvrp", "ortools"])
def test_driver_rules_take_the_place_of_the_vehicles(engine: str) -> None:
    """A driver limited to 2 h of continuous driving gets breaks by his rules, not the truck's 4 h."""
    from optimizer.licences import Licence
    from optimizer.model import Driver

    strict = DrivingRules(max_continuous_driving=2 * HOUR)
    base = ring(4, 1.0, DrivingRules())  # about 6.2 h of driving: one break under the truck's rules
    problem = Problem(
        depots=base.depots,
        vehicles=base.vehicles,
        jobs=base.jobs,
        travel=base.travel,
        drivers=(Driver("D-1", Licence.OGATA, rules=strict),),
    )
    sol = solve(problem, SolveOptions(engine=engine, time_limit=1, seed=1))
    assert sol.evaluation.is_feasible and not sol.unassigned
    [route] = sol.evaluation.routes
    assert route.driver_id == "D-1"
    assert driving_violations(route.steps, strict) == []
    assert sum(1 for s in route.steps if s.kind == "BREAK") >= 2
