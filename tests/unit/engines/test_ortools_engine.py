"""Tests of the OR-Tools routing engine on small problems with checkable answers."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import numpy as np
import pytest

from optimizer.compiled import Compiled, compile_problem
from optimizer.engines.base import Capability, EngineResult, Limits
from optimizer.engines.ortools_engine import ORToolsEngine
from optimizer.model import (
    Depot,
    Job,
    JobKind,
    Location,
    NodeKind,
    Plan,
    Problem,
    Rounding,
    Shipment,
    Stop,
    TimeWindow,
    Travel,
    TravelMode,
    Vehicle,
    Visit,
)
from tests.unit.engines.builders import at, explicit, job

SOLOMON = Path(__file__).resolve().parents[4] / "shared" / "data" / "benchmarks" / "solomon"
FAST = Limits(time_limit=0.5, max_iterations=100)


# --------------------------------------------------------------------------
# Helpers: build problems, run the engine, re-check plans independently.
# --------------------------------------------------------------------------


def solve(problem: Problem, limits: Limits = FAST, **kwargs: object) -> tuple[Compiled, EngineResult]:
    compiled = compile_problem(problem)
    result = ORToolsEngine().solve(compiled, limits, **kwargs)  # type: ignore[arg-type]
    check_plan(compiled, result.plan)
    return compiled, result


def served(plan: Plan) -> set[tuple[NodeKind, int]]:
    return {(v.kind, v.index) for r in plan.routes for v in r.visits}


def route_of(plan: Plan, visit: Visit) -> int:
    return next(r.vehicle for r in plan.routes if visit in r.visits)


def route_distance(compiled: Compiled, vehicle: int, visits: list[Visit]) -> int:
    veh = compiled.problem.vehicles[vehicle]
    nodes = [veh.start_depot, *(compiled.node_of(v) for v in visits), veh.end_depot]
    return sum(compiled.distance(vehicle, a, b) for a, b in itertools.pairwise(nodes))


def plan_distance(compiled: Compiled, plan: Plan) -> int:
    return sum(route_distance(compiled, r.vehicle, r.visits) for r in plan.routes)


def simulate(compiled: Compiled, vehicle: int, visits: list[Visit], depart: int) -> int | None:
    """Arrival time at the end depot when leaving at ``depart``, or None if a window is missed."""
    p = compiled.problem
    veh = p.vehicles[vehicle]
    t, here = depart, veh.start_depot
    for visit in visits:
        node = compiled.node_of(visit)
        stop = compiled.stop_of(node)
        assert stop is not None
        t += compiled.duration(vehicle, here, node)
        if stop.time_windows:
            starts = [max(t, w.start) for w in stop.time_windows if max(t, w.start) <= w.end]
            if not starts:
                return None
            t = min(starts)
        t += stop.service_duration
        here = node
    t += compiled.duration(vehicle, here, veh.end_depot)
    end_limit = min(veh.shift.end, p.depots[veh.end_depot].time_window.end)
    return t if t <= end_limit else None


def amounts(problem: Problem, demand: tuple[int, ...]) -> np.ndarray:
    """A demand as a vector (an empty demand means zero in every dimension)."""
    return np.array(demand or (0,) * problem.num_dimensions, dtype=np.int64)


def check_plan(compiled: Compiled, plan: Plan) -> None:
    """Assert every hard constraint of the problem on ``plan``, recomputed here from scratch."""
    p = compiled.problem
    seen: list[Visit] = [v for r in plan.routes for v in r.visits]
    assert len(seen) == len(set(seen)), "a stop is visited twice"
    assert len({r.vehicle for r in plan.routes}) == len(plan.routes), "a vehicle has two routes"
    for route in plan.routes:
        veh = p.vehicles[route.vehicle]
        assert all(v.kind is not NodeKind.DEPOT for v in route.visits), "unexpected reload"
        # Load: deliveries leave the depot on board, pickups come back, shipments ride in between.
        load = np.zeros(p.num_dimensions, dtype=np.int64)
        for v in route.visits:
            if v.kind is NodeKind.JOB and p.jobs[v.index].kind is JobKind.DELIVERY:
                load += amounts(p, p.jobs[v.index].demand)
        cap = np.array(veh.capacity, dtype=np.int64)
        assert (load <= cap).all(), f"initial load {load} on vehicle {route.vehicle}"
        for pos, v in enumerate(route.visits):
            if v.kind is NodeKind.JOB:
                j = p.jobs[v.index]
                sign = 1 if j.kind is JobKind.PICKUP else -1
                load += sign * amounts(p, j.demand)
                classes, skills = j.allowed_vehicle_classes, j.required_skills
            else:
                s = p.shipments[v.index]
                load += (1 if v.kind is NodeKind.PICKUP else -1) * amounts(p, s.demand)
                classes, skills = s.allowed_vehicle_classes, s.required_skills
                if v.kind is NodeKind.PICKUP:
                    assert Visit(NodeKind.DELIVERY, v.index) in route.visits[pos + 1 :], "delivery missing"
                else:
                    assert Visit(NodeKind.PICKUP, v.index) in route.visits[:pos], "pickup missing"
            assert ((load >= 0) & (load <= cap)).all(), f"load {load} on vehicle {route.vehicle}"
            assert not classes or veh.vehicle_class in classes
            assert skills <= veh.skills
        # Time: earliest departure must work; the tightest duration is checked against max_duration.
        lo = max(veh.shift.start, p.depots[veh.start_depot].time_window.start)
        hi = min(veh.shift.end, p.depots[veh.start_depot].time_window.end)
        end = simulate(compiled, route.vehicle, route.visits, lo)
        assert end is not None, f"route of vehicle {route.vehicle} misses a time window"
        while lo < hi:  # latest departure that still arrives at ``end``
            mid = (lo + hi + 1) // 2
            if simulate(compiled, route.vehicle, route.visits, mid) == end:
                lo = mid
            else:
                hi = mid - 1
        if veh.max_duration is not None:
            assert end - lo <= veh.max_duration
        if veh.max_distance is not None:
            assert route_distance(compiled, route.vehicle, route.visits) <= veh.max_distance


def read_solomon(path: Path) -> Problem:
    lines = [line.split() for line in path.read_text().splitlines()]
    vehicles, capacity = next(
        (int(a), int(b)) for a, b in (ln for ln in lines if len(ln) == 2 and all(x.isdigit() for x in ln))
    )
    rows = [[float(x) for x in ln] for ln in lines if len(ln) == 7 and ln[0].isdigit()]
    d = rows[0]
    depot = Depot("0", at(d[1], d[2]), TimeWindow(int(d[4]) * 10, int(d[5]) * 10))
    jobs = tuple(
        job(
            str(int(r[0])),
            at(r[1], r[2]),
            int(r[3]),
            windows=(TimeWindow(int(r[4]) * 10, int(r[5]) * 10),),
            service=int(r[6]) * 10,
        )
        for r in rows[1:]
    )
    fleet = tuple(Vehicle(f"v{i}", (capacity,)) for i in range(vehicles))
    travel = Travel(mode=TravelMode.EUCLIDEAN, scale=10, rounding=Rounding.TRUNCATE, speed=1.0)
    return Problem((depot,), fleet, jobs, travel=travel)


# --------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------


def test_capabilities_exclude_multi_trip() -> None:
    """The engine claims the features it models and not reloading."""
    caps = ORToolsEngine().capabilities
    assert Capability.MULTI_TRIP not in caps
    assert {Capability.TIME_WINDOWS, Capability.SHIPMENTS, Capability.PICKUPS} <= caps


def test_tiny_cvrp_reaches_brute_force_optimum() -> None:
    """A five-job CVRP with two vehicles is solved to its enumerated optimum."""
    points = [(3, 4), (-2, 5), (6, -1), (-4, -3), (1, -6)]
    demands = [4, 3, 5, 2, 4]
    jobs = tuple(job(f"j{i}", at(*pt), dem) for i, (pt, dem) in enumerate(zip(points, demands, strict=True)))
    fleet = (Vehicle("a", (10,)), Vehicle("b", (10,)))
    problem = Problem((Depot("d", at(0, 0)),), fleet, jobs, travel=Travel(scale=100))
    compiled, result = solve(problem)

    best = None
    for perm in itertools.permutations(range(5)):
        for k in range(6):
            parts = [list(perm[:k]), list(perm[k:])]
            if any(sum(demands[i] for i in part) > 10 for part in parts):
                continue
            cost = sum(route_distance(compiled, 0, [Visit(NodeKind.JOB, i) for i in part]) for part in parts)
            best = cost if best is None else min(best, cost)
    assert len(served(result.plan)) == 5
    assert plan_distance(compiled, result.plan) == best
    assert result.objective == best


def test_capacity_forces_two_routes() -> None:
    """Four jobs of 5 units on vehicles of capacity 10 need two routes."""
    jobs = tuple(job(f"j{i}", at(10 * (i + 1), 0), 5) for i in range(4))
    fleet = (Vehicle("a", (10,)), Vehicle("b", (10,)), Vehicle("c", (10,)))
    _, result = solve(Problem((Depot("d", at(0, 0)),), fleet, jobs))
    assert len(served(result.plan)) == 4
    assert len(result.plan.routes) == 2


def test_second_capacity_dimension_binds() -> None:
    """Light but bulky jobs are split by the volume dimension although the weight would fit one truck."""
    jobs = tuple(Job(f"j{i}", Stop(at(10 + i)), demand=(1, 6)) for i in range(3))
    fleet = tuple(Vehicle(f"v{i}", (100, 12)) for i in range(3))
    problem = Problem((Depot("d", at(0)),), fleet, jobs, dimensions=("kg", "m3"))
    _, result = solve(problem)
    assert len(served(result.plan)) == 3
    assert len(result.plan.routes) == 2


def test_time_windows_dictate_order() -> None:
    """Windows force the far job first although the near-first order is the natural one."""
    jobs = (
        job("near", at(10), windows=(TimeWindow(100, 120),)),
        job("far", at(20), windows=(TimeWindow(20, 30),)),
    )
    problem = Problem((Depot("d", at(0)),), (Vehicle("a", (10,)),), jobs)
    _, result = solve(problem)
    assert [v.index for v in result.plan.routes[0].visits] == [1, 0]


def test_second_time_window_is_used() -> None:
    """A stop whose first window cannot be reached is served in its second window."""
    jobs = (job("j", at(50), windows=(TimeWindow(0, 10), TimeWindow(200, 300))),)
    problem = Problem((Depot("d", at(0)),), (Vehicle("a", (10,)),), jobs)
    _, result = solve(problem)
    assert served(result.plan) == {(NodeKind.JOB, 0)}
    # Only the gap [11, 199] is forbidden: a window ending before arrival keeps it out otherwise.
    early_only = (job("j", at(50), windows=jobs[0].stop.time_windows[:1]),)
    blocked = Problem((Depot("d", at(0)),), (Vehicle("a", (10,)),), early_only)
    _, none = solve(blocked)
    assert served(none.plan) == set()


def test_mixed_deliveries_and_pickups_respect_capacity() -> None:
    """A pickup met before a delivery would overload the truck, so the dearer delivery-first order is used."""
    # nodes: 0 depot, 1 delivery D (6 units), 2 pickup P (6 units); capacity 10.
    # Cheap cycle depot->P->D->depot costs 3, the feasible depot->D->P->depot costs 30.
    matrix = [[0, 10, 1], [1, 0, 10], [10, 1, 0]]
    jobs = (
        job("D", Location(matrix_index=1), 6),
        job("P", Location(matrix_index=2), 6, kind=JobKind.PICKUP),
    )
    problem = Problem(
        (Depot("d", Location(matrix_index=0)),), (Vehicle("a", (10,)),), jobs, travel=explicit(matrix)
    )
    _, result = solve(problem)
    assert [v.index for v in result.plan.routes[0].visits] == [0, 1]
    assert result.objective == 30


def test_deliveries_and_shipments_share_capacity() -> None:
    """A shipment picked up while a delivery is still on board would overload, so the delivery goes first."""
    # nodes: 0 depot, 1 delivery job (6), 2 shipment pickup, 3 shipment delivery (6); capacity 10.
    # The cheap cycle 0-2-1-3-0 (cost 4) overloads; the only feasible order 0-1-2-3-0 costs 31.
    matrix = [[0, 10, 1, 10], [10, 0, 10, 1], [10, 1, 0, 10], [1, 10, 10, 0]]
    jobs = (job("D", Location(matrix_index=1), 6),)
    ship = Shipment("s", Stop(Location(matrix_index=2)), Stop(Location(matrix_index=3)), demand=(6,))
    depot = Depot("d", Location(matrix_index=0))
    problem = Problem((depot,), (Vehicle("a", (10,)),), jobs, (ship,), travel=explicit(matrix))
    _, result = solve(problem)
    expected = [Visit(NodeKind.JOB, 0), Visit(NodeKind.PICKUP, 0), Visit(NodeKind.DELIVERY, 0)]
    assert result.plan.routes[0].visits == expected
    assert result.objective == 31


def test_many_deliveries_and_pickups_all_fit() -> None:
    """Deliveries and pickups that each fill most of the truck are all served on one vehicle."""
    jobs = tuple(job(f"d{i}", at(10 + i, 5), 3) for i in range(3))
    jobs += tuple(job(f"p{i}", at(10 + i, -5), 3, kind=JobKind.PICKUP) for i in range(3))
    problem = Problem((Depot("d", at(0)),), (Vehicle("a", (9,)),), jobs)
    _, result = solve(problem)
    assert len(served(result.plan)) == 6


def test_shipment_pickup_precedes_delivery_on_one_route() -> None:
    """A shipment is picked up before it is delivered, by the same vehicle, even when reversed is cheaper."""
    # nodes: 0 depot, 1 pickup, 2 delivery; depot->delivery->pickup->depot would cost 3.
    matrix = [[0, 10, 1], [1, 0, 10], [10, 1, 0]]
    ship = Shipment("s", Stop(Location(matrix_index=1)), Stop(Location(matrix_index=2)), demand=(5,))
    fleet = (Vehicle("a", (5,)), Vehicle("b", (5,)))
    problem = Problem((Depot("d", Location(matrix_index=0)),), fleet, (), (ship,), travel=explicit(matrix))
    _, result = solve(problem)
    assert len(result.plan.routes) == 1
    assert result.plan.routes[0].visits == [Visit(NodeKind.PICKUP, 0), Visit(NodeKind.DELIVERY, 0)]
    assert result.objective == 30


def test_impossible_shipment_is_dropped_alone() -> None:
    """A shipment whose pickup window opens after its delivery window closes is left out, the rest served."""
    late_pickup = Shipment(
        "bad", Stop(at(10), 0, (TimeWindow(500, 600),)), Stop(at(20), 0, (TimeWindow(0, 100),))
    )
    fine = Shipment("ok", Stop(at(-10), 0, (TimeWindow(0, 100),)), Stop(at(-20), 0, (TimeWindow(0, 200),)))
    jobs = (job("j", at(5), 1),)
    problem = Problem((Depot("d", at(0)),), (Vehicle("a", (10,)),), jobs, (late_pickup, fine))
    _, result = solve(problem)
    assert served(result.plan) == {(NodeKind.JOB, 0), (NodeKind.PICKUP, 1), (NodeKind.DELIVERY, 1)}


def test_optional_shipment_dropped_whole_with_one_penalty() -> None:
    """A far optional shipment is left out entirely and its penalty is paid once."""
    ship = Shipment("s", Stop(at(1000)), Stop(at(1001)), demand=(1,), penalty=1.0)
    jobs = (job("near", at(10), 1),)
    problem = Problem((Depot("d", at(0)),), (Vehicle("a", (10,)),), jobs, (ship,))
    compiled, result = solve(problem)
    assert served(result.plan) == {(NodeKind.JOB, 0)}
    assert result.objective == plan_distance(compiled, result.plan) + 1000


def test_duration_cost_excludes_initial_waiting() -> None:
    """Per-hour cost is charged on the tight route duration: the truck leaves late instead of waiting."""
    jobs = (job("late", at(10), windows=(TimeWindow(1000, 1010),)),)
    fleet = (Vehicle("a", (10,), cost_per_hour=3600.0),)  # 1000 milli-units per second
    _, result = solve(Problem((Depot("d", at(0)),), fleet, jobs))
    assert served(result.plan) == {(NodeKind.JOB, 0)}
    assert result.objective == 20 + 20 * 1000


def test_vehicle_unable_to_work_its_shift_is_ignored() -> None:
    """A truck whose shift is shorter than its depot-to-depot drive stays unused; the other serves."""
    depots = (Depot("A", at(0)), Depot("B", at(100)))
    fleet = (Vehicle("short", (10,), end_depot=1, shift=TimeWindow(0, 50)), Vehicle("ok", (10,)))
    _, result = solve(Problem(depots, fleet, (job("j", at(10), 1),)))
    assert [r.vehicle for r in result.plan.routes] == [1]


def test_vehicle_class_restriction() -> None:
    """A job allowed only for 4t trucks goes to the 4t truck even though the 2t one is cheaper."""
    fleet = (
        Vehicle("small", (10,), vehicle_class="2t"),
        Vehicle("big", (10,), vehicle_class="4t", fixed_cost=50),
    )
    jobs = (job("j", at(10), 1, classes=frozenset({"4t"})),)
    _, result = solve(Problem((Depot("d", at(0)),), fleet, jobs))
    assert route_of(result.plan, Visit(NodeKind.JOB, 0)) == 1


def test_required_skills() -> None:
    """Jobs needing a skill go only to vehicles having it; a skill nobody has leaves the job out."""
    fleet = (Vehicle("plain", (10,)), Vehicle("cold", (10,), skills=frozenset({"cold"}), fixed_cost=50))
    jobs = (
        job("frozen", at(10), 1, skills=frozenset({"cold"})),
        job("plain", at(11), 1),
        job("hazmat", at(12), 1, skills=frozenset({"hazmat"})),
    )
    _, result = solve(Problem((Depot("d", at(0)),), fleet, jobs))
    assert route_of(result.plan, Visit(NodeKind.JOB, 0)) == 1
    assert (NodeKind.JOB, 1) in served(result.plan)
    assert (NodeKind.JOB, 2) not in served(result.plan)


@pytest.mark.parametrize(("penalty", "kept"), [(1.0, False), (5.0, True)])
def test_optional_job_dropped_only_when_penalty_below_detour(penalty: float, kept: bool) -> None:
    """A job 1 km away (2 km detour = 2.0 cost) is served only if skipping it costs more."""
    jobs = (job("near", at(10), 1), job("far", at(1000), 1, penalty=penalty))
    _, result = solve(Problem((Depot("d", at(0)),), (Vehicle("a", (10,)),), jobs))
    assert ((NodeKind.JOB, 1) in served(result.plan)) is kept
    assert (NodeKind.JOB, 0) in served(result.plan)


def test_required_job_too_heavy_is_left_out() -> None:
    """A required job heavier than any truck is dropped and the others are still served."""
    jobs = (job("ok", at(10), 4), job("huge", at(12), 50), job("ok2", at(-10), 4))
    fleet = (Vehicle("a", (10,)), Vehicle("b", (20,)))
    _, result = solve(Problem((Depot("d", at(0)),), fleet, jobs))
    assert served(result.plan) == {(NodeKind.JOB, 0), (NodeKind.JOB, 2)}


def test_max_duration_splits_routes() -> None:
    """A 100 s route limit with 40 s services forces the two jobs onto two trucks."""
    jobs = (job("a", at(10), service=40), job("b", at(-10), service=40))
    fleet = (Vehicle("a", (10,), max_duration=100), Vehicle("b", (10,), max_duration=100))
    _, result = solve(Problem((Depot("d", at(0)),), fleet, jobs))
    assert len(served(result.plan)) == 2
    assert len(result.plan.routes) == 2


def test_max_duration_ignores_waiting_before_first_stop() -> None:
    """A late window does not count against max_duration because the truck can leave late."""
    jobs = (job("late", at(10), windows=(TimeWindow(1000, 1010),)),)
    fleet = (Vehicle("a", (10,), max_duration=30),)
    _, result = solve(Problem((Depot("d", at(0)),), fleet, jobs))
    assert served(result.plan) == {(NodeKind.JOB, 0)}


def test_max_distance_splits_routes() -> None:
    """A 50 m route limit puts opposite jobs on separate trucks and drops an unreachable one."""
    jobs = (job("east", at(20)), job("west", at(-20)), job("away", at(30, 0)))
    fleet = (Vehicle("a", (10,), max_distance=50), Vehicle("b", (10,), max_distance=50))
    compiled, result = solve(Problem((Depot("d", at(0)),), fleet, jobs))
    assert (NodeKind.JOB, 0) in served(result.plan) and (NodeKind.JOB, 1) in served(result.plan)
    assert (NodeKind.JOB, 2) not in served(result.plan)
    assert all(route_distance(compiled, r.vehicle, r.visits) <= 50 for r in result.plan.routes)


def test_different_start_and_end_depots() -> None:
    """Routes start and end at each vehicle's own depots, including shared and unused depots."""
    depots = (Depot("A", at(0)), Depot("B", at(100)), Depot("unused", at(500, 500)))
    fleet = (
        Vehicle("ab", (10,), start_depot=0, end_depot=1),
        Vehicle("ba", (10,), start_depot=1, end_depot=0),
    )
    jobs = (job("mid", at(50, 10), 1), job("near-b", at(90, 5), 1))
    compiled, result = solve(Problem(depots, fleet, jobs))
    assert len(served(result.plan)) == 2
    assert result.objective == plan_distance(compiled, result.plan)


def test_on_improvement_reports_decreasing_objectives() -> None:
    """Each reported plan is feasible and improves on the previous; the last one is the result."""
    problem = read_solomon(SOLOMON / "R101.txt")
    compiled = compile_problem(problem)
    reports: list[tuple[Plan, float]] = []
    result = ORToolsEngine().solve(
        compiled, Limits(time_limit=1.0), on_improvement=lambda p, o: reports.append((p, o))
    )
    assert len(reports) >= 2
    objectives = [o for _, o in reports]
    assert all(b < a for a, b in itertools.pairwise(objectives))
    assert objectives[-1] == result.objective
    check_plan(compiled, reports[0][0])
    assert result.first_feasible_seconds is not None and result.first_feasible_seconds < 1.0


def test_should_stop_ends_search_early() -> None:
    """Asking to stop after the first plan returns that plan long before the time limit."""
    problem = read_solomon(SOLOMON / "R101.txt")
    compiled = compile_problem(problem)
    reports: list[float] = []
    start = time.monotonic()
    result = ORToolsEngine().solve(
        compiled,
        Limits(time_limit=30.0),
        on_improvement=lambda _p, o: reports.append(o),
        should_stop=lambda: bool(reports),
    )
    assert time.monotonic() - start < 5.0
    assert len(served(result.plan)) == 100
    check_plan(compiled, result.plan)


def test_should_stop_from_the_start_returns_quickly() -> None:
    """A stop request before any plan exists ends the solve at once with a valid (possibly empty) plan."""
    problem = read_solomon(SOLOMON / "R101.txt")
    start = time.monotonic()
    solve(problem, Limits(time_limit=30.0), should_stop=lambda: True)
    assert time.monotonic() - start < 5.0


def test_on_improvement_errors_propagate() -> None:
    """An exception raised by the progress callback stops the search and reaches the caller."""
    problem = read_solomon(SOLOMON / "R101.txt")

    def boom(_plan: Plan, _objective: float) -> None:
        raise RuntimeError("callback failed")

    start = time.monotonic()
    with pytest.raises(RuntimeError, match="callback failed"):
        ORToolsEngine().solve(compile_problem(problem), Limits(time_limit=30.0), on_improvement=boom)
    assert time.monotonic() - start < 5.0


def test_max_iterations_bounds_the_search() -> None:
    """A small iteration budget ends the search well before a long time limit."""
    problem = read_solomon(SOLOMON / "R101.txt")
    start = time.monotonic()
    _, result = solve(problem, Limits(time_limit=30.0, max_iterations=5))
    assert time.monotonic() - start < 5.0
    assert result.iterations <= 5


def test_iteration_bounded_runs_are_deterministic() -> None:
    """Two runs with the same iteration budget and a generous time limit return the same plan."""
    compiled = compile_problem(read_solomon(SOLOMON / "R101.txt"))
    limits = Limits(time_limit=30.0, seed=3, max_iterations=40)
    first = ORToolsEngine().solve(compiled, limits)
    second = ORToolsEngine().solve(compiled, limits)
    assert first.plan == second.plan
    assert first.objective == second.objective


def test_solomon_r101_all_customers_served() -> None:
    """R101 (tight windows, 25 trucks of 200) gets a plan serving all 100 customers within seconds."""
    problem = read_solomon(SOLOMON / "R101.txt")
    start = time.monotonic()
    compiled, result = solve(problem, Limits(time_limit=3.0))
    assert time.monotonic() - start < 5.0
    assert len(served(result.plan)) == 100
    assert len(result.plan.routes) <= 25
    # Best known 1637.7 (distance x 10 in model units); a working search stays within 10 %.
    assert plan_distance(compiled, result.plan) <= 1.1 * 16377
