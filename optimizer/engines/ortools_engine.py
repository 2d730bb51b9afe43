"""Routing engine on OR-Tools' constraint-programming router (pywrapcp).

The compiled problem becomes one ``RoutingModel``: a routing node per
depot used by a vehicle and per servable stop, arc costs from the shared
integer objective weights, a time dimension (service at the from-node plus
travel, waiting allowed), one load dimension per capacity dimension, an
optional distance dimension for ``max_distance``, pickup-and-delivery pairs
for shipments and a penalised disjunction per job so a plan always exists.
Reloading (several trips per vehicle) is not modelled.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from optimizer.compiled import Compiled
from optimizer.engines import objective
from optimizer.engines.base import (
    Capability,
    EngineResult,
    Limits,
    OnImprovement,
    ShouldStop,
    vehicle_can_serve,
)
from optimizer.model import MAX_TIME, JobKind, NodeKind, Plan, RoutePlan, TimeWindow, Visit

TIME = "time"
DISTANCE = "distance"
#: Bound on demands and capacities handed to the solver (keeps sums inside int64).
MAX_AMOUNT = 2**40
#: Bounds on integer cost weights (absurd costs are clipped so objectives stay inside int64).
MAX_ARC_COST = 2**40
MAX_COST = 2**50
MAX_SPAN_WEIGHT = 2**20


@dataclass
class _Item:
    """A job (one node) or a shipment (pickup and delivery nodes) the model may serve."""

    nodes: tuple[int, ...]  # compiled nodes
    demand: tuple[int, ...]
    penalty: int
    vehicles: list[int]  # model vehicles allowed to serve it


@dataclass
class _Model:
    manager: pywrapcp.RoutingIndexManager
    routing: pywrapcp.RoutingModel
    #: Compiled node of each routing node.
    rnodes: list[int]
    #: Problem vehicle of each model vehicle.
    vehicles: list[int]
    items: list[_Item]
    #: Visit of each routing node (depot visits are only route starts and ends).
    rvisits: list[Visit] = field(default_factory=list)
    time_dim: pywrapcp.RoutingDimension | None = None
    keep: list[object] = field(default_factory=list)


class ORToolsEngine:
    """The :class:`~optimizer.engines.base.Engine` backed by OR-Tools routing."""

    name = "ortools"
    capabilities = frozenset(
        {
            Capability.MULTI_DIMENSIONAL_CAPACITY,
            Capability.TIME_WINDOWS,
            Capability.MULTIPLE_TIME_WINDOWS,
            Capability.PICKUPS,
            Capability.SHIPMENTS,
            Capability.OPTIONAL_JOBS,
            Capability.MULTIPLE_DEPOTS,
            Capability.HETEROGENEOUS_FLEET,
            Capability.VEHICLE_RESTRICTIONS,
            Capability.MAX_DURATION,
            Capability.MAX_DISTANCE,
            Capability.DURATION_COST,
            Capability.ROUTE_TIME_LIMITS,
        }
    )

    def solve(
        self,
        compiled: Compiled,
        limits: Limits,
        on_improvement: OnImprovement | None = None,
        should_stop: ShouldStop | None = None,
    ) -> EngineResult:
        t0 = time.monotonic()
        model = build_model(compiled)
        if model is None:
            return EngineResult(Plan([]), 0.0, 0, None)
        routing = model.routing
        params = search_parameters(compiled, limits, time.monotonic() - t0)

        state = _Progress(t0=t0)

        def at_solution() -> None:
            state.iterations += 1
            try:
                cost = routing.CostVar().Value()
                if state.best is None or cost < state.best:
                    state.best = cost
                    if state.first is None:
                        state.first = time.monotonic() - t0
                    if on_improvement is not None:
                        on_improvement(read_plan(model, lambda i: routing.NextVar(i).Value()), float(cost))
                if should_stop is not None and should_stop():
                    routing.solver().FinishCurrentSearch()
            except BaseException as exc:  # never let an exception cross the C++ boundary
                state.error = exc
                routing.solver().FinishCurrentSearch()

        routing.AddAtSolutionCallback(at_solution)
        model.keep.append(at_solution)
        if should_stop is not None:

            def stop_requested() -> bool:
                try:
                    return state.error is not None or bool(should_stop())
                except BaseException as exc:
                    state.error = exc
                    return True

            # Also polled while building the first solution, not only at solutions.
            stop_limit = routing.solver().CustomLimit(stop_requested)
            routing.AddSearchMonitor(stop_limit)
            model.keep += [stop_requested, stop_limit]

        solution = routing.SolveWithParameters(params)
        if state.error is not None:
            raise state.error
        if solution is None:  # stopped before any plan: the empty plan drops everything
            dropped = sum(item.penalty for item in model.items)
            return EngineResult(Plan([]), float(dropped), state.iterations, None)
        plan = read_plan(model, lambda i: solution.Value(routing.NextVar(i)))
        if state.first is None:
            state.first = time.monotonic() - t0
        return EngineResult(plan, float(solution.ObjectiveValue()), state.iterations, state.first)


@dataclass
class _Progress:
    t0: float
    iterations: int = 0
    best: int | None = None
    first: float | None = None
    error: BaseException | None = None


# --------------------------------------------------------------------------
# Model building
# --------------------------------------------------------------------------


def build_model(compiled: Compiled) -> _Model | None:
    """The routing model of ``compiled``, or ``None`` when no vehicle can be used at all."""
    p = compiled.problem
    vehicles = [v for v in range(len(p.vehicles)) if _empty_route_fits(compiled, v)]
    if not vehicles:
        return None
    items = _servable_items(compiled, vehicles)
    depots = sorted(
        {p.vehicles[v].start_depot for v in vehicles} | {p.vehicles[v].end_depot for v in vehicles}
    )
    rnodes = depots + [n for item in items for n in item.nodes]
    index_of_node = {n: r for r, n in enumerate(rnodes)}
    starts = [index_of_node[p.vehicles[v].start_depot] for v in vehicles]
    ends = [index_of_node[p.vehicles[v].end_depot] for v in vehicles]
    manager = pywrapcp.RoutingIndexManager(len(rnodes), len(vehicles), starts, ends)
    routing = pywrapcp.RoutingModel(manager)
    rvisits = [Visit(compiled.nodes[n].kind, compiled.nodes[n].index) for n in rnodes]
    model = _Model(manager, routing, rnodes, vehicles, items, rvisits)

    _add_costs(compiled, model)
    if _needs_time(compiled):
        _add_time(compiled, model)
    _add_loads(compiled, model, items)
    if any(p.vehicles[v].max_distance is not None for v in vehicles):
        _add_distance(compiled, model)
    _add_items(compiled, model, items)
    return model


def _empty_route_fits(compiled: Compiled, v: int) -> bool:
    """Whether vehicle ``v`` can at least drive from its start to its end depot."""
    veh = compiled.problem.vehicles[v]
    start_lo, start_hi, end_hi = _vehicle_window(compiled, v)
    travel = compiled.duration(v, veh.start_depot, veh.end_depot)
    dist = compiled.distance(v, veh.start_depot, veh.end_depot)
    return (
        start_lo <= start_hi
        and start_lo + travel <= end_hi
        and (veh.max_duration is None or travel <= veh.max_duration)
        and (veh.max_distance is None or dist <= veh.max_distance)
    )


def _vehicle_window(compiled: Compiled, v: int) -> tuple[int, int, int]:
    """(earliest departure, latest departure, latest return) of vehicle ``v``."""
    p = compiled.problem
    veh = p.vehicles[v]
    sd, ed = p.depots[veh.start_depot], p.depots[veh.end_depot]
    start_lo = max(veh.shift.start, sd.time_window.start)
    start_hi = min(veh.shift.end, sd.time_window.end)
    end_hi = min(veh.shift.end, ed.time_window.end)
    return start_lo, start_hi, end_hi


def _servable_items(compiled: Compiled, vehicles: list[int]) -> list[_Item]:
    """Jobs and shipments with at least one vehicle that may carry them; the rest are left out."""
    p = compiled.problem
    dims = p.num_dimensions
    out: list[_Item] = []
    specs = [
        (
            (compiled.node_of(Visit(NodeKind.JOB, i)),),
            j.demand,
            j.penalty,
            j.allowed_vehicle_classes,
            j.required_skills,
        )
        for i, j in enumerate(p.jobs)
    ]
    specs += [
        (
            (compiled.node_of(Visit(NodeKind.PICKUP, i)), compiled.node_of(Visit(NodeKind.DELIVERY, i))),
            s.demand,
            s.penalty,
            s.allowed_vehicle_classes,
            s.required_skills,
        )
        for i, s in enumerate(p.shipments)
    ]
    for nodes, demand, penalty, classes, skills in specs:
        dem = tuple(min(int(d), MAX_AMOUNT) for d in demand) if demand else (0,) * dims
        allowed = [
            m
            for m, v in enumerate(vehicles)
            if vehicle_can_serve(compiled, v, classes, skills)
            and all(d <= c for d, c in zip(dem, p.vehicles[v].capacity, strict=True))
        ]
        if allowed:
            out.append(_Item(nodes, dem, min(objective.penalty_weight(compiled, penalty), MAX_COST), allowed))
    return out


def _submatrix(matrix: np.ndarray, rnodes: list[int]) -> np.ndarray:
    return np.asarray(matrix, dtype=np.int64)[np.ix_(rnodes, rnodes)]


def _add_costs(compiled: Compiled, model: _Model) -> None:
    """Arc cost ``distance_weight * distance`` (one callback per distinct weight) and fixed cost."""
    p = compiled.problem
    routing = model.routing
    callbacks: dict[tuple[int, int], int] = {}
    for m, v in enumerate(model.vehicles):
        veh = p.vehicles[v]
        key = (compiled.vehicle_profile[v], min(objective.distance_weight(veh), MAX_ARC_COST))
        if key not in callbacks:
            dist = _submatrix(compiled.distances[key[0]], model.rnodes)
            matrix = np.minimum(dist, MAX_ARC_COST // max(1, key[1])) * key[1]
            callbacks[key] = routing.RegisterTransitMatrix(matrix.tolist())
        routing.SetArcCostEvaluatorOfVehicle(callbacks[key], m)
        routing.SetFixedCostOfVehicle(min(objective.fixed_weight(veh), MAX_COST), m)


def _needs_time(compiled: Compiled) -> bool:
    p = compiled.problem
    stops = [j.stop for j in p.jobs] + [s.pickup for s in p.shipments] + [s.delivery for s in p.shipments]
    return (
        any(st.time_windows for st in stops)
        or bool(p.shipments)
        or any(d.time_window != TimeWindow() for d in p.depots)
        or any(
            v.shift != TimeWindow() or v.max_duration is not None or objective.duration_weight(v) > 0
            for v in p.vehicles
        )
    )


def _service(compiled: Compiled, node: int) -> int:
    stop = compiled.stop_of(node)
    return 0 if stop is None else min(stop.service_duration, MAX_TIME + 1)


def _add_time(compiled: Compiled, model: _Model) -> None:
    """Time dimension: cumul = service start; windows on stops, shifts on routes, span bounds and costs."""
    p = compiled.problem
    routing, manager = model.routing, model.manager
    service = np.array([_service(compiled, n) for n in model.rnodes], dtype=np.int64)
    callbacks: dict[int, int] = {}
    evaluators = []
    for v in model.vehicles:
        prof = compiled.vehicle_profile[v]
        if prof not in callbacks:
            transit = _submatrix(compiled.durations[prof], model.rnodes) + service[:, None]
            callbacks[prof] = routing.RegisterTransitMatrix(transit.tolist())
        evaluators.append(callbacks[prof])
    routing.AddDimensionWithVehicleTransits(evaluators, MAX_TIME, MAX_TIME, False, TIME)
    dim = routing.GetDimensionOrDie(TIME)
    model.time_dim = dim

    for r, n in enumerate(model.rnodes):
        stop = compiled.stop_of(n)
        if stop is None or not stop.time_windows:
            continue
        windows = _merged(stop.time_windows)
        cumul = dim.CumulVar(manager.NodeToIndex(r))
        cumul.SetRange(windows[0][0], windows[-1][1])
        for (_, gap_lo), (gap_hi, _) in itertools.pairwise(windows):
            cumul.RemoveInterval(gap_lo + 1, gap_hi - 1)

    for m, v in enumerate(model.vehicles):
        veh = p.vehicles[v]
        start_lo, start_hi, end_hi = _vehicle_window(compiled, v)
        dim.CumulVar(routing.Start(m)).SetRange(start_lo, start_hi)
        dim.CumulVar(routing.End(m)).SetRange(start_lo, end_hi)
        if veh.max_duration is not None:
            dim.SetSpanUpperBoundForVehicle(veh.max_duration, m)
        weight = min(objective.duration_weight(veh), MAX_SPAN_WEIGHT)
        if weight > 0:
            dim.SetSpanCostCoefficientForVehicle(weight, m)
    # Tight schedules: return as early as possible, then leave as late as possible.
    for m in range(len(model.vehicles)):
        routing.AddVariableMinimizedByFinalizer(dim.CumulVar(routing.End(m)))
    for m in range(len(model.vehicles)):
        routing.AddVariableMaximizedByFinalizer(dim.CumulVar(routing.Start(m)))


def _merged(windows: tuple[TimeWindow, ...]) -> list[tuple[int, int]]:
    """Sorted, disjoint (start, end) pairs covering the same instants as ``windows``."""
    out: list[tuple[int, int]] = []
    for w in sorted(windows, key=lambda w: (w.start, w.end)):
        if out and w.start <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], w.end))
        else:
            out.append((w.start, w.end))
    return out


def _add_loads(compiled: Compiled, model: _Model, items: list[_Item]) -> None:
    """One load dimension per capacity dimension: cumul = load on board on arrival.

    Deliveries subtract, pickups and shipment pickups add, shipment deliveries
    subtract; the start cumul (the load leaving the depot) is free in
    ``[0, capacity]``. When a dimension has both delivery and pickup jobs, a
    second "remaining deliveries" dimension (ending at zero) pins the start
    load to the route's total delivered amount, which the free start alone does
    not guarantee (a pickup before a delivery would otherwise be under-counted).
    """
    p = compiled.problem
    routing, solver = model.routing, model.routing.solver()
    index_of_node = {n: r for r, n in enumerate(model.rnodes)}
    for d in range(p.num_dimensions):
        signed = [0] * len(model.rnodes)
        deliveries = [0] * len(model.rnodes)
        has_shipments = has_pickup_jobs = False
        for item in items:
            amount = item.demand[d]
            if amount == 0:
                continue
            if len(item.nodes) == 2:
                signed[index_of_node[item.nodes[0]]] = amount
                signed[index_of_node[item.nodes[1]]] = -amount
                has_shipments = True
                continue
            r = index_of_node[item.nodes[0]]
            if p.jobs[compiled.nodes[item.nodes[0]].index].kind is JobKind.PICKUP:
                signed[r] = amount
                has_pickup_jobs = True
            else:
                signed[r] = -amount
                deliveries[r] = -amount
        if not any(signed):
            continue
        caps = [min(int(p.vehicles[v].capacity[d]), MAX_AMOUNT) for v in model.vehicles]
        name = f"load{d}"
        if not has_shipments and not has_pickup_jobs:
            # Pure deliveries: the classic form, load accumulated from zero.
            positive = [-x for x in signed]
            routing.AddDimensionWithVehicleCapacity(
                routing.RegisterUnaryTransitVector(positive), 0, caps, True, name
            )
            continue
        routing.AddDimensionWithVehicleCapacity(
            routing.RegisterUnaryTransitVector(signed), 0, caps, False, name
        )
        if not (has_pickup_jobs and any(deliveries)):
            # Without pickup jobs the lowest cumul of a route is at its end
            # (every delivery done, every shipment dropped), so the free start
            # is forced up to the delivered total: exact without the pin.
            continue
        load = routing.GetDimensionOrDie(name)
        rest_name = f"undelivered{d}"
        routing.AddDimensionWithVehicleCapacity(
            routing.RegisterUnaryTransitVector(deliveries), 0, caps, False, rest_name
        )
        rest = routing.GetDimensionOrDie(rest_name)
        for m in range(len(model.vehicles)):
            rest.CumulVar(routing.End(m)).SetValue(0)
            solver.Add(load.CumulVar(routing.Start(m)) == rest.CumulVar(routing.Start(m)))


def _add_distance(compiled: Compiled, model: _Model) -> None:
    """Distance dimension whose per-vehicle capacity is ``max_distance``."""
    p = compiled.problem
    routing = model.routing
    callbacks: dict[int, int] = {}
    evaluators = []
    for v in model.vehicles:
        prof = compiled.vehicle_profile[v]
        if prof not in callbacks:
            callbacks[prof] = routing.RegisterTransitMatrix(
                _submatrix(compiled.distances[prof], model.rnodes).tolist()
            )
        evaluators.append(callbacks[prof])
    horizon = 2**62
    caps = [
        horizon if p.vehicles[v].max_distance is None else p.vehicles[v].max_distance for v in model.vehicles
    ]
    routing.AddDimensionWithVehicleTransitAndCapacity(evaluators, 0, caps, True, DISTANCE)


def _add_items(compiled: Compiled, model: _Model, items: list[_Item]) -> None:
    """Disjunctions (penalties), allowed vehicles and pickup-and-delivery pairs."""
    routing, manager = model.routing, model.manager
    solver = routing.solver()
    index_of_node = {n: r for r, n in enumerate(model.rnodes)}
    every = len(model.vehicles)
    for item in items:
        indices = [manager.NodeToIndex(index_of_node[n]) for n in item.nodes]
        if len(item.vehicles) < every:
            # SetAllowedVehiclesForIndex takes an absl::Span that the 9.15 Python
            # wrapper cannot build from any Python value; restricting the vehicle
            # variable (-1 = not performed) is the equivalent constraint.
            for idx in indices:
                routing.VehicleVar(idx).SetValues([-1, *item.vehicles])
        if len(indices) == 1:
            routing.AddDisjunction(indices, item.penalty)
            continue
        pickup, delivery = indices
        # One disjunction, penalty paid once; the pair makes it both or neither.
        routing.AddDisjunction(indices, item.penalty, 2, routing.PENALIZE_ONCE)
        # The pair also makes OR-Tools enforce "pickup before delivery on the
        # route" itself. No cumul inequality is added: it would hold even when
        # the pair is left out and make the whole model infeasible for a
        # shipment whose pickup window lies after its delivery window.
        routing.AddPickupAndDelivery(pickup, delivery)
        solver.Add(routing.VehicleVar(pickup) == routing.VehicleVar(delivery))


# --------------------------------------------------------------------------
# Search and solution reading
# --------------------------------------------------------------------------


def search_parameters(compiled: Compiled, limits: Limits, spent: float) -> object:
    """Guided local search from a cheapest-insertion start, within what remains of the time limit."""
    params = pywrapcp.DefaultRoutingSearchParameters()
    strategy = routing_enums_pb2.FirstSolutionStrategy
    params.first_solution_strategy = (
        strategy.PARALLEL_CHEAPEST_INSERTION if _needs_time(compiled) else strategy.PATH_CHEAPEST_ARC
    )
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    remaining = max(0.001, limits.time_limit - spent)
    params.time_limit.FromMilliseconds(max(1, int(remaining * 1000)))
    if limits.max_iterations is not None:
        params.solution_limit = limits.max_iterations
    # The routing search itself is deterministic and exposes no seed; this one
    # only reaches the CP-SAT sub-solvers.
    params.sat_parameters.random_seed = limits.seed
    return params


def read_plan(model: _Model, next_of: Callable[[int], int]) -> Plan:
    """The plan of a solution given the value of each ``NextVar`` index."""
    routing, manager = model.routing, model.manager
    routes: list[RoutePlan] = []
    for m, v in enumerate(model.vehicles):
        visits: list[Visit] = []
        index = next_of(routing.Start(m))
        while not routing.IsEnd(index):
            visits.append(model.rvisits[manager.IndexToNode(index)])
            index = next_of(index)
        if visits:
            routes.append(RoutePlan(v, visits))
    return Plan(routes)
