"""Route minimisation in the PyVRP engine: cutting the shortest route and searching on a smaller fleet."""

from __future__ import annotations

import pytest
import pyvrp

import optimizer.engines.pyvrp.search as engine_module
from optimizer.checker import evaluate
from optimizer.compiled import compile_problem
from optimizer.engines import get_engine, portfolio
from optimizer.engines.base import Limits
from optimizer.engines.ortools_engine import ORToolsEngine
from optimizer.engines.pyvrp import PyVRPEngine
from optimizer.engines.pyvrp.search import cut_shortest_route, fewest_routes, on_fleet
from optimizer.model import Depot, Problem, Vehicle
from tests.unit.engines.builders import at, job, random_windows_problem


def _data() -> pyvrp.ProblemData:
    """Six clients on a line, a type of four vehicles and a second type of two."""
    model = pyvrp.Model()
    depot = model.add_location(x=0, y=0)
    model.add_depot(depot)
    places = [depot]
    for k in range(6):
        place = model.add_location(x=k + 1, y=0)
        model.add_client(place, delivery=[1])
        places.append(place)
    model.add_vehicle_type(4, capacity=[10])
    model.add_vehicle_type(2, capacity=[5], max_distance=100)
    for a in places:
        for b in places:
            d = abs(a.x - b.x)
            model.add_edge(a, b, distance=d, duration=d)
    return model.data()


def test_cut_drops_the_shortest_route_and_one_vehicle_of_its_type() -> None:
    data = _data()
    # Clients are 0..5; routes of 3, 1 and 2 stops on the first type.
    solution = pyvrp.Solution(data, [pyvrp.Route(data, v, 0) for v in ([0, 1, 2], [3], [4, 5])])
    fewer, cut = cut_shortest_route(data, solution)

    counts = [vt.num_available for vt in fewer.vehicle_types()]
    assert counts == [2, 1]  # the first type as used less one; the unused type kept one vehicle ...
    assert fewer.vehicle_types()[1].max_distance == 0  # ... which no route can use
    assert fewer.vehicle_types()[0].capacity == data.vehicle_types()[0].capacity
    routes = sorted([a.idx for a in r if a.is_client()] for r in cut.routes())
    assert routes == [[0, 1, 2], [4, 5]]
    assert not cut.is_complete()  # client 3 is left for the local search to re-insert


def test_on_fleet_moves_a_solution_back_to_the_whole_fleet() -> None:
    data = _data()
    solution = pyvrp.Solution(data, [pyvrp.Route(data, v, 0) for v in ([0, 1, 2], [3, 4, 5])])
    _, cut = cut_shortest_route(data, solution)
    back = on_fleet(data, cut)
    assert back.num_routes() == 1
    assert back.distance() == cut.distance()
    assert on_fleet(data, solution).distance() == solution.distance()


def _loads(
    deliveries: list[int], pickups: list[int], optional: int = 0, reload: bool = False
) -> pyvrp.ProblemData:
    """Clients with these loads (the last ``optional`` ones optional), two vehicles of 10 and two of 5."""
    model = pyvrp.Model()
    depot = model.add_location(x=0, y=0)
    model.add_depot(depot)
    for k, (delivery, pickup) in enumerate(zip(deliveries, pickups, strict=True)):
        place = model.add_location(x=k + 1, y=0)
        required = k < len(deliveries) - optional
        prize = 0 if required else 5
        model.add_client(place, delivery=[delivery], pickup=[pickup], required=required, prize=prize)
    model.add_vehicle_type(2, capacity=[10], reload_depots=model.depots[:1] if reload else [])
    model.add_vehicle_type(2, capacity=[5])
    for a in model.locations:
        for b in model.locations:
            model.add_edge(a, b, distance=abs(a.x - b.x))
    return model.data()


def test_fewest_routes_fills_the_largest_vehicles_first() -> None:
    assert fewest_routes(_data()) == 1  # six units, a vehicle of ten
    assert fewest_routes(_loads([8, 8, 8], [0, 0, 0])) == 3  # 10 + 10 < 24 <= 10 + 10 + 5
    assert fewest_routes(_loads([1, 1, 1], [9, 9, 2])) == 2  # the pickups decide
    assert fewest_routes(_loads([8, 8, 8, 9], [0, 0, 0, 0], optional=1)) == 3  # optional ones may stay out
    assert fewest_routes(_loads([10] * 3 + [5] * 3, [0] * 6)) == 4  # more than the fleet holds: all of it
    assert fewest_routes(_loads([8, 8, 8], [0, 0, 0], reload=True)) == 0  # reloads: no bound


def test_the_engine_cuts_routes_and_reports_only_improvements(monkeypatch: pytest.MonkeyPatch) -> None:
    cuts: list[int] = []
    real_cut = engine_module.cut_shortest_route

    def spy(data: pyvrp.ProblemData, solution: pyvrp.Solution) -> tuple[pyvrp.ProblemData, pyvrp.Solution]:
        cuts.append(solution.num_routes())
        return real_cut(data, solution)

    monkeypatch.setattr(engine_module, "cut_shortest_route", spy)
    compiled = compile_problem(random_windows_problem(30, seed=4, vehicles=12, capacity=100))
    reports: list[float] = []
    result = PyVRPEngine(minimise_routes=True).solve(
        compiled, Limits(time_limit=2.0, seed=2), on_improvement=lambda _p, o: reports.append(o)
    )
    assert cuts, "the search never tried a smaller fleet"
    assert cuts == sorted(cuts, reverse=True)  # each cut starts from a plan with fewer routes
    assert reports == sorted(reports, reverse=True) and len(set(reports)) == len(reports)
    assert reports[-1] == result.objective
    evaluation = evaluate(compiled, result.plan, require_all=True)
    assert evaluation.is_feasible


def test_searches_capped_by_iterations_do_not_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cuts are timed, so a seeded search capped by iterations stays deterministic without them."""

    def fail(*_args: object) -> None:
        raise AssertionError("cut in a search capped by iterations")

    monkeypatch.setattr(engine_module, "cut_shortest_route", fail)
    compiled = compile_problem(random_windows_problem(20, seed=1, vehicles=12, capacity=100))
    limits = Limits(time_limit=30.0, seed=3, max_iterations=300)
    first = PyVRPEngine(minimise_routes=True).solve(compiled, limits)
    second = PyVRPEngine().solve(compiled, limits)
    assert first.plan == second.plan


def _searches(problem: Problem, engine: str, runs: int) -> list[tuple[type, bool, bool]]:
    """What each parallel search of the portfolio does: (engine class, cuts routes, starts relaxed)."""
    engines = [get_engine(v) for v in portfolio(compile_problem(problem), engine, runs)]
    return [
        (type(e), getattr(e, "minimise_routes", False), getattr(e, "start_relaxed", False)) for e in engines
    ]


def test_portfolio_cuts_routes_in_the_second_or_only_search_unless_the_problem_is_rich() -> None:
    """Plain problems: one search cuts routes (the only one, or the second of two); rich problems: the
    second starts with required jobs prized instead, and none cuts; other engines are not varied."""
    plain = Problem(
        (Depot("depot", at(0, 0)),),
        (Vehicle("v", (10,)),),
        tuple(job(f"j{i}", at(i + 1), 1) for i in range(5)),
    )
    rich = Problem(plain.depots, (Vehicle("v", (10,), max_trips=2),), plain.jobs)
    for windows in (random_windows_problem(10, seed=1), plain):
        assert _searches(windows, "pyvrp", 2) == [(PyVRPEngine, False, False), (PyVRPEngine, True, False)]
        assert _searches(windows, "pyvrp", 1) == [(PyVRPEngine, True, False)]
    assert _searches(rich, "pyvrp", 2) == [(PyVRPEngine, False, False), (PyVRPEngine, False, True)]
    assert _searches(rich, "pyvrp", 1) == [(PyVRPEngine, False, False)]
    assert _searches(plain, "ortools", 2) == [(ORToolsEngine, False, False)] * 2


def test_no_cut_below_what_the_loads_need(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ten full loads on ten vehicles of twelve: every plan has ten routes and none is cut."""

    def fail(*_args: object) -> None:
        raise AssertionError("cut a plan already at the lower bound")

    monkeypatch.setattr(engine_module, "cut_shortest_route", fail)
    problem = Problem(
        (Depot("depot", at(0, 0)),),
        tuple(Vehicle(f"v{i}", (10,)) for i in range(12)),
        tuple(job(f"j{i}", at(i + 1, i % 3), 10) for i in range(10)),
    )
    compiled = compile_problem(problem)
    result = PyVRPEngine(minimise_routes=True).solve(compiled, Limits(time_limit=0.5, seed=1))
    assert sum(1 for r in result.plan.routes if r.visits) == 10
    assert evaluate(compiled, result.plan, require_all=True).is_feasible
