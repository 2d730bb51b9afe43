"""PlanService end to end: a real optimizer server, a plans server over the real PostgreSQL, gRPC calls
as a dispatcher's tools would make them."""

from __future__ import annotations

import datetime
import threading
from collections.abc import Iterator

import grpc
import psycopg
import pytest
from google.longrunning import operations_pb2, operations_pb2_grpc
from google.protobuf import duration_pb2
from google.rpc import error_details_pb2
from grpc_status import rpc_status
from prometheus_client import REGISTRY

from hakobu.v1 import plans_pb2 as pb
from hakobu.v1 import plans_pb2_grpc
from server.adapters.postgres.seed import NERIMA_BRANCH_ID, ORG_ID, demo_orders, seed, tomorrow
from server.bootstrap import create_optimizer_server, create_plans_server
from tests.integration.db.conftest import db_url, new_org  # noqa: F401  (fixture)

ORG = f"organizations/{ORG_ID}"
MD = (("x-hakobu-organization", ORG_ID), ("x-hakobu-user", "U-002"))
LIMIT = duration_pb2.Duration(seconds=2)


@pytest.fixture(scope="module")
def channel(db_url: str) -> Iterator[grpc.Channel]:  # noqa: F811
    optimizer = create_optimizer_server("127.0.0.1:0", workers=0)
    plans = create_plans_server("127.0.0.1:0", db_url, f"127.0.0.1:{optimizer.port}")
    with grpc.insecure_channel(f"127.0.0.1:{plans.port}") as ch:
        yield ch
    plans.stop()
    optimizer.stop()


@pytest.fixture(scope="module")
def stub(channel: grpc.Channel) -> plans_pb2_grpc.PlanServiceStub:
    return plans_pb2_grpc.PlanServiceStub(channel)


def _date(d: datetime.date):
    from google.type import date_pb2

    return date_pb2.Date(year=d.year, month=d.month, day=d.day)


def _optimize(stub, channel, day: datetime.date, md=MD) -> pb.DeliveryPlan:
    op = stub.OptimizePlan(pb.OptimizePlanRequest(
        parent=ORG, branch=f"{ORG}/branches/{NERIMA_BRANCH_ID}", plan_date=_date(day), time_limit=LIMIT,
        seed=1,
    ), metadata=md)
    ops = operations_pb2_grpc.OperationsStub(channel)
    done = ops.WaitOperation(operations_pb2.WaitOperationRequest(name=op.name, timeout=duration_pb2.Duration(
        seconds=60)), metadata=md)
    assert done.done and not done.HasField("error"), done.error
    plan = pb.DeliveryPlan()
    done.response.Unpack(plan)
    meta = pb.OptimizePlanMetadata()
    done.metadata.Unpack(meta)
    assert meta.state == pb.OptimizePlanMetadata.SUCCEEDED and meta.plan == plan.name
    return plan


def _orders(plan: pb.DeliveryPlan, route: int) -> list[str]:
    return [s.order for s in plan.routes[route].stops if s.order]


def _fields(err: grpc.RpcError) -> list[str]:
    status = rpc_status.from_call(err)
    assert status is not None
    out = []
    for d in status.details:
        br = error_details_pb2.BadRequest()
        if d.Unpack(br):
            out += [v.field for v in br.field_violations]
    return out


def test_optimize_edit_publish_progress_replan_compare(stub, channel, db_url: str) -> None:  # noqa: F811
    day = tomorrow() + datetime.timedelta(days=70)
    seed(db_url, day)
    plan = _optimize(stub, channel, day)
    assert plan.status == pb.DeliveryPlan.DRAFT and plan.revision == 1 and len(plan.routes) >= 2
    served = sum(len(_orders(plan, i)) for i in range(len(plan.routes)))
    assert served + len(plan.unassigned) == len(demo_orders(day))
    assert stub.GetPlan(pb.GetPlanRequest(name=plan.name), metadata=MD) == plan

    # A move that breaks the vehicle class rule is reported, not saved.
    small_only = {f"{ORG}/orders/{o['id']}" for o in demo_orders(day) if o["allowed_vehicle_classes"]}
    order = next(s.order for r in plan.routes if not r.vehicle.endswith("V-103") for s in r.stops
                 if s.order in small_only)
    move = pb.PlanEdit(move_order=pb.PlanEdit.MoveOrder(order=order, vehicle=f"{ORG}/vehicles/V-103"))
    res = stub.EditPlan(pb.EditPlanRequest(name=plan.name, etag=plan.etag, edits=[move]), metadata=MD)
    assert not res.saved and any(v.code == "VEHICLE_CLASS" and v.order == order for v in res.violations)
    assert stub.GetPlan(pb.GetPlanRequest(name=plan.name), metadata=MD).revision == 1

    # Two dispatchers edit the same revision at once: exactly one wins, the other gets ABORTED.
    results: list[object] = []

    def edit(route: int) -> None:
        o = _orders(plan, route)[0]
        e = pb.PlanEdit(unassign_order=pb.PlanEdit.UnassignOrder(order=o))
        try:
            results.append(stub.EditPlan(pb.EditPlanRequest(name=plan.name, etag=plan.etag, edits=[e]),
                                         metadata=MD).saved)
        except grpc.RpcError as err:
            results.append(err.code())

    threads = [threading.Thread(target=edit, args=(i,)) for i in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(map(str, results)) == sorted(map(str, [True, grpc.StatusCode.ABORTED]))
    current = stub.GetPlan(pb.GetPlanRequest(name=plan.name), metadata=MD)
    assert current.revision == 2

    published = stub.PublishPlan(pb.PublishPlanRequest(name=plan.name, etag=current.etag), metadata=MD)
    assert published.status == pb.DeliveryPlan.PUBLISHED and published.published_by == "U-002"
    first_route = next(r for r in published.routes if any(s.order for s in r.stops))
    done_order = next(s.order for s in first_route.stops if s.order)
    progress = pb.PlanEdit(set_stop_status=pb.PlanEdit.SetStopStatus(order=done_order,
                                                                     status=pb.PlanStop.DONE))
    running = stub.EditPlan(pb.EditPlanRequest(name=plan.name, etag=published.etag, edits=[progress]),
                            metadata=MD)
    assert running.saved and running.plan.status == pb.DeliveryPlan.IN_PROGRESS

    op = stub.ReplanPlan(pb.ReplanPlanRequest(name=plan.name, etag=running.plan.etag, time_limit=LIMIT),
                         metadata=MD)
    ops = operations_pb2_grpc.OperationsStub(channel)
    done = ops.WaitOperation(operations_pb2.WaitOperationRequest(name=op.name, timeout=duration_pb2.Duration(
        seconds=60)), metadata=MD)
    assert done.done and not done.HasField("error"), done.error
    replanned = pb.ReplanPlanResponse()
    done.response.Unpack(replanned)
    kept = next(r for r in replanned.plan.routes if r.vehicle == first_route.vehicle)
    assert [s.order for s in kept.stops if s.order] == [s.order for s in first_route.stops if s.order]
    assert replanned.kept_on_road == len([s for s in first_route.stops if s.order])

    cmp = stub.ComparePlans(pb.ComparePlansRequest(a=plan.name, a_revision=1, b=plan.name), metadata=MD)
    assert cmp.a.stops == served
    revs = stub.ListPlanRevisions(pb.ListPlanRevisionsRequest(name=plan.name), metadata=MD).revisions
    assert [r.revision for r in revs] == list(range(1, len(revs) + 1))
    assert "PUBLISHED" in [r.change for r in revs]
    listed = stub.ListPlans(pb.ListPlansRequest(
        parent=ORG, filter=f'branch = "{ORG}/branches/{NERIMA_BRANCH_ID}" AND plan_date = "{day}"'),
        metadata=MD)
    assert [p.name for p in listed.plans] == [plan.name]


def test_bad_input_and_isolation(stub, channel, db_url: str) -> None:  # noqa: F811
    day = tomorrow() + datetime.timedelta(days=71)
    seed(db_url, day)
    branch = f"{ORG}/branches/{NERIMA_BRANCH_ID}"
    with pytest.raises(grpc.RpcError) as err:
        stub.OptimizePlan(pb.OptimizePlanRequest(parent=ORG, branch=branch,
                                                 plan_date=_date(datetime.date(2020, 1, 1))), metadata=MD)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "plan_date" in _fields(err.value)
    with pytest.raises(grpc.RpcError) as err:
        stub.OptimizePlan(pb.OptimizePlanRequest(parent=ORG, branch=f"{ORG}/branches/NOPE",
                                                 plan_date=_date(day)), metadata=MD)
    assert err.value.code() == grpc.StatusCode.NOT_FOUND
    labels = {"method": "GetPlan", "code": "NOT_FOUND"}
    before = REGISTRY.get_sample_value("hakobu_rpc_total", labels) or 0.0
    with pytest.raises(grpc.RpcError) as err:
        stub.GetPlan(pb.GetPlanRequest(name=f"{ORG}/plans/nope"), metadata=MD)
    assert err.value.code() == grpc.StatusCode.NOT_FOUND
    assert REGISTRY.get_sample_value("hakobu_rpc_total", labels) == before + 1  # Prometheus counts it
    with pytest.raises(grpc.RpcError) as err:
        stub.GetPlan(pb.GetPlanRequest(name=f"{ORG}/plans/x"))
    assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED

    plan = _optimize(stub, channel, day)
    other = new_org(db_url)
    other_md = (("x-hakobu-organization", other),)
    with pytest.raises(grpc.RpcError) as err:
        stub.GetPlan(pb.GetPlanRequest(name=plan.name), metadata=other_md)
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.RpcError) as err:
        stub.EditPlan(pb.EditPlanRequest(name=plan.name, etag=plan.etag, edits=[pb.PlanEdit(
            unassign_order=pb.PlanEdit.UnassignOrder(order=_orders(plan, 0)[0]))]), metadata=other_md)
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert not stub.ListPlans(pb.ListPlansRequest(), metadata=other_md).plans
    ops = operations_pb2_grpc.OperationsStub(channel)
    assert not ops.ListOperations(operations_pb2.ListOperationsRequest(), metadata=other_md).operations
    assert ops.ListOperations(operations_pb2.ListOperationsRequest(), metadata=MD).operations

    with pytest.raises(grpc.RpcError) as err:
        stub.EditPlan(pb.EditPlanRequest(name=plan.name, etag=plan.etag, edits=[pb.PlanEdit(
            move_order=pb.PlanEdit.MoveOrder(order=f"{ORG}/orders/NOPE", vehicle=f"{ORG}/vehicles/V-101"))]),
            metadata=MD)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert _fields(err.value) == ["edits[0].move_order.order"]
    # A driver whose licence does not allow the vehicle (準中型 and a 4t truck of 8 t gross) is refused.
    assert any(r.vehicle.endswith("/V-103") for r in plan.routes)
    with pytest.raises(grpc.RpcError) as err:
        swap = pb.PlanEdit.SetDriver(vehicle=f"{ORG}/vehicles/V-103", driver=f"{ORG}/drivers/D-101")
        stub.EditPlan(pb.EditPlanRequest(name=plan.name, etag=plan.etag, edits=[pb.PlanEdit(set_driver=swap)],
                                         accept_violations=True), metadata=MD)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert _fields(err.value) == ["edits[0].set_driver.driver"]
    # A finished day cannot be edited.
    with psycopg.connect(db_url) as conn:
        conn.execute("UPDATE plans SET status = 'DONE' WHERE id = %s", (plan.name.rsplit("/", 1)[1],))
    with pytest.raises(grpc.RpcError) as err:
        stub.EditPlan(pb.EditPlanRequest(name=plan.name, etag=plan.etag, edits=[pb.PlanEdit(
            unassign_order=pb.PlanEdit.UnassignOrder(order=_orders(plan, 0)[0]))]), metadata=MD)
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    with pytest.raises(grpc.RpcError) as err:
        stub.EditPlan(pb.EditPlanRequest(name=plan.name, edits=[]), metadata=MD)
    assert set(_fields(err.value)) == {"etag", "edits"}
    with pytest.raises(grpc.RpcError) as err:
        stub.DeletePlan(pb.DeletePlanRequest(name=plan.name), metadata=MD)
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION  # only drafts can be deleted

    # A draft: the other organization cannot delete it, a stale etag cannot, the right one can.
    with psycopg.connect(db_url) as conn:
        conn.execute("UPDATE plans SET status = 'DRAFT' WHERE id = %s", (plan.name.rsplit("/", 1)[1],))
    current = stub.GetPlan(pb.GetPlanRequest(name=plan.name), metadata=MD)
    with pytest.raises(grpc.RpcError) as err:
        stub.DeletePlan(pb.DeletePlanRequest(name=plan.name), metadata=other_md)
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.RpcError) as err:
        stub.DeletePlan(pb.DeletePlanRequest(name=plan.name, etag="999"), metadata=MD)
    assert err.value.code() == grpc.StatusCode.ABORTED
    stub.DeletePlan(pb.DeletePlanRequest(name=plan.name, etag=current.etag), metadata=MD)
    with pytest.raises(grpc.RpcError) as err:
        stub.GetPlan(pb.GetPlanRequest(name=plan.name), metadata=MD)
    assert err.value.code() == grpc.StatusCode.NOT_FOUND
