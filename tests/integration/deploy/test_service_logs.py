"""Log lines of the plans service and of the scheduler, as real processes on a real PostgreSQL, in the
seed's format (the optimizer's are in tests/e2e/test_service_logs.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import grpc
import pytest

from hakobu.plans.v1 import plans_pb2, plans_pb2_grpc
from server.adapters.postgres.migrate import migrate
from server.platform.observability import SEED_FIELDS
from tests.credentials import SERVER_ENV, metadata_for
from tests.integration.db.conftest import create_database, drop_database
from tests.service_logs import ROOT, run_and_read_logs


@pytest.fixture(scope="module")
def deploy_db() -> Iterator[str]:
    name, url = create_database()
    try:
        migrate(url)
        yield url
    finally:
        drop_database(name)


def _seed_format(lines: list[dict]) -> None:
    assert lines
    for line in lines:
        assert list(line)[: len(SEED_FIELDS)] == list(SEED_FIELDS), line


def test_plans_service_logs_the_plan_of_a_call(deploy_db: str) -> None:
    def call(port: int) -> None:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = plans_pb2_grpc.PlanServiceStub(channel)
            with pytest.raises(grpc.RpcError) as err:
                stub.GetPlan(plans_pb2.GetPlanRequest(name="organizations/ORG-001/plans/P-12345"),
                             metadata=metadata_for("ORG-001", user="U-002"), timeout=10)
            assert err.value.code() == grpc.StatusCode.NOT_FOUND

    lines = run_and_read_logs(
        ["serve", "plans", "--plans-address", "127.0.0.1:0", "--optimizer", "127.0.0.1:9"],
        {"DATABASE_URL": deploy_db, **SERVER_ENV}, call,
    )
    _seed_format(lines)
    assert {line["service"] for line in lines} == {"plans"}
    (rpc,) = [line for line in lines if line["message"] == "rpc"]
    assert rpc["action"] == "get_plan" and rpc["plan_id"] == "P-12345" and rpc["status"] == "error"
    assert rpc["user_id"] == "U-002"
    assert len(rpc["request_id"]) == 32  # none sent: one is made


def test_scheduler_logs_its_jobs(deploy_db: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "server.entrypoints.cli", "scheduler", "--once", "--url", deploy_db],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    lines = [json.loads(line) for line in done.stderr.splitlines() if line.strip()]
    _seed_format(lines)
    assert {line["service"] for line in lines} == {"scheduler"}
    assert any(line["message"].startswith("job finished") for line in lines), done.stderr


def test_tracking_service_logs_its_calls(deploy_db: str) -> None:
    from hakobu.tracking.v1 import tracking_pb2, tracking_pb2_grpc

    def call(port: int) -> None:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = tracking_pb2_grpc.TrackingServiceStub(channel)
            stub.ListDevices(tracking_pb2.ListDevicesRequest(parent="organizations/ORG-001"),
                             metadata=metadata_for("ORG-001", user="U-002"), timeout=10)

    lines = run_and_read_logs(
        ["serve", "tracking", "--tracking-address", "127.0.0.1:0", "--osmand-address", "127.0.0.1:0"],
        {"DATABASE_URL": deploy_db, **SERVER_ENV}, call,
    )
    _seed_format(lines)
    assert {line["service"] for line in lines} == {"tracking"}
    (rpc,) = [line for line in lines if line["message"] == "rpc"]
    assert rpc["action"] == "list_devices" and rpc["status"] == "success" and rpc["user_id"] == "U-002"


def test_reports_service_logs_its_calls(deploy_db: str) -> None:
    from hakobu.reports.v1 import reports_pb2, reports_pb2_grpc

    name = "organizations/ORG-001/branches/BR-NONE/dailyReports/2026-12-01"

    def call(port: int) -> None:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = reports_pb2_grpc.ReportServiceStub(channel)
            with pytest.raises(grpc.RpcError):
                stub.GetDailyReport(reports_pb2.GetDailyReportRequest(name=name),
                                    metadata=metadata_for("ORG-001", user="U-002"), timeout=30)

    lines = run_and_read_logs(["serve", "reports", "--reports-address", "127.0.0.1:0"],
                              {"DATABASE_URL": deploy_db, **SERVER_ENV}, call)
    _seed_format(lines)
    assert {line["service"] for line in lines} == {"reports"}
    (rpc,) = [line for line in lines if line["message"] == "rpc"]
    assert rpc["action"] == "get_daily_report" and rpc["status"] == "error" and rpc["user_id"] == "U-002"
