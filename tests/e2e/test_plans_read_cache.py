"""GetPlan reuses its reply while a plan is unchanged (``server.entrypoints.grpc.plan_cache``): these
tests show it never serves a changed plan (edited, published, re-planned, changed by another server of
this process: at once; straight in the database: once its notification arrives), never across
organizations, and never one role's view to another."""

from __future__ import annotations

import time

import grpc
import psycopg
import pytest

from hakobu.plans.v1 import plans_pb2 as pb
from hakobu.plans.v1 import plans_pb2_grpc
from server.adapters.postgres.seed import ORG_ID
from server.bootstrap import create_plans_server
from tests.credentials import SETTINGS, Role, metadata_for
from tests.e2e import test_plans_grpc as base
from tests.e2e.test_plans_grpc import LIMIT, MD, Env, _orders, _unassign
from tests.integration.db.conftest import new_org

#: PlanService's end-to-end fixtures: a server over a fresh seeded database, and its optimized plan.
optimizer, env, plan = base.optimizer, base.env, base.plan


def _twice(env: Env, name: str) -> pb.DeliveryPlan:
    """The plan read twice (the second read may be the kept reply): both reads must agree."""
    first = env.get(name)
    assert env.get(name) == first
    return first


def test_edits_publish_and_replan_are_seen_at_once(env: Env, plan: pb.DeliveryPlan) -> None:
    assert _twice(env, plan.name) == plan
    edited = env.edit(plan, _unassign(_orders(plan, 0)[0]))
    assert edited.saved
    assert _twice(env, plan.name) == edited.plan != plan
    publish = pb.PublishPlanRequest(name=plan.name, etag=edited.plan.etag)
    published = env.stub.PublishPlan(publish, metadata=MD)
    assert _twice(env, plan.name) == published and published.status == pb.DeliveryPlan.PUBLISHED
    op = env.stub.ReplanPlan(pb.ReplanPlanRequest(name=plan.name, etag=published.etag, time_limit=LIMIT),
                             metadata=MD)
    done = env.wait(op.name)
    assert done.done and not done.HasField("error"), done.error
    replanned = pb.ReplanPlanResponse()
    done.response.Unpack(replanned)
    assert _twice(env, plan.name) == replanned.plan and replanned.plan.etag != published.etag
    # an older revision is read as before, and the current one is still the latest
    assert env.stub.GetPlan(pb.GetPlanRequest(name=plan.name, revision=1), metadata=MD).routes == plan.routes
    assert env.get(plan.name) == replanned.plan


def test_a_change_by_another_server_or_in_the_database_is_seen(
    env: Env, optimizer: str, plan: pb.DeliveryPlan
) -> None:
    assert _twice(env, plan.name) == plan
    other = create_plans_server("127.0.0.1:0", env.url, optimizer, settings=SETTINGS)
    try:
        with grpc.insecure_channel(f"127.0.0.1:{other.port}") as channel:
            stub = plans_pb2_grpc.PlanServiceStub(channel)
            assert stub.GetPlan(pb.GetPlanRequest(name=plan.name), metadata=MD) == plan
            edited = stub.EditPlan(pb.EditPlanRequest(name=plan.name, etag=plan.etag,
                                                      edits=[_unassign(_orders(plan, 0)[0])]), metadata=MD)
            assert edited.saved
    finally:
        other.stop()
    assert _twice(env, plan.name) == edited.plan
    # A write by another process that forgets the plan's version (a hand fix in psql) still changes what
    # is served, once its notification arrives (milliseconds; within a second here, on a busy machine).
    with psycopg.connect(env.url) as conn:
        conn.execute("UPDATE plans SET status = 'PUBLISHED' WHERE id = %s", (plan.name.rsplit("/", 1)[1],))
    deadline = time.monotonic() + 1.0
    while env.get(plan.name).status != pb.DeliveryPlan.PUBLISHED and time.monotonic() < deadline:
        time.sleep(0.01)
    assert _twice(env, plan.name).status == pb.DeliveryPlan.PUBLISHED


def test_a_kept_reply_never_crosses_organizations(env: Env, plan: pb.DeliveryPlan) -> None:
    assert _twice(env, plan.name) == plan
    other = new_org(env.url)
    other_md = metadata_for(other)
    plan_id = plan.name.rsplit("/", 1)[1]
    with pytest.raises(grpc.RpcError) as err:  # the same plan id under the caller's own organization
        env.stub.GetPlan(pb.GetPlanRequest(name=f"organizations/{other}/plans/{plan_id}"), metadata=other_md)
    assert err.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.RpcError) as err:
        env.stub.GetPlan(pb.GetPlanRequest(name=plan.name), metadata=other_md)
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED


def test_a_driver_gets_his_routes_from_the_kept_plan_and_staff_still_get_all(
    env: Env, plan: pb.DeliveryPlan
) -> None:
    published = env.stub.PublishPlan(pb.PublishPlanRequest(name=plan.name, etag=plan.etag), metadata=MD)
    assert _twice(env, plan.name) == published
    drivers = sorted({r.driver for r in published.routes if r.driver})
    assert len(drivers) >= 2, "the demo day has several drivers"
    for driver in drivers[:2]:
        driver_md = metadata_for(ORG_ID, Role.DRIVER, "U-003", driver=driver.rsplit("/", 1)[1])
        for _ in range(2):
            seen = env.stub.GetPlan(pb.GetPlanRequest(name=plan.name), metadata=driver_md)
            assert list(seen.routes) == [r for r in published.routes if r.driver == driver]
    assert env.get(plan.name) == published  # the staff view was not cut by the drivers' reads
    stranger = metadata_for(ORG_ID, Role.DRIVER, "U-003", driver="D-NOBODY")
    with pytest.raises(grpc.RpcError) as err:
        env.stub.GetPlan(pb.GetPlanRequest(name=plan.name), metadata=stranger)
    assert err.value.code() == grpc.StatusCode.NOT_FOUND
