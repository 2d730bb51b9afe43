"""HGS-CVRP behind the engine interface: what it accepts, exact costs, fleet size, stopping, portfolio."""

from __future__ import annotations

import itertools
import time

import pytest

from optimizer.checker import evaluate
from optimizer.compiled import compile_problem
from optimizer.engines import choose_engine, portfolio
from optimizer.engines.base import Capability, Limits, required_capabilities
from optimizer.engines.hgs_engine import HGSEngine, fleet_size, unsuited
from optimizer.model import (
    Depot,
    Location,
    Problem,
    TimeWindow,
    Travel,
    TravelMode,
    Vehicle,
)
from optimizer.parallel import WorkerPool
from optimizer.solve import SolveOptions, solve
from tests.unit.engines.builders import at, job

POINTS = [at(12, 40), at(-30, 25), at(45, -10), at(-8, -35), at(30, 30), at(-20, -5)]
DEMANDS = [4, 3, 5, 6, 2, 3]


def plain(vehicles: int = 3, capacity: int = 12, fixed: float = 0.0, **vehicle: object) -> Problem:
    fleet = tuple(
        Vehicle(f"v{i}", (capacity,), fixed_cost=fixed, **vehicle)  # type: ignore[arg-type]
        for i in range(vehicles)
    )
    jobs = tuple(job(f"j{i}", p, d) for i, (p, d) in enumerate(zip(POINTS, DEMANDS, strict=True)))
    return Problem((Depot("depot", at(0, 0)),), fleet, jobs)


def brute_force(problem: Problem) -> float:
    """The cheapest plan's cost (checker units) over every split of the jobs into routes."""
    compiled = compile_problem(problem)
    v = problem.vehicles[0]
    n, cap = len(problem.jobs), v.capacity[0]

    def tour(members: tuple[int, ...]) -> int:
        return min(
            sum(compiled.distance(0, a, b) for a, b in itertools.pairwise([0, *(1 + j for j in order), 0]))
            for order in itertools.permutations(members)
        )

    best = float("inf")
    for labels in itertools.product(range(len(problem.vehicles)), repeat=n):
        if labels and labels[0] != 0:  # routes are interchangeable: the first job rides the first
            continue
        groups = [tuple(j for j in range(n) if labels[j] == k) for k in range(len(problem.vehicles))]
        groups = [g for g in groups if g]
        if any(sum(DEMANDS[j] for j in g) > cap for g in groups):
            continue
        metres = sum(tour(g) for g in groups)
        best = min(best, metres * v.cost_per_km / 1000 + v.fixed_cost * len(groups))
    return best


def solved(problem: Problem, seconds: float = 1.0) -> tuple[float, int, bool]:
    compiled = compile_problem(problem)
    result = HGSEngine().solve(compiled, Limits(time_limit=seconds, seed=1))
    ev = evaluate(compiled, result.plan)
    return ev.cost.total, len(result.plan.routes), ev.is_feasible and not ev.unassigned_jobs


def test_finds_the_brute_forced_optimum() -> None:
    """Six jobs, three trucks of 12: HGS-CVRP's plan costs what the best split and order cost."""
    cost, _, complete = solved(plain())
    assert complete
    assert cost == pytest.approx(brute_force(plain()))


def test_fixed_costs_count_once_per_route() -> None:
    """With a truck costing more than any detour, the optimum uses as few trucks as the loads allow."""
    problem = plain(fixed=1000.0)
    cost, routes, complete = solved(problem)
    assert complete and routes == 2  # 23 units on trucks of 12
    assert cost == pytest.approx(brute_force(problem))


def test_large_costs_are_scaled_for_hgs() -> None:
    """Metres times a per-km cost of 100 000 exceed HGS-CVRP's range; the plan is still optimal."""
    problem = plain(cost_per_km=100_000.0)
    cost, _, complete = solved(problem)
    assert complete
    assert cost == pytest.approx(brute_force(problem))


def test_haversine_problem_is_solved_with_lat_lng_sectors() -> None:
    """Lat/lng jobs (negative longitudes included) give a complete, feasible plan."""
    depot = Depot("d", Location(latitude=35.7, longitude=-139.6))
    jobs = tuple(
        job(f"j{i}", Location(latitude=35.7 + 0.01 * (i % 5), longitude=-139.6 - 0.01 * (i // 5)), 1)
        for i in range(15)
    )
    fleet = tuple(Vehicle(f"v{k}", (6,)) for k in range(4))
    problem = Problem((depot,), fleet, jobs, travel=Travel(mode=TravelMode.HAVERSINE))
    compiled = compile_problem(problem)
    result = HGSEngine().solve(compiled, Limits(time_limit=1.0, seed=2))
    ev = evaluate(compiled, result.plan)
    assert ev.is_feasible and not ev.unassigned_jobs and len(result.plan.routes) == 3


def test_what_hgs_cannot_model_is_named() -> None:
    """Windows, shifts, a second load dimension, a mixed fleet or too few trucks keep HGS-CVRP out."""
    assert unsuited(compile_problem(plain())) is None
    windowed = Problem(
        (Depot("depot", at(0, 0)),),
        (Vehicle("v", (20,)),),
        (job("a", at(1), 1, windows=(TimeWindow(0, 50),)),),
    )
    assert "time windows" in (unsuited(compile_problem(windowed)) or "")
    shift = plain(shift=TimeWindow(0, 3600))
    assert Capability.ROUTE_TIME_LIMITS in required_capabilities(compile_problem(shift))
    assert "shifts" in (unsuited(compile_problem(shift)) or "")
    mixed = Problem(
        (Depot("depot", at(0, 0)),), (Vehicle("a", (20,)), Vehicle("b", (10,))), (job("a", at(1), 1),)
    )
    assert "vehicles with different capacity" in (unsuited(compile_problem(mixed)) or "")
    assert "fleet cannot carry" in (unsuited(compile_problem(plain(vehicles=1))) or "")
    with pytest.raises(ValueError, match="HGS-CVRP cannot solve"):
        HGSEngine().solve(compile_problem(windowed), Limits(time_limit=1.0))


def test_requested_hgs_falls_back_with_the_reason() -> None:
    shift = compile_problem(plain(shift=TimeWindow(0, 3600)))
    engine, reason = choose_engine(shift, "hgs")
    assert engine == "pyvrp" and reason.startswith("hgs cannot model: shifts")
    assert choose_engine(compile_problem(plain()), "hgs") == ("hgs", "requested")


def test_fleet_is_hgs_default_unless_packing_needs_more() -> None:
    """One truck per job (as in the X files) is cut to HGS-CVRP's default; awkward loads get their packing."""
    many = compile_problem(plain(vehicles=6))
    assert fleet_size(many) == 6  # ceil(1.3 * 23 / 12) + 3 = 6
    halves = Problem(
        (Depot("depot", at(0, 0)),),
        tuple(Vehicle(f"v{i}", (100,)) for i in range(30)),
        tuple(job(f"j{i}", at(i + 1), 51) for i in range(20)),
    )
    # 20 jobs of 51 on trucks of 100: one per truck; the default would be ceil(1.3 * 10.2) + 3 = 17.
    assert fleet_size(compile_problem(halves)) == 20
    _, routes, complete = solved(halves)
    assert complete and routes == 20


def test_should_stop_ends_the_search_without_a_plan() -> None:
    compiled = compile_problem(plain())
    t0 = time.monotonic()
    result = HGSEngine().solve(
        compiled, Limits(time_limit=30.0), should_stop=lambda: time.monotonic() - t0 > 0.3
    )
    assert time.monotonic() - t0 < 5
    assert result.plan.routes == [] and result.first_feasible_seconds is None


def test_auto_portfolio_puts_hgs_beside_the_cutting_search_on_plain_cvrps() -> None:
    cvrp = compile_problem(plain())
    assert portfolio(cvrp, "pyvrp", 2, auto=True, seconds=1.0) == ["pyvrp-fewer-routes", "hgs"]
    assert portfolio(cvrp, "pyvrp", 2, seconds=1.0) == ["pyvrp", "pyvrp-fewer-routes"]  # pyvrp requested
    assert portfolio(cvrp, "pyvrp", 1, auto=True, seconds=1.0) == ["pyvrp-fewer-routes"]  # streams alone
    # Six jobs need 0.15 s for HGS-CVRP to build its population and improve on it.
    assert portfolio(cvrp, "pyvrp", 2, auto=True, seconds=0.1) == ["pyvrp", "pyvrp-fewer-routes"]
    shift = compile_problem(plain(shift=TimeWindow(0, 3600)))
    assert portfolio(shift, "pyvrp", 2, auto=True, seconds=1.0) == ["pyvrp", "pyvrp-fewer-routes"]


def test_solve_names_the_engine_whose_plan_is_returned() -> None:
    """On a pool, auto runs PyVRP and HGS-CVRP; the answer is verified and says which engine made it."""
    problem = plain(vehicles=6)
    with WorkerPool(2) as pool:
        sol = solve(problem, SolveOptions(time_limit=2.0, parallelism=2, seed=3), pool=pool)
    assert sol.stats.runs == 2 and sol.stats.engine in ("pyvrp", "hgs")
    assert "HGS-CVRP searched beside PyVRP" in sol.stats.engine_reason
    assert sol.stats.engine_reason.endswith(f"the plan is {sol.stats.engine}'s")
    assert sol.evaluation.is_feasible and not sol.unassigned
    assert sol.cost == pytest.approx(brute_force(problem))
