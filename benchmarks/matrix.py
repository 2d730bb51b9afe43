"""Travel-matrix time and memory on the shared OSM graphs, next to scipy's Dijkstra in the same run.

    python -m benchmarks.matrix [--graphs nerima,liechtenstein-drive,liechtenstein-all]
                                [--sizes 100,500,1000,2000] [--profile 軽] [--methods cch,scipy,...]

Methods:
  cch           geo.cch many-to-many (what geo.matrix uses): exact (duration ms, length dm) keys.
  scipy         scipy.sparse.csgraph.dijkstra from every source (in chunks of 250 sources to bound memory),
                on the same lexicographic weights (duration_ms * 2**22 + length_dm, exact in float64 here).
  pyroutingkit  RoutingKit CCH via pyroutingkit, durations only (32-bit weights cannot carry the length).
  routingkit    RoutingKit CCH via routingkit-cch (one CCHOneToMany sweep per source), durations only.
The two RoutingKit methods are optional (skipped when not installed); their "prep s" is topology build +
customization, which geo.cch does once per graph and caches on disk ("load s" is that cached load).
"max |diff|" compares with scipy: duration in ms and length in dm ("-": no length, or scipy not run —
leave scipy out of --methods for a quick run without the reference).
Seconds: one untraced run. Peak MB: tracemalloc's peak of Python/numpy allocations in a second run of the
same query (C++ internals not counted); --no-memory skips that second run.
Points are random nodes of the class's graph (seed 1).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from geo.cch import split_keys
from geo.compiled import DEFAULT_CACHE_DIR, ProfileGraph, load_graph
from geo.profiles import DEFAULT_PROFILES

GRAPHS: dict[str, tuple[str, str]] = {
    "nerima": ("tokyo_nerima.osm", "drive"),
    "liechtenstein-drive": ("liechtenstein-2015-07-27.osm.pbf", "drive"),
    "liechtenstein-all": ("liechtenstein-2015-07-27.osm.pbf", "all"),
}
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "osm"
SCIPY_CHUNK = 250
_SHIFT = 22  # scipy weights: duration_ms * 2**22 + length_dm


@dataclass(frozen=True)
class Row:
    graph: str
    nodes: int
    n: int
    method: str
    seconds: float
    peak_mb: float
    prep_s: float
    diff_ms: int | None
    diff_dm: int | None


MEASURE_MEMORY = True


def _measure(fn: Callable[[], object]) -> tuple[object, float, float]:
    """Result, seconds of an untraced run, and peak MB of a second, traced run (tracing slows numpy)."""
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    if not MEASURE_MEMORY:
        return result, seconds, float("nan")
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, seconds, peak / 1e6


def scipy_matrix(graph: ProfileGraph, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    duration, length = split_keys(graph.keys)
    weights = duration.astype(np.float64) * 2.0**_SHIFT + length
    matrix = csr_matrix((weights, (graph.tails, graph.heads)), shape=(graph.node_count,) * 2)
    out = np.empty((points.size, points.size), dtype=np.float64)
    for lo in range(0, points.size, SCIPY_CHUNK):
        out[lo : lo + SCIPY_CHUNK] = dijkstra(matrix, indices=points[lo : lo + SCIPY_CHUNK])[:, points]
    keys = out.astype(np.int64)
    return keys >> _SHIFT, keys & ((1 << _SHIFT) - 1)


def cch_matrix(graph: ProfileGraph, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return split_keys(graph.cch.many_to_many(points, points))


def _pyroutingkit(graph: ProfileGraph) -> tuple[Callable[[np.ndarray], np.ndarray], float] | None:
    try:
        from pyroutingkit import CCHMetric, CCHTopology
    except ImportError:
        return None
    start = time.perf_counter()
    topo = CCHTopology()
    topo.build(
        graph.tails.astype(np.uint32),
        graph.heads.astype(np.uint32),
        graph.lat.astype(np.float32),
        graph.lng.astype(np.float32),
        graph.node_count,
    )
    metric = CCHMetric(topo)
    metric.customize(split_keys(graph.keys)[0].astype(np.uint32))
    prep = time.perf_counter() - start

    def run(points: np.ndarray) -> np.ndarray:
        p = points.astype(np.uint32)
        return np.asarray(metric.distances_many_to_many(p, p), dtype=np.int64)

    return run, prep


def _routingkit(graph: ProfileGraph) -> tuple[Callable[[np.ndarray], np.ndarray], float] | None:
    try:
        import routingkit_cch as rk
    except ImportError:
        return None
    start = time.perf_counter()
    tails, heads = graph.tails.tolist(), graph.heads.tolist()
    order = rk.compute_order_inertial(graph.node_count, tails, heads, graph.lat.tolist(), graph.lng.tolist())
    cch = rk.CCH(order, tails, heads, False)
    metric = rk.CCHMetric(cch, split_keys(graph.keys)[0].tolist())
    prep = time.perf_counter() - start

    def run(points: np.ndarray) -> np.ndarray:
        targets = points.tolist()
        query = rk.CCHOneToMany(metric, targets)
        rows = [query.distances_from(s) for s in targets]
        return np.asarray([[-1 if d is None else d for d in row] for row in rows], dtype=np.int64)

    return run, prep


def bench_graph(
    name: str, data: Path, sizes: list[int], profile: str, methods: list[str], cache_dir: Path
) -> list[Row]:
    file, network = GRAPHS[name]
    start = time.perf_counter()
    graph = load_graph(
        data / file, profiles=[DEFAULT_PROFILES[profile]], cache_dir=cache_dir, network_type=network
    ).profile(profile)
    load_s = time.perf_counter() - start
    print(
        f"# {name}: {graph.node_count:,} nodes, {graph.edge_count:,} edges ({profile}); "
        f"load_graph {load_s:.3f} s",
        flush=True,
    )
    extra = {"pyroutingkit": _pyroutingkit, "routingkit": _routingkit}
    prepared = {m: extra[m](graph) for m in methods if m in extra}
    rng = np.random.default_rng(1)
    rows: list[Row] = []
    for n in sizes:
        if n > graph.node_count:
            continue
        points = rng.choice(graph.node_count, n, replace=False).astype(np.int64)
        ref_ms = ref_dm = None
        if "scipy" in methods:
            reference, seconds, peak = _measure(lambda p=points: scipy_matrix(graph, p))
            ref_ms, ref_dm = reference  # type: ignore[misc]
            rows.append(Row(name, graph.node_count, n, "scipy", seconds, peak, 0.0, 0, 0))
            _print(rows[-1])
        if "cch" in methods:
            (got_ms, got_dm), seconds, peak = _measure(lambda p=points: cch_matrix(graph, p))  # type: ignore[misc]
            rows.append(
                Row(
                    name,
                    graph.node_count,
                    n,
                    "cch",
                    seconds,
                    peak,
                    load_s,
                    _maxdiff(got_ms, ref_ms),
                    _maxdiff(got_dm, ref_dm),
                )
            )
            _print(rows[-1])
        for method, ready in prepared.items():
            if ready is None:
                print(f"# {method}: not installed, skipped")
                continue
            run, prep = ready
            got, seconds, peak = _measure(lambda p=points, r=run: r(p))
            ms = np.asarray(got)
            rows.append(
                Row(name, graph.node_count, n, method, seconds, peak, prep, _maxdiff(ms, ref_ms), None)
            )
            _print(rows[-1])
    return rows


def _maxdiff(got: np.ndarray, reference: np.ndarray | None) -> int | None:
    return None if reference is None else int(np.abs(got - reference).max())


def _print(row: Row) -> None:
    dm = "-" if row.diff_dm is None else str(row.diff_dm)
    ms = "-" if row.diff_ms is None else str(row.diff_ms)
    print(
        f"{row.graph:<20} {row.nodes:>7,} {row.n:>5} {row.method:<13} {row.seconds:>8.3f} "
        f"{row.peak_mb:>8.1f} {row.prep_s:>7.2f} {ms:>9} {dm:>9}",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--graphs", default=",".join(GRAPHS))
    parser.add_argument("--sizes", default="100,500,1000,2000")
    parser.add_argument("--profile", default="軽", choices=list(DEFAULT_PROFILES))
    parser.add_argument("--methods", default="scipy,cch,pyroutingkit,routingkit")
    parser.add_argument("--data", type=Path, default=Path(os.environ.get("HAKOBU_OSM_DATA", DEFAULT_DATA)))
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE_DIR)
    parser.add_argument("--no-memory", action="store_true", help="skip the traced run measuring peak MB")
    args = parser.parse_args(argv)
    global MEASURE_MEMORY
    MEASURE_MEMORY = not args.no_memory
    names = [g for g in args.graphs.split(",") if g]
    unknown = [g for g in names if g not in GRAPHS]
    if unknown:
        parser.error(f"unknown graph(s) {unknown}; choose from {list(GRAPHS)}")
    sizes = [int(s) for s in args.sizes.split(",") if s]
    methods = [m for m in args.methods.split(",") if m]
    print(
        f"{'graph':<20} {'nodes':>7} {'N':>5} {'method':<13} {'seconds':>8} {'peak MB':>8} {'prep s':>7} "
        f"{'|diff| ms':>9} {'|diff| dm':>9}"
    )
    for name in names:
        bench_graph(name, args.data, sizes, args.profile, methods, args.cache_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
