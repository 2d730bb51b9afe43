"""A first plan for large plain problems, swept in the caller's process before any search runs.

At 5,000 jobs a search needs one to three seconds before its own first plan (reading the problem,
building the solver's instance, then the sweep of :mod:`optimizer.engines.sweep`): with a 2 s time
limit it often had none to give (``python -m benchmarks.limits``). This sweep works on the compiled
problem alone, in milliseconds: stops in order of their angle around the depot, a vehicle's route
closed when the next stop would overfill it in any load dimension, the largest vehicles first; then
each route's stops in nearest-neighbour order from the depot (in angle order alone a route zigzags
between near and far stops: ten times the distance a local search reaches at 5,000 jobs). It
applies where that sweep does (one depot, no shipments, no time windows, no reloads) and to jobs
that any vehicle may serve; what it does not model (shifts, route limits, driving rules) is left to
the checker, which refuses a plan that breaks them.
"""

from __future__ import annotations

import numpy as np

from optimizer.compiled import Compiled, node_locations
from optimizer.model import NodeKind, Plan, RoutePlan, TravelMode, Visit


def sweep_plan(compiled: Compiled) -> Plan | None:
    """A plan serving every job, built by sweeping around the depot, or None where it does not apply."""
    p = compiled.problem
    if len(p.depots) != 1 or p.shipments or not p.jobs or p.travel.mode is TravelMode.EXPLICIT:
        return None
    if any(v.start_depot or v.end_depot for v in p.vehicles):
        return None
    if any(j.stop.time_windows or j.allowed_vehicle_classes or j.required_skills for j in p.jobs):
        return None
    planar = p.travel.mode is TravelMode.EUCLIDEAN
    xy = np.array(
        [(loc.x, loc.y) if planar else (loc.longitude, loc.latitude) for loc in node_locations(p)],
        dtype=np.float64,
    )
    if np.isnan(xy).any():
        return None
    rel = xy[1:] - xy[0]
    order = np.lexsort((np.hypot(rel[:, 0], rel[:, 1]), np.arctan2(rel[:, 1], rel[:, 0])))
    dims = p.num_dimensions
    demand = np.array([j.demand or (0,) * dims for j in p.jobs], dtype=np.int64).reshape(-1, dims)
    fleet = sorted(range(len(p.vehicles)), key=lambda v: -sum(p.vehicles[v].capacity))
    routes: list[RoutePlan] = []
    visits: list[Visit] = []
    load = np.zeros(dims, dtype=np.int64)
    k = 0
    for j in order.tolist():
        while k < len(fleet) and np.any(load + demand[j] > np.asarray(p.vehicles[fleet[k]].capacity)):
            if visits:  # close this route; a job too big for this vehicle alone tries the next one
                routes.append(RoutePlan(fleet[k], visits))
                visits, load = [], np.zeros(dims, dtype=np.int64)
            k += 1
        if k == len(fleet):
            return None
        visits.append(Visit(NodeKind.JOB, j))
        load += demand[j]
    routes.append(RoutePlan(fleet[k], visits))
    for route in routes:
        route.visits = _nearest_first(compiled, route.vehicle, route.visits)
    return Plan(sorted(routes, key=lambda r: r.vehicle))


def _nearest_first(compiled: Compiled, vehicle: int, visits: list[Visit]) -> list[Visit]:
    """The visits from the depot, each time to the nearest one not yet visited."""
    dist = compiled.distances[compiled.vehicle_profile[vehicle]]
    nodes = np.array([compiled.node_of(v) for v in visits], dtype=np.intp)
    block = dist[np.ix_(nodes, nodes)].astype(np.float64)
    np.fill_diagonal(block, np.inf)
    here = int(np.argmin(dist[0, nodes]))
    order = [here]
    block[:, here] = np.inf
    for _ in range(len(nodes) - 1):
        here = int(np.argmin(block[here]))
        order.append(here)
        block[:, here] = np.inf
    return [visits[i] for i in order]
