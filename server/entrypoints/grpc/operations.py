"""``google.longrunning.Operations`` over an operation store: served beside the optimizer and beside the
plans services (there each caller sees only their organization's operations)."""

from __future__ import annotations

from collections.abc import Callable

import grpc
from google.longrunning import operations_pb2, operations_pb2_grpc
from google.protobuf import empty_pb2

from optimizer.service.operations import Operation, OperationStore
from server.entrypoints.grpc import aip
from server.entrypoints.grpc.context import shown
from server.entrypoints.grpc.errors import FieldError, grpc_errors

_FILTERS: aip.FilterSpec = {"done": ("done", aip.filter_bool)}


class OperationsServicer(operations_pb2_grpc.OperationsServicer):
    """Get, List, Wait, Cancel and Delete of the operations in ``store``.

    ``owner_of(context)``, when given, is the caller's organization: other organizations' operations are
    NOT_FOUND for them and left out of their lists.
    """

    def __init__(
        self, store: OperationStore, owner_of: Callable[[grpc.ServicerContext], str] | None = None
    ) -> None:
        self._store = store
        self._owner_of = owner_of

    def _visible(self, op: Operation, context: grpc.ServicerContext) -> bool:
        return self._owner_of is None or op.owner == self._owner_of(context)

    def _op(self, name: str, context: grpc.ServicerContext) -> Operation:
        op = self._store.get(name)
        if op is None or not self._visible(op, context):
            context.abort(grpc.StatusCode.NOT_FOUND, f"operation {shown(name)} not found")
        assert op is not None
        return op

    def GetOperation(self, request, context):
        return self._store.to_proto(self._op(request.name, context))

    @grpc_errors
    def ListOperations(self, request, context):
        owner = self._owner_of(context) if self._owner_of is not None else None
        flt = aip.parse_filter(request.filter, _FILTERS, lambda name, collection, field: name)
        size = aip.page_size(request.page_size)
        start = aip.decode_page_token(request.page_token, flt) if request.page_token else 0
        if not isinstance(start, int) or start < 0:
            raise FieldError([("page_token", "ページトークンが使えません / bad page_token; start again")])
        ops = [op for op in self._store.list(owner) if "done" not in flt or op.done == flt["done"]]
        page = ops[start : start + size]
        more = start + size < len(ops)
        return operations_pb2.ListOperationsResponse(
            operations=[self._store.to_proto(op) for op in page],
            next_page_token=aip.encode_page_token(start + size, flt) if more else "",
        )

    def CancelOperation(self, request, context):
        self._store.cancel(self._op(request.name, context))
        return empty_pb2.Empty()

    def DeleteOperation(self, request, context):
        op = self._op(request.name, context)
        self._store.cancel(op)
        self._store.delete(request.name)
        return empty_pb2.Empty()

    def WaitOperation(self, request, context):
        op = self._op(request.name, context)
        timeout = (
            request.timeout.seconds + request.timeout.nanos / 1e9 if request.HasField("timeout") else None
        )
        remaining = context.time_remaining()
        if remaining is not None:
            timeout = remaining if timeout is None else min(timeout, remaining)
        return self._store.to_proto(self._store.wait(op, timeout))
