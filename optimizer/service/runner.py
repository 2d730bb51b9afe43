"""The one runner of long-running operations, shared by the optimizer and the plans services.

An operation's work runs on a small thread pool (bounded concurrency); its state goes QUEUED → RUNNING →
SUCCEEDED, FAILED or CANCELLED through the :class:`~optimizer.service.operations.OperationStore`, so every
replica that reads the store sees it. The metadata message of every operation has a ``state`` enum field
with the values ``RUNNING``, ``SUCCEEDED``, ``FAILED`` and ``CANCELLED`` (``OptimizeMetadata.State``,
``OptimizePlanMetadata.State``).

Shutdown (:meth:`OperationRunner.shutdown`) sets :attr:`OperationRunner.stopping`: a work that watches it
stops its search and returns the best result it has (the operation SUCCEEDED with it); what is still
running after the grace, or never started, ends ABORTED — never RUNNING.
"""

from __future__ import annotations

import contextvars
import logging
import threading
import time
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
        #: Set by :meth:`shutdown`: works stop at their best result and return it.
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._started: dict[str, Operation] = {}

    def submit(self, op: Operation, work: Work, error_status: ErrorStatus = internal_error) -> None:
        """Run ``work`` for ``op`` in the background; ``op`` always ends done. The work runs in a copy of the
        caller's context (its log fields and trace go on in the background)."""
        self._pool.submit(contextvars.copy_context().run, self._run, op, work, error_status)

    def finish(self, op: Operation, response: Message) -> None:
        """End ``op`` at once with ``response`` (e.g. a ``validate_only`` request)."""
        self.store.update(op, _succeed(response))

    def _run(self, op: Operation, work: Work, error_status: ErrorStatus) -> None:
        if op.cancel.is_set():
            self.store.update(op, _fail(CANCELLED))
            return
        if self.stopping.is_set():
            self.store.update(op, _fail(SERVER_STOPPED))
            return
        with self._lock:
            self._started[op.name] = op
        self._metrics.operation_started()
        try:
            self.store.update(op, lambda o: _set_state(o, "RUNNING"))
            response = work(op)
        except OperationCancelled:
            stopped = self.stopping.is_set() and not op.cancel.is_set()
            self.store.update(op, _fail(SERVER_STOPPED if stopped else CANCELLED))
        except Exception as exc:  # an operation must always finish
            status = error_status(exc)
            if self.stopping.is_set() and not op.cancel.is_set():
                status = SERVER_STOPPED  # e.g. stopped before its search found any plan: run it again
            elif status.code in (code_pb2.INTERNAL, code_pb2.UNKNOWN):
                log.exception("operation failed", extra={"operation": op.name})
            self.store.update(op, _fail(status))
        else:
            self.store.update(op, _succeed(response))
        finally:
            with self._lock:
                self._started.pop(op.name, None)
            self._metrics.operation_finished()

    def shutdown(self, grace: float | None = None) -> None:
        """Stop: running operations are told to stop at their best result (:attr:`stopping`) and get
        ``grace`` seconds (None: as long as they take) to finish; operations still queued never start.
        Every operation of this process that is not done then ends ABORTED (run it again), so none stays
        QUEUED or RUNNING for ever."""
        self.stopping.set()
        self._pool.shutdown(wait=False, cancel_futures=True)
        deadline = None if grace is None else time.monotonic() + grace
        with self._lock:
            started = list(self._started.values())
        for op in started:
            op.finished.wait(None if deadline is None else max(0.0, deadline - time.monotonic()))
        for op in self.store.running():
            if not op.done:
                log.warning("operation stopped unfinished", extra={"operation": op.name})
                self.store.update(op, _fail(SERVER_STOPPED))
