"""PlanService over the wire (a plans server on port 0 over a migrated, seeded PostgreSQL and an optimizer
server on port 0) under random requests: no server fault, BadRequest paths that resolve, and a refused
edit leaves the stored plan as it was."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

import grpc
import pytest
from google.longrunning import operations_pb2, operations_pb2_grpc
from google.protobuf import duration_pb2
from google.type import date_pb2
from hypothesis import event, given
from hypothesis import strategies as st

from hakobu.plans.v1 import plans_pb2 as pb
from hakobu.plans.v1 import plans_pb2_grpc
from server.adapters.postgres.migrate import migrate
from server.adapters.postgres.seed import NERIMA_BRANCH_ID, ORG_ID, seed, tomorrow
from server.bootstrap import create_optimizer_server, create_plans_server
from tests.credentials import SETTINGS, Role, metadata_for
from tests.integration.db.conftest import create_database, drop_database
from tests.property.conftest import bad_fields, check_error

ORG = f"organizations/{ORG_ID}"
BRANCH = f"{ORG}/branches/{NERIMA_BRANCH_ID}"
MD = metadata_for(ORG_ID, Role.DISPATCHER, "U-002")


@dataclass(repr=False)
class Env:
    day: datetime.date
    stub: plans_pb2_grpc.PlanServiceStub
    plan: pb.DeliveryPlan  # the day's optimized DRAFT

    def get(self) -> pb.DeliveryPlan:
        return self.stub.GetPlan(pb.GetPlanRequest(name=self.plan.name), metadata=MD)


def _date(d: datetime.date) -> date_pb2.Date:
    return date_pb2.Date(year=d.year, month=d.month, day=d.day)


@pytest.fixture(scope="module")
def env() -> Iterator[Env]:
    name, url = create_database()
    migrate(url)
    day = tomorrow()
    seed(url, day)
    optimizer = create_optimizer_server("127.0.0.1:0", workers=0, settings=SETTINGS)
    plans = create_plans_server(
        "127.0.0.1:0", url, f"127.0.0.1:{optimizer.port}", settings=SETTINGS
    )
    try:
        with grpc.insecure_channel(f"127.0.0.1:{plans.port}") as channel:
            stub = plans_pb2_grpc.PlanServiceStub(channel)
            request = pb.OptimizePlanRequest(
                parent=ORG,
                branch=BRANCH,
                plan_date=_date(day),
                time_limit=duration_pb2.Duration(seconds=2),
                seed=1,
            )
            op = stub.OptimizePlan(request, metadata=MD)
            wait = operations_pb2.WaitOperationRequest(
                name=op.name, timeout=duration_pb2.Duration(seconds=60)
            )
            done = operations_pb2_grpc.OperationsStub(channel).WaitOperation(wait, metadata=MD)
            assert done.done and not done.HasField("error"), done.error
            plan = pb.DeliveryPlan()
            done.response.Unpack(plan)
            yield Env(day, stub, plan)
    finally:
        plans.stop()
        optimizer.stop()
        drop_database(name)


def _refs(plan: pb.DeliveryPlan) -> tuple[list[str], list[str]]:
    orders = [s.order for r in plan.routes for s in r.stops if s.order] + [u.order for u in plan.unassigned]
    vehicles = [r.vehicle for r in plan.routes]
    return orders, vehicles


@st.composite
def edits(draw: st.DrawFn, plan: pb.DeliveryPlan) -> pb.PlanEdit:
    orders, vehicles = _refs(plan)
    hostile = st.sampled_from(["", "orders/x", f"{ORG}/orders/nope", "x" * 1500, f"{ORG}/vehicles/\x00"])
    order = draw(st.one_of(st.sampled_from(orders), st.sampled_from(orders), hostile))
    vehicle = draw(st.one_of(st.sampled_from(vehicles), st.sampled_from(vehicles), hostile))
    kind = draw(st.sampled_from(["move", "unassign", "driver", "lock", "status", "none"]))
    if kind == "move":
        move = pb.PlanEdit.MoveOrder(order=order, vehicle=vehicle)
        if draw(st.booleans()):
            move.position = draw(st.one_of(st.integers(-6, 30), st.integers(-(2**31), 2**31 - 1)))
        return pb.PlanEdit(move_order=move)
    if kind == "unassign":
        return pb.PlanEdit(unassign_order=pb.PlanEdit.UnassignOrder(order=order))
    if kind == "driver":
        driver = draw(st.one_of(st.just(""), st.just(f"{ORG}/drivers/D-001"), hostile))
        return pb.PlanEdit(set_driver=pb.PlanEdit.SetDriver(vehicle=vehicle, driver=driver))
    if kind == "lock":
        return pb.PlanEdit(lock_order=pb.PlanEdit.LockOrder(order=order, locked=draw(st.booleans())))
    if kind == "status":
        status = draw(
            st.one_of(st.sampled_from(list(pb.PlanStop.Status.values())), st.integers(-3, 2**31 - 1))
        )
        return pb.PlanEdit(set_stop_status=pb.PlanEdit.SetStopStatus(order=order, status=status))
    return pb.PlanEdit()


@given(data=st.data())
def test_edit_plan(env: Env, data: st.DataObject) -> None:
    before = env.get()
    request = pb.EditPlanRequest(
        name=data.draw(st.sampled_from([before.name, before.name, before.name, "", f"{ORG}/plans/x"])),
        etag=data.draw(st.sampled_from([before.etag, before.etag, before.etag, "", "W/x"])),
        edits=data.draw(st.lists(edits(before), max_size=3)),
        accept_violations=data.draw(st.booleans()),
        validate_only=data.draw(st.booleans()),
    )
    try:
        response = env.stub.EditPlan(request, metadata=MD)
    except grpc.RpcError as err:
        check_error(err, pb.EditPlanRequest.DESCRIPTOR)
        assert env.get() == before, "a refused edit changed the plan"
        return
    event("saved" if response.saved else "accepted, not saved")
    if not response.saved:
        assert env.get() == before, "an edit that was not saved changed the plan"


dates = st.one_of(
    st.builds(lambda d: _date(tomorrow() + datetime.timedelta(days=d)), st.integers(-3, 3)),
    st.builds(date_pb2.Date, year=st.integers(0, 10_000), month=st.integers(0, 13), day=st.integers(0, 32)),
)


@given(
    branch=st.sampled_from([BRANCH, BRANCH, "", f"{ORG}/branches/nope", "branches/x", "x" * 1500]),
    plan_date=dates,
    time_limit=st.sampled_from(
        [
            duration_pb2.Duration(seconds=1),
            duration_pb2.Duration(seconds=-1),
            duration_pb2.Duration(nanos=-1),
            duration_pb2.Duration(seconds=10**9),
        ]
    ),
    travel=st.integers(-1, 5),
    seed=st.integers(-(2**31), 2**31 - 1),
)
def test_optimize_plan_validate_only(
    env: Env, branch: str, plan_date: date_pb2.Date, time_limit: duration_pb2.Duration, travel: int, seed: int
) -> None:
    request = pb.OptimizePlanRequest(parent=ORG, branch=branch, plan_date=plan_date, time_limit=time_limit,
                                     travel=travel, seed=seed, validate_only=True)  # fmt: skip
    try:
        op = env.stub.OptimizePlan(request, metadata=MD)
    except grpc.RpcError as err:
        check_error(err, pb.OptimizePlanRequest.DESCRIPTOR)
        return
    event("accepted")
    assert (op.done and not op.HasField("error")) or op.error.code not in (2, 13), op.error


@given(
    name=st.one_of(st.text(max_size=30), st.sampled_from(["", f"{ORG}/plans/", "x" * 1500])),
    page_size=st.integers(-(2**31), 2**31 - 1),
    page_token=st.text(max_size=20),
    filter=st.one_of(
        st.text(max_size=30),
        st.sampled_from(
            [
                f'branch = "{BRANCH}"',
                "status = DRAFT",
                "status = 99",
                'plan_date = "2026-02-30"',
                "plan_date > 1",
            ]
        ),
    ),
)
def test_get_and_list(env: Env, name: str, page_size: int, page_token: str, filter: str) -> None:
    for method, request in (
        ("GetPlan", pb.GetPlanRequest(name=name)),
        (
            "ListPlans",
            pb.ListPlansRequest(parent=ORG, page_size=page_size, page_token=page_token, filter=filter),
        ),
        (
            "ListPlanRevisions",
            pb.ListPlanRevisionsRequest(name=name),
        ),
    ):
        try:
            getattr(env.stub, method)(request, metadata=MD)
        except grpc.RpcError as err:
            check_error(err, request.DESCRIPTOR)


def test_a_driver_of_another_branch_is_named_at_its_edit(env: Env) -> None:
    """Found by the long run: the path was ``edits.driver`` (no index, no edit kind)."""
    before = env.get()
    edit = pb.PlanEdit(
        set_driver=pb.PlanEdit.SetDriver(vehicle=before.routes[0].vehicle, driver=f"{ORG}/drivers/D-001")
    )
    request = pb.EditPlanRequest(name=before.name, etag=before.etag, edits=[edit])
    with pytest.raises(grpc.RpcError) as info:
        env.stub.EditPlan(request, metadata=MD)
    assert bad_fields(info.value) == ["edits[0].set_driver.driver"]
    assert env.get() == before
