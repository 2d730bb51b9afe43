"""Tests for the CVRPLIB / VRPLIB instance reader."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from optimizer.compiled import compile_problem
from optimizer.io import read_vrplib
from optimizer.model import MAX_JOBS, ModelError, Rounding, TravelMode
from optimizer.packing import routes_bound

DATA = (
    Path(
        os.environ.get(
            "HAKOBU_BENCHMARK_DATA", Path(__file__).resolve().parents[4] / "shared" / "data" / "benchmarks"
        )
    )
    / "cvrp-x"
)
needs_data = pytest.mark.skipif(not DATA.is_dir(), reason=f"benchmark data not found at {DATA}")

EXPLICIT = """NAME : tiny
TYPE : CVRP
DIMENSION : 3
EDGE_WEIGHT_TYPE : EXPLICIT
EDGE_WEIGHT_FORMAT : FULL_MATRIX
CAPACITY : 10
EDGE_WEIGHT_SECTION
0 4 7
4 0 2
7 2 0
DEMAND_SECTION
1 0
2 3
3 5
DEPOT_SECTION
1
-1
EOF
"""

VRPTW = """NAME : tw
TYPE : VRPTW
DIMENSION : 3
VEHICLES : 2
CAPACITY : 10
EDGE_WEIGHT_TYPE : EUC_2D
NODE_COORD_SECTION
1 0 0
2 3 4
3 6 8
DEMAND_SECTION
1 0
2 1
3 2
TIME_WINDOW_SECTION
1 0 100
2 5 20
3 10 50
SERVICE_TIME_SECTION
1 0
2 3
3 4
DEPOT_SECTION
1
-1
EOF
"""


@needs_data
def test_x_instance_fields():
    """X-n101-k25 gives one depot, 100 jobs numbered 1..100, capacity 206 and the file's coordinates."""
    p = read_vrplib(DATA / "X-n101-k25.vrp")
    assert len(p.depots) == 1
    assert (p.depots[0].location.x, p.depots[0].location.y) == (365.0, 689.0)
    assert [j.id for j in p.jobs] == [str(i) for i in range(1, 101)]
    assert (p.jobs[0].stop.location.x, p.jobs[0].stop.location.y) == (146.0, 180.0)
    assert p.jobs[0].demand == (38,) and p.jobs[1].demand == (51,) and p.jobs[-1].demand == (35,)
    assert all(j.stop.time_windows == () and j.stop.service_duration == 0 for j in p.jobs)
    # No VEHICLES in the file: the fleet comes from the loads (k25: at least 25 routes are needed).
    assert 25 < len(p.vehicles) == routes_bound([j.demand[0] for j in p.jobs], 206) < 100
    assert {v.capacity for v in p.vehicles} == {(206,)}
    assert all(v.cost_per_km == 1.0 for v in p.vehicles)
    assert p.travel.mode is TravelMode.EUCLIDEAN and p.travel.rounding is Rounding.ROUND
    assert p.travel.scale == 1.0 and p.travel.speed == 1.0


@needs_data
def test_x_distances_are_nint():
    """Compiled distances equal hand-computed nearest-integer Euclidean values, and durations equal them."""
    c = compile_problem(read_vrplib(DATA / "X-n101-k25.vrp"))
    # compiled node k = file node k + 1 (depot first, then the jobs in file order)
    assert c.distance(0, 0, 1) == 554  # 554.11
    assert c.distance(0, 0, 2) == 806  # 806.34
    assert c.distance(0, 1, 5) == 383  # 382.90 rounds up
    assert c.distance(0, 1, 4) == 328  # 327.60 rounds up
    assert c.distance(0, 2, 3) == 522  # 522.48
    assert np.array_equal(c.distances[0], c.durations[0])
    assert np.array_equal(c.distances[0], c.distances[0].T)


def test_explicit_matrix(tmp_path):
    """An EXPLICIT instance keeps the matrix for both distances and durations."""
    f = tmp_path / "tiny.vrp"
    f.write_text(EXPLICIT)
    p = read_vrplib(f)
    assert p.travel.mode is TravelMode.EXPLICIT
    assert [j.id for j in p.jobs] == ["1", "2"]
    assert [j.demand for j in p.jobs] == [(3,), (5,)]
    c = compile_problem(p)
    assert c.distance(0, 0, 2) == 7 and c.duration(0, 1, 2) == 2
    assert len(p.vehicles) == 2


def test_unsupported_edge_weight_type(tmp_path):
    """A GEO instance is rejected with a ValueError naming the edge weight type."""
    f = tmp_path / "geo.vrp"
    f.write_text(EXPLICIT.replace("EDGE_WEIGHT_TYPE : EXPLICIT", "EDGE_WEIGHT_TYPE : GEO"))
    with pytest.raises(ValueError, match="EDGE_WEIGHT_TYPE 'GEO'"):
        read_vrplib(f)


def test_unsupported_problem_type(tmp_path):
    """A TSP file is rejected with a ValueError naming the type."""
    f = tmp_path / "tsp.vrp"
    f.write_text(EXPLICIT.replace("TYPE : CVRP", "TYPE : TSP"))
    with pytest.raises(ValueError, match="TYPE 'TSP'"):
        read_vrplib(f)


def test_missing_file(tmp_path):
    """A missing instance file raises FileNotFoundError with its path."""
    with pytest.raises(FileNotFoundError, match=r"nope\.vrp"):
        read_vrplib(tmp_path / "nope.vrp")


def test_not_a_vrplib_file(tmp_path):
    """Arbitrary text is reported as an unreadable VRPLIB instance."""
    f = tmp_path / "junk.vrp"
    f.write_text("hello world\nthis is not an instance\n")
    with pytest.raises(ValueError, match=r"junk\.vrp: not a VRPLIB instance"):
        read_vrplib(f)


def test_vrptw_in_vrplib_format(tmp_path):
    """VRPLIB time windows, service times and the VEHICLES count are carried into the problem."""
    f = tmp_path / "tw.vrp"
    f.write_text(VRPTW)
    p = read_vrplib(f)
    assert len(p.vehicles) == 2
    assert (p.depots[0].time_window.start, p.depots[0].time_window.end) == (0, 100)
    assert [(w.start, w.end) for j in p.jobs for w in j.stop.time_windows] == [(5, 20), (10, 50)]
    assert [j.stop.service_duration for j in p.jobs] == [3, 4]
    assert compile_problem(p).distance(0, 0, 2) == 10


@needs_data
def test_solomon_file_is_rejected():
    """A Solomon text file passed to the VRPLIB reader gives a clear 'not a VRPLIB instance' error."""
    with pytest.raises(ValueError, match="not a VRPLIB instance"):
        read_vrplib(DATA.parent / "solomon" / "C101.txt")


def _cvrp_file(path: Path, customers: int, capacity: int, seed: int = 1, vehicles: int | None = None) -> Path:
    """A generated CVRPLIB-style file: random coordinates, loads of 1-100."""
    rng = np.random.default_rng(seed)
    xy = rng.integers(0, 1000, size=(customers + 1, 2))
    demand = rng.integers(1, 101, size=customers + 1)
    demand[0] = 0
    lines = [f"NAME : gen-{customers}", "TYPE : CVRP", f"DIMENSION : {customers + 1}"]
    lines += ["EDGE_WEIGHT_TYPE : EUC_2D", f"CAPACITY : {capacity}"]
    lines += [f"VEHICLES : {vehicles}"] if vehicles is not None else []
    lines += ["NODE_COORD_SECTION", *(f"{i + 1} {x} {y}" for i, (x, y) in enumerate(xy))]
    lines += ["DEMAND_SECTION", *(f"{i + 1} {d}" for i, d in enumerate(demand))]
    lines += ["DEPOT_SECTION", "1", "-1", "EOF"]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_file_at_the_job_cap_reads_with_a_fleet_sized_from_its_loads(tmp_path):
    """5,000 customers and no VEHICLES: the fleet carries every load and stays far below one per customer."""
    p = read_vrplib(_cvrp_file(tmp_path / "big.vrp", MAX_JOBS, capacity=500))
    assert len(p.jobs) == MAX_JOBS
    total = sum(j.demand[0] for j in p.jobs)
    fewest = -(-total // 500)
    assert fewest <= len(p.vehicles) <= 1.3 * fewest + 4
    assert len(p.vehicles) * 500 >= total


def test_a_file_over_the_job_cap_is_refused(tmp_path):
    with pytest.raises(ModelError, match="at most 5000 jobs"):
        read_vrplib(_cvrp_file(tmp_path / "too-big.vrp", MAX_JOBS + 1, capacity=500))


def test_the_files_own_vehicle_count_is_kept(tmp_path):
    p = read_vrplib(_cvrp_file(tmp_path / "fleet.vrp", 50, capacity=100, vehicles=40))
    assert len(p.vehicles) == 40


def test_large_loads_get_as_many_routes_as_their_packing_needs():
    """Twenty loads of 6 in trucks of 10 need twenty routes, more than 1.3 x 12 + 3 = 19."""
    assert routes_bound([6] * 20, 10) == 20
    assert routes_bound([1] * 100, 10) == 13 + 3  # ceil(1.3 x 10) + 3
    assert routes_bound([11, 5], 10) == 4  # a load no truck carries is left out: ceil(0.65) + 3
    assert routes_bound([], 10) == routes_bound([5], 0) == 1
