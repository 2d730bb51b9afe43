"""`hakobu serve all` as an operator runs it: every service starts, says where it listens, answers, stops."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import grpc
import httpx
from grpc_health.v1 import health_pb2, health_pb2_grpc

from hakobu.fleet.v1 import fleet_pb2 as rpb
from hakobu.fleet.v1 import fleet_pb2_grpc
from server.adapters.postgres.seed import ORG_ID, seed, tomorrow
from tests.credentials import SERVER_ENV, metadata_for
from tests.integration.db.conftest import db_url  # noqa: F401  (fixture)


def test_serve_all_starts_optimizer_plans_and_gateway(db_url: str) -> None:  # noqa: F811
    seed(db_url, tomorrow())
    env = {**os.environ, **SERVER_ENV, "DATABASE_URL": db_url, "HAKOBU_LOG_LEVEL": "WARNING"}
    cmd = [sys.executable, "-m", "server.entrypoints.cli", "serve", "all", "--address", "127.0.0.1:0",
           "--plans-address", "127.0.0.1:0", "--tracking-address", "127.0.0.1:0",
           "--osmand-address", "127.0.0.1:0", "--reports-address", "127.0.0.1:0",
           "--workers", "0", "--metrics-port", "-1",
           "--gateway-address", "127.0.0.1:0"]
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env) as proc:
        _check(proc)
    assert proc.returncode == 0


def _check(proc: subprocess.Popen[str]) -> None:
    try:
        lines: list[str] = []
        deadline = time.monotonic() + 60
        assert proc.stdout is not None
        while time.monotonic() < deadline and not any("REST gateway" in x for x in lines):
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
        out = "".join(lines)
        optimizer = re.search(r"OptimizerService \(gRPC\) listening on (\S+)", out)
        plans = re.search(r"PlanService \+ OrganizationService \(gRPC\) listening on (\S+)", out)
        tracking = re.search(r"TrackingService \(gRPC\) listening on (\S+)", out)
        gateway = re.search(r"REST gateway listening on (\S+)", out)
        assert optimizer and plans and tracking and gateway, out
        assert httpx.get(f"{gateway.group(1)}/healthz", timeout=10).status_code == 200
        ready = httpx.get(f"{gateway.group(1)}/readyz", timeout=10)
        assert ready.status_code == 200, ready.text
        for target, service in ((optimizer.group(1), "hakobu.optimizer.v1.OptimizerService"),
                                (plans.group(1), "hakobu.plans.v1.PlanService"),
                                (tracking.group(1), "hakobu.tracking.v1.TrackingService")):
            with grpc.insecure_channel(target) as ch:
                status = health_pb2_grpc.HealthStub(ch).Check(
                    health_pb2.HealthCheckRequest(service=service), timeout=10
                ).status
                assert status == health_pb2.HealthCheckResponse.SERVING
        with grpc.insecure_channel(plans.group(1)) as ch:
            branches = fleet_pb2_grpc.OrganizationServiceStub(ch).ListBranches(
                rpb.ListBranchesRequest(parent=f"organizations/{ORG_ID}"),
                metadata=metadata_for(ORG_ID), timeout=10,
            ).branches
        assert "練馬営業所" in {b.display_name for b in branches}
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
