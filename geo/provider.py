"""The optimizer's road-travel port (``optimizer.compiled.RoadMatrices``) served from loaded road graphs."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from geo.cache import MatrixCache
from geo.errors import PointError
from geo.matrix import DEFAULT_OFFROAD_KMH, MAX_POINTS, travel_matrix
from geo.registry import GraphRegistry
from optimizer.compiled import RoadPointError


class RoadMatrixProvider:
    """``matrices(graph, vehicle_class, points, max_snap_m) -> (distances m, durations s)``.

    Errors as the port asks: KeyError (UnknownGraphError) for an unknown graph id, LookupError
    (UnknownProfileError) for a vehicle class the graph has no profile for, RoadPointError for a point that
    is invalid or too far from the class's roads. Too many points stay a ValueError.
    """

    def __init__(
        self,
        registry: GraphRegistry,
        cache: MatrixCache | None = None,
        offroad_kmh: float = DEFAULT_OFFROAD_KMH,
        max_points: int = MAX_POINTS,
    ) -> None:
        self.registry = registry
        self.cache = cache
        self.offroad_kmh = offroad_kmh
        self.max_points = max_points

    def matrices(
        self, graph: str, vehicle_class: str, points: Sequence[tuple[float, float]], max_snap_m: float
    ) -> tuple[np.ndarray, np.ndarray]:
        road = self.registry.get(graph)
        try:
            result = travel_matrix(
                road,
                vehicle_class,
                points,
                max_snap_m=max_snap_m,
                cache=self.cache,
                offroad_kmh=self.offroad_kmh,
                max_points=self.max_points,
            )
        except PointError as exc:
            raise RoadPointError(exc.index, str(exc)) from exc
        return result.distances, result.durations
