"""The peer solvers the benchmark compares against, used as their authors document them.

* ``run_pyvrp``: PyVRP's own reader and ``pyvrp.solve`` (iterated local search)
  with a wall-clock stop.
* ``run_ortools``: the textbook OR-Tools routing model (capacity dimension, time
  dimension with windows for VRPTW, guided local search).
* ``run_hgs``: HGS-CVRP through ``hygese`` with its default parameters (CVRP only;
  its time limit is CPU time, its fleet HGS-CVRP's own default).

Both work on the instance file, independent of Hakobu's readers, and return
routes as lists of file node numbers (0-based, depot = node 0), so the caller
recomputes every cost and checks feasibility the same way for all contenders.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import vrplib

Kind = Literal["x", "solomon"]

_INT_MAX = np.iinfo(np.int64).max


@dataclass(slots=True)
class PeerRun:
    #: One list per used vehicle: customer node numbers of the file (depot 0 excluded).
    routes: list[list[int]]
    wall_seconds: float
    first_feasible_seconds: float | None


# --------------------------------------------------------------------------
# Instance data shared by the OR-Tools model (integer matrices, file order)
# --------------------------------------------------------------------------


@dataclass(slots=True)
class PeerInstance:
    dist: np.ndarray  # int64 n×n, also the travel time
    demand: list[int]
    capacity: int
    num_vehicles: int
    windows: list[tuple[int, int]] | None  # per node, same units as dist
    service: list[int] | None


def load_instance(path: Path, kind: Kind) -> PeerInstance:
    """Read an instance with the ``vrplib`` package and apply the benchmark's rounding.

    X: nearest integer per arc, unlimited fleet (one vehicle per customer).
    Solomon: distances, times and service durations ×10, distances truncated.
    """
    if kind == "x":
        inst = vrplib.read_instance(path)
        if np.asarray(inst.get("depot", [0])).tolist() != [0]:
            raise ValueError(f"{path}: the peers expect the depot to be node 1")
        dist = np.floor(np.asarray(inst["edge_weight"], dtype=np.float64) + 0.5).astype(np.int64)
        demand = [int(d) for d in inst["demand"]]
        return PeerInstance(dist, demand, int(inst["capacity"]), len(demand) - 1, None, None)
    inst = vrplib.read_instance(path, instance_format="solomon")
    dist = np.floor(np.asarray(inst["edge_weight"], dtype=np.float64) * 10 + 1e-9).astype(np.int64)
    windows = [(int(a) * 10, int(b) * 10) for a, b in inst["time_window"]]
    service = [int(s) * 10 for s in inst["service_time"]]
    demand = [int(d) for d in inst["demand"]]
    return PeerInstance(dist, demand, int(inst["capacity"]), int(inst["vehicles"]), windows, service)


# --------------------------------------------------------------------------
# PyVRP
# --------------------------------------------------------------------------


class _WallClockStop:
    """Stops PyVRP after ``budget`` seconds from ``start``; notes when a feasible best first appears."""

    def __init__(self, start: float, budget: float):
        self.start = start
        self.budget = budget
        self.first_feasible: float | None = None

    def __call__(self, best_cost: int) -> bool:
        now = time.perf_counter()
        # PyVRP passes CostEvaluator.cost(best), which is INT_MAX while best is infeasible.
        if self.first_feasible is None and best_cost < _INT_MAX:
            self.first_feasible = now - self.start
        return now - self.start >= self.budget


#: What PyVRP's distances are in, per file unit (Solomon: tenths, by the "dimacs" convention).
PYVRP_SCALE: dict[Kind, float] = {"x": 1.0, "solomon": 10.0}


def read_pyvrp(path: Path, kind: Kind) -> Any:
    """The instance as PyVRP reads it, under the BKS's distance convention (see PYVRP_SCALE)."""
    import pyvrp

    if kind == "x":
        return pyvrp.read(path, round_func="round")
    # pyvrp.read only understands VRPLIB files: convert the Solomon text first,
    # then let PyVRP apply its "dimacs" convention (×10, truncate) to every value.
    with tempfile.TemporaryDirectory() as tmp:
        converted = Path(tmp) / (path.stem + ".vrp")
        solomon_to_vrplib(path, converted)
        return pyvrp.read(converted, round_func="dimacs")


def run_pyvrp(path: Path, kind: Kind, budget: float, seed: int) -> PeerRun:
    """Solve with ``pyvrp.read`` + ``pyvrp.solve`` for ``budget`` seconds of wall time."""
    import pyvrp

    start = time.perf_counter()
    data = read_pyvrp(path, kind)
    stop = _WallClockStop(start, budget)
    result = pyvrp.solve(data, stop=stop, seed=seed, collect_stats=False, display=False)
    wall = time.perf_counter() - start
    best = result.best
    clients = data.clients()
    routes = [[clients[a.idx].location for a in r if a.is_client()] for r in best.routes()]
    if not best.is_feasible():
        routes = []
    first = stop.first_feasible if best.is_feasible() else None
    return PeerRun(routes=[r for r in routes if r], wall_seconds=wall, first_feasible_seconds=first)


def run_hgs(path: Path, kind: Kind, budget: float, seed: int) -> PeerRun:
    """Solve a CVRP with HGS-CVRP (``hygese``) for ``budget`` seconds; it has no time windows."""
    import hygese

    if kind != "x":
        raise ValueError("HGS-CVRP models no time windows")
    start = time.perf_counter()
    inst = load_instance(path, kind)
    coords = np.asarray(vrplib.read_instance(path)["node_coord"], dtype=np.float64)
    data = {
        "distance_matrix": inst.dist.astype(np.float64),
        "x_coordinates": coords[:, 0] - coords[:, 0].min(),
        "y_coordinates": coords[:, 1] - coords[:, 1].min(),
        "demands": np.asarray(inst.demand, dtype=np.float64),
        "vehicle_capacity": float(inst.capacity),
        "depot": 0,
    }
    left = max(0.01, budget - (time.perf_counter() - start))
    params = hygese.AlgorithmParameters(timeLimit=left, seed=seed)
    result = hygese.Solver(params, verbose=False).solve_cvrp(data, rounding=False)
    wall = time.perf_counter() - start
    routes = [list(map(int, r)) for r in result.routes if len(r)]
    return PeerRun(routes=routes, wall_seconds=wall, first_feasible_seconds=wall if routes else None)


def solomon_to_vrplib(src: Path, dst: Path) -> None:
    """Write a Solomon instance as an equivalent VRPLIB VRPTW file (values unscaled)."""
    inst = vrplib.read_instance(src, instance_format="solomon")
    n = len(inst["demand"])
    vrplib.write_instance(
        dst,
        {
            "NAME": str(inst["name"]),
            "TYPE": "VRPTW",
            "DIMENSION": n,
            "VEHICLES": int(inst["vehicles"]),
            "CAPACITY": int(inst["capacity"]),
            "EDGE_WEIGHT_TYPE": "EUC_2D",
            "NODE_COORD_SECTION": np.asarray(inst["node_coord"]),
            "DEMAND_SECTION": np.asarray(inst["demand"]),
            "TIME_WINDOW_SECTION": np.asarray(inst["time_window"]),
            "SERVICE_TIME_SECTION": np.asarray(inst["service_time"]),
            "DEPOT_SECTION": [1, -1],
        },
    )


# --------------------------------------------------------------------------
# OR-Tools
# --------------------------------------------------------------------------


def run_ortools(path: Path, kind: Kind, budget: float, seed: int) -> PeerRun:
    """Solve the standard OR-Tools CVRP / VRPTW model with guided local search.

    ``seed`` is unused: the OR-Tools routing search is deterministic.
    """
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    del seed
    start = time.perf_counter()
    inst = load_instance(path, kind)
    n = len(inst.demand)
    manager = pywrapcp.RoutingIndexManager(n, inst.num_vehicles, 0)
    routing = pywrapcp.RoutingModel(manager)
    dist = inst.dist.tolist()
    arc = routing.RegisterTransitCallback(_matrix_callback(manager, dist))
    routing.SetArcCostEvaluatorOfAllVehicles(arc)
    load = routing.RegisterUnaryTransitCallback(lambda i: inst.demand[manager.IndexToNode(i)])
    routing.AddDimensionWithVehicleCapacity(load, 0, [inst.capacity] * inst.num_vehicles, True, "Load")

    params = pywrapcp.DefaultRoutingSearchParameters()
    fss = routing_enums_pb2.FirstSolutionStrategy
    params.first_solution_strategy = fss.PATH_CHEAPEST_ARC
    if inst.windows is not None and inst.service is not None:
        params.first_solution_strategy = fss.PARALLEL_CHEAPEST_INSERTION
        _add_time_dimension(routing, manager, inst)
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    remaining = max(0.1, budget - (time.perf_counter() - start))
    params.time_limit.FromMilliseconds(int(remaining * 1000))

    first: list[float] = []
    routing.AddAtSolutionCallback(lambda: first or first.append(time.perf_counter() - start))
    solution = routing.SolveWithParameters(params)
    wall = time.perf_counter() - start
    if solution is None:
        return PeerRun(routes=[], wall_seconds=wall, first_feasible_seconds=None)
    routes = []
    for v in range(inst.num_vehicles):
        index = solution.Value(routing.NextVar(routing.Start(v)))
        route = []
        while not routing.IsEnd(index):
            route.append(manager.IndexToNode(index))
            index = solution.Value(routing.NextVar(index))
        if route:
            routes.append(route)
    return PeerRun(routes=routes, wall_seconds=wall, first_feasible_seconds=first[0] if first else None)


def _matrix_callback(manager: object, matrix: list[list[int]]) -> Callable[[int, int], int]:
    to_node = manager.IndexToNode  # type: ignore[attr-defined]

    def cb(i: int, j: int) -> int:
        return matrix[to_node(i)][to_node(j)]

    return cb


def _add_time_dimension(routing: object, manager: object, inst: PeerInstance) -> None:
    assert inst.windows is not None and inst.service is not None
    travel = (inst.dist + np.asarray(inst.service, dtype=np.int64)[:, None]).tolist()
    horizon = inst.windows[0][1]
    cb = routing.RegisterTransitCallback(_matrix_callback(manager, travel))  # type: ignore[attr-defined]
    routing.AddDimension(cb, horizon, horizon, False, "Time")  # type: ignore[attr-defined]
    time_dim = routing.GetDimensionOrDie("Time")  # type: ignore[attr-defined]
    for node in range(1, len(inst.windows)):
        a, b = inst.windows[node]
        time_dim.CumulVar(manager.NodeToIndex(node)).SetRange(a, b)  # type: ignore[attr-defined]
    depot_start, depot_end = inst.windows[0]
    for v in range(inst.num_vehicles):
        for index in (routing.Start(v), routing.End(v)):  # type: ignore[attr-defined]
            time_dim.CumulVar(index).SetRange(depot_start, depot_end)
