"""Travel matrices on real roads: one-way streets, truck restrictions, exactness, caching, bad input."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from geo.cache import InProcessCache
from geo.cch import split_keys
from geo.compiled import RoadGraph, load_graph
from geo.errors import SnapError, UnknownProfileError
from geo.matrix import travel_matrix
from geo.snap import haversine_m
from tests.unit.geo.conftest import A, B, C, D, synthetic_osm

ONEWAY_WAY = 116371559  # Nerima, unclassified, oneway=yes, 24 nodes


def _node_point(graph: RoadGraph, profile: str, osmid: int) -> tuple[float, float]:
    pg = graph.profile(profile)
    i = pg.osmid_index[osmid]
    return float(pg.lat[i]), float(pg.lng[i])


def test_oneway_street_makes_the_matrix_asymmetric(nerima: RoadGraph, osm_dir: Path) -> None:
    """Along Nerima's one-way way 116371559, A→B is the street itself and B→A must go around."""
    import osmium

    (refs,) = [
        [n.ref for n in w.nodes]
        for w in osmium.FileProcessor(str(osm_dir / "tokyo_nerima.osm"), osmium.osm.WAY)
        if w.id == ONEWAY_WAY
    ]
    pg = nerima.profile("2t")
    ids = [pg.osmid_index[r] for r in refs]
    assert all(pg.edge(u, v) >= 0 for u, v in itertools.pairwise(ids))
    with pytest.raises(KeyError):
        pg.edge(ids[1], ids[0])  # no edge against the one-way direction
    points = [_node_point(nerima, "2t", refs[0]), _node_point(nerima, "2t", refs[-1])]
    result = travel_matrix(nerima, "2t", points)
    way_m = sum(
        float(haversine_m(pg.lat[u], pg.lng[u], pg.lat[v], pg.lng[v])) for u, v in itertools.pairwise(ids)
    )
    assert abs(result.distances[0, 1] - way_m) <= 2
    assert result.durations[1, 0] > result.durations[0, 1]
    assert result.distances[1, 0] > result.distances[0, 1]


@pytest.mark.parametrize("tags", [{"hgv": "no"}, {"maxheight": "2.5"}, {"maxweight": "5"}])
def test_restricted_road_avoided_by_10t_used_by_kei(tmp_path: Path, tags: dict[str, str]) -> None:
    """A direct road tagged hgv=no / maxheight 2.5 / maxweight 5 is used by 軽, while 10t takes the detour."""
    graph = load_graph(synthetic_osm(tmp_path / "t.osm", tags), cache_dir=tmp_path / "cache")
    kei = travel_matrix(graph, "軽", [A, B])
    ten = travel_matrix(graph, "10t", [A, B])
    direct = float(haversine_m(A[0], A[1], B[0], B[1]))
    detour = float(
        haversine_m(A[0], A[1], C[0], C[1])
        + haversine_m(C[0], C[1], D[0], D[1])
        + haversine_m(D[0], D[1], B[0], B[1])
    )
    assert abs(kei.distances[0, 1] - direct) <= 1 and abs(ten.distances[0, 1] - detour) <= 1
    assert kei.durations[0, 1] == round(direct / (20 / 3.6))  # residential default: 20 km/h
    assert ten.durations[0, 1] == round(detour / (20 / 3.6))
    assert ten.durations[1, 0] > kei.durations[1, 0]


def test_real_low_bridge_detour_on_nakameguro(nakameguro: RoadGraph, osm_dir: Path) -> None:
    """Between the ends of Naka-Meguro's maxheight 2.9 m road, 軽 drives it and the 10t truck goes around."""
    import osmium

    (refs,) = [
        [n.ref for n in w.nodes]
        for w in osmium.FileProcessor(str(osm_dir / "tokyo_nakameguro.osm"), osmium.osm.WAY)
        if w.id == 58105376
    ]
    points = [_node_point(nakameguro, "軽", refs[0]), _node_point(nakameguro, "軽", refs[-1])]
    kei = travel_matrix(nakameguro, "軽", points)
    ten = travel_matrix(nakameguro, "10t", points)
    assert ten.snaps.distances_m.max() < 1  # both ends are junctions the truck can reach
    assert ten.durations[0, 1] > kei.durations[0, 1] and ten.distances[0, 1] > kei.distances[0, 1]


def test_matrix_equals_dijkstra_plus_offroad_legs(nerima: RoadGraph) -> None:
    """For 60 random points near Nerima's roads, entries equal scipy Dijkstra plus the 10 km/h snap legs."""
    pg = nerima.profile("10t")
    rng = np.random.default_rng(7)
    nodes = rng.choice(pg.node_count, 60, replace=False)
    points = np.column_stack(
        [pg.lat[nodes] + rng.uniform(-2e-4, 2e-4, 60), pg.lng[nodes] + rng.uniform(-2e-4, 2e-4, 60)]
    )
    result = travel_matrix(nerima, "10t", points)
    duration_ms, length_dm = split_keys(pg.keys)
    shape = (pg.node_count, pg.node_count)
    snapped = result.snaps.nodes
    road_ms = dijkstra(
        csr_matrix((duration_ms.astype(float), (pg.tails, pg.heads)), shape=shape), indices=snapped
    )[:, snapped]
    off_m = result.snaps.distances_m
    off_ms = np.rint(off_m * 360.0)  # 10 km/h = 1 m per 360 ms
    want = np.floor((road_ms + off_ms[:, None] + off_ms[None, :] + 500) / 1000.0).astype(np.int64)
    np.fill_diagonal(want, 0)
    assert np.array_equal(result.durations, want)
    # the distance is the length of that fastest path: at least the shortest distance, never below it
    road_dm = dijkstra(
        csr_matrix((length_dm.astype(float), (pg.tails, pg.heads)), shape=shape), indices=snapped
    )[:, snapped]
    shortest = np.rint(road_dm / 10 + off_m[:, None] + off_m[None, :])
    np.fill_diagonal(shortest, 0)
    assert (result.distances >= shortest - 1).all() and (result.distances > shortest + 50).any()
    assert (result.durations != result.durations.T).any()


def test_in_process_cache_hit_and_miss(nerima: RoadGraph) -> None:
    """The second identical request is a cache hit with equal values; another class or point set misses."""
    cache = InProcessCache()
    pg = nerima.profile("軽")
    points = np.column_stack([pg.lat[:20], pg.lng[:20]])
    first = travel_matrix(nerima, "軽", points, cache=cache)
    assert (cache.hits, cache.misses) == (0, 1)
    second = travel_matrix(nerima, "軽", points, cache=cache)
    assert (cache.hits, cache.misses) == (1, 1)
    assert np.array_equal(first.durations, second.durations) and np.array_equal(
        first.distances, second.distances
    )
    assert np.array_equal(first.snaps.nodes, second.snaps.nodes)
    travel_matrix(nerima, "10t", points, cache=cache)
    travel_matrix(nerima, "軽", points[:19], cache=cache)
    assert (cache.hits, cache.misses) == (1, 3) and len(cache) == 3


def test_bad_requests_raise_and_cache_nothing(nerima: RoadGraph) -> None:
    """Too many points, a far location and an unknown class each raise; nothing is cached."""
    cache = InProcessCache()
    pg = nerima.profile("軽")
    with pytest.raises(ValueError, match="exceeds the limit of 5000"):
        travel_matrix(nerima, "軽", np.tile([[35.75, 139.67]], (5001, 1)), cache=cache)
    with pytest.raises(ValueError, match="limit of 10"):
        travel_matrix(nerima, "軽", np.tile([[35.75, 139.67]], (11, 1)), max_points=10)
    far = [(float(pg.lat[0]), float(pg.lng[0])), (35.70, 139.60)]
    with pytest.raises(SnapError, match="location 1"):
        travel_matrix(nerima, "軽", far, cache=cache)
    with pytest.raises(UnknownProfileError):
        travel_matrix(nerima, "bus", far, cache=cache)
    assert len(cache) == 0


def test_empty_and_identical_points(nerima: RoadGraph) -> None:
    """No points give empty matrices; two identical points are 0 apart both ways."""
    empty = travel_matrix(nerima, "軽", [])
    assert empty.durations.shape == (0, 0) and empty.distances.shape == (0, 0)
    pg = nerima.profile("軽")
    point = (float(pg.lat[5]) + 1e-4, float(pg.lng[5]))
    same = travel_matrix(nerima, "軽", [point, point])
    assert same.durations.tolist() == [[0, 0], [0, 0]] and same.distances.tolist() == [[0, 0], [0, 0]]
