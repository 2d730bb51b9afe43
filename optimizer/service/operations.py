"""Long-running operations: the store port, its in-memory implementation and the operation record.

Every service that starts ``google.longrunning`` operations (the optimizer's ``OptimizeLongRunning``,
the plans services' ``OptimizePlan`` and ``ReplanPlan``) keeps them in an :class:`OperationStore`: this
in-process one, or a shared one (PostgreSQL) so that any replica answers for them. Operation names are
``operations/{uuid}``; finished operations are kept for ``RETENTION_SECONDS`` and then forgotten.
"""

from __future__ import annotations

import hashlib
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from google.longrunning import operations_pb2
from google.protobuf import any_pb2, timestamp_pb2
from google.protobuf.message import Message
from google.rpc import code_pb2, status_pb2

RETENTION_SECONDS = 24 * 3600


@dataclass
class Operation:
    """One operation as a store keeps it.

    ``metadata`` is the service's metadata message (it has ``state`` and ``update_time`` fields), or an
    ``Any`` holding it when the operation was read back from storage; ``response`` likewise. ``cancel``
    and ``finished`` are meaningful in the process that runs the operation.
    """

    name: str
    metadata: Message
    created: float = field(default_factory=time.time)
    done: bool = False
    response: Message | None = None
    #: Who may see the operation (an organization); "" = everyone who can reach the service.
    owner: str = ""
    error: status_pb2.Status | None = None
    #: Fingerprint of the request that started it (see :func:`request_hash`); "" = not recorded.
    request_hash: str = ""
    cancel: threading.Event = field(default_factory=threading.Event)
    finished: threading.Event = field(default_factory=threading.Event)


class RequestIdReusedError(Exception):
    """A request id already started an operation for a different request (AIP-155)."""

    def __init__(self, request_id: str, name: str) -> None:
        super().__init__(
            f"request_id {request_id!r} was already used for a different request ({name}); "
            "use a new request_id for a new request"
        )
        self.request_id = request_id
        self.name = name


def request_hash(request: Message) -> str:
    """A fingerprint of ``request`` without its ``request_id`` and ``validate_only`` fields: two requests
    that would do the same work have the same one."""
    copy = type(request)()
    copy.CopyFrom(request)
    for name in ("request_id", "validate_only"):
        if name in copy.DESCRIPTOR.fields_by_name:
            copy.ClearField(name)
    return hashlib.sha256(copy.SerializeToString(deterministic=True)).hexdigest()


def check_same_request(op: Operation, request_id: str, fingerprint: str) -> None:
    """Raise :class:`RequestIdReusedError` when ``op`` was started by another request than ``fingerprint``."""
    if fingerprint and op.request_hash and op.request_hash != fingerprint:
        raise RequestIdReusedError(request_id, op.name)


class OperationStore(Protocol):
    """Where operations live; implementations are thread-safe."""

    def start(
        self, request_id: str, metadata: Message, owner: str = "", fingerprint: str = ""
    ) -> tuple[Operation, bool]:
        """A new operation with ``metadata``, or (the existing one, False) for a repeated
        (owner, request id); an empty request id always starts a new one. A repeated request id whose
        ``fingerprint`` (:func:`request_hash`) differs from the first request's raises
        :class:`RequestIdReusedError`."""
        ...

    def get(self, name: str) -> Operation | None:
        """The operation as it is now, or None when there is none of that name."""
        ...

    def list(self, owner: str | None = None) -> list[Operation]:
        """Operations oldest first; only ``owner``'s when given."""
        ...

    def running(self) -> list[Operation]:
        """The unfinished operations this process runs (to cancel them at shutdown)."""
        ...

    def delete(self, name: str) -> bool:
        """Forget the operation; False when there was none."""
        ...

    def update(self, op: Operation, mutate: Callable[[Operation], None]) -> None:
        """Apply ``mutate`` to the operation (and its metadata's ``update_time``), then store it."""
        ...

    def cancel(self, op: Operation) -> None:
        """Ask the operation to stop (it finishes CANCELLED, or normally if it was about to end)."""
        ...

    def wait(self, op: Operation, timeout: float | None) -> Operation:
        """Block until the operation is done or ``timeout`` passes; the operation as it is then."""
        ...

    def to_proto(self, op: Operation) -> operations_pb2.Operation:
        """The ``google.longrunning.Operation`` for ``op``, read consistently."""
        ...


def now_timestamp() -> timestamp_pb2.Timestamp:
    """The current time as a protobuf Timestamp."""
    ts = timestamp_pb2.Timestamp()
    ts.GetCurrentTime()
    return ts


def _packed(message: Message) -> any_pb2.Any:
    if isinstance(message, any_pb2.Any):
        return message
    out = any_pb2.Any()
    out.Pack(message)
    return out


def to_proto(op: Operation) -> operations_pb2.Operation:
    """The ``google.longrunning.Operation`` for ``op``."""
    out = operations_pb2.Operation(name=op.name, done=op.done)
    out.metadata.CopyFrom(_packed(op.metadata))
    if op.response is not None:
        out.response.CopyFrom(_packed(op.response))
    elif op.error is not None:
        out.error.CopyFrom(op.error)
    return out


def failed(code: int, message: str) -> status_pb2.Status:
    return status_pb2.Status(code=code, message=message)


CANCELLED = status_pb2.Status(code=code_pb2.CANCELLED, message="the operation was cancelled")


class InMemoryOperationStore:
    """Operations of this process only (they live as long as the server)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ops: dict[str, Operation] = {}
        self._by_request: dict[str, str] = {}

    def start(
        self, request_id: str, metadata: Message, owner: str = "", fingerprint: str = ""
    ) -> tuple[Operation, bool]:
        key = f"{owner}\x00{request_id}"
        with self._lock:
            self._expire()
            if request_id and key in self._by_request:
                existing = self._ops.get(self._by_request[key])
                if existing is not None:
                    check_same_request(existing, request_id, fingerprint)
                    return existing, False
            op = Operation(
                name=f"operations/{uuid.uuid4()}", metadata=metadata, owner=owner, request_hash=fingerprint
            )
            self._ops[op.name] = op
            if request_id:
                self._by_request[key] = op.name
            return op, True

    def _expire(self) -> None:
        cutoff = time.time() - RETENTION_SECONDS
        for name in [n for n, e in self._ops.items() if e.done and e.created < cutoff]:
            del self._ops[name]
        self._by_request = {k: v for k, v in self._by_request.items() if v in self._ops}

    def get(self, name: str) -> Operation | None:
        with self._lock:
            return self._ops.get(name)

    def list(self, owner: str | None = None) -> list[Operation]:
        with self._lock:
            ops = [e for e in self._ops.values() if owner is None or e.owner == owner]
        return sorted(ops, key=lambda e: (e.created, e.name))

    def running(self) -> list[Operation]:
        with self._lock:
            return [e for e in self._ops.values() if not e.done]

    def delete(self, name: str) -> bool:
        with self._lock:
            return self._ops.pop(name, None) is not None

    def update(self, op: Operation, mutate: Callable[[Operation], None]) -> None:
        with self._lock:
            mutate(op)
            op.metadata.update_time.CopyFrom(now_timestamp())  # type: ignore[attr-defined]
        if op.done:
            op.finished.set()

    def cancel(self, op: Operation) -> None:
        op.cancel.set()

    def wait(self, op: Operation, timeout: float | None) -> Operation:
        op.finished.wait(timeout)
        return op

    def to_proto(self, op: Operation) -> operations_pb2.Operation:
        with self._lock:
            return to_proto(op)
