"""Tests of the PyVRP engine on small problems whose answers can be checked by hand."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field

import numpy as np

from optimizer.compiled import Compiled, compile_problem
from optimizer.engines.base import EngineResult, Limits, required_capabilities, vehicle_can_serve
from optimizer.engines.pyvrp import PyVRPEngine
from optimizer.model import (
    Depot,
    Job,
    JobKind,
    Location,
    NodeKind,
    Plan,
    Problem,
    Shipment,
    Stop,
    TimeWindow,
    Vehicle,
    Visit,
)
from tests.unit.engines.builders import at, explicit, job, random_windows_problem

#: Tiny problems: an iteration budget keeps runs deterministic and fast.
QUICK = Limits(time_limit=10.0, max_iterations=300)

# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def spot(i: int) -> Location:
    return Location(matrix_index=i)


@dataclass
class Checked:
    """What an independent replay of a plan found."""

    jobs: dict[int, int] = field(default_factory=dict)  # job -> vehicle
    shipments: dict[int, int] = field(default_factory=dict)  # shipment -> vehicle
    starts: dict[tuple[NodeKind, int], int] = field(default_factory=dict)  # service start times
    distance: int = 0


def check_plan(compiled: Compiled, plan: Plan) -> Checked:
    """Replay ``plan`` and assert every hard constraint of the problem."""
    p = compiled.problem
    out = Checked()
    seen_vehicles: set[int] = set()
    for route in plan.routes:
        assert route.vehicle not in seen_vehicles, "vehicle used twice"
        seen_vehicles.add(route.vehicle)
        if not route.visits:
            continue
        v = p.vehicles[route.vehicle]
        visits = route.visits
        assert visits[0].kind is not NodeKind.DEPOT and visits[-1].kind is not NodeKind.DEPOT
        _check_loads(compiled, route.vehicle, visits)
        _check_times(compiled, route.vehicle, visits, out)
        for visit in visits:
            if visit.kind is NodeKind.JOB:
                assert visit.index not in out.jobs, "job served twice"
                out.jobs[visit.index] = route.vehicle
                item = p.jobs[visit.index]
            elif visit.kind is NodeKind.PICKUP:
                assert visit.index not in out.shipments, "shipment served twice"
                out.shipments[visit.index] = route.vehicle
                item = p.shipments[visit.index]  # type: ignore[assignment]
            else:
                continue
            assert vehicle_can_serve(
                compiled, route.vehicle, item.allowed_vehicle_classes, item.required_skills
            )
        trips = sum(1 for x in visits if x.kind is NodeKind.DEPOT) + 1
        assert trips <= v.max_trips
    return out


def _check_loads(compiled: Compiled, vehicle: int, visits: list[Visit]) -> None:
    p = compiled.problem
    cap = np.array(p.vehicles[vehicle].capacity)
    trip: list[Visit] = []
    for visit in [*visits, Visit(NodeKind.DEPOT, -1)]:
        if visit.kind is not NodeKind.DEPOT:
            trip.append(visit)
            continue
        load = sum(
            (
                np.array(p.jobs[x.index].demand)
                for x in trip
                if x.kind is NodeKind.JOB and p.jobs[x.index].kind is JobKind.DELIVERY
            ),
            np.zeros_like(cap),
        )
        assert (load <= cap).all(), f"overloaded leaving the depot: {load} > {cap}"
        picked: set[int] = set()
        for x in trip:
            if x.kind is NodeKind.JOB:
                d = np.array(p.jobs[x.index].demand)
                load = load - d if p.jobs[x.index].kind is JobKind.DELIVERY else load + d
            elif x.kind is NodeKind.PICKUP:
                picked.add(x.index)
                load = load + np.array(p.shipments[x.index].demand)
            else:
                assert x.index in picked, "shipment delivered before its pickup on this trip"
                picked.discard(x.index)
                load = load - np.array(p.shipments[x.index].demand)
            assert (load <= cap).all(), f"overloaded: {load} > {cap}"
        assert not picked, "shipment picked up but not delivered"
        trip = []


def _check_times(compiled: Compiled, vehicle: int, visits: list[Visit], out: Checked) -> None:
    p = compiled.problem
    v = p.vehicles[vehicle]
    depart = max(v.shift.start, p.depots[v.start_depot].time_window.start)
    t, node, dist = depart, v.start_depot, 0
    for visit in visits:
        nxt = compiled.node_of(visit)
        t += compiled.duration(vehicle, node, nxt)
        dist += compiled.distance(vehicle, node, nxt)
        node = nxt
        if visit.kind is NodeKind.DEPOT:
            t += p.depots[visit.index].reload_duration
            continue
        stop = compiled.stop_of(nxt)
        assert stop is not None
        if stop.time_windows:
            window = next((w for w in sorted(stop.time_windows, key=lambda w: w.start) if w.end >= t), None)
            assert window is not None, f"{visit} reached at {t}, after all its windows"
            t = max(t, window.start)
        out.starts[(visit.kind, visit.index)] = t
        t += stop.service_duration
    t += compiled.duration(vehicle, node, v.end_depot)
    dist += compiled.distance(vehicle, node, v.end_depot)
    assert t <= min(v.shift.end, p.depots[v.end_depot].time_window.end), "back at the depot too late"
    if v.max_distance is not None:
        assert dist <= v.max_distance
    if v.max_duration is not None:  # earliest departure: exact without time windows
        assert t - depart <= v.max_duration
    out.distance += dist


def solve(
    problem: Problem, limits: Limits = QUICK, **kwargs: object
) -> tuple[Compiled, EngineResult, Checked]:
    compiled = compile_problem(problem)
    result = PyVRPEngine().solve(compiled, limits, **kwargs)  # type: ignore[arg-type]
    return compiled, result, check_plan(compiled, result.plan)


def depot(x: float = 0.0, y: float = 0.0, **kwargs: object) -> tuple[Depot, ...]:
    return (Depot("depot", at(x, y), **kwargs),)  # type: ignore[arg-type]


# --------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------


def test_tiny_cvrp_matches_brute_force_optimum() -> None:
    """On five jobs and two vehicles the engine finds the brute-forced optimal distance."""
    points = [at(12, 40), at(-30, 25), at(45, -10), at(-8, -35), at(30, 30)]
    demands = [4, 3, 5, 6, 2]
    vehicles = tuple(Vehicle(f"v{i}", (10,)) for i in range(2))
    jobs = tuple(job(f"j{i}", pt, d) for i, (pt, d) in enumerate(zip(points, demands, strict=True)))
    problem = Problem(depot(), vehicles, jobs)
    compiled, result, checked = solve(problem)

    def tour(members: tuple[int, ...]) -> int:
        best = 10**9
        for order in itertools.permutations(members):
            nodes = [0, *(1 + j for j in order), 0]
            best = min(best, sum(compiled.distance(0, a, b) for a, b in itertools.pairwise(nodes)))
        return best if members else 0

    optimum = min(
        tour(a) + tour(b)
        for mask in range(2**5)
        for a, b in [
            (tuple(j for j in range(5) if mask >> j & 1), tuple(j for j in range(5) if not mask >> j & 1))
        ]
        if sum(demands[j] for j in a) <= 10 and sum(demands[j] for j in b) <= 10
    )
    assert set(checked.jobs) == set(range(5))
    assert checked.distance == optimum
    assert result.objective == optimum  # one milli-unit per metre at cost_per_km = 1


def test_capacity_forces_two_routes() -> None:
    """Four jobs of 5 units with capacity 10 per vehicle need both vehicles."""
    vehicles = tuple(Vehicle(f"v{i}", (10,)) for i in range(2))
    jobs = tuple(job(f"j{i}", at(10 + i, 5), 5) for i in range(4))
    _, _, checked = solve(Problem(depot(), vehicles, jobs))
    assert set(checked.jobs) == set(range(4))
    assert set(checked.jobs.values()) == {0, 1}


def test_time_windows_force_the_farther_job_first() -> None:
    """A job whose window closes early is served first although it is farther away."""
    near = job("near", at(10), windows=(TimeWindow(0, 1000),))
    far = job("far", at(20), windows=(TimeWindow(0, 25),))
    _, _, checked = solve(Problem(depot(), (Vehicle("v", (10,)),), (near, far)))
    assert set(checked.jobs) == {0, 1}
    assert checked.starts[(NodeKind.JOB, 1)] <= 25
    assert checked.starts[(NodeKind.JOB, 1)] < checked.starts[(NodeKind.JOB, 0)]


def test_multiple_windows_use_the_reachable_second_window() -> None:
    """When the first window cannot be reached the job is served in its second window."""
    late = job("j", at(100), windows=(TimeWindow(0, 50), TimeWindow(300, 400)))
    _, result, checked = solve(Problem(depot(), (Vehicle("v", (10,)),), (late,)))
    assert checked.jobs == {0: 0}
    assert 300 <= checked.starts[(NodeKind.JOB, 0)] <= 400
    assert result.objective == 200


def test_pickup_job_follows_the_delivery_when_capacity_is_tight() -> None:
    """A full vehicle must deliver before picking up, even though the reverse order is shorter."""
    # nodes: 0 depot, 1 delivery job, 2 pickup job; 0->2->1->0 costs 3, 0->1->2->0 costs 300
    travel = explicit([[0, 100, 1], [1, 0, 100], [100, 1, 0]])
    jobs = (job("drop", spot(1), 10), job("collect", spot(2), 10, kind=JobKind.PICKUP))
    problem = Problem((Depot("depot", spot(0)),), (Vehicle("v", (10,)),), jobs, travel=travel)
    _, result, checked = solve(problem)
    assert set(checked.jobs) == {0, 1}
    assert result.plan.routes[0].visits == [Visit(NodeKind.JOB, 0), Visit(NodeKind.JOB, 1)]


def test_shipment_is_picked_up_before_delivery_on_one_route() -> None:
    """A shipment's pickup precedes its delivery on the same route although the reverse is shorter."""
    # nodes: 0 depot, 1 job, 2 shipment pickup, 3 shipment delivery
    travel = explicit([[0, 5, 100, 1], [5, 0, 100, 100], [1, 100, 0, 100], [100, 100, 1, 0]])
    problem = Problem(
        (Depot("depot", spot(0)),),
        tuple(Vehicle(f"v{i}", (10,)) for i in range(2)),
        (job("j", spot(1), 3),),
        (Shipment("s", Stop(spot(2)), Stop(spot(3)), demand=(8,)),),
        travel=travel,
    )
    _, result, checked = solve(problem)
    assert 0 in checked.shipments and 0 in checked.jobs
    route = next(r for r in result.plan.routes if Visit(NodeKind.PICKUP, 0) in r.visits)
    assert Visit(NodeKind.DELIVERY, 0) in route.visits
    assert route.visits.index(Visit(NodeKind.PICKUP, 0)) < route.visits.index(Visit(NodeKind.DELIVERY, 0))


def test_vehicle_class_restriction_is_respected() -> None:
    """A job allowed only for the costly class goes to that vehicle; one no class may serve is left out."""
    vehicles = (
        Vehicle("small", (10,), vehicle_class="2t"),
        Vehicle("large", (10,), vehicle_class="4t", fixed_cost=100.0),
    )
    jobs = (
        job("any", at(10, 10), 2),
        job("big-only", at(12, 8), 2, classes=frozenset({"4t"})),
        job("nobody", at(11, 9), 2, classes=frozenset({"10t"})),
    )
    _, _, checked = solve(Problem(depot(), vehicles, jobs))
    assert checked.jobs.get(1) == 1
    assert 0 in checked.jobs
    assert 2 not in checked.jobs


def test_required_skills_are_respected() -> None:
    """Jobs needing a skill only go to vehicles having it, even when that vehicle costs more."""
    vehicles = (
        Vehicle("plain", (10,)),
        Vehicle("fridge", (10,), skills=frozenset({"cold", "lift"}), fixed_cost=50.0),
    )
    jobs = (
        job("cold", at(20, 0), 1, skills=frozenset({"cold"})),
        job("warm", at(21, 0), 1),
        job("cold-lift", at(-20, 0), 1, skills=frozenset({"cold", "lift"})),
    )
    _, _, checked = solve(Problem(depot(), vehicles, jobs))
    assert checked.jobs.get(0) == 1
    assert checked.jobs.get(2) == 1
    assert 1 in checked.jobs


def test_optional_job_left_out_when_penalty_is_below_the_detour() -> None:
    """An optional job whose penalty is below its detour cost is dropped; a valuable one is served."""
    jobs = (
        job("near", at(10), 1),
        job("cheap-far", at(0, 1000), 1, penalty=1.0),  # detour about 2000 m = 2.0
        job("dear-far", at(0, -1000), 1, penalty=5.0),
    )
    _, result, checked = solve(Problem(depot(), (Vehicle("v", (10,)),), jobs))
    assert set(checked.jobs) == {0, 2}
    assert result.objective == checked.distance + 1000  # the dropped job's penalty, in milli-units


def test_required_job_too_heavy_for_the_fleet_is_left_out() -> None:
    """A required job no vehicle can carry is left out and the others are still served."""
    jobs = (job("ok1", at(10), 4), job("huge", at(12), 50), job("ok2", at(-10), 4))
    _, _, checked = solve(Problem(depot(), (Vehicle("v", (10,)),), jobs))
    assert set(checked.jobs) == {0, 2}


def test_fleet_too_small_serves_what_fits() -> None:
    """When the shift is too short for all required jobs the plan serves as many as fit, feasibly."""
    # Each job alone takes 60 s there and back; any two take over 100 s.
    jobs = (job("e", at(30)), job("n", at(0, 30)), job("w", at(-30)))
    vehicles = (Vehicle("v", (10,), shift=TimeWindow(0, 100)),)
    _, result, checked = solve(Problem(depot(), vehicles, jobs))
    assert len(checked.jobs) == 1
    assert result.first_feasible_seconds is not None


def test_capacity_short_fleet_serves_what_fits() -> None:
    """When the required demand exceeds the whole fleet's capacity the plan serves what fits."""
    jobs = tuple(job(f"j{i}", at(10 + i, 3), 5) for i in range(3))
    _, result, checked = solve(Problem(depot(), (Vehicle("v", (10,)),), jobs))
    assert len(checked.jobs) == 2
    assert result.first_feasible_seconds is not None


def test_route_between_two_depots() -> None:
    """A vehicle starting at one depot and ending at another serves the jobs on its way."""
    depots = (Depot("a", at(0)), Depot("b", at(100)))
    jobs = (job("x", at(30, 5), 1), job("y", at(70, -5), 1))
    vehicles = (Vehicle("v", (10,), start_depot=0, end_depot=1),)
    compiled, result, checked = solve(Problem(depots, vehicles, jobs))
    assert set(checked.jobs) == {0, 1}
    assert result.plan.routes[0].visits == [Visit(NodeKind.JOB, 0), Visit(NodeKind.JOB, 1)]
    assert checked.distance == compiled.distance(0, 0, 2) + compiled.distance(0, 2, 3) + compiled.distance(
        0, 3, 1
    )


def test_multi_trip_serves_all_jobs_with_one_vehicle() -> None:
    """One vehicle with capacity for half the jobs serves all of them in two trips."""
    jobs = tuple(job(f"j{i}", at(10 + 3 * i, 5), 5) for i in range(4))
    vehicles = (Vehicle("v", (10,), max_trips=2),)
    _, result, checked = solve(Problem(depot(reload_duration=7), vehicles, jobs))
    assert set(checked.jobs) == set(range(4))
    [route] = result.plan.routes
    assert route.visits.count(Visit(NodeKind.DEPOT, 0)) == 1


def test_max_distance_splits_the_route() -> None:
    """A maximum route distance forces two routes where one would be shorter."""
    jobs = (job("a", at(40, 0), 1), job("b", at(40, 10), 1))
    vehicles = tuple(Vehicle(f"v{i}", (10,), max_distance=85) for i in range(2))
    _, _, checked = solve(Problem(depot(), vehicles, jobs))
    assert set(checked.jobs) == {0, 1}
    assert set(checked.jobs.values()) == {0, 1}


def test_max_duration_splits_the_route() -> None:
    """A maximum route duration (travel plus service) forces two routes."""
    jobs = (job("a", at(40, 0), 1, service=5), job("b", at(40, 10), 1, service=5))
    vehicles = tuple(Vehicle(f"v{i}", (10,), max_duration=95) for i in range(2))
    _, _, checked = solve(Problem(depot(), vehicles, jobs))
    assert set(checked.jobs) == {0, 1}
    assert set(checked.jobs.values()) == {0, 1}


def test_fixed_seed_and_iterations_are_deterministic() -> None:
    """Two runs with the same seed and iteration budget return the same plan."""
    problem = random_windows_problem(20, seed=3)
    limits = Limits(time_limit=30.0, seed=7, max_iterations=200)
    _, first, _ = solve(problem, limits)
    _, second, _ = solve(problem, limits)
    assert first.plan == second.plan
    assert first.objective == second.objective
    assert first.iterations == second.iterations == 200


def test_on_improvement_reports_improving_feasible_plans() -> None:
    """Every reported plan is feasible, objectives never increase and the last equals the result."""
    reports: list[tuple[Plan, float]] = []
    compiled, result, _ = solve(
        random_windows_problem(20, seed=5), on_improvement=lambda p, o: reports.append((p, o))
    )
    assert reports
    for plan, _ in reports:
        check_plan(compiled, plan)
    objectives = [o for _, o in reports]
    assert objectives == sorted(objectives, reverse=True)
    assert objectives[-1] == result.objective
    assert reports[-1][0] == result.plan
    assert result.first_feasible_seconds is not None


def test_should_stop_ends_the_search_early() -> None:
    """The engine polls should_stop and returns soon after it says so."""
    calls = 0

    def should_stop() -> bool:
        nonlocal calls
        calls += 1
        return calls > 5

    begin = time.perf_counter()
    problem = random_windows_problem(20, seed=9)
    _, result, checked = solve(problem, Limits(time_limit=60.0), should_stop=should_stop)
    assert time.perf_counter() - begin < 5.0
    assert result.iterations <= 5
    assert len(checked.jobs) == 20


def test_time_limit_is_honoured() -> None:
    """Without an iteration budget the search stops at the time limit."""
    begin = time.perf_counter()
    _, result, _ = solve(random_windows_problem(20, seed=11), Limits(time_limit=0.3))
    assert time.perf_counter() - begin < 1.5
    assert result.iterations > 0


def test_capabilities_cover_a_rich_problem() -> None:
    """A problem using many features needs nothing the engine lacks."""
    problem = Problem(
        (Depot("a", at(0)), Depot("b", at(50))),
        (
            Vehicle("v", (10, 5), end_depot=1, cost_per_hour=10.0, max_duration=10_000, max_trips=2),
            Vehicle("w", (8, 4), vehicle_class="4t", skills=frozenset({"x"}), max_distance=1000),
        ),
        (
            Job("j", Stop(at(10), 5, (TimeWindow(0, 100), TimeWindow(200, 300))), demand=(1, 1)),
            Job(
                "k",
                Stop(at(20)),
                JobKind.PICKUP,
                demand=(2, 1),
                required_skills=frozenset({"x"}),
                penalty=3.0,
            ),
        ),
        (Shipment("s", Stop(at(30)), Stop(at(40)), demand=(1, 1)),),
        dimensions=("kg", "m3"),
    )
    compiled = compile_problem(problem)
    assert required_capabilities(compiled) <= PyVRPEngine.capabilities
    result = PyVRPEngine().solve(compiled, QUICK)
    checked = check_plan(compiled, result.plan)
    assert set(checked.jobs) == {0, 1} and set(checked.shipments) == {0}
    assert checked.jobs[1] == 1


def test_history_follows_the_budget_within_bounds() -> None:
    from optimizer.engines.pyvrp import HISTORY_BOUNDS, history_length

    low, high = HISTORY_BOUNDS
    short, mid, long = (history_length(Limits(time_limit=t)) for t in (1.0, 10.0, 60.0))
    assert low <= short < mid < long <= high
    assert history_length(Limits(time_limit=3600.0)) == high
    assert history_length(Limits(time_limit=0.01)) == low
    # An iteration cap shortens it: the search ends sooner than the time limit says.
    capped = history_length(Limits(time_limit=60.0, max_iterations=2000))
    assert low <= capped < long


def test_history_follows_the_measured_iteration_rate() -> None:
    from optimizer.engines.pyvrp import HISTORY_BOUNDS, history_for_rate, history_length

    low, high = HISTORY_BOUNDS
    assert history_for_rate(1000.0, 10.0) == 100
    assert history_for_rate(3000.0, 10.0) == 300
    assert history_for_rate(10.0, 1.0) == low and history_for_rate(1e6, 60.0) == high
    # A small instance runs far more than the assumed 1,000 iterations a second: the history grows
    # once the rate is measured, and only for time-limited searches.
    # At 1 s the rate is measured over 0.1 s only, and on a slow machine it came out at the guess (30
    # against 30); at 3 s the history comes out at 89-133 against 30.
    compiled = compile_problem(random_windows_problem(20, seed=3))
    timed = Limits(time_limit=3.0, seed=1)
    engine = PyVRPEngine()
    result = engine.solve(compiled, timed)
    assert result.iterations > 3000
    assert engine.history > history_length(timed)
    capped = Limits(time_limit=60.0, seed=1, max_iterations=3000)
    engine.solve(compiled, capped)
    assert engine.history == history_length(capped)


def test_explicit_parameters_keep_their_history() -> None:
    from pyvrp.IteratedLocalSearch import IteratedLocalSearchParams
    from pyvrp.solve import SolveParams

    params = SolveParams(ils=IteratedLocalSearchParams(history_length=7))
    assert not PyVRPEngine(params).budget_history
    assert PyVRPEngine().budget_history
