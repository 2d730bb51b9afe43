"""HGS-CVRP (Vidal 2022, through the ``hygese`` wrapper) for plain capacitated problems.

HGS-CVRP is a genetic search with the SWAP* neighbourhood, written for the canonical CVRP: one
depot, identical vehicles with one load dimension, every job required, no time limits on routes.
On the X instances at 10 s it came closest to the best-known plans of anything measured here
(benchmarks/RESULTS.md, "HGS-CVRP beside PyVRP"). It cannot report plans while it searches nor be
interrupted, so each search runs in a child process (:mod:`optimizer.engines.hgs_child`) that is
killed when the caller stops, and its one plan arrives at the end.

Costs: the search minimises the integer objective of :mod:`optimizer.engines.objective`: metres
times the per-metre weight, plus the fixed cost of a used vehicle split over the two arcs that
leave and reach the depot. HGS-CVRP refuses matrices and demands outside [0.1, 100000], so both are
scaled into that range (plans are re-costed exactly by the checker).
"""

from __future__ import annotations

import itertools
import pickle
import select
import subprocess
import sys
import time
from typing import Any

import numpy as np

from optimizer.compiled import Compiled
from optimizer.engines import objective
from optimizer.engines.base import (
    Capability,
    EngineResult,
    Limits,
    OnImprovement,
    ShouldStop,
    required_capabilities,
)
from optimizer.model import NodeKind, Plan, RoutePlan, Visit
from optimizer.packing import routes_bound

#: HGS-CVRP's accepted range for the largest arc cost and the largest demand.
SCALE_MAX = 100_000.0
#: Seconds kept back from the budget for reading the child's plan.
MARGIN = 0.05
#: HGS-CVRP stops on processor time; beside a second search and the verification of its plans, it got
#: 98 % of a core's wall-clock time and stopped up to 0.7 s late at 10 s. It gets this share instead.
CPU_SHARE = 0.95
#: Seconds after the deadline at which a search that has not answered is given up.
LATE = 1.0
#: Seconds between two checks of ``should_stop`` while the child searches.
POLL = 0.02
#: HGS-CVRP's defaults (population 25 + 40, 4 elite, 5 close) are calibrated for runs of 2.4 s per
#: customer. Below SHORT_SECONDS_PER_JOB a smaller population improves sooner: at 10 s on X-n200 to
#: X-n401 (seeds 1-5) it gave 0.72 % against 0.89 %, even at n <= 186, and 0.33 against 0.36 % at 60 s
#: on X-n251 to X-n401 (benchmarks/RESULTS.md, "HGS-CVRP beside PyVRP").
SHORT_POPULATION = {"mu": 12, "lambda_": 20, "nbElite": 2, "nbClose": 3}
SHORT_SECONDS_PER_JOB = 0.25


def unsuited(compiled: Compiled) -> str | None:
    """Why HGS-CVRP cannot solve ``compiled`` exactly, or None when it can.

    The capability table covers the modelling features; this adds what HGS-CVRP needs beyond
    them: a fleet large enough for the bin-packing bound, and some cost to minimise.
    """
    missing = required_capabilities(compiled) - HGSEngine.capabilities
    if missing:
        return "cannot model: " + ", ".join(sorted(c.value for c in missing))
    p = compiled.problem
    if not p.jobs:
        return "no jobs"
    capacity = p.vehicles[0].capacity[0]
    total = sum(j.demand[0] for j in p.jobs)
    if any(j.demand[0] > capacity for j in p.jobs):
        return "a job is heavier than a vehicle"
    if len(p.vehicles) * capacity < total:
        return "the fleet cannot carry every job"
    v = p.vehicles[0]
    longest = int(compiled.distances[compiled.vehicle_profile[0]].max())
    if objective.distance_weight(v) * longest + objective.fixed_weight(v) <= 0:
        return "every plan costs nothing"
    return None


def fleet_size(compiled: Compiled) -> int:
    """Routes HGS-CVRP may use: its own default (the bin-packing bound plus 30 % and 3), or the routes of a
    first-fit-decreasing packing if that needs more, and never more than the vehicles.

    Every route of HGS-CVRP is kept in each solution and split over, so a fleet of one truck per job
    (as in the X files) would slow the search down for nothing.
    """
    p = compiled.problem
    return min(len(p.vehicles), routes_bound((j.demand[0] for j in p.jobs), p.vehicles[0].capacity[0]))


def _costs(compiled: Compiled) -> np.ndarray:
    """Objective units per arc (float): distance weight times metres, plus half a fixed cost at the depot."""
    v = compiled.problem.vehicles[0]
    costs = compiled.distances[compiled.vehicle_profile[0]].astype(np.float64) * objective.distance_weight(v)
    half_fixed = objective.fixed_weight(v) / 2
    costs[0, 1:] += half_fixed
    costs[1:, 0] += half_fixed
    return costs


def _coordinates(compiled: Compiled) -> tuple[np.ndarray, np.ndarray] | None:
    """Planar positions for SWAP*'s route sectors (shifted to be non-negative), if the problem has them."""
    p = compiled.problem
    locs = [p.depots[0].location] + [j.stop.location for j in p.jobs]
    if all(loc.x is not None and loc.y is not None for loc in locs):
        xs = np.array([loc.x for loc in locs], dtype=np.float64)
        ys = np.array([loc.y for loc in locs], dtype=np.float64)
    elif all(loc.latitude is not None and loc.longitude is not None for loc in locs):
        xs = np.array([loc.longitude for loc in locs], dtype=np.float64)
        ys = np.array([loc.latitude for loc in locs], dtype=np.float64)
    else:
        return None
    return xs - xs.min(), ys - ys.min()


class HGSEngine:
    """Solves plain CVRPs (see :func:`unsuited`) with HGS-CVRP in a child process."""

    name = "hgs"
    capabilities: frozenset[Capability] = frozenset()

    def solve(
        self,
        compiled: Compiled,
        limits: Limits,
        on_improvement: OnImprovement | None = None,
        should_stop: ShouldStop | None = None,
    ) -> EngineResult:
        started = time.monotonic()
        why = unsuited(compiled)
        if why is not None:
            raise ValueError(f"HGS-CVRP cannot solve this problem: {why}")
        p = compiled.problem
        costs = _costs(compiled)
        costs *= min(1.0, SCALE_MAX / float(costs.max()))
        demands = np.array([0] + [j.demand[0] for j in p.jobs], dtype=np.float64)
        capacity = float(p.vehicles[0].capacity[0])
        if demands.max() <= 0:  # nothing to carry: every job fits every truck
            demands[1:], capacity = 1.0, float(len(p.jobs))
        shrink = min(1.0, SCALE_MAX / float(demands.max()))
        data: dict[str, Any] = {
            "distance_matrix": costs,
            "demands": demands * shrink,
            "vehicle_capacity": capacity * shrink,
            "num_vehicles": fleet_size(compiled),
            "depot": 0,
        }
        xy = _coordinates(compiled)
        if xy is not None:
            data["x_coordinates"], data["y_coordinates"] = xy
        params: dict[str, Any] = {"seed": limits.seed % 2**31, "useSwapStar": xy is not None}
        if limits.time_limit < SHORT_SECONDS_PER_JOB * len(p.jobs):
            params.update(SHORT_POPULATION)
        if limits.max_iterations is not None:
            # HGS-CVRP's own iteration limit counts iterations without improvement; with a time limit it
            # would restart its population there instead of stopping.
            params["nbIter"] = limits.max_iterations
        deadline = time.time() + limits.time_limit - MARGIN - (time.monotonic() - started)
        routes = _run_child(data, params, deadline, should_stop)
        if routes is None:
            return EngineResult(Plan([]), float("inf"), 0, None)
        plan = Plan(
            [
                RoutePlan(k, [Visit(NodeKind.JOB, j - 1) for j in route])
                for k, route in enumerate(routes)
                if route
            ]
        )
        cost = float(sum(_route_cost(compiled, r.visits) for r in plan.routes))
        elapsed = time.monotonic() - started
        if on_improvement is not None and plan.routes:
            on_improvement(plan, cost)
        return EngineResult(plan, cost, 0, elapsed if plan.routes else None)


def _route_cost(compiled: Compiled, visits: list[Visit]) -> int:
    v = compiled.problem.vehicles[0]
    dist = compiled.distances[compiled.vehicle_profile[0]]
    nodes = [0] + [compiled.node_of(x) for x in visits] + [0]
    metres = sum(int(dist[a, b]) for a, b in itertools.pairwise(nodes))
    return metres * objective.distance_weight(v) + objective.fixed_weight(v)


def _run_child(
    data: dict[str, Any], params: dict[str, Any], deadline: float, should_stop: ShouldStop | None
) -> list[list[int]] | None:
    """Routes from a child process running HGS-CVRP until ``deadline`` (``time.time()``), or None
    when ``should_stop`` said so first or the child is still searching LATE seconds after the deadline
    (the child is then killed)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "optimizer.engines.hgs_child"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    try:
        proc.stdin.write(pickle.dumps((data, params, deadline, CPU_SHARE)))
        proc.stdin.close()
        while not select.select([proc.stdout], [], [], POLL)[0]:
            if (should_stop is not None and should_stop()) or time.time() > deadline + LATE:
                return None
        out = proc.stdout.read()
        if proc.wait() != 0 or not out:
            err = proc.stderr.read().decode(errors="replace").strip().splitlines()
            raise RuntimeError(f"HGS-CVRP search failed (exit {proc.returncode}): {err[-1] if err else ''}")
        routes: list[list[int]] = pickle.loads(out)
        return routes
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        for f in (proc.stdout, proc.stderr):
            f.close()
