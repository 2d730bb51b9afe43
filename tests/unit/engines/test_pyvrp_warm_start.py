"""PyVRP engine: plans back to PyVRP solutions, warm starts and plans taken from other searches."""

from __future__ import annotations

import numpy as np
import pytest

from optimizer.checker import evaluate
from optimizer.compiled import Compiled, compile_problem
from optimizer.engines.base import Limits
from optimizer.engines.pyvrp import PyVRPEngine
from optimizer.engines.pyvrp.fleet import build_fleet, servable
from optimizer.engines.pyvrp.instance import Instance, build_instance, to_plan, to_solution
from optimizer.model import (
    Depot,
    Job,
    JobKind,
    Location,
    NodeKind,
    Plan,
    Problem,
    RoutePlan,
    Shipment,
    Stop,
    TimeWindow,
    Vehicle,
    Visit,
)
from tests.unit.engines.builders import at, job

QUICK = Limits(time_limit=10.0, max_iterations=300)


def depot(reload_duration: int = 0) -> Depot:
    return Depot("depot", at(0), reload_duration=reload_duration)


def scattered(jobs: int = 30, capacity: int = 10, vehicles: int = 8, seed: int = 3) -> Problem:
    rng = np.random.default_rng(seed)
    points = rng.integers(-100, 100, size=(jobs, 2))
    return Problem(
        (Depot("depot", Location(x=0, y=0)),),
        tuple(Vehicle(f"v{k}", (capacity,)) for k in range(vehicles)),
        tuple(job(f"j{i}", at(float(x), float(y)), 1 + i % 3) for i, (x, y) in enumerate(points)),
    )


def rich() -> Problem:
    """Two depots, reloads, several windows, a pickup, a shipment, a skill and two dimensions."""
    return Problem(
        (Depot("a", at(0), reload_duration=5), Depot("b", at(50))),
        (
            Vehicle("v", (10, 5), end_depot=1, cost_per_hour=10.0, max_duration=10_000, max_trips=2),
            Vehicle("w", (8, 4), vehicle_class="4t", skills=frozenset({"x"}), max_distance=1000),
        ),
        (
            Job("j", Stop(at(10), 5, (TimeWindow(0, 5), TimeWindow(200, 300))), demand=(1, 1)),
            Job("k", Stop(at(20)), JobKind.PICKUP, demand=(2, 1), required_skills=frozenset({"x"})),
            Job("m", Stop(at(25, 5)), demand=(6, 1)),
            Job("n", Stop(at(15, 5)), demand=(6, 1)),
        ),
        (Shipment("s", Stop(at(30)), Stop(at(40)), demand=(1, 1)),),
        dimensions=("kg", "m3"),
    )


def multi_trip() -> Problem:
    jobs = tuple(job(f"j{i}", at(10 + 3 * i, 5), 5) for i in range(6))
    return Problem((depot(reload_duration=7),), (Vehicle("v", (10,), max_trips=3),), jobs)


def strict_instance(compiled: Compiled) -> Instance:
    """The engine's first-phase instance: every servable required job is required."""
    p = compiled.problem
    fleet = build_fleet(compiled)
    jobs, ships = servable(compiled, fleet)
    must_jobs = jobs & np.array([j.penalty is None for j in p.jobs], dtype=bool)
    must_ships = ships & np.array([s.penalty is None for s in p.shipments], dtype=bool)
    return build_instance(compiled, fleet, jobs, ships, must_jobs, must_ships)


def chunked(compiled: Compiled, capacity: int) -> Plan:
    """A feasible but poor plan: jobs in index order, a new route whenever the vehicle is full."""
    routes: list[RoutePlan] = []
    load = capacity
    for j, jb in enumerate(compiled.problem.jobs):
        if load + jb.demand[0] > capacity:
            routes.append(RoutePlan(len(routes), []))
            load = 0
        routes[-1].visits.append(Visit(NodeKind.JOB, j))
        load += jb.demand[0]
    return Plan(routes)


@pytest.mark.parametrize("build", [scattered, rich, multi_trip], ids=["cvrp", "rich", "multi-trip"])
def test_engine_plan_round_trips_through_pyvrp(build) -> None:  # type: ignore[no-untyped-def]
    """A plan the engine returns, converted to a PyVRP solution and back, is the same plan."""
    compiled = compile_problem(build())
    plan = PyVRPEngine().solve(compiled, QUICK).plan
    assert plan.routes
    inst = strict_instance(compiled)
    sol = to_solution(inst, plan)
    assert sol is not None and sol.is_feasible()
    back = to_plan(inst, sol)
    assert [(r.vehicle, r.visits) for r in back.routes] == [(r.vehicle, r.visits) for r in plan.routes]


def test_job_with_two_windows_gets_the_window_it_can_reach() -> None:
    """Converting a plan picks the second window of a job whose first one has closed on arrival."""
    compiled = compile_problem(rich())
    inst = strict_instance(compiled)
    sol = to_solution(inst, Plan([RoutePlan(1, [Visit(NodeKind.JOB, 0)])]))
    assert sol is not None
    [route] = sol.routes()
    [client] = [a.idx for a in list(route)[1:-1]]
    assert inst.data.clients()[client].tw_early == 200


def test_plan_pyvrp_cannot_hold_is_refused() -> None:
    """A job no vehicle can serve, or more routes than vehicles, gives no solution."""
    p = scattered(jobs=6, vehicles=2)
    heavy = Problem(p.depots, p.vehicles, (*p.jobs, job("heavy", at(5), 99)))
    inst = strict_instance(compile_problem(heavy))
    assert to_solution(inst, Plan([RoutePlan(0, [Visit(NodeKind.JOB, 6)])])) is None
    three = Plan([RoutePlan(k, [Visit(NodeKind.JOB, k)]) for k in range(3)])
    assert to_solution(inst, three) is None


def test_warm_started_search_is_never_worse_than_its_start() -> None:
    """From a poor feasible plan, the search reports that plan first and returns a plan no worse."""
    compiled = compile_problem(scattered(jobs=40, capacity=10, vehicles=12))
    start = chunked(compiled, 10)
    start_ev = evaluate(compiled, start)
    assert start_ev.is_feasible and not start_ev.unassigned_jobs
    seen: list[Plan] = []
    warm = PyVRPEngine().solve(
        compiled,
        Limits(time_limit=10, seed=7, max_iterations=40),
        on_improvement=lambda p, _o: seen.append(p),
        initial=start,
    )
    assert [(r.vehicle, r.visits) for r in seen[0].routes] == [(r.vehicle, r.visits) for r in start.routes]
    ev = evaluate(compiled, warm.plan)
    assert ev.is_feasible and not ev.unassigned_jobs
    assert ev.cost.total <= start_ev.cost.total


def test_warm_start_from_a_good_plan_keeps_it() -> None:
    """With a single iteration, a warm start from a well-searched plan returns a plan as good."""
    compiled = compile_problem(scattered())
    good = PyVRPEngine().solve(compiled, Limits(time_limit=10, seed=1, max_iterations=1500))
    again = PyVRPEngine().solve(compiled, Limits(time_limit=10, seed=2, max_iterations=1), initial=good.plan)
    assert again.objective <= good.objective
    assert evaluate(compiled, again.plan).cost.total <= evaluate(compiled, good.plan).cost.total


def test_warm_start_leaving_required_jobs_out_continues_with_them_prized() -> None:
    """A start that leaves required jobs out is used, and the search serves them."""
    compiled = compile_problem(scattered(jobs=12, capacity=10, vehicles=4))
    half = Plan([RoutePlan(0, [Visit(NodeKind.JOB, j) for j in range(5)])])
    assert evaluate(compiled, half).is_feasible
    seen: list[Plan] = []
    result = PyVRPEngine().solve(compiled, QUICK, on_improvement=lambda p, _o: seen.append(p), initial=half)
    assert seen[0].routes[0].visits == half.routes[0].visits
    ev = evaluate(compiled, result.plan)
    assert ev.is_feasible and not ev.unassigned_jobs


def test_better_incoming_plan_is_adopted_and_worse_one_is_not() -> None:
    """A search continues from a better plan handed to it, and ignores a worse one."""
    compiled = compile_problem(scattered(jobs=40, capacity=10, vehicles=12))
    good = PyVRPEngine().solve(compiled, Limits(time_limit=10, seed=1, max_iterations=2000))
    poor = chunked(compiled, 10)
    for offered, adopted in ((good.plan, 1), (poor, 0)):
        handed = [offered]
        engine = PyVRPEngine()
        res = engine.solve(
            compiled,
            Limits(time_limit=10, seed=5, max_iterations=3),
            incoming=lambda handed=handed: handed.pop() if handed else None,
        )
        assert engine.adopted == adopted
        if adopted:
            assert res.objective <= good.objective
        else:
            assert evaluate(compiled, res.plan).cost.total < evaluate(compiled, poor).cost.total
