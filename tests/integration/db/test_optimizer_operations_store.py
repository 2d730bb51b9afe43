"""The optimizer's operations in the shared PostgreSQL table (issue 15): no organization, their own
request ids, invisible to the plans service's store on the same database and vice versa."""

from __future__ import annotations

import uuid

import pytest

from hakobu.optimizer.v1 import optimizer_pb2 as pb
from optimizer.service.operations import RequestIdReusedError
from server.adapters.postgres.database import Database
from server.adapters.postgres.operations import PgOperationStore


def _md() -> pb.OptimizeMetadata:
    return pb.OptimizeMetadata(state=pb.OptimizeMetadata.QUEUED, jobs=5)


def test_optimizer_operations_live_beside_the_plans_ones(db_url: str, org: str) -> None:
    db = Database(db_url)
    optimizer = PgOperationStore(db, service="optimizer")
    replica = PgOperationStore(Database(db_url), service="optimizer")
    plans = PgOperationStore(db)
    try:
        rid = uuid.uuid4().hex
        op, created = optimizer.start(rid, _md(), fingerprint="a")
        assert created and op.owner == ""
        # another replica of the optimizer answers for it, and the same request id is the same operation
        seen = replica.get(op.name)
        assert seen is not None and seen.owner == "" and not seen.done
        again, created_again = replica.start(rid, _md(), fingerprint="a")
        assert not created_again and again.name == op.name
        with pytest.raises(RequestIdReusedError):
            replica.start(rid, _md(), fingerprint="b")
        # the same request id in an organization's plans store is another operation
        theirs, created_theirs = plans.start(rid, _md(), owner=org, fingerprint="a")
        assert created_theirs and theirs.name != op.name
        # each service sees only its own
        assert plans.get(op.name) is None and optimizer.get(theirs.name) is None
        assert op.name in {o.name for o in replica.list()}
        assert op.name not in {o.name for o in plans.list()}
        assert not plans.delete(op.name) and replica.get(op.name) is not None
        assert optimizer.delete(op.name) and replica.get(op.name) is None
    finally:
        for store in (optimizer, replica, plans):
            store.close()
