"""Travel matrices between locations on real roads: durations (s) and distances (m), asymmetric.

Each location snaps to its vehicle class's road graph (``geo.snap``). The road part of i -> j is the
fastest path between the snapped nodes (ties: the shortest of the fastest), from the contraction
hierarchy (``geo.cch``): exact for the integer edge weights (ms, dm) — identical to Dijkstra on them.
The distance is the length of that same path. Off-road legs (location -> its node at the start, node ->
location at the end) are added at ``offroad_kmh`` (default 10 km/h, walking-pace manoeuvring on a lot or
yard) and their straight-line length, rounded to whole ms and dm. The total is rounded half up to whole
seconds and metres. The diagonal is 0, as is any pair of identical coordinates.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from geo.cache import MatrixCache
from geo.cch import CCH, INF, LENGTH_BITS, LENGTH_MASK
from geo.compiled import RoadGraph
from geo.profiles import VehicleProfile
from geo.snap import DEFAULT_MAX_SNAP_M, Snapped, as_points, snap_points

MAX_POINTS = 5000
DEFAULT_OFFROAD_KMH = 10.0
_CACHE_FORMAT = 1


class TravelMatrix(NamedTuple):
    """durations[i, j] seconds and distances[i, j] metres from location i to j, and the snaps."""

    durations: np.ndarray  # int64
    distances: np.ndarray  # int64
    snaps: Snapped


def matrix_cache_key(
    graph: RoadGraph, profile: VehicleProfile, points: np.ndarray, max_snap_m: float, offroad_kmh: float
) -> str:
    """graph id : profile : sha256 of the points and the options that change values."""
    digest = hashlib.sha256(np.ascontiguousarray(points, dtype="<f8").tobytes())
    digest.update(f"{max_snap_m!r}:{offroad_kmh!r}:v{_CACHE_FORMAT}".encode())
    return f"{graph.graph_id}:{profile.key}:{digest.hexdigest()[:32]}"


def travel_matrix(
    graph: RoadGraph,
    profile: str | VehicleProfile,
    points: Sequence[Sequence[float]] | np.ndarray,
    *,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
    offroad_kmh: float = DEFAULT_OFFROAD_KMH,
    cache: MatrixCache | None = None,
    max_points: int = MAX_POINTS,
) -> TravelMatrix:
    """Many-to-many durations and distances between (lat, lng) points for one vehicle class.

    Raises ValueError for more than ``max_points`` points, PointError (a ValueError) for bad coordinates,
    SnapError (a PointError) for a point too far from the class's roads, UnknownProfileError for a class the
    graph was not compiled for.
    """
    if not (offroad_kmh > 0):
        raise ValueError(f"offroad_kmh must be positive, got {offroad_kmh}")
    pts = as_points(points)
    if pts.shape[0] > max_points:
        raise ValueError(f"travel matrix of {pts.shape[0]} points exceeds the limit of {max_points}")
    pgraph = graph.profile(profile)
    key = matrix_cache_key(graph, pgraph.profile, pts, max_snap_m, offroad_kmh) if cache is not None else ""
    if cache is not None:
        blob = cache.get(key)
        if blob is not None:
            decoded = _decode(blob, pts.shape[0])
            if decoded is not None:
                return decoded
    snaps = snap_points(pgraph, pts, max_snap_m)
    result = _compute(pgraph.cch, pts, snaps, offroad_kmh)
    if cache is not None:
        cache.put(key, _encode(result))
    return result


def _compute(cch: CCH, pts: np.ndarray, snaps: Snapped, offroad_kmh: float) -> TravelMatrix:
    n = pts.shape[0]
    if n == 0:
        empty = np.zeros((0, 0), dtype=np.int64)
        return TravelMatrix(empty, empty.copy(), snaps)
    keys = cch.many_to_many(snaps.nodes, snaps.nodes)  # N x N int64, reused in place below
    if int(keys.max()) >= INF:
        raise RuntimeError("the road graph is not strongly connected: some pair has no path")
    off_ms = np.rint(snaps.distances_m / (offroad_kmh / 3.6) * 1000.0).astype(np.int64)
    off_dm = np.rint(snaps.distances_m * 10.0).astype(np.int64)
    durations = keys >> LENGTH_BITS
    durations += off_ms[:, None]
    durations += off_ms[None, :] + 500
    durations //= 1000
    distances = keys
    distances &= LENGTH_MASK
    distances += off_dm[:, None]
    distances += off_dm[None, :] + 5
    distances //= 10
    np.fill_diagonal(durations, 0)
    np.fill_diagonal(distances, 0)
    _, first, inverse = np.unique(pts, axis=0, return_index=True, return_inverse=True)
    if first.size < n:  # identical coordinates are 0 apart
        inverse = inverse.reshape(-1)
        for group in np.flatnonzero(np.bincount(inverse) > 1).tolist():
            members = np.flatnonzero(inverse == group)
            durations[np.ix_(members, members)] = 0
            distances[np.ix_(members, members)] = 0
    return TravelMatrix(durations, distances, snaps)


def _encode(result: TravelMatrix) -> bytes:
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer,
        durations=result.durations,
        distances=result.distances,
        nodes=result.snaps.nodes,
        snap_m=result.snaps.distances_m,
    )
    return buffer.getvalue()


def _decode(blob: bytes, n: int) -> TravelMatrix | None:
    try:
        with np.load(io.BytesIO(blob), allow_pickle=False) as data:
            result = TravelMatrix(
                data["durations"], data["distances"], Snapped(nodes=data["nodes"], distances_m=data["snap_m"])
            )
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        return None  # a damaged entry: recompute and overwrite
    if result.durations.shape != (n, n) or result.distances.shape != (n, n):
        return None
    return result
