"""A problem compiled to nodes and integer travel matrices.

Node numbering (shared by engines, checker and schedule):
``0 .. D-1`` depots, then one node per job, then one per shipment pickup,
then one per shipment delivery. Matrices are indexed by node.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizer.model import (
    MAX_TIME,
    Location,
    Node,
    NodeKind,
    Problem,
    Rounding,
    Stop,
    TravelMode,
    Visit,
)

EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True, slots=True)
class Compiled:
    problem: Problem
    nodes: tuple[Node, ...]
    #: One (distance, duration) pair of int64 node×node matrices per travel profile.
    distances: tuple[np.ndarray, ...]
    durations: tuple[np.ndarray, ...]
    #: Travel profile of each vehicle (index into ``distances``/``durations``).
    vehicle_profile: tuple[int, ...]

    @property
    def num_depots(self) -> int:
        return len(self.problem.depots)

    def node_of(self, visit: Visit) -> int:
        p = self.problem
        if visit.kind is NodeKind.DEPOT:
            return visit.index
        if visit.kind is NodeKind.JOB:
            return len(p.depots) + visit.index
        if visit.kind is NodeKind.PICKUP:
            return len(p.depots) + len(p.jobs) + visit.index
        return len(p.depots) + len(p.jobs) + len(p.shipments) + visit.index

    def stop_of(self, node: int) -> Stop | None:
        """The service stop of a node, or ``None`` for a depot."""
        n = self.nodes[node]
        p = self.problem
        if n.kind is NodeKind.JOB:
            return p.jobs[n.index].stop
        if n.kind is NodeKind.PICKUP:
            return p.shipments[n.index].pickup
        if n.kind is NodeKind.DELIVERY:
            return p.shipments[n.index].delivery
        return None

    def distance(self, vehicle: int, a: int, b: int) -> int:
        return int(self.distances[self.vehicle_profile[vehicle]][a, b])

    def duration(self, vehicle: int, a: int, b: int) -> int:
        return int(self.durations[self.vehicle_profile[vehicle]][a, b])


def node_locations(problem: Problem) -> list[Location]:
    locs = [d.location for d in problem.depots]
    locs += [j.stop.location for j in problem.jobs]
    locs += [s.pickup.location for s in problem.shipments]
    locs += [s.delivery.location for s in problem.shipments]
    return locs


def compile_problem(problem: Problem) -> Compiled:
    """Number the nodes and build the travel matrices for ``problem``."""
    nodes = [Node(NodeKind.DEPOT, i) for i in range(len(problem.depots))]
    nodes += [Node(NodeKind.JOB, i) for i in range(len(problem.jobs))]
    nodes += [Node(NodeKind.PICKUP, i) for i in range(len(problem.shipments))]
    nodes += [Node(NodeKind.DELIVERY, i) for i in range(len(problem.shipments))]
    dist, dur = travel_matrices(problem, node_locations(problem))
    return Compiled(
        problem=problem,
        nodes=tuple(nodes),
        distances=(dist,),
        durations=(dur,),
        vehicle_profile=tuple(0 for _ in problem.vehicles),
    )


def travel_matrices(problem: Problem, locs: list[Location]) -> tuple[np.ndarray, np.ndarray]:
    """Integer (distance metres, duration seconds) matrices between ``locs``."""
    t = problem.travel
    if t.mode is TravelMode.EXPLICIT:
        assert t.distances is not None and t.durations is not None
        idx = np.array([loc.matrix_index for loc in locs], dtype=np.int64)
        dist = np.asarray(t.distances, dtype=np.int64)[np.ix_(idx, idx)]
        dur = np.asarray(t.durations, dtype=np.int64)[np.ix_(idx, idx)]
        return dist, dur
    if t.mode is TravelMode.EUCLIDEAN:
        xy = np.array([(loc.x, loc.y) for loc in locs], dtype=np.float64)
        raw = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1)) * t.scale
        dist = _round(raw, t.rounding)
    else:
        lat = np.radians([loc.latitude for loc in locs])
        lng = np.radians([loc.longitude for loc in locs])
        dlat = lat[None, :] - lat[:, None]
        dlng = lng[None, :] - lng[:, None]
        a = np.sin(dlat / 2) ** 2 + np.cos(lat)[:, None] * np.cos(lat)[None, :] * np.sin(dlng / 2) ** 2
        raw = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))) * t.detour_factor
        dist = np.rint(raw).astype(np.int64)
    dur = _round(dist / t.speed, t.rounding if t.mode is TravelMode.EUCLIDEAN else Rounding.ROUND)
    np.fill_diagonal(dist, 0)
    np.fill_diagonal(dur, 0)
    return np.minimum(dist, MAX_TIME), np.minimum(dur, MAX_TIME)


def _round(values: np.ndarray, rounding: Rounding) -> np.ndarray:
    if rounding is Rounding.ROUND:
        out = np.floor(values + 0.5)
    elif rounding is Rounding.TRUNCATE:
        # A tiny epsilon keeps exact products such as 10 * 2.3 from truncating to 22.
        out = np.floor(values + 1e-9)
    else:
        out = np.ceil(values - 1e-9)
    return out.astype(np.int64)
