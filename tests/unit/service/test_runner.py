"""The one long-running-operation runner over the in-memory operation store."""

from __future__ import annotations

import threading
import time

import pytest
from google.rpc import code_pb2, status_pb2

from hakobu.optimizer.v1 import optimizer_pb2 as pb
from optimizer.service.operations import InMemoryOperationStore, Operation, RequestIdReusedError, request_hash
from optimizer.service.runner import OperationCancelled, OperationRunner

State = pb.OptimizeMetadata


class CountingMetrics:
    def __init__(self) -> None:
        self.started = self.finished = 0

    def solved(self, jobs: int, first_feasible_seconds: float | None) -> None:
        pass

    def operation_started(self) -> None:
        self.started += 1

    def operation_finished(self) -> None:
        self.finished += 1


def _run(work, error_status=None) -> tuple[Operation, InMemoryOperationStore, CountingMetrics]:
    store, metrics = InMemoryOperationStore(), CountingMetrics()
    runner = OperationRunner(store, workers=1, metrics=metrics)
    op, created = store.start("", State(state=State.QUEUED))
    assert created
    if error_status is None:
        runner.submit(op, work)
    else:
        runner.submit(op, work, error_status)
    assert store.wait(op, 10).done
    runner.shutdown()
    return op, store, metrics


def test_work_that_returns_succeeds_with_its_response() -> None:
    op, store, metrics = _run(lambda o: pb.OptimizeResponse(stats=pb.SolverStats(engine="pyvrp")))
    assert op.metadata.state == State.SUCCEEDED and op.error is None
    proto = store.to_proto(op)
    resp = pb.OptimizeResponse()
    assert proto.done and proto.response.Unpack(resp) and resp.stats.engine == "pyvrp"
    assert metrics.started == metrics.finished == 1


def test_work_that_raises_fails_with_the_mapped_status() -> None:
    def boom(o: Operation) -> pb.OptimizeResponse:
        raise ValueError("bad day")

    def mapped(exc: Exception) -> status_pb2.Status:
        return status_pb2.Status(code=code_pb2.INVALID_ARGUMENT, message=str(exc))

    op, store, metrics = _run(boom, mapped)
    assert op.metadata.state == State.FAILED
    assert op.error is not None and op.error.code == code_pb2.INVALID_ARGUMENT
    assert op.error.message == "bad day"
    assert store.to_proto(op).error.code == code_pb2.INVALID_ARGUMENT
    assert metrics.started == metrics.finished == 1


def test_unexpected_errors_are_internal_and_cancellation_is_cancelled() -> None:
    def crash(o: Operation) -> pb.OptimizeResponse:
        raise RuntimeError("worker died")

    def stop(o: Operation) -> pb.OptimizeResponse:
        raise OperationCancelled()

    op, _, _ = _run(crash)
    assert op.metadata.state == State.FAILED and op.error is not None and op.error.code == code_pb2.INTERNAL
    op, _, _ = _run(stop)
    assert op.metadata.state == State.CANCELLED
    assert op.error is not None and op.error.code == code_pb2.CANCELLED


def test_an_operation_cancelled_while_queued_never_runs() -> None:
    store = InMemoryOperationStore()
    runner = OperationRunner(store, workers=1)
    gate, ran = threading.Event(), []
    first, _ = store.start("", State(state=State.QUEUED))
    second, _ = store.start("", State(state=State.QUEUED))
    runner.submit(first, lambda o: (gate.wait(10), pb.OptimizeResponse())[1])
    runner.submit(second, lambda o: (ran.append(o.name), pb.OptimizeResponse())[1])
    store.cancel(second)
    gate.set()
    assert store.wait(second, 10).done and second.metadata.state == State.CANCELLED and not ran
    assert store.wait(first, 10).metadata.state == State.SUCCEEDED
    runner.shutdown()


def test_finish_ends_an_operation_at_once() -> None:
    store = InMemoryOperationStore()
    op, _ = store.start("", State(state=State.QUEUED))
    OperationRunner(store).finish(op, pb.OptimizeResponse())
    assert op.done and op.finished.is_set() and op.metadata.state == State.SUCCEEDED


def test_request_ids_are_per_owner() -> None:
    store = InMemoryOperationStore()
    a, created = store.start("r1", State(), owner="ORG-A")
    again, created_again = store.start("r1", State(), owner="ORG-A")
    other, created_other = store.start("r1", State(), owner="ORG-B")
    fresh, created_fresh = store.start("", State(), owner="ORG-A")
    assert created and not created_again and again is a
    assert created_other and other is not a and created_fresh and fresh is not a
    assert [o.name for o in store.list("ORG-A")] == [a.name, fresh.name]
    assert store.delete(a.name) and store.get(a.name) is None


def test_a_request_id_reused_for_another_request_is_refused() -> None:
    store = InMemoryOperationStore()
    one = pb.OptimizeRequest(request_id="r", parameters=pb.SolveParameters(seed=1))
    same = pb.OptimizeRequest(request_id="r", parameters=pb.SolveParameters(seed=1), validate_only=True)
    other = pb.OptimizeRequest(request_id="r", parameters=pb.SolveParameters(seed=2))
    assert request_hash(one) == request_hash(same) != request_hash(other)
    op, _ = store.start("r", State(), fingerprint=request_hash(one))
    assert store.start("r", State(), fingerprint=request_hash(same))[0] is op
    with pytest.raises(RequestIdReusedError) as err:
        store.start("r", State(), fingerprint=request_hash(other))
    assert err.value.name == op.name


def test_shutdown_leaves_no_operation_queued() -> None:
    """At shutdown the running operation is told to stop and ends with its best result (SUCCEEDED); the
    queued one never runs and ends ABORTED."""
    store = InMemoryOperationStore()
    runner = OperationRunner(store, workers=1)
    started = threading.Event()

    def long(o: Operation) -> pb.OptimizeResponse:
        started.set()
        assert runner.stopping.wait(10)
        return pb.OptimizeResponse(stats=pb.SolverStats(engine="best so far"))

    running, _ = store.start("", State(state=State.QUEUED))
    queued, _ = store.start("", State(state=State.QUEUED))
    ran = threading.Event()
    runner.submit(running, long)
    runner.submit(queued, lambda o: ran.set() or pb.OptimizeResponse())
    assert started.wait(10)
    runner.shutdown(grace=10)
    assert running.metadata.state == State.SUCCEEDED and not running.cancel.is_set()
    assert store.to_proto(running).response.Unpack(resp := pb.OptimizeResponse())
    assert resp.stats.engine == "best so far"
    assert queued.done and queued.metadata.state == State.FAILED and not ran.is_set()
    assert queued.error is not None and queued.error.code == code_pb2.ABORTED
    assert not store.running()


def test_shutdown_aborts_what_outlives_the_grace() -> None:
    """A work that does not stop within the grace is not waited for: its operation ends ABORTED."""
    store = InMemoryOperationStore()
    runner = OperationRunner(store, workers=1)
    started, release = threading.Event(), threading.Event()

    def stubborn(o: Operation) -> pb.OptimizeResponse:
        started.set()
        release.wait(10)
        return pb.OptimizeResponse()

    op, _ = store.start("", State(state=State.QUEUED))
    runner.submit(op, stubborn)
    assert started.wait(10)
    t0 = time.monotonic()
    runner.shutdown(grace=0.3)
    assert time.monotonic() - t0 < 2
    assert op.done and op.metadata.state == State.FAILED
    assert op.error is not None and op.error.code == code_pb2.ABORTED
    release.set()


def test_a_stop_before_any_result_is_aborted_not_failed() -> None:
    store = InMemoryOperationStore()
    runner = OperationRunner(store, workers=1)
    started = threading.Event()

    def nothing_yet(o: Operation) -> pb.OptimizeResponse:
        started.set()
        runner.stopping.wait(10)
        raise RuntimeError("no plan found before the stop")

    op, _ = store.start("", State(state=State.QUEUED))
    runner.submit(op, nothing_yet, lambda e: status_pb2.Status(code=code_pb2.DEADLINE_EXCEEDED))
    assert started.wait(10)
    runner.shutdown(grace=10)
    assert op.error is not None and op.error.code == code_pb2.ABORTED
