"""Snap locations to the nearest node of a vehicle class's road graph, with the distance reported.

The graph is not simplified, so its nodes are every OSM vertex of the usable roads: the nearest node is a
point on the nearest usable road in all but long straight stretches (where it is the nearer end of the
segment). Distances are great-circle metres; the search uses a k-d tree on a local flat projection.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from geo.compiled import ProfileGraph
from geo.errors import PointError, SnapError

DEFAULT_MAX_SNAP_M = 500.0
EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True)
class Snapped:
    """Where each location joins the road graph: node ids and the straight-line distance to them."""

    nodes: np.ndarray  # int64 node ids of the profile graph
    distances_m: np.ndarray  # float64 metres from each location to its node


def as_points(points: Sequence[Sequence[float]] | np.ndarray) -> np.ndarray:
    """(lat, lng) pairs as an (n, 2) float64 array; ValueError for anything else or invalid degrees."""
    array = np.asarray(points, dtype=np.float64)
    if array.size == 0:
        return np.empty((0, 2), dtype=np.float64)
    if array.ndim != 2 or array.shape[1] != 2:
        raise ValueError(f"points must be (lat, lng) pairs, got shape {array.shape}")
    bad = ~np.isfinite(array).all(axis=1) | (np.abs(array[:, 0]) > 90) | (np.abs(array[:, 1]) > 180)
    if bad.any():
        index = int(np.flatnonzero(bad)[0])
        raise PointError(index, f"location {index}: not a valid (lat, lng): {array[index].tolist()}")
    return array


def haversine_m(lat1: np.ndarray, lng1: np.ndarray, lat2: np.ndarray, lng2: np.ndarray) -> np.ndarray:
    """Great-circle distance in metres."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lng2) - np.asarray(lng1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


class _Index:
    """A k-d tree over a profile graph's nodes in a local equirectangular projection (metres)."""

    def __init__(self, graph: ProfileGraph) -> None:
        self.lat0 = float(np.mean(graph.lat))
        self.lng0 = float(np.mean(graph.lng))
        self.tree = cKDTree(self.project(graph.lat, graph.lng))
        self.south, self.north = float(graph.lat.min()), float(graph.lat.max())
        self.west, self.east = float(graph.lng.min()), float(graph.lng.max())

    def project(self, lat: np.ndarray, lng: np.ndarray) -> np.ndarray:
        k = math.radians(1) * EARTH_RADIUS_M
        x = (np.asarray(lng) - self.lng0) * k * math.cos(math.radians(self.lat0))
        y = (np.asarray(lat) - self.lat0) * k
        return np.column_stack([x, y])


_INDEXES: weakref.WeakKeyDictionary[ProfileGraph, _Index] = weakref.WeakKeyDictionary()


def _index(graph: ProfileGraph) -> _Index:
    index = _INDEXES.get(graph)
    if index is None:
        index = _INDEXES[graph] = _Index(graph)
    return index


def snap_points(
    graph: ProfileGraph,
    points: Sequence[Sequence[float]] | np.ndarray,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
) -> Snapped:
    """Snap (lat, lng) points to ``graph``; SnapError naming the first location that is too far or outside."""
    if not (max_snap_m >= 0):
        raise ValueError(f"max_snap_m must be >= 0, got {max_snap_m}")
    pts = as_points(points)
    if pts.shape[0] == 0:
        return Snapped(nodes=np.empty(0, dtype=np.int64), distances_m=np.empty(0, dtype=np.float64))
    index = _index(graph)
    _, nearest = index.tree.query(index.project(pts[:, 0], pts[:, 1]))
    nodes = np.asarray(nearest, dtype=np.int64)
    distances = haversine_m(pts[:, 0], pts[:, 1], graph.lat[nodes], graph.lng[nodes])
    # margin: max_snap_m in degrees (latitude; longitude widened by 1/cos(lat))
    margin_lat = max_snap_m / (math.radians(1) * EARTH_RADIUS_M)
    margin_lng = margin_lat / max(math.cos(math.radians(index.lat0)), 1e-6)
    outside = (
        (pts[:, 0] < index.south - margin_lat)
        | (pts[:, 0] > index.north + margin_lat)
        | (pts[:, 1] < index.west - margin_lng)
        | (pts[:, 1] > index.east + margin_lng)
    )
    for i in np.flatnonzero(outside | (distances > max_snap_m)).tolist()[:1]:
        if outside[i]:
            raise SnapError(
                i,
                float(distances[i]),
                (
                    f"({pts[i, 0]:.6f}, {pts[i, 1]:.6f}) is outside the area of the "
                    f"{graph.profile.name} graph "
                    f"(lat {index.south:.4f}..{index.north:.4f}, lng {index.west:.4f}..{index.east:.4f}); "
                    f"nearest usable road {distances[i]:.0f} m away"
                ),
            )
        if distances[i] > max_snap_m:
            raise SnapError(
                i,
                float(distances[i]),
                (
                    f"nearest road usable by {graph.profile.name} is {distances[i]:.0f} m away "
                    f"(limit {max_snap_m:.0f} m)"
                ),
            )
    return Snapped(nodes=nodes, distances_m=distances)
