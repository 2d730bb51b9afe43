"""The sweep construction: a fast first plan for capacity-bound problems, or none."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import pyvrp

from optimizer.compiled import compile_problem
from optimizer.engines.base import Limits
from optimizer.engines.pyvrp import PyVRPEngine
from optimizer.engines.sweep import sweep
from optimizer.io import read_vrplib


def _data(demands: list[int], capacity: int, vehicles: int, windows: bool = False) -> pyvrp.ProblemData:
    """Clients on a circle of radius 10 around the depot, in angle order 0, 1, 2, ..."""
    model = pyvrp.Model()
    depot_at = model.add_location(x=0, y=0)
    model.add_depot(depot_at)
    places = [depot_at]
    for k, demand in enumerate(demands):
        angle = 2 * math.pi * k / len(demands) - math.pi + 0.1
        place = model.add_location(x=round(10 * math.cos(angle)), y=round(10 * math.sin(angle)))
        if windows and k == 0:
            model.add_client(place, delivery=[demand], tw_late=5)  # 10 away: unreachable in time
        else:
            model.add_client(place, delivery=[demand])
        places.append(place)
    model.add_vehicle_type(vehicles, capacity=[capacity])
    for a in places:
        for b in places:
            d = round(math.hypot(a.x - b.x, a.y - b.y))
            model.add_edge(a, b, distance=d, duration=d)
    return model.data()


def test_sweep_fills_routes_in_angle_order_up_to_capacity() -> None:
    data = _data([4, 3, 3, 5, 2, 6], capacity=10, vehicles=4)
    solution = sweep(data)
    assert solution is not None and solution.is_feasible()
    routes = [[a.idx for a in r if a.is_client()] for r in solution.routes()]
    # 4+3+3 = 10 fits, + 5 would not; 5+2 = 7, + 6 would not; then 6.
    assert sorted(routes) == [[0, 1, 2], [3, 4], [5]]


def test_sweep_gives_up_when_the_fleet_is_too_small_or_windows_bind() -> None:
    assert sweep(_data([6, 6, 6], capacity=10, vehicles=2)) is None
    assert sweep(_data([1, 1, 1], capacity=10, vehicles=2, windows=True)) is None


def test_the_engine_reports_the_swept_plan_first(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from optimizer.engines.pyvrp import search

    swept: list[pyvrp.Solution | None] = []

    def recording(data: pyvrp.ProblemData) -> pyvrp.Solution | None:
        swept.append(sweep(data))
        return swept[-1]

    monkeypatch.setattr(search, "sweep", recording)
    compiled = compile_problem(read_vrplib(data_dir / "benchmarks" / "cvrp-x" / "X-n101-k25.vrp"))
    seen: list[float] = []
    result = PyVRPEngine().solve(
        compiled, Limits(time_limit=10.0, seed=1, max_iterations=50), lambda _plan, cost: seen.append(cost)
    )
    assert len(swept) == 1 and swept[0] is not None
    free = pyvrp.CostEvaluator([0.0] * len(swept[0].routes()[0].delivery()), 0.0, 0.0)
    assert seen[0] == free.cost(swept[0])
    assert len(seen) >= 2 and seen[-1] == result.objective < seen[0]
