"""Scale-out: one optimizer target naming two `hakobu serve optimizer` processes; calls go to both."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys

import pytest

from optimizer.service.client import RemoteSolver, grpc_target
from optimizer.solve import SolveOptions
from tests.credentials import SERVER_ENV, service_metadata
from tests.e2e.test_optimizer_grpc import small_request
from tests.service_logs import ROOT

_LISTENING = re.compile(r"listening on [0-9.]+:(\d+)")


def _start() -> tuple[subprocess.Popen[str], int]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "server.entrypoints.cli", "serve", "optimizer", "--address", "127.0.0.1:0",
         "--workers", "0"],
        cwd=ROOT, env={**os.environ, "HAKOBU_METRICS_PORT": "-1", **SERVER_ENV},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        match = _LISTENING.search(line)
        if match:
            return proc, int(match.group(1))
    raise AssertionError("the optimizer did not start")


def _optimize_calls(proc: subprocess.Popen[str]) -> int:
    proc.send_signal(signal.SIGTERM)
    try:
        _, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise
    lines = [json.loads(line) for line in err.splitlines() if line.strip()]
    return sum(1 for line in lines if line.get("message") == "rpc" and line.get("action") == "optimize")


def test_a_list_of_replicas_shares_the_calls() -> None:
    from optimizer.service.convert import problem_from_proto

    started = [_start(), _start()]
    target = ",".join(f"127.0.0.1:{port}" for _, port in started)
    assert grpc_target(target).startswith("ipv4:127.0.0.1:")
    request = small_request(time_limit=1, jobs=8)
    problem = problem_from_proto(request.problem)
    try:
        with RemoteSolver(target, metadata=service_metadata()) as solver:
            for _ in range(4):
                solution = solver(problem, SolveOptions(time_limit=1, max_iterations=50))
                assert solution.evaluation.vehicles_used >= 1
    finally:
        calls = [_optimize_calls(proc) for proc, _ in started]
    assert sum(calls) == 4 and min(calls) >= 1, calls  # round robin: both replicas served


def test_targets() -> None:
    assert grpc_target("optimizer.hakobu.internal:50051") == "optimizer.hakobu.internal:50051"
    assert grpc_target("localhost:1, 127.0.0.2:2") == "ipv4:127.0.0.1:1,127.0.0.2:2"
    with pytest.raises(ValueError):
        grpc_target("127.0.0.1:1,nowhere")
