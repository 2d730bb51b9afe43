"""A log line of a gRPC service process, in the seed's format, with the request's fields."""

from __future__ import annotations

import grpc
from google.longrunning import operations_pb2, operations_pb2_grpc

from server.platform.observability import SEED_FIELDS
from tests.credentials import SERVER_ENV, metadata_for
from tests.service_logs import run_and_read_logs

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"


def test_optimizer_logs_each_call_in_the_seed_format() -> None:
    def call(port: int) -> None:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = operations_pb2_grpc.OperationsStub(channel)
            metadata = (("x-request-id", "req-42"), ("traceparent", f"00-{TRACE}-00f067aa0ba902b7-01"),
                        *metadata_for("ORG-001", user="U-002"))
            try:
                stub.GetOperation(operations_pb2.GetOperationRequest(name="operations/none"),
                                  metadata=metadata, timeout=10)
            except grpc.RpcError as exc:
                assert exc.code() == grpc.StatusCode.NOT_FOUND

    args = ["serve", "optimizer", "--address", "127.0.0.1:0", "--workers", "0"]
    lines = run_and_read_logs(args, SERVER_ENV, call)
    assert lines and all(list(line)[: len(SEED_FIELDS)] == list(SEED_FIELDS) for line in lines)
    assert {line["service"] for line in lines} == {"optimizer"}
    (rpc,) = [line for line in lines if line["message"] == "rpc"]
    assert rpc["action"] == "get_operation" and rpc["request_id"] == "req-42" and rpc["trace_id"] == TRACE
    assert rpc["status"] == "error" and rpc["code"] == "NOT_FOUND" and rpc["level"] == "WARNING"
    assert rpc["user_id"] == "U-002"
    assert isinstance(rpc["duration_ms"], float)


def test_gateway_logs_each_request_in_the_seed_format() -> None:
    import httpx

    def call(port: int) -> None:
        reply = httpx.get(f"http://127.0.0.1:{port}/healthz", headers={"x-request-id": "req-7"}, timeout=10)
        assert reply.status_code == 200

    lines = run_and_read_logs(["--address", "127.0.0.1:0"], SERVER_ENV, call, module="gateway")
    assert lines and all(list(line)[: len(SEED_FIELDS)] == list(SEED_FIELDS) for line in lines)
    assert {line["service"] for line in lines} == {"gateway"}
    (access,) = [line for line in lines if line["message"] == "request"]
    assert access["request_id"] == "req-7" and access["status"] == 200
