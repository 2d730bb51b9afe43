"""Errors as ``google.rpc.Status`` JSON with the HTTP status of their code (AIP-193).

The body is ``{"error": {"code": <HTTP status>, "message", "status": "<CODE NAME>", "details": [...]}}``;
``details`` holds what the service attached (``grpc-status-details-bin``: BadRequest field
violations, ErrorInfo, LocalizedMessage, …) in the proto3 JSON mapping, each with its ``@type``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import grpc
from google.protobuf import any_pb2, json_format
from google.rpc import code_pb2, error_details_pb2, status_pb2

DOMAIN = "hakobu.app"
_DETAILS_KEY = "grpc-status-details-bin"

#: google.rpc.Code → HTTP status (google/rpc/code.proto, AIP-193).
HTTP_STATUS: dict[int, int] = {
    code_pb2.OK: 200,
    code_pb2.CANCELLED: 499,
    code_pb2.UNKNOWN: 500,
    code_pb2.INVALID_ARGUMENT: 400,
    code_pb2.DEADLINE_EXCEEDED: 504,
    code_pb2.NOT_FOUND: 404,
    code_pb2.ALREADY_EXISTS: 409,
    code_pb2.PERMISSION_DENIED: 403,
    code_pb2.UNAUTHENTICATED: 401,
    code_pb2.RESOURCE_EXHAUSTED: 429,
    code_pb2.FAILED_PRECONDITION: 400,
    code_pb2.ABORTED: 409,
    code_pb2.OUT_OF_RANGE: 400,
    code_pb2.UNIMPLEMENTED: 501,
    code_pb2.INTERNAL: 500,
    code_pb2.UNAVAILABLE: 503,
    code_pb2.DATA_LOSS: 500,
}


def http_status(code: int) -> int:
    return HTTP_STATUS.get(code, 500)


def _pack(message: Any) -> any_pb2.Any:
    out = any_pb2.Any()
    out.Pack(message)
    return out


def status_from_rpc_error(error: grpc.RpcError) -> status_pb2.Status:
    """The full ``google.rpc.Status`` of a failed call: from ``grpc-status-details-bin`` when the service
    sent one, else built from the code and details text."""
    code = error.code() if hasattr(error, "code") else grpc.StatusCode.UNKNOWN
    trailers = error.trailing_metadata() if hasattr(error, "trailing_metadata") else None
    for key, value in trailers or ():
        if key == _DETAILS_KEY and isinstance(value, bytes):
            status = status_pb2.Status()
            try:
                status.ParseFromString(value)
            except Exception:  # a broken trailer: fall back to the code and text
                break
            if status.code == code.value[0]:
                return status
    details = error.details() if hasattr(error, "details") else None
    return make_status(code.value[0], details or code.name)


def make_status(
    code: int,
    message: str,
    violations: Iterable[tuple[str, str]] = (),
    reason: str | None = None,
    metadata: dict[str, str] | None = None,
) -> status_pb2.Status:
    """A Status the gateway itself answers with: ErrorInfo (``reason`` default the code's name), the
    field violations as a BadRequest and the "日本語 / English" message as LocalizedMessages."""
    status = status_pb2.Status(code=code, message=message)
    violations = list(violations)
    if violations:
        bad = error_details_pb2.BadRequest(field_violations=[
            error_details_pb2.BadRequest.FieldViolation(field=f, description=d) for f, d in violations
        ])
        status.details.append(_pack(bad))
    info = error_details_pb2.ErrorInfo(reason=reason or code_pb2.Code.Name(code), domain=DOMAIN)
    info.metadata.update(metadata or {})
    if violations and violations[0][0]:
        info.metadata["field"] = violations[0][0]
    status.details.append(_pack(info))
    ja, sep, en = message.partition(" / ")
    if sep and not ja.isascii():
        status.details.append(_pack(error_details_pb2.LocalizedMessage(locale="ja-JP", message=ja)))
        status.details.append(_pack(error_details_pb2.LocalizedMessage(locale="en-US", message=en)))
    return status


def localize(status: status_pb2.Status, accept_language: str | None) -> status_pb2.Status:
    """The gateway's own "日本語 / English" message in the caller's language (as the services do)."""
    if not accept_language:
        return status
    ja, sep, en = status.message.partition(" / ")
    if not sep or ja.isascii():
        return status
    first = accept_language.split(",")[0].strip().lower()
    if first.startswith("ja"):
        status.message = ja
    elif first.startswith("en"):
        status.message = en
    return status


def error_body(status: status_pb2.Status, http: int | None = None) -> dict[str, Any]:
    """The JSON body of an error response (AIP-193); ``http`` when the HTTP status is not the code's
    (413, 405)."""
    details: list[dict[str, Any]] = []
    for detail in status.details:
        try:
            details.append(json_format.MessageToDict(detail, preserving_proto_field_name=False))
        except (TypeError, KeyError, json_format.Error):  # a detail type this process does not know
            details.append({"@type": detail.type_url})
    return {"error": {
        "code": http or http_status(status.code),
        "message": status.message,
        "status": code_pb2.Code.Name(status.code) if status.code in HTTP_STATUS else "UNKNOWN",
        "details": details,
    }}
