"""One place that maps domain errors to gRPC statuses with rich details."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NoReturn

import grpc
from google.protobuf import any_pb2
from google.protobuf.descriptor import Descriptor
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from optimizer.model import ModelError

_SEGMENT = re.compile(r"([a-z_][a-z0-9_]*)(?:\[(\d+)\])?")


def field_path_resolves(message: Descriptor, path: str) -> bool:
    """Whether ``path`` (``problem.jobs[3].time_windows[0]``) names a field of ``message`` as the proto
    spells it: every segment a field of the message before it, an index only on a repeated field."""
    current: Descriptor | None = message
    for segment in path.split("."):
        m = _SEGMENT.fullmatch(segment)
        if current is None or m is None:
            return False
        field = current.fields_by_name.get(m.group(1))
        if field is None or (m.group(2) is not None and not field.is_repeated):
            return False
        current = field.message_type
    return True


def bad_request_status(message: str, violations: Sequence[tuple[str, str]]) -> status_pb2.Status:
    detail = any_pb2.Any()
    detail.Pack(
        error_details_pb2.BadRequest(
            field_violations=[
                error_details_pb2.BadRequest.FieldViolation(field=f, description=d) for f, d in violations
            ]
        )
    )
    return status_pb2.Status(code=code_pb2.INVALID_ARGUMENT, message=message, details=[detail])


def abort_bad_request(
    context: grpc.ServicerContext, violations: Sequence[tuple[str, str]], fallback: str = "invalid argument"
) -> NoReturn:
    """Abort the call with INVALID_ARGUMENT and one BadRequest field violation per ``(field, problem)``
    (``fallback`` is the message when there is none)."""
    first = violations[0] if violations else ("", fallback)
    more = f" (and {len(violations) - 1} more)" if len(violations) > 1 else ""
    message = f"invalid request: {first[0]}: {first[1]}{more}" if first[0] else f"invalid request: {first[1]}"
    context.abort_with_status(rpc_status.to_status(bad_request_status(message, violations)))
    raise AssertionError("unreachable")  # abort raises


def abort_invalid(context: grpc.ServicerContext, exc: ModelError) -> None:
    """Abort the call with INVALID_ARGUMENT and one field violation per problem."""
    abort_bad_request(context, exc.violations, str(exc))


def status_from_model_error(exc: ModelError) -> status_pb2.Status:
    return bad_request_status(str(exc), exc.violations)
