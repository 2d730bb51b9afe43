"""PlanService end to end: a real optimizer server, a plans server over the real PostgreSQL, gRPC calls
as a dispatcher's tools would make them. Each test has its own database, seeded with the demo day."""

from __future__ import annotations

import datetime
import itertools
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import grpc
import psycopg
import pytest
from google.longrunning import operations_pb2, operations_pb2_grpc
from google.protobuf import duration_pb2
from google.rpc import error_details_pb2
from google.type import date_pb2
from grpc_status import rpc_status
from prometheus_client import REGISTRY

from hakobu.plans.v1 import plans_pb2 as pb
from hakobu.plans.v1 import plans_pb2_grpc
from server.adapters.postgres.migrate import migrate
from server.adapters.postgres.seed import NERIMA_BRANCH_ID, ORG_ID, demo_orders, seed, tomorrow
from server.bootstrap import create_optimizer_server, create_plans_server
from tests.credentials import SETTINGS, Role, metadata_for
from tests.integration.db.conftest import create_database, drop_database, new_org

ORG = f"organizations/{ORG_ID}"
BRANCH = f"{ORG}/branches/{NERIMA_BRANCH_ID}"
MD = metadata_for(ORG_ID, Role.DISPATCHER, "U-002")
LIMIT = duration_pb2.Duration(seconds=2)
WAIT = duration_pb2.Duration(seconds=60)


@dataclass
class Env:
    """One test's plans server over its own database, holding the demo data for ``day``."""

    url: str
    day: datetime.date
    stub: plans_pb2_grpc.PlanServiceStub
    ops: operations_pb2_grpc.OperationsStub

    def optimize(self, md: tuple[tuple[str, str], ...] = MD) -> pb.DeliveryPlan:
        """The day's plan, optimized and stored as a DRAFT."""
        op = self.stub.OptimizePlan(pb.OptimizePlanRequest(
            parent=ORG, branch=BRANCH, plan_date=_date(self.day), time_limit=LIMIT, seed=1,
        ), metadata=md)
        done = self.wait(op.name, md)
        assert done.done and not done.HasField("error"), done.error
        plan = pb.DeliveryPlan()
        done.response.Unpack(plan)
        meta = pb.OptimizePlanMetadata()
        done.metadata.Unpack(meta)
        assert meta.state == pb.OptimizePlanMetadata.SUCCEEDED and meta.plan == plan.name
        return plan

    def wait(self, name: str, md: tuple[tuple[str, str], ...] = MD) -> operations_pb2.Operation:
        request = operations_pb2.WaitOperationRequest(name=name, timeout=WAIT)
        return self.ops.WaitOperation(request, metadata=md)

    def get(self, name: str) -> pb.DeliveryPlan:
        return self.stub.GetPlan(pb.GetPlanRequest(name=name), metadata=MD)

    def edit(self, plan: pb.DeliveryPlan, *edits: pb.PlanEdit, **kwargs: object) -> pb.EditPlanResponse:
        request = pb.EditPlanRequest(name=plan.name, etag=plan.etag, edits=edits, **kwargs)  # type: ignore[arg-type]
        return self.stub.EditPlan(request, metadata=MD)


@pytest.fixture(scope="module")
def optimizer() -> Iterator[str]:
    running = create_optimizer_server("127.0.0.1:0", workers=0, settings=SETTINGS)
    yield f"127.0.0.1:{running.port}"
    running.stop()


@pytest.fixture
def env(optimizer: str) -> Iterator[Env]:
    name, url = create_database()
    migrate(url)
    day = tomorrow()
    seed(url, day)
    plans = create_plans_server("127.0.0.1:0", url, optimizer, settings=SETTINGS)
    try:
        with grpc.insecure_channel(f"127.0.0.1:{plans.port}") as channel:
            yield Env(url, day, plans_pb2_grpc.PlanServiceStub(channel),
                      operations_pb2_grpc.OperationsStub(channel))
    finally:
        plans.stop()
        drop_database(name)


@pytest.fixture
def plan(env: Env) -> pb.DeliveryPlan:
    return env.optimize()


def _date(d: datetime.date) -> date_pb2.Date:
    return date_pb2.Date(year=d.year, month=d.month, day=d.day)


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


def _unassign(order: str) -> pb.PlanEdit:
    return pb.PlanEdit(unassign_order=pb.PlanEdit.UnassignOrder(order=order))


# ---------------------------------------------------------------- the day's plan


def test_optimize_stores_a_draft_that_serves_or_explains_every_order(env: Env, plan: pb.DeliveryPlan) -> None:
    assert plan.status == pb.DeliveryPlan.DRAFT and plan.revision == 1 and len(plan.routes) >= 2
    served = sum(len(_orders(plan, i)) for i in range(len(plan.routes)))
    assert served + len(plan.unassigned) == len(demo_orders(env.day))
    assert plan.travel == pb.TRAVEL_MODE_HAVERSINE
    assert env.get(plan.name) == plan
    flt = f'branch = "{BRANCH}" AND plan_date = "{env.day}" AND status = DRAFT'
    listed = env.stub.ListPlans(pb.ListPlansRequest(parent=ORG, filter=flt), metadata=MD)
    assert [p.name for p in listed.plans] == [plan.name]


def test_the_improving_cost_shows_on_any_replica_while_it_runs(env: Env, optimizer: str) -> None:
    """GetOperation on another plans replica (same database) shows the best cost so far while RUNNING;
    once done, the metadata's best cost is the stored plan's cost."""
    other = create_plans_server("127.0.0.1:0", env.url, optimizer, settings=SETTINGS)
    try:
        with grpc.insecure_channel(f"127.0.0.1:{other.port}") as channel:
            ops = operations_pb2_grpc.OperationsStub(channel)
            op = env.stub.OptimizePlan(pb.OptimizePlanRequest(
                parent=ORG, branch=BRANCH, plan_date=_date(env.day), seed=1,
                time_limit=duration_pb2.Duration(seconds=4),
            ), metadata=MD)
            seen: list[pb.OptimizePlanMetadata] = []
            give_up = time.monotonic() + 120  # a bound for a hung server, not a speed check
            while time.monotonic() < give_up:
                got = ops.GetOperation(operations_pb2.GetOperationRequest(name=op.name), metadata=MD)
                meta = pb.OptimizePlanMetadata()
                got.metadata.Unpack(meta)
                seen.append(meta)
                if got.done:
                    break
                time.sleep(0.2)
    finally:
        other.stop()
    assert got.done and not got.HasField("error"), got.error
    plan = pb.DeliveryPlan()
    got.response.Unpack(plan)
    final = seen[-1]
    assert final.state == pb.OptimizePlanMetadata.SUCCEEDED and final.improvements >= 1
    assert final.best_cost == pytest.approx(plan.cost) and plan.cost > 0
    assert final.served == sum(len(_orders(plan, i)) for i in range(len(plan.routes)))
    running = [m for m in seen if m.state == pb.OptimizePlanMetadata.RUNNING and m.best_cost > 0]
    assert running, [(m.state, m.best_cost) for m in seen]
    costs = [m.best_cost for m in seen if m.best_cost > 0]
    assert all(b <= a + 1e-6 for a, b in itertools.pairwise(costs))  # it only improves
    counts = [m.improvements for m in seen]
    assert counts == sorted(counts)


def test_an_edit_that_breaks_a_rule_is_reported_not_saved(env: Env, plan: pb.DeliveryPlan) -> None:
    small_only = {f"{ORG}/orders/{o['id']}" for o in demo_orders(env.day) if o["allowed_vehicle_classes"]}
    order = next(s.order for r in plan.routes if not r.vehicle.endswith("V-103") for s in r.stops
                 if s.order in small_only)
    move = pb.PlanEdit(move_order=pb.PlanEdit.MoveOrder(order=order, vehicle=f"{ORG}/vehicles/V-103"))
    res = env.edit(plan, move)
    assert not res.saved
    assert any(v.code == pb.PlanIssue.VEHICLE_CLASS and v.order == order for v in res.violations)
    assert env.get(plan.name).revision == 1


def test_two_edits_of_one_revision_at_once_one_wins(env: Env, plan: pb.DeliveryPlan) -> None:
    """Two dispatchers edit the same revision at once: exactly one wins, the other gets ABORTED."""
    results: list[object] = []

    def edit(route: int) -> None:
        try:
            results.append(env.edit(plan, _unassign(_orders(plan, route)[0])).saved)
        except grpc.RpcError as err:
            results.append(err.code())

    threads = [threading.Thread(target=edit, args=(i,)) for i in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(map(str, results)) == sorted(map(str, [True, grpc.StatusCode.ABORTED]))
    assert env.get(plan.name).revision == 2


def test_publish_progress_and_replan_keep_the_route_under_way(env: Env, plan: pb.DeliveryPlan) -> None:
    published = env.stub.PublishPlan(pb.PublishPlanRequest(name=plan.name, etag=plan.etag), metadata=MD)
    assert published.status == pb.DeliveryPlan.PUBLISHED and published.published_by == "U-002"
    first_route = next(r for r in published.routes if any(s.order for s in r.stops))
    done_order = next(s.order for s in first_route.stops if s.order)
    done_stop = pb.PlanEdit.SetStopStatus(order=done_order, status=pb.PlanStop.DONE)
    progress = pb.PlanEdit(set_stop_status=done_stop)
    running = env.edit(published, progress)
    assert running.saved and running.plan.status == pb.DeliveryPlan.IN_PROGRESS

    op = env.stub.ReplanPlan(pb.ReplanPlanRequest(name=plan.name, etag=running.plan.etag, time_limit=LIMIT),
                             metadata=MD)
    done = env.wait(op.name)
    assert done.done and not done.HasField("error"), done.error
    replanned = pb.ReplanPlanResponse()
    done.response.Unpack(replanned)
    kept = next(r for r in replanned.plan.routes if r.vehicle == first_route.vehicle)
    assert [s.order for s in kept.stops if s.order] == [s.order for s in first_route.stops if s.order]
    assert replanned.kept_on_road == len([s for s in first_route.stops if s.order])


def test_revisions_record_each_change_and_compare(env: Env, plan: pb.DeliveryPlan) -> None:
    edited = env.edit(plan, _unassign(_orders(plan, 0)[0]))
    assert edited.saved
    env.stub.PublishPlan(pb.PublishPlanRequest(name=plan.name, etag=edited.plan.etag), metadata=MD)
    revs = env.stub.ListPlanRevisions(pb.ListPlanRevisionsRequest(name=plan.name), metadata=MD).revisions
    assert [(r.revision, r.change) for r in revs] == [
        (1, pb.PlanRevision.CREATED), (2, pb.PlanRevision.EDITED), (3, pb.PlanRevision.PUBLISHED),
    ]
    assert revs[1].description.startswith("EDITED: ") and revs[1].changed_by == "U-002"
    served = sum(len(_orders(plan, i)) for i in range(len(plan.routes)))
    cmp = env.stub.ComparePlans(pb.ComparePlansRequest(a=plan.name, a_revision=1, b=plan.name), metadata=MD)
    assert (cmp.a.stops, cmp.b.stops) == (served, served - 1)
    assert cmp.newly_unassigned == [_orders(plan, 0)[0]]


# ---------------------------------------------------------------- refused requests


def test_bad_requests_get_their_status(env: Env) -> None:
    with pytest.raises(grpc.RpcError) as err:
        env.stub.OptimizePlan(pb.OptimizePlanRequest(parent=ORG, branch=BRANCH,
                                                     plan_date=_date(datetime.date(2020, 1, 1))), metadata=MD)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "plan_date" in _fields(err.value)
    with pytest.raises(grpc.RpcError) as err:
        env.stub.OptimizePlan(pb.OptimizePlanRequest(parent=ORG, branch=f"{ORG}/branches/NOPE",
                                                     plan_date=_date(env.day)), metadata=MD)
    assert err.value.code() == grpc.StatusCode.NOT_FOUND
    labels = {"method": "GetPlan", "code": "NOT_FOUND"}
    before = REGISTRY.get_sample_value("hakobu_rpc_total", labels) or 0.0
    with pytest.raises(grpc.RpcError) as err:
        env.get(f"{ORG}/plans/nope")
    assert err.value.code() == grpc.StatusCode.NOT_FOUND
    assert REGISTRY.get_sample_value("hakobu_rpc_total", labels) == before + 1  # Prometheus counts it
    with pytest.raises(grpc.RpcError) as err:
        env.stub.GetPlan(pb.GetPlanRequest(name=f"{ORG}/plans/x"))
    assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_another_organization_sees_and_changes_nothing(env: Env, plan: pb.DeliveryPlan) -> None:
    other_md = metadata_for(new_org(env.url))
    with pytest.raises(grpc.RpcError) as err:
        env.stub.GetPlan(pb.GetPlanRequest(name=plan.name), metadata=other_md)
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.RpcError) as err:
        env.stub.EditPlan(pb.EditPlanRequest(name=plan.name, etag=plan.etag,
                                             edits=[_unassign(_orders(plan, 0)[0])]), metadata=other_md)
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.RpcError) as err:
        env.stub.DeletePlan(pb.DeletePlanRequest(name=plan.name), metadata=other_md)
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert not env.stub.ListPlans(pb.ListPlansRequest(), metadata=other_md).plans
    assert not env.ops.ListOperations(operations_pb2.ListOperationsRequest(), metadata=other_md).operations
    assert env.ops.ListOperations(operations_pb2.ListOperationsRequest(), metadata=MD).operations
    assert env.get(plan.name) == plan


def test_bad_edits_name_their_field(env: Env, plan: pb.DeliveryPlan) -> None:
    order = _orders(plan, 0)[0]
    assert any(r.vehicle.endswith("/V-103") for r in plan.routes)
    bad = {
        "edits[0].move_order.order": pb.PlanEdit(move_order=pb.PlanEdit.MoveOrder(
            order=f"{ORG}/orders/NOPE", vehicle=f"{ORG}/vehicles/V-101")),
        # A driver whose licence does not allow the vehicle (準中型 and a 4t truck of 8 t gross).
        "edits[0].set_driver.driver": pb.PlanEdit(set_driver=pb.PlanEdit.SetDriver(
            vehicle=f"{ORG}/vehicles/V-103", driver=f"{ORG}/drivers/D-101")),
        "edits[0].set_stop_status.status": pb.PlanEdit(
            set_stop_status=pb.PlanEdit.SetStopStatus(order=order, status=42)),  # type: ignore[arg-type]
        "edits[0].move_order.position": pb.PlanEdit(move_order=pb.PlanEdit.MoveOrder(
            order=order, vehicle=plan.routes[0].vehicle, position=-5)),
    }
    for field, edit in bad.items():
        with pytest.raises(grpc.RpcError) as err:
            env.edit(plan, edit, accept_violations=True)
        assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT and _fields(err.value) == [field], field
    with pytest.raises(grpc.RpcError) as err:
        env.stub.EditPlan(pb.EditPlanRequest(name=plan.name, edits=[]), metadata=MD)
    assert set(_fields(err.value)) == {"etag", "edits"}
    with pytest.raises(grpc.RpcError) as err:
        env.stub.ReplanPlan(pb.ReplanPlanRequest(
            name=plan.name, time_limit=duration_pb2.Duration(seconds=3, nanos=-1)), metadata=MD)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT and _fields(err.value) == ["time_limit"]
    assert env.get(plan.name).revision == 1


def test_a_finished_day_cannot_be_edited_or_deleted(env: Env, plan: pb.DeliveryPlan) -> None:
    with psycopg.connect(env.url) as conn:
        conn.execute("UPDATE plans SET status = 'DONE' WHERE id = %s", (plan.name.rsplit("/", 1)[1],))
    with pytest.raises(grpc.RpcError) as err:
        env.edit(plan, _unassign(_orders(plan, 0)[0]))
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    with pytest.raises(grpc.RpcError) as err:
        env.stub.DeletePlan(pb.DeletePlanRequest(name=plan.name), metadata=MD)
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION  # only drafts can be deleted


def test_a_draft_is_deleted_only_at_its_current_etag(env: Env, plan: pb.DeliveryPlan) -> None:
    with pytest.raises(grpc.RpcError) as err:
        env.stub.DeletePlan(pb.DeletePlanRequest(name=plan.name, etag="999"), metadata=MD)
    assert err.value.code() == grpc.StatusCode.ABORTED
    env.stub.DeletePlan(pb.DeletePlanRequest(name=plan.name, etag=plan.etag), metadata=MD)
    with pytest.raises(grpc.RpcError) as err:
        env.get(plan.name)
    assert err.value.code() == grpc.StatusCode.NOT_FOUND


def test_request_ids_with_validate_only_and_another_request(env: Env) -> None:
    """OptimizePlan with validate_only and an already used request_id does not touch that operation; the
    id reused for another request is INVALID_ARGUMENT (AIP-155)."""
    request = pb.OptimizePlanRequest(
        parent=ORG, branch=BRANCH, plan_date=_date(env.day), time_limit=LIMIT, seed=1, request_id="same-id",
    )
    first = env.stub.OptimizePlan(request, metadata=MD)
    assert env.wait(first.name).done

    request.validate_only = True
    checked = env.stub.OptimizePlan(request, metadata=MD)
    assert checked.done and checked.name != first.name and not checked.HasField("error")

    again = env.ops.GetOperation(operations_pb2.GetOperationRequest(name=first.name), metadata=MD)
    plan = pb.DeliveryPlan()
    assert again.done and again.response.Unpack(plan)
    assert plan.name.startswith(f"{ORG}/plans/") and plan.routes
    meta = pb.OptimizePlanMetadata()
    assert again.metadata.Unpack(meta) and meta.plan == plan.name

    # The same request again is the same operation; the id with another request is refused.
    request.validate_only = False
    assert env.stub.OptimizePlan(request, metadata=MD).name == first.name
    request.seed = 2
    with pytest.raises(grpc.RpcError) as err:
        env.stub.OptimizePlan(request, metadata=MD)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT and _fields(err.value) == ["request_id"]


def test_a_driver_sees_only_his_routes_of_published_plans(env: Env, plan: pb.DeliveryPlan) -> None:
    driven = [r for r in plan.routes if r.driver]
    assert driven, "the demo day assigns drivers"
    mine = driven[0].driver
    driver_md = metadata_for(ORG_ID, Role.DRIVER, "U-003", driver=mine.rsplit("/", 1)[1])
    with pytest.raises(grpc.RpcError) as info:
        env.stub.GetPlan(pb.GetPlanRequest(name=plan.name), metadata=driver_md)
    assert info.value.code() == grpc.StatusCode.NOT_FOUND, "a DRAFT is not his to see"
    assert not env.stub.ListPlans(pb.ListPlansRequest(), metadata=driver_md).plans
    env.stub.PublishPlan(pb.PublishPlanRequest(name=plan.name, etag=plan.etag), metadata=MD)
    seen = env.stub.GetPlan(pb.GetPlanRequest(name=plan.name), metadata=driver_md)
    assert seen.routes and {r.driver for r in seen.routes} == {mine}
    listed = env.stub.ListPlans(pb.ListPlansRequest(), metadata=driver_md).plans
    assert [p.name for p in listed] == [plan.name] and {r.driver for r in listed[0].routes} == {mine}
    stranger = metadata_for(ORG_ID, Role.DRIVER, "U-003", driver="D-NOBODY")
    with pytest.raises(grpc.RpcError) as info:
        env.stub.GetPlan(pb.GetPlanRequest(name=plan.name), metadata=stranger)
    assert info.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.RpcError) as info:
        env.stub.EditPlan(pb.EditPlanRequest(name=plan.name, etag=seen.etag), metadata=driver_md)
    assert info.value.code() == grpc.StatusCode.PERMISSION_DENIED
