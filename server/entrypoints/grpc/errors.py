"""Storage and domain errors → gRPC statuses, with BadRequest field violations for bad input."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, NoReturn, TypeVar

import grpc

from optimizer.service.errors import abort_bad_request
from server.plans.errors import (
    AlreadyExistsError,
    InUseError,
    InvalidArgumentError,
    InvalidReferenceError,
    NotFoundError,
    PlanLockedError,
    PlanStateError,
    RepositoryError,
    StaleEtagError,
)
from server.plans.layout import EditError, EditRefused

__all__ = [
    "FieldError", "PreconditionError", "abort_bad_request", "abort_for", "grpc_errors", "status_code_for",
]

F = TypeVar("F", bound=Callable[..., Any])


class FieldError(ValueError):
    """Bad input in named fields: ``[(field path, description), …]``."""

    def __init__(self, violations: Sequence[tuple[str, str]], message: str | None = None) -> None:
        self.violations = list(violations)
        first = self.violations[0] if self.violations else ("", "invalid argument")
        super().__init__(message or (f"{first[0]}: {first[1]}" if first[0] else first[1]))


class PreconditionError(Exception):
    """The resource is in a state that forbids the change (e.g. editing a DONE plan)."""


#: Storage and domain errors → status code (checked in order; the first match wins).
_CODES: tuple[tuple[type[BaseException], grpc.StatusCode], ...] = (
    (FieldError, grpc.StatusCode.INVALID_ARGUMENT),
    (NotFoundError, grpc.StatusCode.NOT_FOUND),
    (StaleEtagError, grpc.StatusCode.ABORTED),
    (AlreadyExistsError, grpc.StatusCode.ALREADY_EXISTS),
    (InvalidReferenceError, grpc.StatusCode.INVALID_ARGUMENT),
    (InUseError, grpc.StatusCode.FAILED_PRECONDITION),
    (InvalidArgumentError, grpc.StatusCode.INVALID_ARGUMENT),
    (PreconditionError, grpc.StatusCode.FAILED_PRECONDITION),
    (EditError, grpc.StatusCode.INVALID_ARGUMENT),
    (EditRefused, grpc.StatusCode.FAILED_PRECONDITION),
    (PlanStateError, grpc.StatusCode.FAILED_PRECONDITION),
    (PlanLockedError, grpc.StatusCode.FAILED_PRECONDITION),
    (RepositoryError, grpc.StatusCode.INTERNAL),
)


def status_code_for(exc: BaseException) -> grpc.StatusCode | None:
    """The gRPC status code ``exc`` stands for, or None for an unexpected error."""
    return next((code for kind, code in _CODES if isinstance(exc, kind)), None)


def abort_for(context: grpc.ServicerContext, exc: Exception) -> NoReturn:
    """Abort the call with the status that ``exc`` stands for."""
    if isinstance(exc, FieldError):
        abort_bad_request(context, exc.violations)
    if isinstance(exc, EditError):
        abort_bad_request(context, [(exc.field, str(exc))])
    if isinstance(exc, InvalidReferenceError):
        abort_bad_request(context, [("", f"refers to something that does not exist: {exc}")])
    if isinstance(exc, InvalidArgumentError):
        abort_bad_request(context, [("", str(exc))])
    code = status_code_for(exc)
    if code is None:
        raise exc
    context.abort(code, f"still in use: {exc}" if isinstance(exc, InUseError) else str(exc))
    raise AssertionError("unreachable")


def grpc_errors(method: F) -> F:
    """Decorator for servicer methods: known errors become their gRPC status; aborts pass through."""

    @functools.wraps(method)
    def wrapper(self: Any, request: Any, context: grpc.ServicerContext) -> Any:
        try:
            return method(self, request, context)
        except (FieldError, RepositoryError, PreconditionError, EditError, EditRefused) as exc:
            abort_for(context, exc)

    return wrapper  # type: ignore[return-value]
