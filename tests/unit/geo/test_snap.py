"""Snapping locations to a class's roads: the node, the distance, and errors naming the location."""

from __future__ import annotations

import numpy as np
import pytest

from geo.compiled import RoadGraph, load_graph
from geo.errors import SnapError
from geo.profiles import DEFAULT_PROFILES
from geo.snap import haversine_m, snap_points
from tests.unit.geo.conftest import A, B, synthetic_osm


@pytest.fixture(scope="module")
def town(tmp_path_factory: pytest.TempPathFactory) -> RoadGraph:
    folder = tmp_path_factory.mktemp("town")
    return load_graph(synthetic_osm(folder / "town.osm", {"hgv": "no"}), cache_dir=folder / "cache")


def test_snap_reports_node_and_distance(nerima: RoadGraph) -> None:
    """A point 0.00002° north of a node snaps to it, about 2.2 m away."""
    graph = nerima.profile("10t")
    nodes = np.array([10, 500, 2000])
    points = np.column_stack([graph.lat[nodes] + 0.00002, graph.lng[nodes]])
    snapped = snap_points(graph, points)
    assert snapped.nodes.tolist() == nodes.tolist()
    assert np.allclose(snapped.distances_m, 2.22, atol=0.05)


def test_snap_distance_is_great_circle(town: RoadGraph) -> None:
    """The reported distance equals the great-circle distance to the chosen node."""
    graph = town.profile("軽")
    point = (A[0] + 0.0003, A[1] + 0.0002)
    snapped = snap_points(graph, [point])
    node = int(snapped.nodes[0])
    assert (graph.lat[node], graph.lng[node]) == A
    assert snapped.distances_m[0] == pytest.approx(float(haversine_m(point[0], point[1], A[0], A[1])))


def test_too_far_names_the_location(town: RoadGraph) -> None:
    """A location farther than max_snap_m from every usable road raises SnapError with its index."""
    points = [A, B, (35.7015, 139.7025)]  # the last is about 167 m from the nearest road node
    with pytest.raises(SnapError, match=r"location 2: .* 167 m away") as info:
        snap_points(town.profile("軽"), points, max_snap_m=100)
    assert info.value.index == 2 and info.value.distance_m == pytest.approx(167, abs=1)
    assert snap_points(town.profile("軽"), points, max_snap_m=200).nodes.size == 3


def test_outside_the_area(town: RoadGraph) -> None:
    """A location outside the graph's bounding box is a SnapError saying so."""
    with pytest.raises(SnapError, match=r"location 1: .* outside the area"):
        snap_points(town.profile("10t"), [A, (35.0, 139.0)])


def test_invalid_coordinates() -> None:
    """Coordinates that are not finite (lat, lng) pairs raise ValueError naming the location."""
    with pytest.raises(ValueError, match="location 1"):
        snap_points(None, [A, (95.0, 139.0)])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="pairs"):
        snap_points(None, [1.0, 2.0, 3.0])  # type: ignore[arg-type]


def test_hgv_class_snaps_only_to_its_roads(town: RoadGraph) -> None:
    """Next to the hgv=no road's middle node, 軽 snaps onto it but 10t snaps to a road it may use."""
    middle = (35.7000, 139.7025)
    kei = snap_points(town.profile("軽"), [middle])
    ten = snap_points(town.profile("10t"), [middle], max_snap_m=1000)
    assert kei.distances_m[0] == pytest.approx(0, abs=0.01)
    assert ten.distances_m[0] > 200
    assert town.profile("10t").node_count == 4 and town.profile("軽").node_count == 5
    assert DEFAULT_PROFILES["10t"].is_hgv
