"""The optimizer's RoadMatrices port served by geo, with the error types the optimizer expects."""

from __future__ import annotations

import numpy as np
import pytest

from geo.cache import InProcessCache
from geo.compiled import RoadGraph
from geo.matrix import travel_matrix
from geo.provider import RoadMatrixProvider
from geo.registry import GraphRegistry
from optimizer.compiled import RoadMatrices, RoadPointError


@pytest.fixture
def provider(nerima: RoadGraph) -> RoadMatrixProvider:
    registry = GraphRegistry()
    registry.add(nerima)
    return RoadMatrixProvider(registry, InProcessCache())


def test_matrices_are_distances_then_durations(provider: RoadMatrixProvider, nerima: RoadGraph) -> None:
    """The port returns (distances, durations), equal to travel_matrix's, through the cache."""
    road: RoadMatrices = provider
    pg = nerima.profile("4t")
    points = [(float(pg.lat[i]), float(pg.lng[i])) for i in (3, 300, 1200)]
    distances, durations = road.matrices(nerima.graph_id, "4t", points, 500.0)
    direct = travel_matrix(nerima, "4t", points)
    assert np.array_equal(distances, direct.distances) and np.array_equal(durations, direct.durations)
    road.matrices(nerima.graph_id, "4t", points, 500.0)
    assert provider.cache is not None and provider.cache.hits == 1


def test_port_error_types(provider: RoadMatrixProvider, nerima: RoadGraph) -> None:
    """Unknown graph -> KeyError, unknown class -> LookupError (not KeyError), far point -> RoadPointError."""
    pg = nerima.profile("軽")
    near = (float(pg.lat[0]), float(pg.lng[0]))
    with pytest.raises(KeyError, match="unknown graph id"):
        provider.matrices("nope", "軽", [near], 500.0)
    with pytest.raises(LookupError, match="'bus'") as info:
        provider.matrices(nerima.graph_id, "bus", [near], 500.0)
    assert not isinstance(info.value, KeyError)
    with pytest.raises(RoadPointError, match="location 1") as far:
        provider.matrices(nerima.graph_id, "軽", [near, (35.70, 139.60)], 500.0)
    assert far.value.index == 1
    with pytest.raises(RoadPointError, match="not a valid") as bad:
        provider.matrices(nerima.graph_id, "軽", [near, near, (91.0, 0.0)], 500.0)
    assert bad.value.index == 2
