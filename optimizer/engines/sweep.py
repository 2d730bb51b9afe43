"""A sweep construction: a first feasible plan in milliseconds for capacity-bound problems.

PyVRP's first plan is a full local search from a random start, after the neighbour lists are built:
0.05 s at 400 stops on this machine (benchmarks/RESULTS.md, "First plan from a sweep"). A dispatch
system waiting on ``StreamOptimize`` gets this plan before that; the search itself starts as before.

Stops are taken in order of their angle around the depot, and a vehicle's route is closed when the
next stop would overfill it in any load dimension. Only problems with one depot and no shipments,
alternatives, time windows or reloads are swept; the result is returned only if PyVRP finds it
feasible (shift, duration and distance limits are left to that check).
"""

from __future__ import annotations

import numpy as np
from pyvrp import ProblemData, Route, Solution


def sweep(data: ProblemData) -> Solution | None:
    """A feasible solution built by sweeping around the depot, or None."""
    if data.num_depots != 1 or data.num_shipments or data.num_groups or data.has_time_windows():
        return None
    types = data.vehicle_types()
    if any(vt.start_depot != 0 or vt.end_depot != 0 or vt.reload_depots for vt in types):
        return None
    clients = data.clients()
    if not clients:
        return None
    depot = data.location(data.depots()[0].location)
    xs = np.array([data.location(c.location).x - depot.x for c in clients])
    ys = np.array([data.location(c.location).y - depot.y for c in clients])
    order = np.lexsort((np.hypot(xs, ys), np.arctan2(ys, xs)))
    # Largest vehicles first: fewer, fuller routes.
    fleet = sorted(
        ((t, np.asarray(vt.capacity)) for t, vt in enumerate(types) for _ in range(vt.num_available)),
        key=lambda tc: -int(tc[1].sum()),
    )
    routes: list[Route] = []
    visits: list[int] = []
    load = np.zeros(data.num_load_dimensions, dtype=np.int64)
    vehicle = 0
    for c in order:
        demand = np.maximum(np.asarray(clients[c].delivery), np.asarray(clients[c].pickup))
        while vehicle < len(fleet) and np.any(load + demand > fleet[vehicle][1]):
            if visits:  # close this route; a stop too big for this vehicle alone tries the next one
                routes.append(Route(data, visits, fleet[vehicle][0]))
                visits, load = [], np.zeros_like(load)
            vehicle += 1
        if vehicle == len(fleet):
            return None
        visits.append(int(c))
        load += demand
    routes.append(Route(data, visits, fleet[vehicle][0]))
    solution = Solution(data, routes)
    return solution if solution.is_feasible() else None
