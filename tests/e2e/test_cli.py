"""The hakobu command on the shared benchmark files, as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from optimizer.checker import evaluate
from optimizer.compiled import compile_problem
from optimizer.io import read_sol, read_solomon, read_vrplib


def hakobu(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "server.entrypoints.cli", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)


def test_solve_vrplib_writes_cvrplib_sol(data_dir: Path, tmp_path: Path) -> None:
    """A .vrp file gives a .sol whose routes are feasible and whose Cost matches them."""
    vrp = data_dir / "benchmarks/cvrp-x/X-n101-k25.vrp"
    out = tmp_path / "x.sol"
    res = hakobu("solve", str(vrp), "--time-limit", "2", "--seed", "1", "--output", str(out))
    assert res.returncode == 0, res.stderr
    text = out.read_text()
    assert text.startswith("Route #1: ")
    cost = int(text.strip().splitlines()[-1].split()[1])
    problem = read_vrplib(vrp)
    ev = evaluate(compile_problem(problem), read_sol(problem, out), require_all=True)
    assert ev.is_feasible and ev.distance == cost
    assert 27591 <= cost <= 27591 * 1.05


def test_solve_solomon_writes_json(data_dir: Path, tmp_path: Path) -> None:
    """A Solomon file gives a JSON OptimizeResponse with every customer served in its window."""
    txt = data_dir / "benchmarks/solomon/C101.txt"
    out = tmp_path / "c101.json"
    res = hakobu("solve", str(txt), "--time-limit", "2", "--output", str(out))
    assert res.returncode == 0, res.stderr
    data = json.loads(out.read_text())
    served = [s["id"] for r in data["solution"]["routes"] for s in r["steps"] if s["type"] == "DELIVERY"]
    assert sorted(served, key=int) == [str(i) for i in range(1, 101)]
    problem = read_solomon(txt)
    windows = {j.id: j.stop.time_windows[0] for j in problem.jobs}
    for r in data["solution"]["routes"]:
        for s in r["steps"]:
            if s["type"] == "DELIVERY":
                start = float(s["startOffset"].rstrip("s"))
                assert windows[s["id"]].start <= start <= windows[s["id"]].end
    assert "827.3" in res.stderr or float(data["solution"]["totals"]["distanceMeters"]) >= 8273


def test_solve_rejects_missing_and_bad_files(tmp_path: Path) -> None:
    """A missing or unreadable file exits 2 with a message naming it."""
    res = hakobu("solve", str(tmp_path / "none.vrp"))
    assert res.returncode == 2 and "no such file" in res.stderr
    bad = tmp_path / "bad.vrp"
    bad.write_text("NAME: x\nTYPE: TSP\n")
    res = hakobu("solve", str(bad))
    assert res.returncode == 2 and "bad.vrp" in res.stderr


def test_solve_json_request_with_bad_field(tmp_path: Path) -> None:
    """A JSON request with a backwards window names the field and exits 2."""
    req = {
        "problem": {
            "depots": [{"id": "d", "location": {"point": {"x": 0, "y": 0}}}],
            "vehicles": [{"id": "v", "capacity": [5]}],
            "jobs": [
                {
                    "id": "j",
                    "location": {"point": {"x": 3, "y": 4}},
                    "timeWindows": [{"startOffset": "100s", "endOffset": "50s"}],
                }
            ],
        }
    }
    f = tmp_path / "req.json"
    f.write_text(json.dumps(req))
    res = hakobu("solve", str(f))
    assert res.returncode == 2
    assert "problem.jobs[0].time_windows[0]" in res.stderr


@pytest.mark.slow
def test_demo_runs_and_exits() -> None:
    """`hakobu demo --exit` serves, solves the demo day over gRPC and prints the plan."""
    res = hakobu("demo", "--exit", "--time-limit", "2", "--address", "127.0.0.1:0", "--metrics-port", "-1",
                 "--plans-address", "127.0.0.1:0")
    assert res.returncode == 0, res.stderr
    assert "配車計画 / plan" in res.stdout
    assert "listening on 127.0.0.1:" in res.stdout
    assert "plans store:" in res.stdout and "skipped" not in res.stdout, res.stdout
    assert "PlanService + OrganizationService (gRPC) listening on 127.0.0.1:" in res.stdout, res.stdout
    assert "organizations/ORG-001/plans/" in res.stdout
