"""The contraction hierarchy gives exactly Dijkstra's fastest paths, lengths and routes."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from geo.cch import INF, build_cch, make_keys, split_keys
from geo.compiled import ProfileGraph, RoadGraph


def _best_arcs(tail: np.ndarray, head: np.ndarray, keys: np.ndarray) -> dict[tuple[int, int], int]:
    best: dict[tuple[int, int], int] = {}
    for t, h, k in zip(tail.tolist(), head.tolist(), keys.tolist(), strict=True):
        if t != h:
            best[(t, h)] = min(best.get((t, h), k), k)
    return best


def _dijkstra_keys(n: int, best: dict[tuple[int, int], int], sources: np.ndarray) -> np.ndarray:
    """Reference keys by scipy's Dijkstra (exact while keys stay below 2**53)."""
    rows, cols = zip(*best, strict=True)
    matrix = csr_matrix((np.asarray(list(best.values()), dtype=np.float64), (rows, cols)), shape=(n, n))
    dist = dijkstra(matrix, indices=sources)
    return np.where(np.isinf(dist), INF, dist).astype(np.int64)


@pytest.mark.parametrize("seed", range(6))
def test_random_graphs_match_dijkstra(seed: int) -> None:
    """On random directed graphs (one-way arcs, unreachable pairs) every key equals Dijkstra's."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(30, 300))
    lat, lng = rng.uniform(35.6, 35.7, n), rng.uniform(139.6, 139.7, n)
    m = n * 3
    tail, head = rng.integers(0, n, m), rng.integers(0, n, m)
    keys = make_keys(rng.integers(1, 5000, m), rng.integers(1, 9000, m))
    cch = build_cch(n, tail, head, keys, lat, lng)
    nodes = np.arange(n)
    got = cch.many_to_many(nodes, nodes)
    best = _best_arcs(tail, head, keys)
    want = _dijkstra_keys(n, best, nodes)
    assert np.array_equal(got, want)
    for s, t in rng.integers(0, n, (10, 2)).tolist():
        key, route = cch.path(s, t)
        assert key == want[s, t]
        if key < INF:
            assert route[0] == s and route[-1] == t
            assert sum(best[(a, b)] for a, b in itertools.pairwise(route)) == key
        else:
            assert route == []


def test_keys_pack_duration_then_length() -> None:
    """A key orders by duration first, then length, and splits back into both."""
    keys = make_keys(np.array([5, 5, 6]), np.array([900, 100, 1]))
    assert keys[1] < keys[0] < keys[2]
    duration, length = split_keys(np.append(keys, INF))
    assert duration.tolist() == [5, 5, 6, -1] and length.tolist() == [900, 100, 1, -1]


def _sample_check(graph: ProfileGraph, count: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    sources = rng.choice(graph.node_count, count, replace=False)
    targets = rng.choice(graph.node_count, count + 7, replace=False)
    got = graph.cch.many_to_many(sources, targets)
    duration, length = split_keys(graph.keys)
    # exact in float64: duration_ms * 2**22 + length_dm stays far below 2**53 on these small graphs
    weights = duration.astype(np.float64) * 2**22 + length
    matrix = csr_matrix((weights, (graph.tails, graph.heads)), shape=(graph.node_count,) * 2)
    want = dijkstra(matrix, indices=sources)[:, targets].astype(np.int64)
    got_ms, got_dm = split_keys(got)
    assert np.array_equal(got_ms, want >> 22) and np.array_equal(got_dm, want & (2**22 - 1))


def test_nerima_sample_matches_scipy_dijkstra(nerima: RoadGraph) -> None:
    """On Nerima, a 120 x 127 sample equals scipy's Dijkstra for both duration and length, per class."""
    for name in ("軽", "10t"):
        _sample_check(nerima.profile(name), 120, seed=1)


def test_nakameguro_sample_matches_scipy_dijkstra(nakameguro: RoadGraph) -> None:
    """On Naka-Meguro (where the classes' graphs differ) samples equal scipy's Dijkstra for every class."""
    for name in ("軽", "2t", "4t", "10t"):
        _sample_check(nakameguro.profile(name), 80, seed=2)
