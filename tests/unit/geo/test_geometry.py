"""Leg geometry: GeoJSON LineStrings along the same fastest path as the matrix."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np

from geo.compiled import RoadGraph, load_graph
from geo.geometry import leg_geometry, route_geometry
from geo.matrix import travel_matrix
from geo.snap import haversine_m
from tests.unit.geo.conftest import A, B, C, D, synthetic_osm


def _length_m(coords: list[list[float]]) -> float:
    return sum(float(haversine_m(a[1], a[0], b[1], b[0])) for a, b in itertools.pairwise(coords))


def test_leg_follows_the_matrix_path(nerima: RoadGraph) -> None:
    """Each leg starts and ends at its locations and is as long as the matrix distance."""
    pg = nerima.profile("10t")
    rng = np.random.default_rng(3)
    nodes = rng.choice(pg.node_count, 6, replace=False)
    points = [(float(pg.lat[n]) + 1e-4, float(pg.lng[n])) for n in nodes]
    matrix = travel_matrix(nerima, "10t", points)
    for i, j in [(0, 1), (1, 0), (2, 3), (4, 5)]:
        line = leg_geometry(nerima, "10t", points[i], points[j])
        assert line["type"] == "LineString"
        assert line["coordinates"][0] == [points[i][1], points[i][0]]
        assert line["coordinates"][-1] == [points[j][1], points[j][0]]
        assert abs(_length_m(line["coordinates"]) - matrix.distances[i, j]) <= 2


def test_10t_leg_avoids_the_hgv_road(tmp_path: Path) -> None:
    """On the synthetic town, the 10t leg A→B passes C and D; the 軽 leg takes the direct hgv=no road."""
    graph = load_graph(synthetic_osm(tmp_path / "t.osm", {"hgv": "no"}), cache_dir=None)
    ten = leg_geometry(graph, "10t", A, B)["coordinates"]
    kei = leg_geometry(graph, "軽", A, B)["coordinates"]
    assert [C[1], C[0]] in ten and [D[1], D[0]] in ten
    assert [C[1], C[0]] not in kei and [139.7025, 35.7] in kei


def test_route_geometry_has_one_leg_per_hop(nerima: RoadGraph) -> None:
    """A route through three points gives two legs that meet at the middle point."""
    pg = nerima.profile("軽")
    points = [(float(pg.lat[n]), float(pg.lng[n])) for n in (1, 800, 1600)]
    legs = route_geometry(nerima, "軽", points)
    assert len(legs) == 2
    assert legs[0]["coordinates"][-1] == legs[1]["coordinates"][0] == [points[1][1], points[1][0]]
