"""Plan operations in PostgreSQL: another replica (a second store on the same database) sees them."""

from __future__ import annotations

import threading
import time
import uuid

import psycopg
from google.rpc import code_pb2

from hakobu.plans.v1 import plans_pb2 as pb
from server.adapters.postgres.database import Database
from server.adapters.postgres.operations import PgOperationStore


def _md(branch: str = "organizations/o/branches/b") -> pb.OptimizePlanMetadata:
    return pb.OptimizePlanMetadata(state=pb.OptimizePlanMetadata.QUEUED, branch=branch, orders=7)


def _finish(entry, name: str) -> None:
    def mutate(e) -> None:
        e.metadata.state = pb.OptimizePlanMetadata.SUCCEEDED
        e.response = pb.DeliveryPlan(name=name)
        e.done = True

    return mutate


def test_another_replica_reads_waits_and_dedups(db_url: str, org: str) -> None:
    here, there = PgOperationStore(Database(db_url)), PgOperationStore(Database(db_url))
    rid = uuid.uuid4().hex
    entry, created = here.start(rid, _md(), owner=org)
    assert created
    seen = there.get(entry.name)
    assert seen is not None and not seen.done and seen.owner == org
    md = pb.OptimizePlanMetadata()
    there.to_proto(seen).metadata.Unpack(md)
    assert md.orders == 7 and md.state == pb.OptimizePlanMetadata.QUEUED
    # The same request id on the other replica is the same operation.
    again, created_again = there.start(rid, _md(), owner=org)
    assert not created_again and again.name == entry.name
    # The other replica's WaitOperation sees the result when this one finishes.
    plan_name = f"organizations/{org}/plans/p1"
    threading.Timer(0.3, lambda: here.update(entry, _finish(entry, plan_name))).start()
    t0 = time.monotonic()
    done = there.wait(seen, timeout=10)
    assert done.done and time.monotonic() - t0 < 5
    op = there.to_proto(done)
    plan = pb.DeliveryPlan()
    assert op.done and op.response.Unpack(plan) and plan.name == plan_name
    assert [e.name for e in there.list() if e.owner == org] == [entry.name]
    assert there.delete(entry.name) and here.get(entry.name) is None


def test_an_operation_whose_server_died_is_reported_aborted(db_url: str, org: str) -> None:
    store = PgOperationStore(Database(db_url))
    entry, _ = store.start("", _md(), owner=org)
    with psycopg.connect(db_url) as conn:
        conn.execute("UPDATE operations SET updated_at = now() - interval '2 hours' WHERE name = %s",
                     (entry.name,))
    other = PgOperationStore(Database(db_url))
    op = other.to_proto(other.get(entry.name))
    assert op.done and op.error.code == code_pb2.ABORTED and "interrupted" in op.error.message
