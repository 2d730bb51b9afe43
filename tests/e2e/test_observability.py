"""Metrics over HTTP and JSON log lines, as an operator sees them."""

from __future__ import annotations

import json
import logging
import urllib.request

import grpc

from hakobu.optimizer.v1 import optimizer_pb2 as pb
from hakobu.optimizer.v1 import optimizer_pb2_grpc
from server.bootstrap import create_optimizer_server
from server.platform.observability import JsonFormatter, serve_metrics
from tests.credentials import SETTINGS
from tests.credentials import channel as authorized_channel


def test_metrics_endpoint_counts_rpcs() -> None:
    """After a call, /metrics shows it under hakobu_rpc_total with its method and code."""
    running = create_optimizer_server("127.0.0.1:0", workers=0, settings=SETTINGS)
    try:
        port = serve_metrics(0)
        with authorized_channel(f"127.0.0.1:{running.port}") as ch:
            stub = optimizer_pb2_grpc.OptimizerServiceStub(ch)
            try:
                stub.ValidatePlan(pb.ValidatePlanRequest(), timeout=5)
            except grpc.RpcError as exc:
                assert exc.code() == grpc.StatusCode.INVALID_ARGUMENT
        body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
        assert 'hakobu_rpc_total{code="INVALID_ARGUMENT",method="ValidatePlan"}' in body
        assert "hakobu_rpc_seconds_bucket" in body
    finally:
        running.stop(grace=1)


def test_every_service_and_streaming_calls_are_counted() -> None:
    """One interceptor counts streaming calls, GeoService and Operations like the unary optimizer calls."""
    from google.longrunning import operations_pb2, operations_pb2_grpc
    from prometheus_client import REGISTRY

    from hakobu.geo.v1 import geo_pb2, geo_pb2_grpc

    def count(method: str, code: str) -> float:
        return REGISTRY.get_sample_value("hakobu_rpc_total", {"method": method, "code": code}) or 0.0

    before = {k: count(*k) for k in
              (("StreamOptimize", "OK"), ("ListGraphs", "OK"), ("GetOperation", "NOT_FOUND"))}
    running = create_optimizer_server("127.0.0.1:0", workers=0, settings=SETTINGS)
    try:
        with authorized_channel(f"127.0.0.1:{running.port}") as ch:
            stream = optimizer_pb2_grpc.OptimizerServiceStub(ch).StreamOptimize(
                pb.OptimizeRequest(problem=pb.Problem(
                    depots=[pb.Depot(id="d", location=pb.Location(point=pb.Point(x=0, y=0)))],
                    vehicles=[pb.Vehicle(id="v", capacity=[5])],
                    jobs=[pb.Job(id="j", location=pb.Location(point=pb.Point(x=1, y=1)), demand=[1])],
                ), validate_only=True), timeout=5)
            assert [m.final for m in stream] == [True]
            geo_pb2_grpc.GeoServiceStub(ch).ListGraphs(geo_pb2.ListGraphsRequest(), timeout=5)
            try:
                operations_pb2_grpc.OperationsStub(ch).GetOperation(
                    operations_pb2.GetOperationRequest(name="operations/none"), timeout=5)
            except grpc.RpcError as exc:
                assert exc.code() == grpc.StatusCode.NOT_FOUND
    finally:
        running.stop(grace=1)
    for key, value in before.items():
        assert count(*key) == value + 1, key


def test_json_log_line_carries_extras() -> None:
    """A log record becomes one JSON object with level, message and extra fields."""
    record = logging.makeLogRecord(
        {
            "name": "hakobu.test",
            "levelno": logging.INFO,
            "levelname": "INFO",
            "msg": "solved %d",
            "args": (3,),
        }
    )
    record.engine = "pyvrp"
    line = JsonFormatter().format(record)
    data = json.loads(line)
    assert data["message"] == "solved 3" and data["level"] == "INFO" and data["engine"] == "pyvrp"
    assert data["timestamp"].endswith("Z")


def test_graceful_shutdown_finishes_the_call_in_flight() -> None:
    """stop(grace) lets a running Optimize return its plan, then refuses new calls."""
    import threading
    import time

    from server.demo import demo_request

    running = create_optimizer_server("127.0.0.1:0", workers=1, settings=SETTINGS)
    target = f"127.0.0.1:{running.port}"
    result: dict[str, object] = {}

    def call() -> None:
        with authorized_channel(target) as ch:
            stub = optimizer_pb2_grpc.OptimizerServiceStub(ch)
            result["resp"] = stub.Optimize(demo_request(jobs=15, time_limit=2), timeout=30)

    t = threading.Thread(target=call)
    t.start()
    time.sleep(0.7)
    running.stop(grace=10)
    t.join(timeout=30)
    resp = result.get("resp")
    assert isinstance(resp, pb.OptimizeResponse) and resp.solution.totals.jobs_served > 0
    with authorized_channel(target) as ch:
        stub = optimizer_pb2_grpc.OptimizerServiceStub(ch)
        try:
            stub.ValidatePlan(pb.ValidatePlanRequest(), timeout=2)
            raise AssertionError("the stopped server answered")
        except grpc.RpcError as exc:
            assert exc.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)
