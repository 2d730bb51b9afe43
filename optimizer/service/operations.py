"""Long-running optimizations: an operation store and the standard
``google.longrunning.Operations`` service over it.

The store is in-process (operations live as long as the server). Operation
names are ``operations/{uuid}``; finished operations are kept for
``RETENTION_SECONDS`` and then forgotten.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import grpc
from google.longrunning import operations_pb2, operations_pb2_grpc
from google.protobuf import empty_pb2, timestamp_pb2
from google.protobuf.message import Message
from google.rpc import code_pb2, status_pb2

from hakobu.v1 import optimizer_pb2 as pb

RETENTION_SECONDS = 24 * 3600
PAGE_SIZE = 50


@dataclass
class _Entry:
    name: str
    #: OptimizeMetadata here; other services keep their own metadata message (with ``update_time``).
    metadata: Any
    created: float = field(default_factory=time.time)
    done: bool = False
    response: Message | None = None
    #: Who may see the operation (an organization); "" = everyone who can reach the service.
    owner: str = ""
    error: status_pb2.Status | None = None
    cancel: threading.Event = field(default_factory=threading.Event)
    finished: threading.Event = field(default_factory=threading.Event)


def now_timestamp() -> timestamp_pb2.Timestamp:
    """The current time as a protobuf Timestamp."""
    ts = timestamp_pb2.Timestamp()
    ts.GetCurrentTime()
    return ts


class OperationStore:
    """Thread-safe registry of optimization operations."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ops: dict[str, _Entry] = {}
        self._by_request: dict[str, str] = {}

    def create(self, request_id: str, jobs: int, vehicles: int) -> tuple[_Entry, bool]:
        """A new QUEUED operation, or (existing, False) for a repeated request id."""
        md = pb.OptimizeMetadata(
            state=pb.OptimizeMetadata.QUEUED,
            create_time=now_timestamp(),
            update_time=now_timestamp(),
            jobs=jobs,
            vehicles=vehicles,
        )
        return self.start(request_id, md)

    def start(self, request_id: str, metadata: Message, owner: str = "") -> tuple[_Entry, bool]:
        """A new operation with ``metadata``, or (existing, False) for a repeated (owner, request id)."""
        key = f"{owner}\x00{request_id}"
        with self._lock:
            self._expire()
            if request_id and key in self._by_request:
                existing = self._ops.get(self._by_request[key])
                if existing is not None:
                    return existing, False
            name = f"operations/{uuid.uuid4()}"
            entry = _Entry(name=name, metadata=metadata, owner=owner)
            self._ops[name] = entry
            if request_id:
                self._by_request[key] = name
            return entry, True

    def _expire(self) -> None:
        cutoff = time.time() - RETENTION_SECONDS
        for name in [n for n, e in self._ops.items() if e.done and e.created < cutoff]:
            del self._ops[name]
        self._by_request = {k: v for k, v in self._by_request.items() if v in self._ops}

    def get(self, name: str) -> _Entry | None:
        with self._lock:
            return self._ops.get(name)

    def list(self, owner: str | None = None) -> list[_Entry]:
        """Operations oldest first; only ``owner``'s when given."""
        with self._lock:
            entries = [e for e in self._ops.values() if owner is None or e.owner == owner]
        return sorted(entries, key=lambda e: (e.created, e.name))

    def running(self) -> list[_Entry]:
        """The unfinished operations this process is running (to cancel them at shutdown)."""
        with self._lock:
            return [e for e in self._ops.values() if not e.done]

    def delete(self, name: str) -> bool:
        with self._lock:
            return self._ops.pop(name, None) is not None

    def update(self, entry: _Entry, mutate: Callable[[_Entry], None]) -> None:
        with self._lock:
            mutate(entry)
            entry.metadata.update_time.CopyFrom(now_timestamp())
        if entry.done:
            entry.finished.set()

    def cancel(self, entry: _Entry) -> None:
        """Ask the operation to stop (it finishes CANCELLED, or normally if it was about to end)."""
        entry.cancel.set()

    def wait(self, entry: _Entry, timeout: float | None) -> _Entry:
        """Block until the operation is done or ``timeout`` passes; the entry as it is then."""
        entry.finished.wait(timeout)
        return entry

    def to_proto(self, entry: _Entry) -> operations_pb2.Operation:
        with self._lock:
            op = operations_pb2.Operation(name=entry.name, done=entry.done)
            op.metadata.Pack(entry.metadata)
            if entry.response is not None:
                op.response.Pack(entry.response)
            elif entry.error is not None:
                op.error.CopyFrom(entry.error)
            return op


class OperationsServicer(operations_pb2_grpc.OperationsServicer):
    """google.longrunning.Operations over an :class:`OperationStore`."""

    def __init__(
        self, store: OperationStore, owner_of: Callable[[grpc.ServicerContext], str] | None = None
    ) -> None:
        self._store = store
        #: When set, a caller sees only the operations whose owner is ``owner_of(context)``.
        self._owner_of = owner_of

    def _visible(self, entry: _Entry, context: grpc.ServicerContext) -> bool:
        return self._owner_of is None or entry.owner == self._owner_of(context)

    def _entry(self, name: str, context: grpc.ServicerContext) -> _Entry:
        entry = self._store.get(name)
        if entry is None or not self._visible(entry, context):
            context.abort(grpc.StatusCode.NOT_FOUND, f"operation {name!r} not found")
        assert entry is not None
        return entry

    def GetOperation(self, request, context):
        return self._store.to_proto(self._entry(request.name, context))

    def ListOperations(self, request, context):
        owner = self._owner_of(context) if self._owner_of is not None else None
        entries = self._store.list(owner)
        if request.filter:
            want = request.filter.strip()
            if want not in ("done=true", "done=false"):
                context.abort(grpc.StatusCode.INVALID_ARGUMENT, "filter supports 'done=true' or 'done=false'")
            entries = [e for e in entries if e.done == (want == "done=true")]
        try:
            start = int(request.page_token or 0)
        except ValueError:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "invalid page_token")
        size = request.page_size if 0 < request.page_size <= 1000 else PAGE_SIZE
        page = entries[start : start + size]
        nxt = str(start + size) if start + size < len(entries) else ""
        return operations_pb2.ListOperationsResponse(
            operations=[self._store.to_proto(e) for e in page], next_page_token=nxt
        )

    def CancelOperation(self, request, context):
        entry = self._entry(request.name, context)
        self._store.cancel(entry)
        return empty_pb2.Empty()

    def DeleteOperation(self, request, context):
        entry = self._entry(request.name, context)
        self._store.cancel(entry)
        self._store.delete(request.name)
        return empty_pb2.Empty()

    def WaitOperation(self, request, context):
        entry = self._entry(request.name, context)
        timeout = (
            request.timeout.seconds + request.timeout.nanos / 1e9 if request.HasField("timeout") else None
        )
        remaining = context.time_remaining()
        if remaining is not None:
            timeout = remaining if timeout is None else min(timeout, remaining)
        return self._store.to_proto(self._store.wait(entry, timeout))


def failed(code: int, message: str) -> status_pb2.Status:
    return status_pb2.Status(code=code, message=message)


CANCELLED = status_pb2.Status(code=code_pb2.CANCELLED, message="the operation was cancelled")
