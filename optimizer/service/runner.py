"""The one runner of long-running operations, shared by the optimizer and the plans services.

An operation's work runs on a small thread pool (bounded concurrency); its state goes QUEUED → RUNNING →
SUCCEEDED, FAILED or CANCELLED through the :class:`~optimizer.service.operations.OperationStore`, so every
replica that reads the store sees it. The metadata message of every operation has a ``state`` enum field
with the values ``RUNNING``, ``SUCCEEDED``, ``FAILED`` and ``CANCELLED`` (``OptimizeMetadata.State``,
``OptimizePlanMetadata.State``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from google.protobuf.message import Message
from google.rpc import code_pb2, status_pb2

from optimizer.service.metrics import NoMetrics, SolveMetrics
from optimizer.service.operations import CANCELLED, Operation, OperationStore

log = logging.getLogger("hakobu.operations")

#: ``work(op) -> response``: the operation's job; it may watch ``op.cancel`` and raise
#: :class:`OperationCancelled` to end CANCELLED.
Work = Callable[[Operation], Message]
#: An exception raised by the work → the operation's error status.
ErrorStatus = Callable[[Exception], status_pb2.Status]


class OperationCancelled(Exception):
    """Raised by an operation's work that stopped because it was cancelled."""


def _set_state(op: Operation, state: str) -> None:
    md = op.metadata
    enum = md.DESCRIPTOR.fields_by_name["state"].enum_type
    md.state = enum.values_by_name[state].number  # type: ignore[attr-defined]


def _fail(status: status_pb2.Status) -> Callable[[Operation], None]:
    def mutate(op: Operation) -> None:
        op.error = status
        op.done = True
        _set_state(op, "CANCELLED" if status.code == code_pb2.CANCELLED else "FAILED")

    return mutate


def _succeed(response: Message) -> Callable[[Operation], None]:
    def mutate(op: Operation) -> None:
        op.response = response
        op.done = True
        _set_state(op, "SUCCEEDED")

    return mutate


SERVER_STOPPED = status_pb2.Status(
    code=code_pb2.ABORTED,
    message="サーバーが停止したため実行されませんでした。もう一度実行してください / "
            "the server stopped before the operation ran; run it again",
)


def internal_error(exc: Exception) -> status_pb2.Status:
    """The default :data:`ErrorStatus`: every failure is INTERNAL."""
    return status_pb2.Status(code=code_pb2.INTERNAL, message=f"internal error: {exc}")


class OperationRunner:
    def __init__(
        self,
        store: OperationStore,
        *,
        workers: int = 2,
        name: str = "operation",
        metrics: SolveMetrics | None = None,
    ) -> None:
        self.store = store
        self._metrics = metrics or NoMetrics()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)

    def submit(self, op: Operation, work: Work, error_status: ErrorStatus = internal_error) -> None:
        """Run ``work`` for ``op`` in the background; ``op`` always ends done."""
        self._pool.submit(self._run, op, work, error_status)

    def finish(self, op: Operation, response: Message) -> None:
        """End ``op`` at once with ``response`` (e.g. a ``validate_only`` request)."""
        self.store.update(op, _succeed(response))

    def _run(self, op: Operation, work: Work, error_status: ErrorStatus) -> None:
        if op.cancel.is_set():
            self.store.update(op, _fail(CANCELLED))
            return
        self._metrics.operation_started()
        try:
            self.store.update(op, lambda o: _set_state(o, "RUNNING"))
            response = work(op)
        except OperationCancelled:
            self.store.update(op, _fail(CANCELLED))
        except Exception as exc:  # an operation must always finish
            status = error_status(exc)
            if status.code in (code_pb2.INTERNAL, code_pb2.UNKNOWN):
                log.exception("operation failed", extra={"operation": op.name})
            self.store.update(op, _fail(status))
        else:
            self.store.update(op, _succeed(response))
        finally:
            self._metrics.operation_finished()

    def shutdown(self) -> None:
        """Ask every running operation to stop and wait for them; operations still queued never start and
        end ABORTED (run them again), so none stays QUEUED or RUNNING for ever."""
        for op in self.store.running():
            op.cancel.set()
        self._pool.shutdown(wait=True, cancel_futures=True)
        for op in self.store.running():
            self.store.update(op, _fail(SERVER_STOPPED))
