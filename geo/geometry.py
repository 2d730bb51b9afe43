"""GeoJSON geometry of a leg between two locations, along the same fastest path the matrices use."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from geo.compiled import RoadGraph
from geo.errors import GeoError
from geo.profiles import VehicleProfile
from geo.snap import DEFAULT_MAX_SNAP_M, snap_points


def leg_geometry(
    graph: RoadGraph,
    profile: str | VehicleProfile,
    from_point: Sequence[float],
    to_point: Sequence[float],
    *,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
) -> dict[str, Any]:
    """A GeoJSON LineString from ``from_point`` to ``to_point`` (both (lat, lng)) along the fastest path.

    Coordinates are [lng, lat] (GeoJSON order): the location, the road nodes of the path (the graph is
    not simplified, so every OSM vertex is a node and the line follows the road's shape), the location.
    """
    pgraph = graph.profile(profile)
    snaps = snap_points(pgraph, [tuple(from_point), tuple(to_point)], max_snap_m)
    source, target = (int(n) for n in snaps.nodes)
    _, nodes = pgraph.cch.path(source, target)
    if not nodes:
        raise GeoError(f"no road path from node {source} to node {target} for {pgraph.profile.name}")
    coords = [[float(from_point[1]), float(from_point[0])]]
    coords.extend([float(pgraph.lng[v]), float(pgraph.lat[v])] for v in nodes)
    coords.append([float(to_point[1]), float(to_point[0])])
    deduped = [c for i, c in enumerate(coords) if i == 0 or c != coords[i - 1]]
    if len(deduped) < 2:
        deduped.append(list(deduped[0]))
    return {"type": "LineString", "coordinates": deduped}


def route_geometry(
    graph: RoadGraph,
    profile: str | VehicleProfile,
    points: Sequence[Sequence[float]],
    *,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
) -> list[dict[str, Any]]:
    """One LineString per leg of a route visiting ``points`` in order."""
    return [leg_geometry(graph, profile, a, b, max_snap_m=max_snap_m) for a, b in itertools.pairwise(points)]
