"""Tests for reading and writing CVRPLIB-style .sol files and for format_cost."""

from __future__ import annotations

import io
import itertools
import os
from pathlib import Path

import pytest

from optimizer.compiled import Compiled, compile_problem
from optimizer.io import format_cost, read_sol, read_solomon, read_vrplib, write_sol
from optimizer.model import (
    Depot,
    Job,
    Location,
    NodeKind,
    Plan,
    Problem,
    RoutePlan,
    Stop,
    Vehicle,
    Visit,
)

DATA = Path(
    os.environ.get(
        "HAKOBU_BENCHMARK_DATA", Path(__file__).resolve().parents[4] / "shared" / "data" / "benchmarks"
    )
)
needs_data = pytest.mark.skipif(not DATA.is_dir(), reason=f"benchmark data not found at {DATA}")


def _route_distance(c: Compiled, route: RoutePlan) -> int:
    nodes = [0, *(c.node_of(v) for v in route.visits), 0]
    return sum(c.distance(route.vehicle, a, b) for a, b in itertools.pairwise(nodes))


def _check_time_windows(c: Compiled, route: RoutePlan) -> None:
    p = c.problem
    t = p.depots[0].time_window.start
    here = 0
    for visit in route.visits:
        node = c.node_of(visit)
        job = p.jobs[visit.index]
        (window,) = job.stop.time_windows
        t = max(t + c.duration(route.vehicle, here, node), window.start)
        assert t <= window.end, f"job {job.id} starts at {t} after {window.end}"
        t += job.stop.service_duration
        here = node
    assert t + c.duration(route.vehicle, here, 0) <= p.depots[0].time_window.end


def _tiny_problem() -> Problem:
    jobs = tuple(
        Job(id=name, stop=Stop(location=Location(x=float(i), y=0.0)), demand=(1,))
        for i, name in enumerate(["a", "b", "c", "d"], start=1)
    )
    vehicles = tuple(Vehicle(id=f"v{k}", capacity=(4,)) for k in range(3))
    return Problem(depots=(Depot(id="d", location=Location(x=0.0, y=0.0)),), vehicles=vehicles, jobs=jobs)


@needs_data
def test_x_bks_round_trip():
    """The X-n101-k25 best-known solution read back costs exactly its published 27591 and fits capacity."""
    p = read_vrplib(DATA / "cvrp-x" / "X-n101-k25.vrp")
    c = compile_problem(p)
    plan = read_sol(p, DATA / "cvrp-x" / "X-n101-k25.sol")
    assert len(plan.routes) == 26
    assert [r.vehicle for r in plan.routes] == list(range(26))
    served = sorted(v.index for r in plan.routes for v in r.visits)
    assert served == list(range(100))
    total = sum(_route_distance(c, r) for r in plan.routes)
    assert total == 27591
    assert format_cost(total, p) == "27591"
    for r in plan.routes:
        assert sum(p.jobs[v.index].demand[0] for v in r.visits) <= 206


@needs_data
def test_solomon_bks_round_trip():
    """The C101 best-known solution costs 8273 tenths (827.3) and meets every window and the capacity."""
    p = read_solomon(DATA / "solomon" / "C101.txt")
    c = compile_problem(p)
    plan = read_sol(p, DATA / "solomon" / "C101.sol")
    assert len(plan.routes) == 10
    total = sum(_route_distance(c, r) for r in plan.routes)
    assert total == 8273
    assert format_cost(total, p) == "827.3"
    for r in plan.routes:
        assert sum(p.jobs[v.index].demand[0] for v in r.visits) <= 200
        _check_time_windows(c, r)


@needs_data
def test_write_then_read_gives_same_routes(tmp_path):
    """Writing the C101 solution and reading it back gives identical routes and the Cost line."""
    p = read_solomon(DATA / "solomon" / "C101.txt")
    plan = read_sol(p, DATA / "solomon" / "C101.sol")
    out = tmp_path / "C101.sol"
    with out.open("w") as fh:
        write_sol(p, plan, 827.3, fh)
    again = read_sol(p, out)
    assert [(r.vehicle, r.visits) for r in again.routes] == [(r.vehicle, r.visits) for r in plan.routes]
    assert out.read_text().splitlines()[-1] == "Cost 827.3"
    assert out.read_text() == (DATA / "solomon" / "C101.sol").read_text().replace(" \n", "\n")


def test_write_skips_empty_routes_and_uses_ids():
    """Empty routes are skipped, numbering starts at 1 and an integer cost is printed without decimals."""
    p = _tiny_problem()
    plan = Plan(
        routes=[
            RoutePlan(0, []),
            RoutePlan(1, [Visit(NodeKind.JOB, 2), Visit(NodeKind.JOB, 0)]),
            RoutePlan(2, [Visit(NodeKind.JOB, 3), Visit(NodeKind.JOB, 1)]),
        ]
    )
    buf = io.StringIO()
    write_sol(p, plan, 12, buf)
    assert buf.getvalue() == "Route #1: c a\nRoute #2: d b\nCost 12\n"


def test_write_rejects_reload_visits():
    """A plan with a mid-route depot visit cannot be written in the jobs-only format."""
    p = _tiny_problem()
    plan = Plan(routes=[RoutePlan(0, [Visit(NodeKind.JOB, 0), Visit(NodeKind.DEPOT, 0)])])
    with pytest.raises(ValueError, match="DEPOT"):
        write_sol(p, plan, 1, io.StringIO())


def test_read_unknown_id(tmp_path):
    """An id that is not a job of the problem is reported with its line."""
    f = tmp_path / "bad.sol"
    f.write_text("Route #1: a b\nRoute #2: z\nCost 3\n")
    with pytest.raises(ValueError, match=r"bad\.sol:2: unknown job id 'z'"):
        read_sol(_tiny_problem(), f)


def test_read_duplicate_id(tmp_path):
    """A job listed twice is rejected."""
    f = tmp_path / "dup.sol"
    f.write_text("Route #1: a b\nRoute #2: b\n")
    with pytest.raises(ValueError, match="already visited"):
        read_sol(_tiny_problem(), f)


def test_read_too_many_routes(tmp_path):
    """More routes than vehicles is an error."""
    f = tmp_path / "many.sol"
    f.write_text("Route #1: a\nRoute #2: b\nRoute #3: c\nRoute #4: d\n")
    with pytest.raises(ValueError, match="more routes than the 3 vehicles"):
        read_sol(_tiny_problem(), f)


def test_read_missing_file(tmp_path):
    """A missing solution file raises FileNotFoundError."""
    with pytest.raises(FileNotFoundError, match=r"none\.sol"):
        read_sol(_tiny_problem(), tmp_path / "none.sol")


def test_read_file_without_routes(tmp_path):
    """A file with no route lines is not a solution file."""
    f = tmp_path / "empty.sol"
    f.write_text("Cost 0\n")
    with pytest.raises(ValueError, match="no 'Route #i:' lines"):
        read_sol(_tiny_problem(), f)


def test_format_cost_integer_for_unit_scale():
    """With scale 1 the cost prints as an integer."""
    assert format_cost(27591, _tiny_problem()) == "27591"
