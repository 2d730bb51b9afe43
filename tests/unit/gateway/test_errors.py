"""gRPC status → HTTP status and the google.rpc.Status JSON body (AIP-193)."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc import aio

from gateway.errors import HTTP_STATUS, error_body, localize, make_status, status_from_rpc_error


@pytest.mark.parametrize(("code", "http"), [
    (code_pb2.INVALID_ARGUMENT, 400), (code_pb2.FAILED_PRECONDITION, 400), (code_pb2.OUT_OF_RANGE, 400),
    (code_pb2.UNAUTHENTICATED, 401), (code_pb2.PERMISSION_DENIED, 403), (code_pb2.NOT_FOUND, 404),
    (code_pb2.ABORTED, 409), (code_pb2.ALREADY_EXISTS, 409), (code_pb2.RESOURCE_EXHAUSTED, 429),
    (code_pb2.CANCELLED, 499), (code_pb2.UNKNOWN, 500), (code_pb2.INTERNAL, 500), (code_pb2.DATA_LOSS, 500),
    (code_pb2.UNIMPLEMENTED, 501), (code_pb2.UNAVAILABLE, 503), (code_pb2.DEADLINE_EXCEEDED, 504),
])
def test_codes_map_to_http_statuses(code: int, http: int) -> None:
    assert HTTP_STATUS[code] == http
    assert error_body(status_pb2.Status(code=code, message="m"))["error"]["code"] == http


def test_every_code_has_a_status() -> None:
    assert set(HTTP_STATUS) == set(code_pb2.Code.values())


def _packed(message: object) -> any_pb2.Any:
    out = any_pb2.Any()
    out.Pack(message)  # type: ignore[arg-type]
    return out


def test_the_services_details_come_through() -> None:
    bad = error_details_pb2.BadRequest(field_violations=[
        error_details_pb2.BadRequest.FieldViolation(field="plan_date", description="required")])
    info = error_details_pb2.ErrorInfo(reason="INVALID_ARGUMENT", domain="hakobu.app",
                                       metadata={"field": "plan_date"})
    sent = status_pb2.Status(code=code_pb2.INVALID_ARGUMENT, message="日付がありません / missing date",
                             details=[_packed(bad), _packed(info)])
    error = aio.AioRpcError(grpc.StatusCode.INVALID_ARGUMENT, aio.Metadata(),
                            aio.Metadata(("grpc-status-details-bin", sent.SerializeToString())),
                            details=sent.message)
    body = error_body(status_from_rpc_error(error))["error"]
    assert body["code"] == 400 and body["status"] == "INVALID_ARGUMENT"
    assert body["message"] == "日付がありません / missing date"
    assert body["details"][0] == {"@type": "type.googleapis.com/google.rpc.BadRequest",
                                  "fieldViolations": [{"field": "plan_date", "description": "required"}]}
    assert body["details"][1]["metadata"] == {"field": "plan_date"}


def test_a_bare_error_keeps_code_and_text() -> None:
    error = aio.AioRpcError(grpc.StatusCode.UNAVAILABLE, aio.Metadata(), aio.Metadata(), details="down")
    body = error_body(status_from_rpc_error(error))["error"]
    assert (body["code"], body["status"], body["message"]) == (503, "UNAVAILABLE", "down")


def test_the_gateways_own_errors_carry_violations_info_and_both_languages() -> None:
    status = make_status(code_pb2.INVALID_ARGUMENT, "不正です / invalid", [("pageSize", "not a number")])
    body = error_body(status)["error"]
    kinds = [d["@type"].rsplit(".", 1)[-1] for d in body["details"]]
    assert kinds == ["BadRequest", "ErrorInfo", "LocalizedMessage", "LocalizedMessage"]
    assert body["details"][1]["metadata"] == {"field": "pageSize"}
    assert localize(make_status(3, "不正です / invalid"), "en-US,ja;q=0.5").message == "invalid"
    assert localize(make_status(3, "不正です / invalid"), "ja").message == "不正です"
    assert localize(make_status(3, "不正です / invalid"), None).message == "不正です / invalid"


def test_http_status_overrides_for_413() -> None:
    assert error_body(make_status(code_pb2.INVALID_ARGUMENT, "big"), 413)["error"]["code"] == 413

