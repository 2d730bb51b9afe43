"""A problem compiled to nodes and integer travel matrices.

Node numbering (shared by engines, checker and schedule):
``0 .. D-1`` depots, then one node per job, then one per shipment pickup,
then one per shipment delivery. Matrices are indexed by node.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from optimizer.model import (
    MAX_TIME,
    Location,
    ModelError,
    Node,
    NodeKind,
    Problem,
    Rounding,
    Stop,
    TravelMode,
    UnknownResourceError,
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


class RoadPointError(ValueError):
    """A point (by index in the list given) cannot be placed on the road graph."""

    def __init__(self, index: int, message: str) -> None:
        super().__init__(message)
        self.index = index


class RoadMatrices(Protocol):
    """The port through which road travel reaches the optimizer (implemented in geo/).

    Raises ``KeyError`` for an unknown graph, ``LookupError`` for a vehicle
    class the graph has no profile for, and :class:`RoadPointError` for a point
    too far from any road that class may use.
    """

    def matrices(
        self, graph: str, vehicle_class: str, points: Sequence[tuple[float, float]], max_snap_m: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """(distance metres, duration seconds) int64 matrices between (lat, lng) points."""
        ...


def _node_field(problem: Problem, node: int) -> str:
    d, nj, ns = len(problem.depots), len(problem.jobs), len(problem.shipments)
    if node < d:
        return f"depots[{node}].location"
    if node < d + nj:
        return f"jobs[{node - d}].location"
    if node < d + nj + ns:
        return f"shipments[{node - d - nj}].pickup.location"
    return f"shipments[{node - d - nj - ns}].delivery.location"


def compile_problem(problem: Problem, road: RoadMatrices | None = None) -> Compiled:
    """Number the nodes and build the travel matrices for ``problem``.

    Road travel needs ``road``; every vehicle class gets its own profile.
    """
    nodes = [Node(NodeKind.DEPOT, i) for i in range(len(problem.depots))]
    nodes += [Node(NodeKind.JOB, i) for i in range(len(problem.jobs))]
    nodes += [Node(NodeKind.PICKUP, i) for i in range(len(problem.shipments))]
    nodes += [Node(NodeKind.DELIVERY, i) for i in range(len(problem.shipments))]
    locs = node_locations(problem)
    if problem.travel.mode is TravelMode.ROAD:
        classes = sorted({v.vehicle_class for v in problem.vehicles})
        dists, durs = _road_matrices(problem, locs, classes, road)
        index = {c: k for k, c in enumerate(classes)}
        return Compiled(
            problem=problem,
            nodes=tuple(nodes),
            distances=tuple(dists),
            durations=tuple(durs),
            vehicle_profile=tuple(index[v.vehicle_class] for v in problem.vehicles),
        )
    dist, dur = travel_matrices(problem, locs)
    return Compiled(
        problem=problem,
        nodes=tuple(nodes),
        distances=(dist,),
        durations=(dur,),
        vehicle_profile=tuple(0 for _ in problem.vehicles),
    )


def _road_matrices(
    problem: Problem, locs: list[Location], classes: list[str], road: RoadMatrices | None
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    t = problem.travel
    if road is None:
        raise ModelError([("travel.graph", "road travel is not configured on this server")])
    points = [(float(loc.latitude or 0.0), float(loc.longitude or 0.0)) for loc in locs]
    dists, durs = [], []
    for cls in classes:
        try:
            dist, dur = road.matrices(t.graph, cls, points, t.max_snap)
        except RoadPointError as exc:
            raise ModelError([(_node_field(problem, exc.index), f"{exc} (vehicle class {cls})")]) from None
        except KeyError as exc:
            raise UnknownResourceError([("travel.graph", str(exc).strip("'\""))]) from None
        except LookupError as exc:
            first = next(i for i, v in enumerate(problem.vehicles) if v.vehicle_class == cls)
            raise ModelError([(f"vehicles[{first}].vehicle_class", str(exc))]) from None
        except ValueError as exc:  # e.g. more points than a road matrix may have
            raise ModelError([("travel.graph", str(exc))]) from None
        dists.append(np.minimum(np.asarray(dist, dtype=np.int64), MAX_TIME))
        durs.append(np.minimum(np.asarray(dur, dtype=np.int64), MAX_TIME))
    return dists, durs


#: Rows of the travel matrices computed at a time: the temporaries of a block stay small (a few MB)
#: instead of several full n x n float arrays (5,000 jobs: 200 MB each, 5 s and 1 GB more memory).
BLOCK_ROWS = 256


def travel_matrices(problem: Problem, locs: list[Location]) -> tuple[np.ndarray, np.ndarray]:
    """Integer (distance metres, duration seconds) matrices between ``locs``.

    Straight-line travel is symmetric, so only the upper triangle is computed (in blocks of rows)
    and mirrored: the formulas give bit-identical values both ways (squares and products of the
    same factors), which ``tests/unit/test_compiled.py`` holds against the full computation.
    """
    t = problem.travel
    if t.mode is TravelMode.EXPLICIT:
        assert t.distances is not None and t.durations is not None
        idx = np.array([loc.matrix_index for loc in locs], dtype=np.int64)
        dist = np.asarray(t.distances, dtype=np.int64)[np.ix_(idx, idx)]
        dur = np.asarray(t.durations, dtype=np.int64)[np.ix_(idx, idx)]
        return dist, dur
    n = len(locs)
    dist = np.empty((n, n), dtype=np.int64)
    dur = np.empty((n, n), dtype=np.int64)
    if t.mode is TravelMode.EUCLIDEAN:
        xy = np.array([(loc.x, loc.y) for loc in locs], dtype=np.float64)
        x, y = xy[:, 0], xy[:, 1]

        def block(rows: slice, cols: slice) -> tuple[np.ndarray, np.ndarray]:
            raw = np.hypot(x[None, cols] - x[rows, None], y[None, cols] - y[rows, None]) * t.scale
            d = _round(raw, t.rounding)
            return d, _round(d / t.speed, t.rounding)
    else:
        lat = np.radians([loc.latitude for loc in locs])
        lng = np.radians([loc.longitude for loc in locs])
        cos_lat = np.cos(lat)

        def block(rows: slice, cols: slice) -> tuple[np.ndarray, np.ndarray]:
            dlat = lat[None, cols] - lat[rows, None]
            dlng = lng[None, cols] - lng[rows, None]
            h = np.sin(dlat / 2) ** 2 + cos_lat[rows, None] * cos_lat[None, cols] * np.sin(dlng / 2) ** 2
            raw = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))) * t.detour_factor
            d = np.rint(raw).astype(np.int64)
            return d, _round(d / t.speed, Rounding.ROUND)

    for a in range(0, n, BLOCK_ROWS):
        rows, upper = slice(a, min(n, a + BLOCK_ROWS)), slice(a, n)
        d, u = block(rows, upper)
        dist[rows, upper], dur[rows, upper] = d, u
        dist[upper, rows], dur[upper, rows] = d.T, u.T
    np.fill_diagonal(dist, 0)
    np.fill_diagonal(dur, 0)
    np.minimum(dist, MAX_TIME, out=dist)
    np.minimum(dur, MAX_TIME, out=dur)
    return dist, dur


def _round(values: np.ndarray, rounding: Rounding) -> np.ndarray:
    if rounding is Rounding.ROUND:
        out = np.floor(values + 0.5)
    elif rounding is Rounding.TRUNCATE:
        # A tiny epsilon keeps exact products such as 10 * 2.3 from truncating to 22.
        out = np.floor(values + 1e-9)
    else:
        out = np.ceil(values - 1e-9)
    return out.astype(np.int64)
