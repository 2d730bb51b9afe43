"""Graceful shutdown of the OptimizerService in process (issue 15): searches stop at their best plan, the
calls answer with it, the operations SUCCEED with it, and the stop takes the grace at most."""

from __future__ import annotations

import threading
import time

import grpc
from google.rpc import code_pb2

from hakobu.optimizer.v1 import optimizer_pb2 as pb
from hakobu.optimizer.v1 import optimizer_pb2_grpc
from optimizer.service.operations import InMemoryOperationStore
from server.bootstrap import create_optimizer_server
from tests.credentials import SETTINGS
from tests.credentials import channel as authorized_channel
from tests.e2e.test_optimizer_grpc import small_request

GRACE = 3.0


def test_stop_ends_searches_at_their_best_plan_within_the_grace() -> None:
    running = create_optimizer_server("127.0.0.1:0", workers=1, settings=SETTINGS)
    assert isinstance(running.store, InMemoryOperationStore)  # no database configured: in memory
    answers: list[pb.OptimizeResponse | grpc.RpcError] = []
    with authorized_channel(f"127.0.0.1:{running.port}") as ch:
        stub = optimizer_pb2_grpc.OptimizerServiceStub(ch)
        op = stub.OptimizeLongRunning(small_request(time_limit=600, jobs=40), timeout=10)

        def call() -> None:
            try:
                answers.append(stub.Optimize(small_request(time_limit=600, jobs=30), timeout=120))
            except grpc.RpcError as exc:
                answers.append(exc)

        caller = threading.Thread(target=call)
        caller.start()
        time.sleep(2.0)  # both searches are under way (one on the worker, one queued for it or running)
        t0 = time.monotonic()
        running.stop(GRACE)
        took = time.monotonic() - t0
        print(f"stopped in {took:.1f} s")
        caller.join(30)
        assert took < GRACE + 3, f"stopped in {took:.1f} s"
        assert running.store is not None
        done = running.store.get(op.name)
        assert done is not None and done.done
        state = done.metadata.state  # type: ignore[attr-defined]
        assert state != pb.OptimizeMetadata.RUNNING and state != pb.OptimizeMetadata.QUEUED
        if state == pb.OptimizeMetadata.SUCCEEDED:
            assert done.response is not None and done.response.solution.routes  # type: ignore[attr-defined]
        else:  # stopped before its first plan: ABORTED, run it again
            assert done.error is not None and done.error.code == code_pb2.ABORTED
        assert len(answers) == 1
        answer = answers[0]
        if isinstance(answer, grpc.RpcError):  # the search had no plan yet when it was stopped
            assert answer.code() == grpc.StatusCode.UNAVAILABLE, answer
        else:
            assert answer.solution.routes
