"""Metrics over HTTP and JSON log lines, as an operator sees them."""

from __future__ import annotations

import json
import logging
import urllib.request

import grpc

from hakobu.v1 import optimizer_pb2 as pb
from hakobu.v1 import optimizer_pb2_grpc
from server.bootstrap import create_optimizer_server
from server.observability import JsonFormatter, serve_metrics


def test_metrics_endpoint_counts_rpcs() -> None:
    """After a call, /metrics shows it under hakobu_rpc_total with its method and code."""
    running = create_optimizer_server("127.0.0.1:0", workers=0)
    try:
        port = serve_metrics(0)
        with grpc.insecure_channel(f"127.0.0.1:{running.port}") as ch:
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
    assert data["message"] == "solved 3" and data["level"] == "info" and data["engine"] == "pyvrp"
    assert data["time"].endswith("Z")


def test_graceful_shutdown_finishes_the_call_in_flight() -> None:
    """stop(grace) lets a running Optimize return its plan, then refuses new calls."""
    import threading
    import time

    from server.demo import demo_request

    running = create_optimizer_server("127.0.0.1:0", workers=1)
    target = f"127.0.0.1:{running.port}"
    result: dict[str, object] = {}

    def call() -> None:
        with grpc.insecure_channel(target) as ch:
            stub = optimizer_pb2_grpc.OptimizerServiceStub(ch)
            result["resp"] = stub.Optimize(demo_request(jobs=15, time_limit=2), timeout=30)

    t = threading.Thread(target=call)
    t.start()
    time.sleep(0.7)
    running.stop(grace=10)
    t.join(timeout=30)
    resp = result.get("resp")
    assert isinstance(resp, pb.OptimizeResponse) and resp.solution.totals.jobs_served > 0
    with grpc.insecure_channel(target) as ch:
        stub = optimizer_pb2_grpc.OptimizerServiceStub(ch)
        try:
            stub.ValidatePlan(pb.ValidatePlanRequest(), timeout=2)
            raise AssertionError("the stopped server answered")
        except grpc.RpcError as exc:
            assert exc.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)
