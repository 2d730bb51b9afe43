"""Operations that recover (issue 15): a real ``serve all`` process over PostgreSQL, killed with SIGKILL
or stopped with SIGTERM in the middle of ``OptimizePlan`` and ``OptimizeLongRunning``, then started again
on the same database. A short lease (2 s) and grace (3 s) keep the tests quick."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import grpc
import pytest
from google.longrunning import operations_pb2, operations_pb2_grpc
from google.protobuf import duration_pb2
from google.rpc import code_pb2

from hakobu.optimizer.v1 import optimizer_pb2, optimizer_pb2_grpc
from hakobu.plans.v1 import plans_pb2 as pb
from hakobu.plans.v1 import plans_pb2_grpc
from server.adapters.postgres.migrate import migrate
from server.adapters.postgres.seed import NERIMA_BRANCH_ID, ORG_ID, seed, tomorrow
from tests.credentials import SERVER_ENV, Role, metadata_for
from tests.credentials import channel as authorized_channel
from tests.e2e.test_optimizer_grpc import small_request
from tests.e2e.test_plans_grpc import _date
from tests.integration.db.conftest import create_database, drop_database

ORG = f"organizations/{ORG_ID}"
BRANCH = f"{ORG}/branches/{NERIMA_BRANCH_ID}"
MD = metadata_for(ORG_ID, Role.DISPATCHER, "U-002")
LEASE, GRACE = 2, 3
#: Seconds a stopped server may take beyond its grace (closing the store, the database, the workers).
EXIT_MARGIN = 5.0


@dataclass
class Server:
    """One ``serve all`` process and stubs on both of its ports."""

    proc: subprocess.Popen[str]
    optimizer: optimizer_pb2_grpc.OptimizerServiceStub
    optimizer_ops: operations_pb2_grpc.OperationsStub
    plans: plans_pb2_grpc.PlanServiceStub
    plans_ops: operations_pb2_grpc.OperationsStub
    channels: tuple[grpc.Channel, grpc.Channel]

    def close(self) -> None:
        for ch in self.channels:
            ch.close()
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=30)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


@pytest.fixture
def url() -> Iterator[str]:
    name, db = create_database()
    try:
        migrate(db)
        seed(db, tomorrow())
        yield db
    finally:
        drop_database(name)


@pytest.fixture
def serve(url: str) -> Iterator[Callable[[int], Server]]:
    started: list[Server] = []

    def start(workers: int = 0) -> Server:
        env = {**os.environ, **SERVER_ENV, "DATABASE_URL": url, "HAKOBU_LOG_LEVEL": "WARNING",
               "HAKOBU_OPERATION_LEASE_SECONDS": str(LEASE), "HAKOBU_SHUTDOWN_GRACE_SECONDS": str(GRACE)}
        cmd = [sys.executable, "-m", "server.entrypoints.cli", "serve", "all", "--address", "127.0.0.1:0",
               "--plans-address", "127.0.0.1:0", "--tracking-address", "127.0.0.1:0",
               "--osmand-address", "127.0.0.1:0", "--gateway-address", "127.0.0.1:0",
               "--reports-address", "127.0.0.1:0",
               "--workers", str(workers), "--metrics-port", "-1"]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
        lines: list[str] = []
        assert proc.stdout is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any("PlanService" in x for x in lines):
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
        out = "".join(lines)
        opt = re.search(r"OptimizerService \(gRPC\) listening on (\S+)", out)
        plans = re.search(r"PlanService \+ OrganizationService \(gRPC\) listening on (\S+)", out)
        if not (opt and plans):
            proc.kill()
            proc.wait()
            pytest.fail(f"the server did not start: {out}")
        a, b = authorized_channel(opt.group(1)), grpc.insecure_channel(plans.group(1))
        server = Server(
            proc, optimizer_pb2_grpc.OptimizerServiceStub(a), operations_pb2_grpc.OperationsStub(a),
            plans_pb2_grpc.PlanServiceStub(b), operations_pb2_grpc.OperationsStub(b), (a, b),
        )
        started.append(server)
        return server

    yield start
    for server in started:
        server.close()


def _secs(s: int) -> duration_pb2.Duration:
    return duration_pb2.Duration(seconds=s)


def _get(ops: operations_pb2_grpc.OperationsStub, name: str, md: tuple = ()) -> operations_pb2.Operation:
    return ops.GetOperation(operations_pb2.GetOperationRequest(name=name), metadata=md, timeout=10)


def _until(check: Callable[[], bool], seconds: float, what: str) -> float:
    """Poll ``check`` until true; the seconds it took."""
    t0 = time.monotonic()
    while not check():
        assert time.monotonic() - t0 < seconds, f"{what}: not within {seconds} s"
        time.sleep(0.2)
    return time.monotonic() - t0


def _state(op: operations_pb2.Operation, meta_type: type) -> int:
    meta = meta_type()
    op.metadata.Unpack(meta)
    return meta.state  # type: ignore[no-any-return]


def _optimize_plan(server: Server, seconds: int, **extra: object) -> operations_pb2.Operation:
    return server.plans.OptimizePlan(pb.OptimizePlanRequest(
        parent=ORG, branch=BRANCH, plan_date=_date(tomorrow()), time_limit=_secs(seconds), seed=1,
        **extra,  # type: ignore[arg-type]
    ), metadata=MD, timeout=10)


def _first_plan(server: Server) -> pb.DeliveryPlan:
    op = _optimize_plan(server, 2)
    done = server.plans_ops.WaitOperation(
        operations_pb2.WaitOperationRequest(name=op.name, timeout=_secs(60)), metadata=MD, timeout=70
    )
    assert done.done and not done.HasField("error"), done.error
    plan = pb.DeliveryPlan()
    done.response.Unpack(plan)
    return plan


def _running(ops: operations_pb2_grpc.OperationsStub, name: str, meta_type: type, md: tuple = ()) -> None:
    _until(lambda: _state(_get(ops, name, md), meta_type) == meta_type.RUNNING, 30, f"{name} RUNNING")
    time.sleep(1.0)  # the search is under way


def _aborted_then_cancel_and_delete(
    ops: operations_pb2_grpc.OperationsStub, name: str, md: tuple = ()
) -> float:
    """After a restart: the operation ends ABORTED within a minute; Cancel and Delete work on it."""
    took = _until(lambda: _get(ops, name, md).done, 60, f"{name} ABORTED")
    print(f"ABORTED {took:.1f} s after the restart")
    op = _get(ops, name, md)
    assert op.error.code == code_pb2.ABORTED, op
    ops.CancelOperation(operations_pb2.CancelOperationRequest(name=name), metadata=md, timeout=10)
    assert _get(ops, name, md).error.code == code_pb2.ABORTED
    ops.DeleteOperation(operations_pb2.DeleteOperationRequest(name=name), metadata=md, timeout=10)
    with pytest.raises(grpc.RpcError) as gone:
        _get(ops, name, md)
    assert gone.value.code() == grpc.StatusCode.NOT_FOUND
    return took


def test_kill_9_during_optimize_plan(serve: Callable[[int], Server]) -> None:
    server = serve(0)
    before = _first_plan(server)
    op = _optimize_plan(server, 120, request_id="kill-during-optimize-plan")
    _running(server.plans_ops, op.name, pb.OptimizePlanMetadata, MD)
    server.proc.send_signal(signal.SIGKILL)
    server.proc.wait(timeout=30)

    again = serve(0)
    took = _aborted_then_cancel_and_delete(again.plans_ops, op.name, MD)
    assert took < 60
    after = again.plans.GetPlan(pb.GetPlanRequest(name=before.name), metadata=MD, timeout=10)
    assert (after.revision, after.etag) == (before.revision, before.etag)


def test_kill_9_during_optimize_long_running(serve: Callable[[int], Server]) -> None:
    server = serve(0)
    op = server.optimizer.OptimizeLongRunning(small_request(time_limit=120, jobs=40), timeout=10)
    _running(server.optimizer_ops, op.name, optimizer_pb2.OptimizeMetadata)
    server.proc.send_signal(signal.SIGKILL)
    server.proc.wait(timeout=30)

    again = serve(0)
    # The optimizer's operations are its own: the plans service's Operations does not show them.
    listed = again.plans_ops.ListOperations(operations_pb2.ListOperationsRequest(), metadata=MD, timeout=10)
    assert op.name not in {o.name for o in listed.operations}
    assert _aborted_then_cancel_and_delete(again.optimizer_ops, op.name) < 60


def test_sigterm_stops_searches_at_their_best_plan_within_the_grace(serve: Callable[[int], Server]) -> None:
    server = serve(1)
    before = _first_plan(server)
    long_op = server.optimizer.OptimizeLongRunning(small_request(time_limit=600, jobs=40), timeout=10)
    plan_op = _optimize_plan(server, 600)
    _running(server.optimizer_ops, long_op.name, optimizer_pb2.OptimizeMetadata)
    _running(server.plans_ops, plan_op.name, pb.OptimizePlanMetadata, MD)
    t0 = time.monotonic()
    server.proc.send_signal(signal.SIGTERM)
    server.proc.wait(timeout=GRACE + 60)
    took = time.monotonic() - t0
    assert server.proc.returncode == 0
    assert took < GRACE + EXIT_MARGIN, f"stopped in {took:.1f} s"
    print(f"stopped in {took:.1f} s")

    again = serve(0)
    done = _get(again.optimizer_ops, long_op.name)
    assert done.done, done
    assert _state(done, optimizer_pb2.OptimizeMetadata) == optimizer_pb2.OptimizeMetadata.SUCCEEDED, done
    solved = optimizer_pb2.OptimizeResponse()
    assert done.response.Unpack(solved) and solved.solution.routes
    plan_done = _get(again.plans_ops, plan_op.name, MD)
    assert plan_done.done, plan_done
    state = _state(plan_done, pb.OptimizePlanMetadata)
    print("plan operation state", pb.OptimizePlanMetadata.State.Name(state))
    if state == pb.OptimizePlanMetadata.SUCCEEDED:  # stored with the search's best plan
        after = again.plans.GetPlan(pb.GetPlanRequest(name=before.name), metadata=MD, timeout=10)
        assert after.revision == before.revision + 1
    else:  # or given up: ABORTED, the plan untouched
        assert plan_done.error.code == code_pb2.ABORTED, plan_done
